// Two instances on one PostgreSQL database (pub/sub over LISTEN/NOTIFY): a robot connected to one
// gets what is sent through the other, both see it online (the presence lease), an unbind on one
// closes its socket on the other. And commands expire after settings.robots.commandTtlMinutes.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { RobotSocket, ownerWithRobot, poll, robotsApp, sendText, sleep, superadmin, type RobotsApp } from '../../../test/helpers/robots.js';

const statusOf = async (t: RobotsApp, headers: Record<string, string>, robotId: string) =>
  (await t.wb('GET', `/api/robots/${robotId}`, { headers })).body.data.status;

describe('robots: two instances (push, presence and unbind across instances)', () => {
  let database: TestDatabase;
  let a: RobotsApp;
  let b: RobotsApp;
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' }); // several instances need shared pub/sub
    a = await robotsApp({ database });
    b = await robotsApp({ database });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('a command sent through B reaches the robot connected to A; B sees it online, then offline; an unbind on B closes the socket on A', async () => {
    const { owner, code, robot } = await ownerWithRobot(a);
    assert.equal(await statusOf(b, owner.headers, robot.robotId), 'offline');

    const socket = await RobotSocket.open(a, robot.robotId, robot.token);
    for (let i = 0; i < 100 && (await statusOf(b, owner.headers, robot.robotId)) !== 'online'; i++) await sleep(20);
    assert.equal(await statusOf(b, owner.headers, robot.robotId), 'online');
    const listed = await b.wb('GET', '/api/robots?status=online', { headers: owner.headers });
    assert.deepEqual(
      listed.body.data.list.map((r: { robotId: string }) => r.robotId),
      [robot.robotId],
    );
    assert.ok((await b.wb('GET', `/api/robots/${robot.robotId}`, { headers: owner.headers })).body.data.lastActiveAt, 'lastActiveAt is set on connect');

    const sent = await sendText(b, owner, robot.robotId, 'through the other instance');
    assert.equal(sent.status, 200, sent.text);
    const [pushed] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(pushed.data.commandId, sent.body.data.commandId);
    assert.equal(pushed.data.commandParams.content, 'through the other instance');

    await socket.close();
    for (let i = 0; i < 100 && (await statusOf(b, owner.headers, robot.robotId)) !== 'offline'; i++) await sleep(20);
    assert.equal(await statusOf(b, owner.headers, robot.robotId), 'offline');

    const again = await RobotSocket.open(a, robot.robotId, robot.token);
    assert.equal((await poll(a, robot.token)).status, 200); // the token is now known (cached) on A
    const closed = again.closed();
    const unbound = await b.wb('POST', '/api/admin/unbind-device', { body: { code, reason: 'new phone' }, headers: (await superadmin(b)).headers });
    assert.equal(unbound.status, 200, unbound.text);
    assert.equal(await closed, 4001);
    // …and A refuses the revoked token at once (its cache was told over pub/sub).
    for (let i = 0; i < 50 && (await poll(a, robot.token)).status !== 401; i++) await sleep(20);
    assert.equal((await poll(a, robot.token)).status, 401);
  });
});

describe('robots: command expiry', () => {
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ clock, robots: { commandTtlMinutes: 10 } });
  });
  after(async () => t?.close());

  it('a command nobody acknowledged expires after the TTL: never handed out again, on poll or on connect', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    const old = await sendText(t, owner, robot.robotId, 'too late');
    clock.advance(5 * 60_000);
    const fresh = await sendText(t, owner, robot.robotId, 'still fresh');
    assert.deepEqual(
      (await poll(t, robot.token)).body.data.commands.map((c: { commandId: string }) => c.commandId),
      [old.body.data.commandId, fresh.body.data.commandId],
    );

    clock.advance(6 * 60_000); // the first is 11 minutes old, the second 6
    assert.equal(await t.app.scheduler.runNow('robots.expire-commands'), 'succeeded');
    const rows = await t.app.db('robots_commands').whereIn('command_id', [old.body.data.commandId, fresh.body.data.commandId]).orderBy('id').pluck('status');
    assert.deepEqual(rows, ['expired', 'sent']);
    assert.deepEqual(
      (await poll(t, robot.token)).body.data.commands.map((c: { commandId: string }) => c.commandId),
      [fresh.body.data.commandId],
    );
    const socket = await RobotSocket.open(t, robot.robotId, robot.token);
    const pushed = await socket.waitFor((f) => f.type === 'command');
    assert.deepEqual(
      pushed.map((f) => f.data.commandId),
      [fresh.body.data.commandId],
    );
    await socket.close();

    // The robot had received it and reports it late: the result is recorded all the same.
    const late = await t.wb('POST', '/api/robot/command-result', {
      body: { commandId: old.body.data.commandId, errorCode: 0 },
      headers: { authorization: `Bearer ${robot.token}` },
    });
    assert.equal(late.status, 200, late.text);
    assert.equal((await t.app.db('robots_commands').where('command_id', old.body.data.commandId).first()).status, 'succeeded');
  });
});
