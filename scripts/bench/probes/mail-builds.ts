// Received mail through two builds side by side: this checkout's Plinth and BENCH_BASELINE's (another
// checkout, built), both started at once (auth and mail), the bench's SMTP load (~2 KB messages, 10
// connections) sent to each in turn, the order swapped every round. Per run: messages a second, each
// server's CPU a message, and on PostgreSQL (BENCH_DATABASE_URL) the CPU of all of PostgreSQL's
// processes a message, read from /proc (so it runs on the machine PostgreSQL runs on). Medians at the end.
//   BENCH_BASELINE=../base [BENCH_DATABASE_URL=postgres://…] node --import tsx scripts/bench/probes/mail-builds.ts [rounds] [messages]
import fs from 'node:fs';
import path from 'node:path';
import { cpuSeconds, makeTempDir, postgresCpuSeconds, removeTempDir, stopAll } from '../lib/process.js';
import { settingsFromEnv } from '../lib/context.js';
import { projectRoot, startPlinth } from '../lib/plinth.js';
import { sendMessages } from '../lib/smtp-load.js';

const baseline = process.env.BENCH_BASELINE;
if (!baseline) throw new Error('BENCH_BASELINE=<another checkout, built> is required');
const rounds = Number(process.argv[2] ?? 8);
const messages = Number(process.argv[3] ?? 3000);
const LOAD = { connections: 10, bytes: 2048, domain: 'bench.test' };

const dir = makeTempDir('mail-builds');
const config = path.join(dir, 'bench.json');
fs.writeFileSync(config, JSON.stringify({ settings: { mail: { domains: [{ name: LOAD.domain, createOnFirstMail: true }] } } }));
const builds = { baseline: path.resolve(baseline), this: projectRoot };
const servers = Object.fromEntries(
  await Promise.all(
    Object.entries(builds).map(
      async ([name, root]) => [name, await startPlinth({ root, env: { PLINTH_PLUGINS: 'auth,mail', PLINTH_CONFIG: config } })] as const,
    ),
  ),
);
const runs: Record<string, number[][]> = { baseline: [], this: [] };
try {
  // Warmed as the bench warms every SMTP server (warmupSmtp): measured runs after that are steady.
  const warmup = settingsFromEnv().smtpWarmupMessages;
  for (const name of Object.keys(builds)) await sendMessages({ port: servers[name].smtpPort, count: warmup, timeBoundMs: 120_000, ...LOAD });
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? ['this', 'baseline'] : ['baseline', 'this']) {
      const server = servers[name];
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the other side's last commits
      const [pg0, cpu0] = [postgresCpuSeconds(), cpuSeconds(server.pid)];
      const r = await sendMessages({ port: server.smtpPort, count: messages, timeBoundMs: 120_000, ...LOAD });
      if (r.failed) throw new Error(`${name}: ${r.failed} messages refused: ${r.firstError}`);
      const perMsg = (seconds: number) => Math.round((seconds * 1e6) / r.sent);
      const run = [Math.round(r.perSec), perMsg(cpuSeconds(server.pid) - cpu0), perMsg(postgresCpuSeconds() - pg0)];
      runs[name].push(run);
      console.log(`round ${round + 1} ${name.padEnd(8)} ${run[0]} msg/s, server ${run[1]} µs/msg, postgres ${run[2]} µs/msg`);
    }
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop())); // each drops its database too
  await stopAll();
  removeTempDir(dir);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rows] of Object.entries(runs)) {
  const [rate, server, postgres] = [0, 1, 2].map((k) => median(rows.map((r) => r[k])));
  console.log(`median ${name.padEnd(8)} ${rate} msg/s, server ${server} µs/msg, postgres ${postgres} µs/msg`);
}
