import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'argon2-verify.mjs');
const request = { path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bench-password-123' }) };

export const argon2Verify: Ceiling = {
  name: 'argon2-verify',
  unit: 'verifies/s',
  describe: 'bare Koa + argon2id verify (m=19 MiB, t=2, p=1), the raw password-hash throughput',
  start: () => startNodeServer('argon2-verify', script, { NODE_ENV: 'production' }),
  measure: (server, s) => measureHttp(server, request, s),
  warmup: (server, s) => warmupHttp(server, request, s),
};
