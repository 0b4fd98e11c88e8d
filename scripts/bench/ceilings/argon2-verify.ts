import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { BenchSettings, Ceiling } from '../lib/context.js';
import { startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'argon2-verify.mjs');
const request = { path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bench-password-123' }) };

/**
 * Logins (verifies) in flight, on both sides: argon2 runs on libuv's 4 threads, so more than two per
 * thread only queue, and a queue left when a run stops would still be hashed during the next one.
 */
export const LOGIN_CONNECTIONS = 8;
export const loginSettings = (s: BenchSettings): BenchSettings => ({ ...s, connections: Math.min(s.connections, LOGIN_CONNECTIONS) });

export const argon2Verify: Ceiling = {
  name: 'argon2-verify',
  unit: 'verifies/s',
  describe: 'bare Koa + argon2id verify (m=19 MiB, t=2, p=1), the raw password-hash throughput',
  start: () => startNodeServer('argon2-verify', script, { NODE_ENV: 'production' }),
  how: (s) => `${loginSettings(s).connections} conns, ${s.durationSec} s/run`,
  measure: (server, s) => measureHttp(server, request, loginSettings(s)),
  warmup: (server, s) => warmupHttp(server, request, loginSettings(s)),
};
