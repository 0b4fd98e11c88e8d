import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSettings, Ceiling, Measurement } from '../lib/context.js';
import { cpuSeconds, startNodeServer, type RunningServer } from '../lib/process.js';
import { sendMessages } from '../lib/smtp-load.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'smtp-parse.mjs');

/** The domain every SMTP figure's messages go to (Plinth's receiver takes mail for its own domains only). */
export const SMTP_DOMAIN = 'bench.test';

/**
 * One run of the SMTP load every mail figure and ceiling is measured with (~2 KB messages over
 * BENCH_SMTP_CONNECTIONS connections) against any server; fails on any rejected message.
 */
export async function measureSmtp(server: RunningServer, s: BenchSettings, count = s.smtpMessages): Promise<Measurement> {
  const cpuBefore = cpuSeconds(server.pid);
  const r = await sendMessages({
    port: server.port,
    count,
    timeBoundMs: s.smtpTimeBoundSec * 1000,
    connections: s.smtpConnections,
    domain: SMTP_DOMAIN,
    bytes: 2048,
  });
  if (r.failed) throw new Error(`${server.name}: ${r.failed} messages rejected, first: ${r.firstError}`);
  if (!r.sent) throw new Error(`${server.name}: no message sent within ${s.smtpTimeBoundSec} s`);
  return { value: r.perSec, cpuUs: ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / r.sent, clientCpuUs: r.cpuUs };
}

/**
 * Brings a server to its steady state before its measured runs: BENCH_SMTP_WARMUP messages (10,000),
 * none with BENCH_WARMUP=0. After 1,000, a server's CPU a message (Plinth's and the ceilings' alike)
 * still fell from run to run. On a slow machine that many take longer than one run's time bound, so
 * the warm-up gets a minute at least.
 */
export async function warmupSmtp(server: RunningServer, s: BenchSettings): Promise<void> {
  if (s.warmupSec > 0 && s.smtpWarmupMessages > 0)
    await measureSmtp(server, { ...s, smtpTimeBoundSec: Math.max(s.smtpTimeBoundSec, 60) }, s.smtpWarmupMessages);
}

export const smtpParse: Ceiling = {
  name: 'smtp-parse',
  unit: 'msg/s',
  describe: 'bare smtp-server + postal-mime (the parser Plinth uses), stores nothing',
  start: () => startNodeServer('smtp-parse', script, { NODE_ENV: 'production' }),
  measure: (server, s) => measureSmtp(server, s),
  warmup: warmupSmtp,
};
