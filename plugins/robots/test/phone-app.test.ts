import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import {
  ISO,
  RobotSocket,
  activate,
  bearer,
  device,
  eventRows,
  newCodes,
  poll,
  result,
  robotsApp,
  sendText,
  sleep,
  superadmin,
  type RobotsApp,
} from '../../../test/helpers/robots.js';

describe('robots: the phone app end to end (real HTTP, a real WebSocket)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  it('activates, connects, receives a pushed command, reports it; 409 for another device; 200 for the same; unbind frees the code', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    assert.match(code, /^[A-Za-z0-9]{8}$/);

    // First activation: 201 with the seed's fields.
    const phone = device('phone-one');
    const res = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: phone } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.code, 201);
    const a = res.body.data;
    assert.match(a.robotId, /^robot_\d+_[0-9a-f]+$/);
    assert.match(a.robotUuid, /^[0-9a-f-]{36}$/);
    // The prefix and 32 random bytes in base64url: the format stored tokens have.
    assert.match(a.token, /^rbt_[A-Za-z0-9_-]{43}$/);
    assert.match(a.refreshToken, /^rbr_[A-Za-z0-9_-]{43}$/);
    assert.match(a.expiresAt, ISO);
    assert.equal(a.isNewActivation, true);

    // Connect, ping → pong.
    const socket = await RobotSocket.open(t, a.robotId, a.token);
    socket.send({ type: 'ping' });
    const [pong] = await socket.waitFor((f) => f.type === 'pong');
    assert.equal(typeof pong.timestamp, 'number');

    // The owner's robot list shows it online.
    const list = await t.wb('GET', '/api/robots?status=online', { headers: owner.headers });
    assert.deepEqual(
      list.body.data.list.map((r: { robotId: string }) => r.robotId),
      [a.robotId],
    );

    // The owner sends a message → the command is pushed on the socket.
    const sent = await sendText(t, owner, a.robotId, 'hello from the owner');
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.code, 0);
    assert.equal(sent.body.data.status, 'pending');
    const commandId = sent.body.data.commandId;
    assert.match(commandId, /^cmd_\d+_[0-9a-f]+$/);
    const [pushed] = await socket.waitFor((f) => f.type === 'command');
    assert.equal(pushed.data.commandId, commandId);
    assert.equal(pushed.data.commandType, 'send_message');
    assert.deepEqual(pushed.data.commandParams, { type: 'text', titleList: ['Zhang San'], content: 'hello from the owner', atList: [] });
    assert.match(pushed.data.createdAt, ISO);

    // The robot reports the result: no longer handed out, and the event exists.
    const done = await result(t, a.token, a.robotId, commandId);
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(done.body, { code: 0, message: done.body.message, data: null });
    const polled = await poll(t, a.token, a.robotId);
    assert.equal(polled.status, 200, polled.text);
    assert.deepEqual(polled.body.data.commands, []);
    const events = (await eventRows(t, 'robots.command.completed')).filter((e) => e.payload.command_id === commandId);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, { robot_id: a.robotId, command_id: commandId, status: 'succeeded', error_code: 0 });
    // A repeated report changes nothing.
    assert.equal((await result(t, a.token, a.robotId, commandId)).status, 200);
    assert.equal((await eventRows(t, 'robots.command.completed')).filter((e) => e.payload.command_id === commandId).length, 1);

    // A second device with the same code: 409 with who holds it.
    const other = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: device('phone-two') } });
    assert.equal(other.status, 409, other.text);
    assert.equal(other.body.code, 409);
    assert.equal(other.body.data.existingDeviceId, 'phone-one');
    assert.equal(other.body.data.existingRobotId, a.robotId);
    assert.match(other.body.data.activatedAt, ISO);

    // The same device again: 200 with new tokens; the old token is refused.
    const again = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: phone } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.code, 200);
    assert.equal(again.body.data.robotId, a.robotId);
    assert.equal(again.body.data.robotUuid, a.robotUuid);
    assert.equal(again.body.data.isNewActivation, false);
    assert.notEqual(again.body.data.token, a.token);
    assert.notEqual(again.body.data.refreshToken, a.refreshToken);
    const stale = await poll(t, a.token);
    assert.equal(stale.status, 401, stale.text);
    assert.equal(stale.body.code, 401);
    assert.equal((await poll(t, again.body.data.token)).status, 200);
    await socket.close();
    const live = await RobotSocket.open(t, a.robotId, again.body.data.token);
    const liveClosed = live.closed();

    // Unbind (by the operator): the device's token stops working, a new device activates (201).
    const unbind = await t.wb('POST', '/api/admin/unbind-device', { body: { code, reason: 'new phone' }, headers: (await superadmin(t)).headers });
    assert.equal(unbind.status, 200, unbind.text);
    assert.equal(unbind.body.data.deviceId, 'phone-one');
    assert.equal(unbind.body.data.robotId, a.robotId);
    assert.match(unbind.body.data.unboundAt, ISO);
    assert.equal((await poll(t, again.body.data.token)).status, 401);
    // The unbound phone's open socket is closed: it must not receive the next phone's commands.
    assert.equal(await liveClosed, 4001);
    assert.equal(await RobotSocket.refusedStatus(t, a.robotId, again.body.data.token), 401);
    const fresh = await activate(t, code, device('phone-three'), 201);
    assert.equal(fresh.isNewActivation, true);
    assert.equal((await poll(t, fresh.token, fresh.robotId)).status, 200);
    // The old device is now the other one: 409.
    const back = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: phone } });
    assert.equal(back.status, 409, back.text);
    assert.equal(back.body.data.existingDeviceId, 'phone-three');
  });

  it('refresh-token gives a new access token; the old one is refused; a bad refresh token is 401', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    const a = await activate(t, code);
    const res = await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken: a.refreshToken } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.data.token, /^rbt_[A-Za-z0-9_-]{43}$/);
    assert.match(res.body.data.expiresAt, ISO);
    assert.equal((await poll(t, a.token)).status, 401);
    assert.equal((await poll(t, res.body.data.token)).status, 200);
    const bad = await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken: 'rbr_not-a-real-token-at-all' } });
    assert.equal(bad.status, 401, bad.text);
    assert.equal(bad.body.code, 401);
    // An access token is not a refresh token.
    assert.equal((await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken: res.body.data.token } })).status, 401);
  });
});

