// Where an SMTP server's CPU goes a message, by thread: Plinth (auth and mail) or a ceiling server
// (BENCH_CEILING=<one of ceilings/servers/*smtp*.mjs>) under the bench's SMTP load (~2 KB messages,
// 10 connections), warmed as the bench warms it, then `rounds` runs of `messages`. Per run: messages
// a second, the sender's CPU and, on PostgreSQL (BENCH_DATABASE_URL; the ceilings' database is a
// scratch one), all of PostgreSQL's processes' CPU a message, read from /proc, and the server's CPU a
// message per thread name: MainThread, WorkerThread (Plinth's parse worker), V8Worker (V8's
// collector and compiler helpers), libuv-worker (the thread pool: SQLite's log syncs). With
// BENCH_PLINTH_NODE_ARGS="--trace-gc" (or the same in BENCH_CEILING_NODE_ARGS) it also counts each
// isolate's scavenges and mark-compacts a run.
//   [BENCH_DATABASE_URL=postgres://…] [BENCH_CEILING=…] node --import tsx scripts/bench/probes/smtp-threads.ts [rounds] [messages]
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, cpuSecondsByThread, makeTempDir, postgresCpuSeconds, removeTempDir, spawnChild, stopAll, waitForLine, type Child } from '../lib/process.js';
import { settingsFromEnv } from '../lib/context.js';
import { type ScratchDatabase, scratchDatabase } from '../lib/database.js';
import { startPlinth } from '../lib/plinth.js';
import { sendMessages } from '../lib/smtp-load.js';

const rounds = Number(process.argv[2] ?? 3);
const messages = Number(process.argv[3] ?? 4000);
const LOAD = { connections: 10, bytes: 2048, domain: 'bench.test' };

/** Scavenges and mark-compacts by isolate, counted from --trace-gc lines on the server's stdout. */
function countCollections(child: Child): Map<string, number> {
  const counts = new Map<string, number>();
  child.proc.stdout!.on('data', (chunk: Buffer) => {
    for (const m of String(chunk).matchAll(/\[\d+:0x([0-9a-f]+)\]\s+[\d.]+ ms: (Scavenge|Mark-Compact|Minor Mark-Sweep)/g)) {
      const key = `${m[2]} (isolate …${m[1].slice(-5)})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  });
  return counts;
}

const dir = makeTempDir('smtp-threads');
const ceiling = process.env.BENCH_CEILING;

/** The server under test; `stop` also drops the database it was given. */
async function startServer(): Promise<{ pid: number; smtpPort: number; child: Child; stop(): Promise<void> }> {
  if (!ceiling) {
    const config = path.join(dir, 'bench.json');
    fs.writeFileSync(config, JSON.stringify({ settings: { mail: { domains: [{ name: LOAD.domain, createOnFirstMail: true }] } } }));
    const plinth = await startPlinth({ env: { PLINTH_PLUGINS: 'auth,mail', PLINTH_CONFIG: config } });
    return { pid: plinth.pid, smtpPort: plinth.smtpPort, child: plinth.child, stop: plinth.stop };
  }
  const database: ScratchDatabase | null = process.env.BENCH_DATABASE_URL ? await scratchDatabase('smtp-threads') : null;
  const nodeArgs = (process.env.BENCH_CEILING_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawnChild('ceiling', process.execPath, [...nodeArgs, path.resolve(ceiling)], {
    env: cleanEnv({ BENCH_DB_DIR: dir, ...(database ? { BENCH_DB_URL: database.url } : {}) }),
  });
  const [, port] = await waitForLine(child, /^READY (\d+)$/, 20_000);
  const stop = async () => {
    await child.stop();
    await database?.drop();
  };
  return { pid: child.pid, smtpPort: Number(port), child, stop };
}

const server = await startServer();
const collections = countCollections(server.child);
try {
  await sendMessages({ port: server.smtpPort, count: settingsFromEnv().smtpWarmupMessages, timeBoundMs: 120_000, ...LOAD });
  for (let round = 1; round <= rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    collections.clear();
    const [before, postgresBefore] = [cpuSecondsByThread(server.pid), postgresCpuSeconds()];
    const r = await sendMessages({ port: server.smtpPort, count: messages, timeBoundMs: 120_000, ...LOAD });
    const [after, postgresAfter] = [cpuSecondsByThread(server.pid), postgresCpuSeconds()];
    const perMessage = (seconds: number) => Math.round((seconds * 1e6) / r.sent);
    const threads = [...after]
      .map(([name, seconds]) => [name, perMessage(seconds - (before.get(name) ?? 0))] as const)
      .filter(([, us]) => us > 0)
      .map(([name, us]) => `${name} ${us}`);
    console.log(
      `round ${round}: ${Math.round(r.perSec)} msg/s; µs a message: sender ${Math.round(r.cpuUs)}, postgres ${perMessage(postgresAfter - postgresBefore)}; ` +
        `server by thread: ${threads.join(', ')}${collections.size ? `; ${[...collections].map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`,
    );
  }
} finally {
  await server.stop();
  await stopAll();
  removeTempDir(dir);
}
