import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp, type LoadRequest } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { makeTempDir, releasingOnStop, removeTempDir, startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'sqlite-durable-write.mjs');

/** ~100 bytes, as a chat message a phone reports. */
export const SPOKEN = 'Hi, is the order from yesterday ready to ship? I can pick it up after 5 pm today, thanks a lot!!';

/**
 * A message report as the WorkBot app sends it (POST /workbot/api/robot/messages), each request from
 * the next robot of `robots` with its own token. Plinth's figure and this ceiling send the same load.
 */
export function messageReports(robots: Array<{ robotId: string; token: string }>, urlPath: string): LoadRequest {
  const timestamp = new Date().toISOString();
  return {
    path: urlPath,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    variants: robots.map((robot) => ({
      headers: { authorization: `Bearer ${robot.token}` },
      body: JSON.stringify({
        robotId: robot.robotId,
        spoken: SPOKEN,
        receivedName: 'Zhang San',
        groupName: 'Bench group',
        roomType: 2,
        atMe: false,
        textType: 1,
        timestamp,
      }),
    })),
  };
}

/** The robots the ceiling's own load uses: ids and tokens shaped like Plinth's (the ceiling checks no token). */
export const CEILING_ROBOTS = Array.from({ length: 200 }, () => ({
  robotId: `robot_${Date.now()}_${randomBytes(4).toString('hex')}`,
  token: `rbt_${randomBytes(32).toString('base64url')}`,
}));

const load = messageReports(CEILING_ROBOTS, '/');

export const sqliteDurableWrite: Ceiling = {
  name: 'sqlite-durable-write',
  unit: 'req/s',
  describe:
    'bare node:http + raw better-sqlite3, one transaction per POST (insert a ~100 B message row, bump a counter row, insert an outbox event row), WAL + ' +
    'synchronous=FULL',
  async start() {
    const dir = makeTempDir('sqlite-write');
    return releasingOnStop(
      () =>
        startNodeServer('sqlite-durable-write', script, {
          NODE_ENV: 'production',
          BENCH_DB_DIR: dir,
          BENCH_ROBOT_IDS: CEILING_ROBOTS.map((r) => r.robotId).join(','),
        }),
      () => removeTempDir(dir),
    );
  },
  measure: (server, s) => measureHttp(server, load, s),
  warmup: (server, s) => warmupHttp(server, load, s),
};
