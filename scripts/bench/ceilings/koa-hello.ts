import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'koa-hello.mjs');

export const koaHello: Ceiling = {
  name: 'koa-hello',
  unit: 'req/s',
  describe: 'bare Koa, GET / -> {"status":"ok"}',
  start: () => startNodeServer('koa-hello', script, { NODE_ENV: 'production' }),
  measure: (server, s) => measureHttp(server, { path: '/' }, s),
  warmup: (server, s) => warmupHttp(server, { path: '/' }, s),
};