describe('robots: offline delivery (poll and reconnect, at least once until acknowledged)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  it('queued commands come in order on poll, keep coming until acknowledged, never after', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    const a = await activate(t, code);
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const res = await sendText(t, owner, a.robotId, text);
      assert.equal(res.status, 200, res.text);
      ids.push(res.body.data.commandId);
    }
    // No socket anywhere: queued, not sent, until the robot polls.
    assert.deepEqual(await t.app.db('robots_commands').whereIn('command_id', ids).orderBy('id').pluck('status'), ['pending', 'pending', 'pending']);
    const first = await poll(t, a.token, a.robotId);
    assert.deepEqual(
      first.body.data.commands.map((c: { commandId: string }) => c.commandId),
      ids,
    );
    assert.deepEqual(
      first.body.data.commands.map((c: { commandParams: { content: string } }) => c.commandParams.content),
      ['one', 'two', 'three'],
    );
    // Not acknowledged: handed out again, same order.
    const second = await poll(t, a.token);
    assert.deepEqual(
      second.body.data.commands.map((c: { commandId: string }) => c.commandId),
      ids,
    );
    // Acknowledge the middle one (failed counts as done too), then the first.
    assert.equal((await result(t, a.token, a.robotId, ids[1], 3)).status, 200);
    assert.deepEqual(
      (await poll(t, a.token)).body.data.commands.map((c: { commandId: string }) => c.commandId),
      [ids[0], ids[2]],
    );
    assert.equal((await result(t, a.token, a.robotId, ids[0])).status, 200);
    assert.deepEqual(
      (await poll(t, a.token)).body.data.commands.map((c: { commandId: string }) => c.commandId),
      [ids[2]],
    );
    assert.equal((await result(t, a.token, a.robotId, ids[2])).status, 200);
    assert.deepEqual((await poll(t, a.token)).body.data.commands, []);
    const statuses = await t.app.db('robots_commands').whereIn('command_id', ids).orderBy('id').pluck('status');
    assert.deepEqual(statuses, ['succeeded', 'failed', 'succeeded']);
    const failed = (await eventRows(t, 'robots.command.completed')).find((e) => e.payload.command_id === ids[1]);
    assert.equal(failed?.payload.status, 'failed');
    assert.equal(failed?.payload.error_code, 3);
  });

  it('on reconnect the unacknowledged commands are pushed in order; acknowledged ones never again', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    const a = await activate(t, code);
    // Online once, then gone.
    const s1 = await RobotSocket.open(t, a.robotId, a.token);
    await s1.close();
    await sleep(50);
    const ids: string[] = [];
    for (const text of ['alpha', 'beta', 'gamma']) ids.push((await sendText(t, owner, a.robotId, text)).body.data.commandId);
    // Reconnect: all three, in order.
    const s2 = await RobotSocket.open(t, a.robotId, a.token);
    const pushed = await s2.waitFor((f) => f.type === 'command', 3);
    assert.deepEqual(
      pushed.map((f) => f.data.commandId),
      ids,
    );
    // Acknowledge the first; drop; reconnect: the other two, in order.
    assert.equal((await result(t, a.token, a.robotId, ids[0])).status, 200);
    await s2.close();
    await sleep(50);
    const s3 = await RobotSocket.open(t, a.robotId, a.token);
    const again = await s3.waitFor((f) => f.type === 'command', 2);
    await sleep(150);
    assert.deepEqual(
      s3.commands().map((f) => f.data.commandId),
      [ids[1], ids[2]],
    );
    assert.deepEqual(
      again.map((f) => f.data.commandId),
      [ids[1], ids[2]],
    );
    for (const id of ids.slice(1)) assert.equal((await result(t, a.token, a.robotId, id)).status, 200);
    await s3.close();
    await sleep(50);
    const s4 = await RobotSocket.open(t, a.robotId, a.token);
    s4.send({ type: 'ping' });
    await s4.waitFor((f) => f.type === 'pong');
    await sleep(150);
    assert.deepEqual(s4.commands(), []);
    await s4.close();
    assert.deepEqual((await poll(t, a.token)).body.data.commands, []);
  });

  it('a command sent while the robot is online is pushed once and not duplicated on a poll after the ack', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    const a = await activate(t, code);
    const s = await RobotSocket.open(t, a.robotId, a.token);
    s.send({ type: 'ping' });
    await s.waitFor((f) => f.type === 'pong');
    const reply = await sendText(t, owner, a.robotId, 'live');
    const id = reply.body.data.commandId;
    // Its socket is here: written `sent` with the command itself (the reply still says queued).
    assert.equal(reply.body.data.status, 'pending');
    const row = await t.app.db('robots_commands').where('command_id', id).first();
    assert.equal(row.status, 'sent');
    assert.ok(row.sent_at);
    await s.waitFor((f) => f.type === 'command' && f.data.commandId === id);
    await sleep(100);
    assert.equal(s.commands().length, 1);
    assert.equal((await result(t, a.token, a.robotId, id)).status, 200);
    assert.deepEqual((await poll(t, a.token)).body.data.commands, []);
    await s.close();
    // The robot is not the user: a user token cannot poll.
    assert.equal((await t.wb('GET', '/api/robot/commands', { headers: bearer(owner.token) })).status, 401);
  });
});
