// npm run bench [-- figure …]: builds, then measures Plinth beside bare-framework ceilings, prints
// one line per figure and writes bench-results.json at the project root.
//
// Add a figure: a module in figures/ returning Figure[] (compare throughput against a ceiling from
// ceilings/ with lib/autocannon.ts `alternate`), then list it in FIGURES below.
// Env knobs: BENCH_RUNS, BENCH_MAX_RUNS, BENCH_MAX_SPREAD, BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS,
// BENCH_LOAD_GENERATOR, BENCH_WRK_THREADS, BENCH_WALL_MINUTES, BENCH_SMTP_MESSAGES,
// BENCH_SMTP_TIME_BOUND, BENCH_SMTP_CONNECTIONS, BENCH_ROBOTS, BENCH_PUSH_SENDS, BENCH_PUSH_CONCURRENCY,
// BENCH_REPORT_ROBOTS (see lib/context.ts).
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { BenchContext, settingsFromEnv, type FigureModule } from './lib/context.js';
import { projectRoot } from './lib/plinth.js';
import { killAllSync, stopAll } from './lib/process.js';
import { benchDialect } from './lib/database.js';
import { loadGenerator } from './lib/autocannon.js';
import { ceilingFigure, formatLine, writeResults, type Figure } from './lib/results.js';
import { boot } from './figures/boot.js';
import { idleRss } from './figures/idle-rss.js';
import { healthRps } from './figures/health-rps.js';
import { auth } from './figures/auth.js';
import { billing } from './figures/billing.js';
import { mail } from './figures/mail.js';
import { licensing } from './figures/licensing.js';
import { robotsMessageReports, robotsPushLatency } from './figures/robots.js';
import { ai } from './figures/ai.js';
import { workflowsRuns } from './figures/workflows.js';
import { retention } from './figures/retention.js';
import { scaleOut } from './figures/scale-out.js';
import { agents } from './figures/agents.js';
import { ceilingsOnly } from './figures/ceilings.js';
import { builds } from './figures/builds.js';

/** In run order; `ceilings` stays last. */
const FIGURES: FigureModule[] = [
  boot,
  idleRss,
  healthRps,
  auth,
  billing,
  licensing,
  mail,
  robotsPushLatency,
  robotsMessageReports,
  ai,
  workflowsRuns,
  agents,
  retention,
  scaleOut,
  ceilingsOnly,
];

/** Run only when named: `builds` compares this checkout with another (BENCH_BASELINE). */
const ON_REQUEST: FigureModule[] = [builds];

/**
 * On PostgreSQL (BENCH_DATABASE_URL), the figures whose work is the database's and whose ceilings
 * have a raw-pg twin (or need no database); the others (boot, idle RSS, health, push latency,
 * retention) measure the same thing on either database and run on SQLite.
 */
const POSTGRES_FIGURES = ['auth', 'billing', 'licensing', 'mail', 'robots-message-reports', 'ai', 'workflows-runs', 'agents', 'scale-out', 'ceilings'];

/** Hard stop for the whole bench, whatever hangs (BENCH_WALL_MINUTES, 75 by default: runs repeat until they agree). */
const WALL_LIMIT_MS = Number(process.env.BENCH_WALL_MINUTES || 75) * 60 * 1000;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => ![...FIGURES, ...ON_REQUEST].some((f) => f.name === w));
  if (unknown.length) {
    log(`unknown figure(s): ${unknown.join(', ')}; known: ${[...FIGURES, ...ON_REQUEST].map((f) => f.name).join(', ')}`);
    return 2;
  }
  const defaults = benchDialect === 'postgres' ? FIGURES.filter((f) => POSTGRES_FIGURES.includes(f.name)) : FIGURES;
  const selected = wanted.length ? [...FIGURES, ...ON_REQUEST].filter((f) => wanted.includes(f.name)) : defaults;

  const config = loadConfig({ root: projectRoot, env: {} });
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  log(
    `bench: node ${process.version}, ${os.cpus().length} cpu(s), load average ${load()}; ${settings.runs} runs × ${settings.durationSec} s, ` +
      `${settings.connections} connections; HTTP load: ${loadGenerator}`,
  );
  log(
    `bench: database ${benchDialect === 'postgres' ? 'PostgreSQL (a fresh database per server, BENCH_DATABASE_URL)' : 'SQLite (a fresh data dir per server)'}`,
  );
  log(`bench: Plinth from dist/ with the config plugins: ${config.plugins.length ? config.plugins.join(', ') : '(none enabled in config)'}`);

  const ctx = new BenchContext(settings, log);
  const figures: Figure[] = [];
  const failures: string[] = [];
  const started = performance.now();
  try {
    for (const module of selected) {
      log(`${module.name}…`);
      try {
        figures.push(...(await module.run(ctx)));
      } catch (err) {
        failures.push(`${module.name}: ${(err as Error).stack ?? err}`);
        log(`${module.name} FAILED: ${(err as Error).message}`);
      }
    }
  } finally {
    await stopAll();
  }

  for (const { ceiling, samples } of ctx.ceilings()) {
    const how = ceiling.how
      ? ceiling.how(settings)
      : ceiling.unit === 'msg/s'
        ? `${settings.smtpMessages} msgs/run (≤ ${settings.smtpTimeBoundSec} s), ${settings.smtpConnections} connections`
        : `${settings.connections} conns, ${settings.durationSec} s/run`;
    figures.push(ceilingFigure(ceiling.name, ceiling.unit, samples, { note: `ceiling: ${ceiling.describe}; ${how}` }));
  }

  console.log('');
  for (const f of figures) console.log(formatLine(f, settings.maxSpread));
  const file = path.join(projectRoot, benchDialect === 'postgres' ? 'bench-results-postgres.json' : 'bench-results.json');
  writeResults(file, figures, settings.maxSpread);
  console.log(
    `\nwrote ${path.relative(process.cwd(), file) || file} (${figures.length} figures) in ${Math.round((performance.now() - started) / 1000)} s; ` +
      `${os.cpus().length} cpus, load average now ${load()}`,
  );
  if (os.loadavg()[0] > os.cpus().length) console.log('note: the machine was busy with other work; wall-clock figures are noisy (compare the cpu columns)');
  for (const f of failures) console.error(`\nFAILED ${f}`);
  return failures.length ? 1 : 0;
}

const watchdog = setTimeout(() => {
  log(`bench: over ${WALL_LIMIT_MS / 60000} minutes, killing children`);
  killAllSync();
  process.exit(3);
}, WALL_LIMIT_MS);
watchdog.unref();

// `on`, not `once`: a second Ctrl-C (or a wrapper forwarding the signal) must not kill the bench
// halfway through its cleanup.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`bench: ${signal}, stopping children`);
    killAllSync();
    process.exit(130);
  });
}
process.on('exit', killAllSync);

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    killAllSync();
    process.exitCode = 1;
  },
);
