// The admin pages' live channel across two real `plinth start` processes on one PostgreSQL database:
// a page's stream on instance B hears a robot that connects to instance A and the message its phone
// reports there, and a sign-out on A ends the same session's stream on B.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Reply } from '../../../test/helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { openLive } from '../../../test/helpers/live.js';
import { freePort, kill, startServer, writeConfig, type PlinthProcess } from '../../../test/helpers/processes.js';
import { activate, bearer, RobotSocket, type RobotsApp } from '../../../test/helpers/robots.js';

const ADMIN = { email: 'root@live-processes.test', password: 'Operator-pass-for-live-processes-42' };

/** What the robots helpers need of an app, for a process the test did not build: HTTP on its port. */
function remote(url: string): RobotsApp {
  const request = async (method: string, p: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.headers ?? {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  return {
    url,
    request,
    wb: (method: string, p: string, o?: { body?: unknown; headers?: Record<string, string> }) => request(method, `/workbot${p}`, o),
  } as never;
}

describe('robots: the live channel across two real processes (PostgreSQL)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  const processes: PlinthProcess[] = [];
  let a: RobotsApp;
  let b: RobotsApp;

  /** One instance: its own port and data dir, the shared database. */
  async function instance(name: string): Promise<RobotsApp> {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `plinth-live-${name}-`));
    const config = writeConfig(
      database,
      {
        server: { port },
        dataDir,
        plugins: ['auth', 'licensing', 'robots'],
        log: { level: 'warn' },
        settings: {
          auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 10_000, refreshPerIpPerMinute: 10_000 } },
          licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000 },
          robots: { requestsPerMinute: 100_000 },
        },
      },
      `config-${name}.json`,
    );
    processes.push(await startServer(config, port));
    return remote(`http://127.0.0.1:${port}`);
  }

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    a = await instance('a');
    b = await instance('b');
  });
  after(async () => {
    for (const p of processes) await kill(p, 'SIGTERM');
    await database?.drop();
  });

  const signIn = async (app: RobotsApp) => {
    const res = await app.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(res.status, 200, res.text);
    return bearer(res.body.access_token);
  };

  it("a robot connecting to A and the message it reports there are heard on B's stream", async () => {
    const onA = await signIn(a);
    const codes = await a.wb('POST', '/api/admin/activation-codes', { body: { count: 1 }, headers: onA });
    assert.equal(codes.status, 200, codes.text);
    const [{ code }] = codes.body.data.codes;
    const robot = await activate(a, code);
    const stream = await openLive(b.url, await signIn(b));
    try {
      const socket = await RobotSocket.open(a, robot.robotId, robot.token);
      const online = await stream.next((e) => e.kind === 'robot.presence' && e.data.robotId === robot.robotId);
      assert.deepEqual(online.data, { robotId: robot.robotId, online: true });

      const reported = await a.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, spoken: 'Open today?' }, headers: bearer(robot.token) });
      assert.equal(reported.status, 200, reported.text);
      const message = await stream.next((e) => e.kind === 'robot.message');
      assert.deepEqual(message.data, { robotId: robot.robotId, messageId: reported.body.data.messageId });
      socket.ws.close();
      await stream.next((e) => e.kind === 'robot.presence' && e.data.online === false);
    } finally {
      stream.close();
    }
  });

  it("signing out on A ends the session's stream on B", async () => {
    const login = await fetch(`${a.url}/admin/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(login.status, 200);
    const cookie = /^(plinth_session=[^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(cookie);
    const stream = await openLive(b.url, { cookie });
    try {
      const out = await fetch(`${a.url}/admin/api/logout`, { method: 'POST', headers: { cookie } });
      assert.equal(out.status, 200);
      assert.equal(await stream.ended, true, 'B ended it');
      assert.equal((await fetch(`${b.url}/admin/api/live`, { headers: { cookie } })).status, 401);
    } finally {
      stream.close();
    }
  });
});
