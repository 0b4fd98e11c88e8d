import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import {
  ISO,
  RobotSocket,
  activate,
  bearer,
  eventRows,
  homeAdmin,
  newCodes,
  ownerWithRobot,
  robotsApp,
  sendText,
  type RobotsApp,
} from '../../../test/helpers/robots.js';

describe('robots: SMS login (/api/user/send-sms, /api/user/login, /api/user/info)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(async () => t?.close());

  const phone = '+8613800000000';
  async function codeFor(p: string): Promise<string> {
    const sent = await t.wb('POST', '/api/user/send-sms', { body: { phone: p } });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.code, 0);
    assert.equal(sent.body.data.expiresIn, 300);
    const row = await t.app.db('auth_sms_outbox').where('phone', p).orderBy('id', 'desc').first();
    const code = /\b(\d{6})\b/.exec(row.body)?.[1];
    assert.ok(code, row.body);
    return code;
  }

  it('sends a code, logs in with it (creating the user), and the token works on /workbot', async () => {
    const code = await codeFor(phone);
    const res = await t.wb('POST', '/api/user/login', { body: { phone, code } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 0);
    const d = res.body.data;
    assert.equal(d.phone, phone);
    assert.ok(d.userId);
    assert.ok(d.token && d.refreshToken);
    assert.equal(typeof d.nickname, 'string');
    assert.ok(['user', 'admin'].includes(d.role));
    const info = await t.wb('GET', '/api/user/info', { headers: bearer(d.token) });
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body.data.userId, d.userId);
    assert.equal(info.body.data.phone, phone);
    assert.match(info.body.data.createdAt, ISO);
    const robots = await t.wb('GET', '/api/robots', { headers: bearer(d.token) });
    assert.equal(robots.status, 200, robots.text);
    assert.deepEqual(robots.body.data, { total: 0, list: [] });
    // The same phone again: the same user.
    const again = await t.wb('POST', '/api/user/login', { body: { phone, code: await codeFor(phone) } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.data.userId, d.userId);
  });

  it('a wrong or reused code: 400; a bad phone: 400', async () => {
    const p = '+8613800000001';
    const code = await codeFor(p);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const res = await t.wb('POST', '/api/user/login', { body: { phone: p, code: wrong } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 400);
    assert.equal((await t.wb('POST', '/api/user/login', { body: { phone: p, code } })).status, 200);
    assert.equal((await t.wb('POST', '/api/user/login', { body: { phone: p, code } })).status, 400);
    const bad = await t.wb('POST', '/api/user/send-sms', { body: { phone: 'not a phone' } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.code, 400);
    assert.equal((await t.wb('POST', '/api/user/send-sms', { body: {} })).status, 400);
  });
});

describe('robots: CRUD and tenant isolation (/api/robots)', () => {
  let t: RobotsApp;
  before(async () => {
    // The AI fields are kept by the ai plugin (plugins/robots/test/ai-settings.test.ts: without it).
    t = await robotsApp({ extraPlugins: ['ai'] });
  });
  after(async () => t?.close());

  it('creates with validated AI settings, lists with paging and status, shows, updates, deletes', async () => {
    const owner = await registerOwner(t);
    const h = owner.headers;
    const created = await t.wb('POST', '/api/robots', {
      body: {
        name: 'Service bot 1',
        aiMode: 'builtin',
        aiProvider: 'doubao',
        aiModel: 'doubao-pro-32k',
        aiTemperature: 0.7,
        aiMaxTokens: 2000,
        aiContextLength: 10,
        aiScenario: 'consulting',
      },
      headers: h,
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.code, 0);
    assert.match(created.body.data.robotId, /^robot_\d+_[0-9a-f]+$/);
    assert.equal(created.body.data.name, 'Service bot 1');
    const id = created.body.data.robotId;

    // Validation.
    const hot = await t.wb('POST', '/api/robots', { body: { name: 'x', aiTemperature: 3 }, headers: h });
    assert.equal(hot.status, 400, hot.text);
    assert.equal(hot.body.code, 400);
    assert.ok(
      hot.body.data.fields.some((f: { path: string }) => /aiTemperature/.test(f.path)),
      hot.text,
    );
    const delays = await t.wb('POST', '/api/robots', { body: { name: 'x', replyDelayMin: 9, replyDelayMax: 2 }, headers: h });
    assert.equal(delays.status, 400, delays.text);
    assert.ok(
      delays.body.data.fields.some((f: { path: string }) => /replyDelayMin/.test(f.path)),
      delays.text,
    );
    assert.equal((await t.wb('POST', '/api/robots', { body: { aiMode: 'builtin' }, headers: h })).status, 400);
    assert.equal((await t.wb('POST', '/api/robots', { body: { name: 'x', aiMode: 'magic' }, headers: h })).status, 400);
    assert.equal((await t.wb('POST', '/api/robots', { body: { name: 'x', unknown: 1 }, headers: h })).status, 400);

    // Detail: the seed's fields.
    const one = await t.wb('GET', `/api/robots/${id}`, { headers: h });
    assert.equal(one.status, 200, one.text);
    const d = one.body.data;
    for (const k of [
      'robotId',
      'robotUuid',
      'name',
      'status',
      'aiMode',
      'aiProvider',
      'aiModel',
      'aiTemperature',
      'aiMaxTokens',
      'aiContextLength',
      'aiScenario',
      'totalMessages',
      'aiCallsToday',
      'lastActiveAt',
      'deviceInfo',
      'activationInfo',
      'createdAt',
    ])
      assert.ok(k in d, `detail has ${k}: ${one.text}`);
    assert.equal(d.status, 'offline');
    assert.equal(d.aiProvider, 'doubao');
    assert.equal(d.aiModel, 'doubao-pro-32k');
    assert.equal(d.aiTemperature, 0.7);
    assert.equal(d.totalMessages, 0);
    assert.match(d.createdAt, ISO);

    // An activated robot alongside, online: list filters and paging.
    const [code] = await newCodes(t, owner);
    const a = await activate(t, code);
    const socket = await RobotSocket.open(t, a.robotId, a.token);
    const all = await t.wb('GET', '/api/robots', { headers: h });
    assert.equal(all.body.data.total, 2);
    assert.deepEqual(all.body.data.list.map((r: { robotId: string }) => r.robotId).sort(), [id, a.robotId].sort());
    const item = all.body.data.list.find((r: { robotId: string }) => r.robotId === a.robotId);
    assert.deepEqual(item.deviceInfo, { deviceId: a.deviceId, brand: 'Xiaomi', model: 'Mi 10' });
    assert.equal(item.status, 'online');
    const online = await t.wb('GET', '/api/robots?status=online', { headers: h });
    assert.deepEqual(
      online.body.data.list.map((r: { robotId: string }) => r.robotId),
      [a.robotId],
    );
    const offline = await t.wb('GET', '/api/robots?status=offline', { headers: h });
    assert.deepEqual(
      offline.body.data.list.map((r: { robotId: string }) => r.robotId),
      [id],
    );
    const p1 = await t.wb('GET', '/api/robots?page=1&pageSize=1', { headers: h });
    const p2 = await t.wb('GET', '/api/robots?page=2&pageSize=1', { headers: h });
    assert.equal(p1.body.data.total, 2);
    assert.equal(p1.body.data.list.length, 1);
    assert.equal(p2.body.data.list.length, 1);
    assert.notEqual(p1.body.data.list[0].robotId, p2.body.data.list[0].robotId);
    assert.equal((await t.wb('GET', '/api/robots?pageSize=0', { headers: h })).status, 400);
    assert.equal((await t.wb('GET', '/api/robots?status=sleeping', { headers: h })).status, 400);
    const activated = await t.wb('GET', `/api/robots/${a.robotId}`, { headers: h });
    assert.equal(activated.body.data.status, 'online');
    assert.equal(activated.body.data.activationInfo.code, code.toUpperCase());
    assert.match(activated.body.data.activationInfo.firstActivatedAt, ISO);
    assert.equal(activated.body.data.deviceInfo.osVersion, '13');
    await socket.close();

    // Update.
    const put = await t.wb('PUT', `/api/robots/${id}`, {
      body: {
        name: 'Service bot 1 (updated)',
        aiMode: 'third_party',
        aiProvider: 'dify',
        aiTemperature: 0.8,
        aiMaxTokens: 3000,
        replyDelayMin: 2,
        replyDelayMax: 5,
        aiCallLimitDaily: 2000,
      },
      headers: h,
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body, { code: 0, message: put.body.message, data: null });
    const after = (await t.wb('GET', `/api/robots/${id}`, { headers: h })).body.data;
    assert.equal(after.name, 'Service bot 1 (updated)');
    assert.equal(after.aiMode, 'third_party');
    assert.equal(after.aiTemperature, 0.8);
    assert.equal(after.replyDelayMax, 5);
    assert.equal(after.aiModel, 'doubao-pro-32k');
    const kept = await t.app.db('ai_robot_settings').where('robot_id', id).first();
    assert.equal(kept.tenant_id, owner.tenantId);
    assert.deepEqual(
      [kept.mode, kept.provider, kept.model, Number(kept.temperature), kept.reply_delay_min, kept.reply_delay_max, kept.call_limit_daily],
      ['third_party', 'dify', 'doubao-pro-32k', 0.8, 2, 5, 2000],
    );
    assert.equal((await t.wb('PUT', `/api/robots/${id}`, { body: { replyDelayMin: 10 }, headers: h })).status, 400);
    assert.equal((await t.app.db('ai_robot_settings').where('robot_id', id).first()).reply_delay_min, 2, 'a refused update changes nothing');
    assert.equal((await t.wb('PUT', `/api/robots/${id}`, { body: { aiTemperature: -1 }, headers: h })).status, 400);
    assert.equal((await t.wb('PUT', `/api/robots/${id}`, { body: {}, headers: h })).status, 400);

    // Delete: 404 after, the activated robot's token 401 after its delete.
    assert.equal((await t.wb('DELETE', `/api/robots/${id}`, { headers: h })).status, 200);
    const gone = await t.wb('GET', `/api/robots/${id}`, { headers: h });
    assert.equal(gone.status, 404, gone.text);
    assert.equal(gone.body.code, 404);
    assert.equal((await t.wb('PUT', `/api/robots/${id}`, { body: { name: 'zombie' }, headers: h })).status, 404);
    assert.equal((await t.wb('DELETE', `/api/robots/${id}`, { headers: h })).status, 404);
    const deleted = await t.wb('GET', '/api/robots?status=deleted', { headers: h });
    assert.deepEqual(
      deleted.body.data.list.map((r: { robotId: string; status: string }) => [r.robotId, r.status]),
      [[id, 'deleted']],
    );
    assert.equal((await t.wb('DELETE', `/api/robots/${a.robotId}`, { headers: h })).status, 200);
    const refused = await t.wb('GET', '/api/robot/commands', { headers: bearer(a.token) });
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await t.wb('GET', '/api/robots', { headers: h })).body.data.total, 0);
    assert.equal((await t.wb('GET', '/api/robots/not-an-id', { headers: h })).status, 400);
  });

  it('tenant B cannot see, update, delete or send to tenant A’s robots', async () => {
    const { owner: a, robot } = await ownerWithRobot(t, 'tenant-a');
    const b = await registerOwner(t, 'tenant-b');
    assert.notEqual(a.tenantId, b.tenantId);
    assert.deepEqual((await t.wb('GET', '/api/robots', { headers: b.headers })).body.data, { total: 0, list: [] });
    for (const res of [
      await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: b.headers }),
      await t.wb('PUT', `/api/robots/${robot.robotId}`, { body: { name: 'mine now' }, headers: b.headers }),
      await t.wb('DELETE', `/api/robots/${robot.robotId}`, { headers: b.headers }),
      await sendText(t, b, robot.robotId, 'hi'),
    ]) {
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.code, 404);
    }
    const still = await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: a.headers });
    assert.equal(still.status, 200);
    assert.notEqual(still.body.data.name, 'mine now');
    assert.equal((await t.wb('GET', '/api/robot/commands', { headers: bearer(robot.token) })).body.data.commands.length, 0);
    // Neither customer owner lists codes (WorkBot administration is the operator's); the home admin does not see theirs either.
    for (const who of [a, b]) assert.equal((await t.wb('GET', '/api/admin/activation-codes', { headers: who.headers })).status, 403);
    assert.equal((await t.wb('GET', '/api/admin/activation-codes', { headers: (await homeAdmin(t)).headers })).body.data.total, 0);
  });
});

