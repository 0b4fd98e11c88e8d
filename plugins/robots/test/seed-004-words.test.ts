// Issue 39: seed 004's own words. Its messages (Chinese unless Accept-Language asks for English),
// 5.1's example secret (taken, with advice), and 9.1's log vocabulary: an activation with a code
// that does not exist is logged as logType "api", level "error", "激活码不存在", so the document's
// own query ?logType=api&level=error finds it.
import assert from 'node:assert/strict';
import { up as logVocabulary } from '../migrations/20261129130000_robots_log_vocabulary.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import {
  activate,
  adminCodes,
  bearer,
  device,
  newCodes,
  ownerWithRobot,
  robotsApp,
  smsCode,
  superadmin,
  type Owner,
  type RobotsApp,
} from '../../../test/helpers/robots.js';

const EN = { 'accept-language': 'en-US,en;q=0.9' };
/** The seed's example device (2.1). */
const SEED_DEVICE = device('9774d56d682e549c');

describe('robots: seed 004’s own words', () => {
  let t: RobotsApp;
  let root: Owner;
  before(async () => {
    t = await robotsApp();
    root = await superadmin(t);
  });
  after(async () => t?.close());

  it('the document’s messages by default, English when Accept-Language asks: 1.1, 2.1 (201, 200, 409), 3.3–3.5', async () => {
    const sms = await t.wb('POST', '/api/user/send-sms', { body: { phone: '13800000000' } });
    assert.deepEqual([sms.status, sms.body.message], [200, '验证码已发送'], sms.text);
    assert.equal(sms.headers.get('content-language'), 'zh');
    assert.equal((await t.wb('POST', '/api/user/send-sms', { body: { phone: '13800000002' }, headers: EN })).body.message, 'code sent');

    const owner = await registerOwner(t, 'words');
    const [code] = await newCodes(t, owner);
    const first = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: SEED_DEVICE } });
    assert.deepEqual([first.status, first.body.code, first.body.message], [201, 201, '激活成功'], first.text);
    const again = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: SEED_DEVICE } });
    assert.deepEqual([again.status, again.body.code, again.body.message], [200, 200, '激活成功（已更新Token）'], again.text);
    const againEn = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: SEED_DEVICE }, headers: EN });
    assert.equal(againEn.body.message, 'activated (tokens renewed)');
    const taken = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: device('other-device-id') } });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.message, '激活码已被其他设备使用，请联系管理员解绑');
    assert.equal(taken.body.data.existingDeviceId, '9774d56d682e549c', 'the data is the same in every language');

    // 3.3 with the document's body, 3.4, 3.5: each in the document's words, each in English when asked.
    const made = await t.wb('POST', '/api/robots', {
      headers: owner.headers,
      body: {
        name: '客服机器人1',
        aiMode: 'builtin',
        aiProvider: 'doubao',
        aiModel: 'doubao-pro-32k',
        aiTemperature: 0.7,
        aiMaxTokens: 2000,
        aiContextLength: 10,
        aiScenario: '咨询',
      },
    });
    assert.equal(made.status, 200, made.text);
    assert.deepEqual(
      { ...made.body, data: { ...made.body.data, robotId: 'X' } },
      { code: 0, message: '创建成功', data: { robotId: 'X', name: '客服机器人1' } },
    );
    const robotId = made.body.data.robotId;
    const update = {
      name: '客服机器人1（更新）',
      aiMode: 'third_party',
      aiProvider: 'dify',
      aiTemperature: 0.8,
      aiMaxTokens: 3000,
      replyDelayMin: 2,
      replyDelayMax: 5,
    };
    assert.deepEqual((await t.wb('PUT', `/api/robots/${robotId}`, { headers: owner.headers, body: update })).body, {
      code: 0,
      message: '更新成功',
      data: null,
    });
    const updatedEn = await t.wb('PUT', `/api/robots/${robotId}`, { headers: { ...owner.headers, ...EN }, body: { aiCallLimitDaily: 2000 } });
    assert.deepEqual(updatedEn.body, { code: 0, message: 'updated', data: null });
    assert.equal(updatedEn.headers.get('content-language'), 'en');
    assert.equal((await t.app.db('robots_robots').where('robot_id', robotId).first('name')).name, '客服机器人1（更新）');
    const deleted = await t.wb('DELETE', `/api/robots/${robotId}`, { headers: owner.headers });
    assert.deepEqual(deleted.body, { code: 0, message: '删除成功', data: null });
    assert.equal((await t.app.db('robots_robots').where('robot_id', robotId).first('status')).status, 'deleted');
    // A language the face does not speak gets the document's.
    const list = await t.wb('GET', '/api/robots', { headers: { ...owner.headers, 'accept-language': 'de-DE' } });
    assert.equal(list.body.message, 'success');
    assert.equal(list.headers.get('content-language'), 'zh');
  });

  it('6.3 with the document’s body ("adminId": 1) and 6.4: 解绑成功 and 禁用成功; the device is freed, the code disabled', async () => {
    const [code] = await adminCodes(t, root, 1);
    await activate(t, code, SEED_DEVICE);
    const unbound = await t.wb('POST', '/api/admin/unbind-device', { headers: root.headers, body: { code, reason: '用户更换设备', adminId: 1 } });
    assert.equal(unbound.status, 200, unbound.text);
    assert.deepEqual([unbound.body.code, unbound.body.message, unbound.body.data.deviceId], [0, '解绑成功', '9774d56d682e549c']);
    assert.equal(Number((await t.app.db('licensing_licenses').where('activation_code', code).first('active_devices')).active_devices), 0);
    const disabled = await t.wb('POST', `/api/admin/activation-codes/${code}/disable`, { headers: root.headers });
    assert.deepEqual(disabled.body, { code: 0, message: '禁用成功', data: null });
    assert.equal((await t.app.db('licensing_licenses').where('activation_code', code).first('status')).status, 'disabled');
  });

  it('5.1 with the document’s body ("secretKey": "your-secret-key", 15 characters): 配置成功, kept, and a Warning advises a longer one', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'secret');
    const body = {
      robotId: robot.robotId,
      messageCallbackUrl: 'https://api.third-party.com/callback',
      resultCallbackUrl: 'https://api.third-party.com/result',
      enableSignature: true,
      secretKey: 'your-secret-key',
    };
    const res = await t.wb('POST', '/api/robot/third-party/config', { headers: owner.headers, body });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { code: 0, message: '配置成功', data: null });
    assert.match(res.headers.get('warning') ?? '', /^299 - "secretKey is 15 characters; 16 or more random characters are recommended/);
    const stored = async () =>
      (await t.app.db('robots_callbacks as c').join('robots_robots as r', 'r.id', 'c.robot_pk').where('r.robot_id', robot.robotId).first('c.secret')).secret;
    assert.equal(await stored(), 'your-secret-key');

    // A good secret: no advice. One too short to be a secret at all: the seed's 400, naming it, nothing kept.
    const good = await t.wb('POST', '/api/robot/third-party/config', { headers: owner.headers, body: { ...body, secretKey: 'a-much-longer-secret-2026' } });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.headers.get('warning'), null);
    const short = await t.wb('POST', '/api/robot/third-party/config', { headers: owner.headers, body: { ...body, secretKey: 'short12' } });
    assert.equal(short.status, 400, short.text);
    assert.deepEqual(
      short.body.data.fields.map((f: { path: string }) => f.path),
      ['body.secretKey'],
    );
    assert.equal(await stored(), 'a-much-longer-secret-2026');
  });

  it('9.1: a code that does not exist is 404 "激活码不存在", logged as logType api, level error; the document’s query finds it', async () => {
    const res = await t.wb('POST', '/api/robot-ids/activate', { body: { code: '3CQ4Z9LE', deviceInfo: SEED_DEVICE } });
    assert.equal(res.status, 404, res.text);
    assert.deepEqual(res.body, { code: 404, message: '激活码不存在', data: null });
    const requestId = res.headers.get('x-request-id');

    const logs = await t.wb('GET', '/api/admin/logs?logType=api&level=error&page=1&pageSize=20', { headers: root.headers });
    assert.equal(logs.status, 200, logs.text);
    const entry = logs.body.data.list.find((l: { details?: { requestId?: string } }) => l.details?.requestId === requestId);
    assert.ok(entry, logs.text);
    assert.ok(Number.isInteger(entry.id));
    assert.deepEqual([entry.logType, entry.level, entry.message], ['api', 'error', '激活码不存在']);
    assert.deepEqual([entry.details.code, entry.details.status], ['INVALID_CODE', 404]);
    assert.equal(typeof entry.ipAddress, 'string');
    assert.ok(logs.body.data.list.every((l: { logType: string; level: string }) => l.logType === 'api' && l.level === 'error'));
    const row = await t.app.db('robots_logs').where('id', entry.id).first();
    assert.deepEqual([row.type, row.level], ['api', 'error']);

    // Read in English: the message the code gives.
    const english = await t.wb('GET', '/api/admin/logs?logType=api&level=error&pageSize=200', { headers: { ...root.headers, ...EN } });
    const same = english.body.data.list.find((l: { id: number }) => l.id === entry.id);
    assert.equal(same.message, 'activation code not found');
  });

  it('9.1: what was logged before as api_error (warn) is the seed’s api (error) after the upgrade; security events stay', async () => {
    const row = (type: string, level: string) => ({
      tenant_id: null,
      type,
      level,
      message: 'activation code not found',
      details: '{}',
      ip: null,
      created_at: new Date().toISOString(),
    });
    await t.app.db('robots_logs').insert([row('api_error', 'warn'), row('security', 'warn')]);
    await logVocabulary(t.app.db);
    assert.equal(await t.app.db('robots_logs').where('type', 'api_error').first(), undefined);
    const security = await t.app.db('robots_logs').where('type', 'security').orderBy('id', 'desc').first();
    assert.equal(security.level, 'warn');
    const res = await t.wb('GET', '/api/admin/logs?logType=api&level=error&pageSize=200', { headers: root.headers });
    assert.ok(res.body.data.list.some((l: { message: string; details: Record<string, unknown> }) => l.message === '激活码不存在' && !l.details.code));
  });

  it('429: "请求过于频繁，请稍后重试" with the seed’s data; English when asked', async () => {
    const limited = await robotsApp({ robots: { requestsPerMinute: 2 } });
    try {
      const phone = '13800000003';
      const login = await limited.wb('POST', '/api/user/login', { body: { phone, code: await smsCode(limited, phone) } });
      const headers = bearer(login.body.data.token);
      for (let i = 0; i < 2; i++) assert.equal((await limited.wb('GET', '/api/user/info', { headers })).status, 200);
      const res = await limited.wb('GET', '/api/user/info', { headers });
      assert.equal(res.status, 429, res.text);
      assert.equal(res.body.message, '请求过于频繁，请稍后重试');
      assert.ok(res.body.data.retryAfter >= 1, res.text);
      const en = await limited.wb('GET', '/api/user/info', { headers: { ...headers, ...EN } });
      assert.match(en.body.message, /^too many requests/);
    } finally {
      await limited.close();
    }
  });
});
