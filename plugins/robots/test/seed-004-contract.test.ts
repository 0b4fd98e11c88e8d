// Seed 004 as its clients use it: the robot detail carries every field the seed's example shows
// (null when unset); the third-party config is a partial update (absent fields keep their value,
// null clears); a callback host that does not resolve yet is accepted at config time, while what
// is internal by itself is refused then and the resolved address is still checked at delivery.
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import os from 'node:os';
import { isInternalAddress } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { bearer, ownerWithRobot, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';

/** The keys of the seed's GET /api/robots/{robotId} example, nested objects included. */
const SEED_DETAIL = [
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
];
const SEED_DEVICE = ['deviceId', 'brand', 'model', 'os', 'osVersion'];
const SEED_ACTIVATION = ['code', 'firstActivatedAt', 'lastActivatedAt'];

describe('robots: seed 004 contract', () => {
  let t: RobotsApp;
  before(async () => {
    // With the ai plugin, which keeps the AI fields (without it they show their defaults: ai-settings.test.ts).
    t = await robotsApp({ extraPlugins: ['ai'] });
  });
  after(async () => t?.close());

  const callbackRow = async (robotId: string) =>
    t.app.db('robots_callbacks as c').join('robots_robots as r', 'r.id', 'c.robot_pk').where('r.robot_id', robotId).first('c.*');
  const configure = (headers: Record<string, string>, body: Record<string, unknown>) => t.wb('POST', '/api/robot/third-party/config', { headers, body });

  it('GET /api/robots/{robotId} carries every field of the seed, null when unset (aiModel, aiScenario, deviceInfo, activationInfo, lastActiveAt)', async () => {
    const owner = await registerOwner(t, 'detail');
    const made = await t.wb('POST', '/api/robots', { headers: owner.headers, body: { name: 'Bare robot' } });
    assert.equal(made.status, 200, made.text);
    const res = await t.wb('GET', `/api/robots/${made.body.data.robotId}`, { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    const d = res.body.data;
    for (const key of SEED_DETAIL) assert.ok(Object.hasOwn(d, key), `detail has ${key}: ${res.text}`);
    assert.equal(d.aiModel, null);
    assert.equal(d.aiScenario, null);
    assert.equal(d.deviceInfo, null);
    assert.equal(d.activationInfo, null);
    assert.equal(d.lastActiveAt, null);
    assert.equal(d.aiMode, 'builtin');
    assert.equal(d.aiTemperature, 0.7);
    assert.equal(d.aiMaxTokens, 2000);
    assert.equal(d.aiContextLength, 10);
    const row = await t.app.db('robots_robots').where('robot_id', d.robotId).first();
    assert.equal(row.robot_uuid, d.robotUuid);
    assert.equal(await t.app.db('ai_robot_settings').where('robot_id', d.robotId).first(), undefined, 'nothing stored for the unset fields');

    // An activated robot: the nested objects carry the seed's keys too.
    const { owner: o2, robot } = await ownerWithRobot(t, 'detail2');
    const full = (await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: o2.headers })).body.data;
    for (const key of SEED_DETAIL) assert.ok(Object.hasOwn(full, key), key);
    for (const key of SEED_DEVICE) assert.ok(Object.hasOwn(full.deviceInfo, key), `deviceInfo.${key}`);
    for (const key of SEED_ACTIVATION) assert.ok(Object.hasOwn(full.activationInfo, key), `activationInfo.${key}`);
    assert.equal(full.aiModel, null);
    assert.equal(full.aiScenario, null);

    // Set, they show their values.
    const put = await t.wb('PUT', `/api/robots/${robot.robotId}`, { headers: o2.headers, body: { aiModel: 'doubao-pro-32k', aiScenario: '咨询' } });
    assert.equal(put.status, 200, put.text);
    const after = (await t.wb('GET', `/api/robots/${robot.robotId}`, { headers: o2.headers })).body.data;
    assert.equal(after.aiModel, 'doubao-pro-32k');
    assert.equal(after.aiScenario, '咨询');
    const kept = await t.app.db('ai_robot_settings').where('robot_id', robot.robotId).first();
    assert.deepEqual([kept.model, kept.scenario, kept.mode], ['doubao-pro-32k', '咨询', null], 'only the fields given are kept');
  });

  it('POST /api/robot/third-party/config is a partial update: absent fields keep their value, null clears', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'partial');
    const full = await configure(owner.headers, {
      robotId: robot.robotId,
      messageCallbackUrl: 'https://api.third-party.example/callback',
      resultCallbackUrl: 'https://api.third-party.example/result',
      enableSignature: true,
      secretKey: 'your-secret-key-0123',
    });
    assert.equal(full.status, 200, full.text);

    const onlyMessage = await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: 'https://api.third-party.example/callback2' });
    assert.equal(onlyMessage.status, 200, onlyMessage.text);
    let row = await callbackRow(robot.robotId);
    assert.equal(row.message_url, 'https://api.third-party.example/callback2');
    assert.equal(row.result_url, 'https://api.third-party.example/result', 'resultCallbackUrl is kept');
    assert.equal(Boolean(row.enable_signature), true, 'enableSignature is kept');
    assert.equal(row.secret, 'your-secret-key-0123', 'the secret is kept');
    const view = await t.wb('GET', `/api/robot/third-party/config/${robot.robotId}`, { headers: owner.headers });
    assert.deepEqual(view.body.data, {
      robotId: robot.robotId,
      messageCallbackUrl: 'https://api.third-party.example/callback2',
      resultCallbackUrl: 'https://api.third-party.example/result',
      enableSignature: true,
      isActive: true,
      hasSecret: true,
    });

    const onlySignature = await configure(owner.headers, { robotId: robot.robotId, enableSignature: false });
    assert.equal(onlySignature.status, 200, onlySignature.text);
    row = await callbackRow(robot.robotId);
    assert.equal(Boolean(row.enable_signature), false);
    assert.equal(row.message_url, 'https://api.third-party.example/callback2');
    assert.equal(row.result_url, 'https://api.third-party.example/result');

    const cleared = await configure(owner.headers, { robotId: robot.robotId, resultCallbackUrl: null });
    assert.equal(cleared.status, 200, cleared.text);
    row = await callbackRow(robot.robotId);
    assert.equal(row.result_url, null, 'explicit null clears');
    assert.equal(row.message_url, 'https://api.third-party.example/callback2');

    // Signing back on without a secret is fine while one is stored; after clearing it, refused.
    assert.equal((await configure(owner.headers, { robotId: robot.robotId, enableSignature: true })).status, 200);
    const noSecret = await configure(owner.headers, { robotId: robot.robotId, secretKey: null });
    assert.equal(noSecret.status, 400);
    assert.match(noSecret.body.message, /secretKey/);
    assert.equal((await callbackRow(robot.robotId)).secret, 'your-secret-key-0123', 'a refused change stores nothing');
  });

  it('a host that does not resolve right now is accepted at config time; a delivery to it fails and is retried, not refused', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'unresolved');
    const url = 'https://hooks.not-yet-set-up.invalid/plinth';
    const res = await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: url, enableSignature: false });
    assert.equal(res.status, 200, res.text);
    assert.equal((await callbackRow(robot.robotId)).message_url, url);

    assert.equal(
      (await t.wb('POST', '/api/robot/messages', { headers: bearer(robot.token), body: { robotId: robot.robotId, spoken: 'anyone?' } })).status,
      200,
    );
    await t.app.events.flush();
    const log = await t.app.db('robots_callback_deliveries').where('url', url);
    assert.ok(log.length >= 1, 'a delivery was tried');
    assert.equal(log[0].status, 'failed', 'failed (retried by the outbox), not refused');
    assert.equal(log[0].error, 'hooks.not-yet-set-up.invalid is not a reachable public host');
  });

  for (const [url, field] of [
    ['not a url', 'messageCallbackUrl'],
    ['ftp://example.org/x', 'messageCallbackUrl'],
    ['http://127.0.0.1:9/x', 'resultCallbackUrl'],
    ['http://localhost:9/x', 'messageCallbackUrl'],
    ['http://api.localhost/x', 'messageCallbackUrl'],
    ['http://[::1]:9/x', 'resultCallbackUrl'],
    ['http://[::ffff:10.0.0.1]/x', 'messageCallbackUrl'],
    ['http://2130706433/x', 'messageCallbackUrl'],
    ['http://169.254.169.254/latest/meta-data', 'resultCallbackUrl'],
  ] as const) {
    it(`refuses ${url} as ${field} at config time (400 naming the field, nothing stored)`, async () => {
      const { owner, robot } = await ownerWithRobot(t, 'invalid');
      const res = await configure(owner.headers, { robotId: robot.robotId, [field]: url, enableSignature: false });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 400);
      assert.match(res.body.message, new RegExp(field));
      assert.equal(await callbackRow(robot.robotId), undefined, 'nothing stored');
    });
  }

  it(
    'a name that resolves to an internal address passes config but is not delivered to (SSRF check kept), logged like a name that does not ' + 'resolve',
    async function () {
      const host = os.hostname();
      const addresses = await lookup(host, { all: true }).catch(() => []);
      if (!addresses.length || !addresses.every((a) => isInternalAddress(a.address, a.family))) return this.skip();
      const { owner, robot } = await ownerWithRobot(t, 'rebind');
      const url = `http://${host}:9/hook`;
      assert.equal((await configure(owner.headers, { robotId: robot.robotId, messageCallbackUrl: url, enableSignature: false })).status, 200);
      assert.equal(
        (await t.wb('POST', '/api/robot/messages', { headers: bearer(robot.token), body: { robotId: robot.robotId, spoken: 'inside?' } })).status,
        200,
      );
      await t.app.events.flush();
      const log = await t.app.db('robots_callback_deliveries').where('url', url);
      assert.ok(log.length >= 1);
      // The same status and message as a name that does not resolve: the log is no DNS oracle.
      assert.equal(log[0].status, 'failed');
      assert.equal(log[0].error, `${host} is not a reachable public host`);
    },
  );
});
