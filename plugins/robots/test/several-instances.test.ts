// Robots on several instances (issue 15), with two real `plinth start` processes on one
// PostgreSQL database, each with a data dir of its own as on its own host (pushes cross them by
// pub/sub). A robot reconnecting to the other instance while commands keep coming gets its
// backlog first, oldest first, then what is pushed live, and no command twice before its result;
// it stays online across the move; a file it reports to one instance is served by the other. The
// robot is a real WebSocket client speaking seed 004. And, in-process: a robot holding too many
// sockets on one instance loses its oldest, with close code 4008.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { freePort, kill, openDatabase, startServer, waitFor, writeConfig, type PlinthProcess } from '../../../test/helpers/processes.js';
import {
  activate,
  ADMIN,
  adminCodes,
  bearer,
  ownerWithRobot,
  result,
  RobotSocket,
  robotsApp,
  sendText,
  superadmin,
  workbotServer,
  type RobotsApp,
} from '../../../test/helpers/robots.js';

const AUTH_LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

describe('robots: two instances on one PostgreSQL (real processes)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let db: Knex;
  const procs: PlinthProcess[] = [];
  let a: ReturnType<typeof workbotServer>;
  let b: ReturnType<typeof workbotServer>;

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    db = openDatabase(database);
    const servers = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const port = await freePort();
        const dataDir = path.join(database.dataDir, name);
        fs.mkdirSync(dataDir);
        const config = writeConfig(
          database,
          {
            server: { port },
            dataDir,
            log: { level: 'warn' },
            plugins: ['auth', 'licensing', 'robots'],
            settings: { auth: { admin: ADMIN, limits: AUTH_LIMITS }, robots: { requestsPerMinute: 100_000 } },
          },
          `${name}.json`,
        );
        procs.push(await startServer(config, port));
        return workbotServer(`http://127.0.0.1:${port}`);
      }),
    );
    [a, b] = servers;
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await db?.destroy();
    await database?.drop();
  });

  it('eight senders on both instances, the robot dropping its socket to A and at once opening one to B: backlog first, then live, none twice', async () => {
    const admin = await superadmin(a);
    const [code] = await adminCodes(a, admin);
    const robot = await activate(a, code);
    const first = await RobotSocket.open(a, robot.robotId, robot.token);
    const backlog: string[] = [];
    for (let i = 0; i < 8; i++) {
      const sent = await sendText(a, admin, robot.robotId, `backlog ${i}`);
      assert.equal(sent.status, 200, sent.text);
      backlog.push(sent.body.data.commandId);
    }
    await first.waitFor((f) => f.type === 'command', 8);
    assert.deepEqual(
      first.commands().map((f) => f.data.commandId),
      backlog,
    );
    // The robot reports the first three; the other five stay unacknowledged.
    for (const id of backlog.slice(0, 3)) assert.equal((await result(a, robot.token, robot.robotId, id)).status, 200);

    // Eight senders, half through each instance, four commands each, one after another.
    const live: Array<Array<{ id: string; startedAt: number; doneAt: number }>> = Array.from({ length: 8 }, () => []);
    const senders = live.map(async (mine, s) => {
      for (let i = 0; i < 4; i++) {
        const startedAt = performance.now();
        const sent = await sendText(s % 2 ? a : b, admin, robot.robotId, `live ${s}.${i}`);
        assert.equal(sent.status, 200, sent.text);
        mine.push({ id: sent.body.data.commandId, startedAt, doneAt: performance.now() });
      }
    });
    // Mid-stream, the robot drops its socket to A and at once opens one to B.
    await waitFor('some live commands', () => live.flat().length >= 6, { intervalMs: 5 });
    const closedAt = performance.now();
    first.ws.close();
    const second = await RobotSocket.open(b, robot.robotId, robot.token);
    const openedAt = performance.now();
    await Promise.all(senders);

    const all: string[] = await db('robots_commands as c')
      .join('robots_robots as r', 'r.id', 'c.robot_pk')
      .where('r.robot_id', robot.robotId)
      .orderBy('c.id')
      .pluck('c.command_id');
    assert.equal(all.length, 8 + 32);
    const open = all.filter((id) => !backlog.slice(0, 3).includes(id));
    await second.waitFor((f) => f.type === 'command', open.length);
    const got = second.commands().map((f) => f.data.commandId as string);
    assert.equal(new Set(got).size, got.length, `no command twice: ${got.join(', ')}`);
    assert.deepEqual([...got].sort(), [...open].sort(), 'every unacknowledged command once, none that was reported');
    assert.deepEqual(got.slice(0, 5), backlog.slice(3), 'the older unacknowledged commands first, oldest first');
    for (const mine of live)
      assert.deepEqual(
        got.filter((id) => mine.some((c) => c.id === id)),
        mine.map((c) => c.id),
        "each sender's commands in the order it sent them",
      );
    // Everything stored before the reconnect comes before anything sent after it.
    const position = (id: string) => got.indexOf(id);
    const older = [
      ...backlog.slice(3),
      ...live
        .flat()
        .filter((c) => c.doneAt < closedAt)
        .map((c) => c.id),
    ];
    const newer = live.flat().filter((c) => c.startedAt > openedAt);
    assert.ok(older.length > 5 && newer.length > 0, `the reconnect fell mid-stream: ${older.length} older, ${newer.length} newer`);
    assert.ok(Math.max(...older.map(position)) < Math.min(...newer.map((c) => position(c.id))), `older first, then live: ${got.join(', ')}`);

    // The robot reports everything through B; a new command then comes alone, and nothing reported comes again.
    for (const id of got) assert.equal((await result(b, robot.token, robot.robotId, id)).status, 200);
    const last = await sendText(a, admin, robot.robotId, 'after the reports');
    await second.waitFor((f) => f.type === 'command' && f.data.commandId === last.body.data.commandId);
    assert.deepEqual(
      second.commands().map((f) => f.data.commandId),
      [...got, last.body.data.commandId],
    );
    const statuses: Array<{ status: string; n: number | string }> = await db('robots_commands')
      .whereIn('command_id', all)
      .select('status')
      .count({ n: '*' })
      .groupBy('status');
    assert.deepEqual(
      statuses.map((r) => [r.status, Number(r.n)]),
      [['succeeded', 40]],
    );
    await second.close();
  });

  it('a robot that connects to B before its old socket to A closes stays online when A sees the old one go', async () => {
    const admin = await superadmin(a);
    const [code] = await adminCodes(a, admin);
    const robot = await activate(a, code);
    const status = async (s: typeof a) => (await s.wb('GET', `/api/robots/${robot.robotId}`, { headers: admin.headers })).body.data.status;
    const old = await RobotSocket.open(a, robot.robotId, robot.token);
    const fresh = await RobotSocket.open(b, robot.robotId, robot.token);
    const closedAt = new Date().toISOString();
    await old.close();
    // A records when the robot was last active as it handles the close: then it is done with it.
    await waitFor('A to handle the old socket closing', async () => {
      const row = await db('robots_robots').where('robot_id', robot.robotId).first('last_active_at');
      return row.last_active_at >= closedAt;
    });
    assert.deepEqual([await status(a), await status(b)], ['online', 'online']);

    // The other way round: the socket that closes is on the instance that last said the robot is
    // online (A, connected after B); B still holds one and says so again at once, not at its next heartbeat.
    const presenceOf = async () => (await db('robots_robots').where('robot_id', robot.robotId).first('presence_instance')).presence_instance;
    const byB = await waitFor('B to hold the presence', presenceOf);
    const later = await RobotSocket.open(a, robot.robotId, robot.token);
    await waitFor('A to take the presence over', async () => (await presenceOf()) !== byB);
    await later.close();
    await waitFor('B to say again that the robot is online', async () => (await presenceOf()) === byB && (await status(a)) === 'online', {
      timeoutMs: 5000,
    });
    assert.equal(await status(b), 'online');
    await fresh.close();
    await waitFor('the robot to be offline once its last socket is gone', async () => (await status(a)) === 'offline');
  });
  it('a file the robot reports to A is stored in the database and downloaded through B', async () => {
    const admin = await superadmin(a);
    const [code] = await adminCodes(a, admin);
    const robot = await activate(a, code);
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const reported = await a.wb('POST', '/api/robot/messages', {
      body: { robotId: robot.robotId, spoken: '[image]', receivedName: 'Zhang San', fileBase64: bytes.toString('base64') },
      headers: bearer(robot.token),
    });
    assert.equal(reported.status, 200, reported.text);
    const messageId = reported.body.data.messageId as string;
    const stored = await db('robots_message_files').where('message_id', messageId).first();
    assert.deepEqual(Buffer.from(stored.bytes), bytes, 'in the database');
    const onDisk = fs.readdirSync(path.join(database.dataDir, 'a'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(!onDisk.some((e) => fs.readFileSync(path.join(e.parentPath, e.name)).equals(bytes)), "not on A's disk");

    const listed = await b.wb('GET', `/api/robots/${robot.robotId}/messages`, { headers: admin.headers });
    assert.equal(listed.body.data.list.find((m: { messageId: string }) => m.messageId === messageId).hasFile, true);
    const served = await fetch(`${b.url}/workbot/api/robots/${robot.robotId}/messages/${messageId}/file`, { headers: admin.headers });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
    const anonymous = await b.wb('GET', `/api/robots/${robot.robotId}/messages/${messageId}/file`);
    assert.equal(anonymous.status, 401, anonymous.text);
  });
});

describe('robots: the socket cap', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ robots: { wsMaxSocketsPerRobot: 2 } });
  });
  after(async () => t?.close());

  it('a robot over its socket cap on one instance: the oldest socket is closed with 4008, the newest gets pushes', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'cap');
    const first = await RobotSocket.open(t, robot.robotId, robot.token);
    const closed = first.closed();
    const second = await RobotSocket.open(t, robot.robotId, robot.token);
    const third = await RobotSocket.open(t, robot.robotId, robot.token);
    assert.equal(await closed, 4008);
    assert.equal((await sendText(t, owner, robot.robotId, 'to the live ones')).status, 200);
    for (const s of [second, third]) await s.waitFor((f) => f.type === 'command' && f.data.commandParams.content === 'to the live ones');
    await second.close();
    await third.close();
  });
});
