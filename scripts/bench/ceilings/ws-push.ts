// The floor under a command push: a bare node:http + `ws` server that pushes a frame on the robot's
// socket for each POST send-message (no auth, no storage; servers/ws-push.mjs). Not a throughput
// Ceiling: figures/robots.ts measures its latency with the same robot fleet and sender it uses on
// Plinth, in the same run, and prints it beside Plinth's.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'ws-push.mjs');

export const wsPush = {
  name: 'ws-push',
  describe: 'bare node:http + ws: POST send-message -> JSON.parse -> one frame on the robot socket -> 200; no auth, no storage',
  start: () => startNodeServer('ws-push', script, { NODE_ENV: 'production' }),
};