describe('robots: message reports (/api/robot/messages)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ robots: { maxFileBytes: 4096 } });
  });
  after(async () => t?.close());

  it('stores the message, emits robots.message.received, counts it; a file is kept in the database, served to its tenant only; too big: 413', async () => {
    const { owner, robot } = await ownerWithRobot(t);
    const h = bearer(robot.token);
    const res = await t.wb('POST', '/api/robot/messages', {
      body: {
        robotId: robot.robotId,
        spoken: 'hello',
        rawSpoken: '@bot hello',
        receivedName: 'Zhang San',
        groupName: 'Group 1',
        groupRemark: 'g1',
        roomType: 1,
        atMe: true,
        textType: 1,
        timestamp: '2024-12-01T10:30:00Z',
      },
      headers: h,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 0);
    const messageId = res.body.data.messageId;
    assert.match(messageId, /^msg_\d+_[0-9a-f]+$/);
    const events = (await eventRows(t, 'robots.message.received')).filter((e) => e.payload.message_id === messageId);
    assert.equal(events.length, 1);
    assert.equal(events[0].payload.robot_id, robot.robotId);
    assert.equal(events[0].payload.spoken, 'hello');
    assert.equal(events[0].payload.received_name, 'Zhang San');
    assert.equal(events[0].payload.group_name, 'Group 1');
    assert.equal(events[0].payload.at_me, true);
    const row = await t.app.db('robots_robots').where('robot_id', robot.robotId).first();
    assert.equal(Number(row.total_messages), 1);
    assert.match(row.last_active_at, ISO);
    assert.equal((await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: owner.headers })).body.data.totalMessages, 1);

    // A file: stored in its own table (every instance reads it), not in the message row; served by the API.
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
    const withFile = await t.wb('POST', '/api/robot/messages', { body: { spoken: '[image]', fileBase64: bytes.toString('base64') }, headers: h });
    assert.equal(withFile.status, 200, withFile.text);
    const fileMessageId = withFile.body.data.messageId as string;
    const msg = await t.app.db('robots_messages').where('message_id', fileMessageId).first();
    assert.deepEqual([Boolean(msg.has_file), msg.file_path], [true, null]);
    assert.ok(!Object.values(msg).some((v) => typeof v === 'string' && v.includes(bytes.toString('base64').slice(0, 64))), 'no base64 in the row');
    const stored = await t.app.db('robots_message_files').where('message_id', fileMessageId).first();
    assert.deepEqual([Buffer.from(stored.bytes), Number(stored.size), stored.tenant_id], [bytes, 3000, owner.tenantId]);
    const served = await fetch(`${t.url}/workbot/api/robots/${robot.robotId}/messages/${fileMessageId}/file`, { headers: owner.headers });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
    const stranger = await registerOwner(t, 'file-stranger');
    const refused = await t.wb('GET', `/api/robots/${robot.robotId}/messages/${fileMessageId}/file`, { headers: stranger.headers });
    assert.deepEqual([refused.status, refused.body.code], [404, 404], 'another tenant: as if the robot did not exist');
    const listed = await t.wb('GET', `/api/robots/${robot.robotId}/messages`, { headers: owner.headers });
    assert.equal(listed.body.data.list.find((m: { messageId: string }) => m.messageId === fileMessageId).hasFile, true);
    assert.equal(Number((await t.app.db('robots_robots').where('robot_id', robot.robotId).first()).total_messages), 2);

    // Over the limit: 413, nothing stored or counted.
    const big = await t.wb('POST', '/api/robot/messages', { body: { spoken: '[file]', fileBase64: Buffer.alloc(5000, 7).toString('base64') }, headers: h });
    assert.equal(big.status, 413, big.text);
    assert.equal(big.body.code, 413);
    assert.equal(Number((await t.app.db('robots_robots').where('robot_id', robot.robotId).first()).total_messages), 2);
    assert.equal(Number((await t.app.db('robots_messages').where('robot_pk', row.id).count({ n: '*' }).first())?.n), 2);

    // A timestamp that is not a date, a file that is not base64: 400, nothing stored.
    assert.equal((await t.wb('POST', '/api/robot/messages', { body: { spoken: 'x', timestamp: 'yesterday' }, headers: h })).status, 400);
    const garbled = await t.wb('POST', '/api/robot/messages', { body: { spoken: '[file]', fileBase64: '!!not base64!!' }, headers: h });
    assert.equal(garbled.status, 400, garbled.text);
    assert.deepEqual(garbled.body.data.fields, [{ path: 'body.fileBase64', message: 'is not base64' }]);
    assert.equal(Number((await t.app.db('robots_messages').where('robot_pk', row.id).count({ n: '*' }).first())?.n), 2);
    // A send-message to the robot still works for its owner (the reports did not break anything).
    assert.equal((await sendText(t, owner, robot.robotId, 'reply')).status, 200);
  });
});
