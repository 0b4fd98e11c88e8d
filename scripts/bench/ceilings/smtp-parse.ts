import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSettings, Ceiling, Measurement } from '../lib/context.js';
import { cpuSeconds, startNodeServer, type RunningServer } from '../lib/process.js';
import { sendMessages } from '../lib/smtp-load.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'smtp-parse.mjs');

/** One run of the shared SMTP load against any server; fails on any rejected message. */
export async function measureSmtp(
  server: RunningServer,
  s: BenchSettings,
  count = s.smtpMessages,
  options: { domain?: string; connections?: number; bytes?: number } = {},
): Promise<Measurement> {
  const cpuBefore = cpuSeconds(server.pid);
  const clientBefore = process.cpuUsage();
  const r = await sendMessages({
    port: server.port,
    count,
    timeBoundMs: s.smtpTimeBoundSec * 1000,
    connections: options.connections ?? s.smtpConnections,
    domain: options.domain,
    bytes: options.bytes,
  });
  if (r.failed) throw new Error(`${server.name}: ${r.failed} messages rejected, first: ${r.firstError}`);
  if (!r.sent) throw new Error(`${server.name}: no message sent within ${s.smtpTimeBoundSec} s`);
  const client = process.cpuUsage(clientBefore);
  return { value: r.perSec, cpuUs: ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / r.sent, clientCpuUs: (client.user + client.system) / r.sent };
}

export const smtpParse: Ceiling = {
  name: 'smtp-parse',
  unit: 'msg/s',
  describe: 'bare smtp-server + postal-mime (the parser Plinth uses), stores nothing',
  start: () => startNodeServer('smtp-parse', script, { NODE_ENV: 'production' }),
  measure: (server, s) => measureSmtp(server, s),
  warmup: async (server, s) => {
    // The parser and the SMTP state machines take ~1,000 messages to warm up (JIT); measured runs after that are steady.
    if (s.warmupSec > 0) await measureSmtp(server, s, Math.min(1000, s.smtpMessages));
  },
};
