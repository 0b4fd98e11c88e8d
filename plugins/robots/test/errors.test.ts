import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import {
  RobotSocket,
  activate,
  adminCodes,
  bearer,
  device,
  homeAdmin,
  newCodes,
  ownerWithRobot,
  poll,
  robotsApp,
  sendText,
  superadmin,
  type RobotsApp,
} from '../../../test/helpers/robots.js';
import { robotsServices } from '../services/own.js';

/** The seed's error envelope: HTTP status = code, a message, and data. */
function assertError(res: { status: number; body: any; text: string }, status: number): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.code, status, res.text);
  assert.equal(typeof res.body.message, 'string');
  assert.ok('data' in res.body, res.text);
}

describe('robots: errors (tokens, principals, validation, codes)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  it('bad, expired and revoked robot tokens: 401 on HTTP and on the WebSocket handshake', async () => {
    const { robot } = await ownerWithRobot(t);
    // Bad.
    const bad = await poll(t, 'rbt_not-a-token');
    assertError(bad, 401);
    assert.equal(bad.body.data, null);
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, 'rbt_not-a-token'), 401);
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, ''), 401);
    // A good token for another robotId on the socket.
    assert.equal(await RobotSocket.refusedStatus(t, 'robot_1_abc', robot.token), 401);
    // Expired (another robot's token, its expiry moved into the past before it is ever used).
    const { robot: other } = await ownerWithRobot(t, 'expired');
    const otherPk = (await t.app.db('robots_robots').where('robot_id', other.robotId).first()).id;
    await t.app.db('robots_tokens').where({ robot_pk: otherPk, kind: 'access' }).update({ expires_at: '2000-01-01T00:00:00.000Z' });
    assertError(await poll(t, other.token), 401);
    assert.equal(await RobotSocket.refusedStatus(t, other.robotId, other.token), 401);
    // Refreshed, then revoked (the row revoked).
    const fresh = await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken: robot.refreshToken } });
    assert.equal(fresh.status, 200, fresh.text);
    const token = fresh.body.data.token;
    assert.equal((await poll(t, token)).status, 200);
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, token), 101);
    // Revoked the way unbind, disable and delete do it: refused at once, though it was just used (and cached).
    const robotPk = (await t.app.db('robots_robots').where('robot_id', robot.robotId).first()).id;
    await robotsServices.of(t.app).tokens.revokeAll(t.app.db, Number(robotPk));
    assertError(await poll(t, token), 401);
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, token), 401);
  });

  it('a user token where a robot token is required and a robot token where a user token is: 401', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    assertError(await poll(t, owner.token), 401);
    assertError(await t.wb('POST', '/api/robot/messages', { body: { spoken: 'hi' }, headers: owner.headers }), 401);
    assertError(await t.wb('POST', '/api/robot/command-result', { body: { commandId: 'cmd_1_a', errorCode: 0 }, headers: owner.headers }), 401);
    assertError(await t.wb('GET', '/api/robots', { headers: bearer(robot.token) }), 401);
    assertError(await t.wb('GET', '/api/user/info', { headers: bearer(robot.token) }), 401);
    assertError(
      await t.wb('POST', '/api/robot/send-message', {
        body: { robotId: robot.robotId, type: 'text', titleList: ['x'], content: 'x' },
        headers: bearer(robot.token),
      }),
      401,
    );
    assertError(await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: bearer(robot.token) }), 401);
    // No token at all.
    assertError(await t.wb('GET', '/api/robots'), 401);
    assertError(await poll(t, ''), 401);
    // The user's JWT on the WebSocket.
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, owner.token), 401);
  });

  it('a robotId that is not the token’s: 403', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    const other = await activate(t, (await newCodes(t, owner))[0]);
    const h = bearer(robot.token);
    assertError(await t.wb('POST', '/api/robot/messages', { body: { robotId: other.robotId, spoken: 'hi' }, headers: h }), 403);
    assertError(await poll(t, robot.token, other.robotId), 403);
    const cmd = (await sendText(t, owner, other.robotId, 'for the other')).body.data.commandId;
    assertError(await t.wb('POST', '/api/robot/command-result', { body: { robotId: other.robotId, commandId: cmd, errorCode: 0 }, headers: h }), 403);
    // The other robot's command through this robot's own id: not found for this robot.
    assertError(await t.wb('POST', '/api/robot/command-result', { body: { robotId: robot.robotId, commandId: cmd, errorCode: 0 }, headers: h }), 404);
    // Still open for its robot.
    assert.equal((await poll(t, other.token)).body.data.commands.length, 1);
  });

  it('send-message to another user’s or tenant’s robot: 404', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'a');
    const member = await addUser(t, owner.tenantId, 'member');
    assertError(await sendText(t, member, robot.robotId, 'not yours either'), 404);
    assertError(await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: member.headers }), 404);
    const b = await registerOwner(t, 'b');
    const res = await sendText(t, b, robot.robotId, 'not yours');
    assertError(res, 404);
    assertError(await sendText(t, b, 'robot_1_deadbeef', 'nobody'), 404);
    const pk = (await t.app.db('robots_robots').where('robot_id', robot.robotId).first('id')).id;
    assert.equal(
      await t.app
        .db('robots_commands')
        .where('robot_pk', pk)
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
    );
  });

  it('validation errors: 400 with data.fields; a text message without content; a file without fileUrl', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    const missing = await t.wb('POST', '/api/robot/send-message', { body: { robotId: robot.robotId }, headers: owner.headers });
    assertError(missing, 400);
    assert.ok(Array.isArray(missing.body.data.fields) && missing.body.data.fields.length >= 2, missing.text);
    const badType = await t.wb('POST', '/api/robot/send-message', {
      body: { robotId: robot.robotId, type: 'video', titleList: ['x'] },
      headers: owner.headers,
    });
    assertError(badType, 400);
    assert.ok(
      badType.body.data.fields.some((f: { path: string }) => /type/.test(f.path)),
      badType.text,
    );
    const noContent = await t.wb('POST', '/api/robot/send-message', {
      body: { robotId: robot.robotId, type: 'text', titleList: ['x'] },
      headers: owner.headers,
    });
    assertError(noContent, 400);
    assert.deepEqual(
      noContent.body.data.fields.map((f: { path: string }) => f.path),
      ['body.content'],
    );
    const noUrl = await t.wb('POST', '/api/robot/send-message', { body: { robotId: robot.robotId, type: 'image', titleList: ['x'] }, headers: owner.headers });
    assertError(noUrl, 400);
    assert.deepEqual(
      noUrl.body.data.fields.map((f: { path: string }) => f.path),
      ['body.fileUrl'],
    );
    const emptyTitles = await t.wb('POST', '/api/robot/send-message', {
      body: { robotId: robot.robotId, type: 'text', titleList: [], content: 'x' },
      headers: owner.headers,
    });
    assertError(emptyTitles, 400);
    // An image with a URL is fine.
    const image = await t.wb('POST', '/api/robot/send-message', {
      body: {
        robotId: robot.robotId,
        type: 'image',
        titleList: ['g'],
        fileUrl: 'https://cdn.example.com/i.jpg',
        fileType: 'image',
        objectName: 'i.jpg',
        extraText: 'look',
      },
      headers: owner.headers,
    });
    assert.equal(image.status, 200, image.text);
    // Robot-side validation.
    assertError(await t.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId }, headers: bearer(robot.token) }), 400);
    assertError(await t.wb('POST', '/api/robot/command-result', { body: { commandId: 'x' }, headers: bearer(robot.token) }), 400);
    // Activation validation.
    const act = await t.wb('POST', '/api/robot-ids/activate', { body: { code: 'short' } });
    assertError(act, 400);
    assert.ok(act.body.data.fields.length >= 1);
    // Malformed JSON.
    const raw = await t.wb('POST', '/api/robot-ids/activate', { raw: '{not json', headers: { 'content-type': 'application/json' } });
    assertError(raw, 400);
  });

  it('activation: an unknown code 404, a disabled code 403 (and its robot’s token 401)', async () => {
    const admin = await homeAdmin(t);
    assertError(await t.wb('POST', '/api/robot-ids/activate', { body: { code: 'ZZZZ9999', deviceInfo: device() } }), 404);
    const [code, unused] = await adminCodes(t, admin, 2);
    const a = await activate(t, code);
    const live = await RobotSocket.open(t, a.robotId, a.token);
    const closed = live.closed();
    const dis = await t.wb('POST', `/api/admin/activation-codes/${code}/disable`, { headers: admin.headers });
    assert.equal(dis.status, 200, dis.text);
    assert.equal(await closed, 4001);
    assertError(await poll(t, a.token), 401);
    assertError(await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: device(a.deviceId) } }), 403);
    assert.equal((await t.wb('POST', `/api/admin/activation-codes/${unused}/disable`, { headers: admin.headers })).status, 200);
    assertError(await t.wb('POST', '/api/robot-ids/activate', { body: { code: unused, deviceInfo: device() } }), 403);
    // A home admin cannot disable or unbind the codes of another tenant (the operator issued them there).
    const b = await registerOwner(t, 'b');
    const [bCode] = await newCodes(t, b);
    assertError(await t.wb('POST', `/api/admin/activation-codes/${bCode}/disable`, { headers: admin.headers }), 404);
    assertError(await t.wb('POST', '/api/admin/unbind-device', { body: { code: bCode }, headers: admin.headers }), 404);
    // …nor can that tenant's own owner: WorkBot administration is the operator's.
    assertError(await t.wb('POST', '/api/admin/unbind-device', { body: { code: bCode }, headers: b.headers }), 403);
    // Unbinding a code nobody activated: 404 (a superadmin sees every tenant's codes).
    assertError(await t.wb('POST', '/api/admin/unbind-device', { body: { code: bCode }, headers: (await superadmin(t)).headers }), 404);
  });

  it('a deleted robot’s token: 401 on HTTP and on the socket', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    const live = await RobotSocket.open(t, robot.robotId, robot.token);
    const closed = live.closed();
    const del = await t.wb('DELETE', `/api/robots/${robot.robotId}`, { headers: owner.headers });
    assert.equal(del.status, 200, del.text);
    assert.equal(await closed, 4001);
    assertError(await poll(t, robot.token), 401);
    assertError(await t.wb('POST', '/api/robot/refresh-token', { body: { refreshToken: robot.refreshToken } }), 401);
    assert.equal(await RobotSocket.refusedStatus(t, robot.robotId, robot.token), 401);
  });

  it('an unknown path under the face: 404 in the envelope', async () => {
    assertError(await t.wb('GET', '/api/nothing-here'), 404);
  });
});
