import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { activate, bearer, device, newCodes, poll, robotsApp, superadmin, type RobotsApp } from '../../../test/helpers/robots.js';

describe('robots: the per-token request limit (the seed’s 429)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ robots: { requestsPerMinute: 3 } });
  });
  after(async () => t?.close());

  it('the 4th call in a minute: 429 {code:429, message, data:{retryAfter}} with Retry-After; per token', async () => {
    const owner = await registerOwner(t);
    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code);
    for (let i = 0; i < 3; i++) assert.equal((await poll(t, robot.token)).status, 200);
    const limited = await poll(t, robot.token);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.body.code, 429);
    assert.equal(typeof limited.body.message, 'string');
    assert.equal(typeof limited.body.data.retryAfter, 'number');
    assert.ok(limited.body.data.retryAfter >= 1 && limited.body.data.retryAfter <= 60, limited.text);
    const header = Number(limited.headers.get('retry-after'));
    assert.ok(header >= 1 && header <= 60, `Retry-After ${limited.headers.get('retry-after')}`);
    // The owner's user token has its own budget.
    for (let i = 0; i < 3; i++) assert.equal((await t.wb('GET', '/api/robots', { headers: owner.headers })).status, 200);
    const userLimited = await t.wb('GET', '/api/robots', { headers: owner.headers });
    assert.equal(userLimited.status, 429, userLimited.text);
    assert.equal(userLimited.body.code, 429);
    assert.ok(userLimited.body.data.retryAfter >= 1);
    // Another robot is not affected.
    const [code2] = await newCodes(t, owner);
    const other = await activate(t, code2);
    assert.equal((await poll(t, other.token)).status, 200);
  });
});

describe('robots with billing: the free plan’s max_robots', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['billing'] });
  });
  after(async () => t?.close());

  it('one robot on the free plan: a second activation or creation is 402; deleting frees the slot', async () => {
    const owner = await registerOwner(t);
    const [c1, c2] = await newCodes(t, owner, 2);
    const first = await activate(t, c1);
    const second = await t.wb('POST', '/api/robot-ids/activate', { body: { code: c2, deviceInfo: device() } });
    assert.equal(second.status, 402, second.text);
    assert.equal(second.body.code, 402);
    const created = await t.wb('POST', '/api/robots', { body: { name: 'one too many' }, headers: owner.headers });
    assert.equal(created.status, 402, created.text);
    assert.equal(created.body.code, 402);
    // The refused activation did not bind the code: another device is not told it is taken.
    const otherPhone = await t.wb('POST', '/api/robot-ids/activate', { body: { code: c2, deviceInfo: device() } });
    assert.equal(otherPhone.status, 402, otherPhone.text);
    // The refused activation left no robot behind; re-activating the first device still works (200).
    assert.equal((await t.wb('GET', '/api/robots', { headers: owner.headers })).body.data.total, 1);
    const again = await t.wb('POST', '/api/robot-ids/activate', { body: { code: c1, deviceInfo: device(first.deviceId) } });
    assert.equal(again.status, 200, again.text);
    // Delete the robot: the slot is free again.
    assert.equal((await t.wb('DELETE', `/api/robots/${first.robotId}`, { headers: owner.headers })).status, 200);
    const now = await t.wb('POST', '/api/robot-ids/activate', { body: { code: c2, deviceInfo: device() } });
    assert.equal(now.status, 201, now.text);
    assert.equal(now.body.data.isNewActivation, true);
    assert.equal((await t.wb('POST', '/api/robots', { body: { name: 'one too many' }, headers: owner.headers })).status, 402);
    // The deleted robot's phone re-activating its code counts again: 402, still deleted.
    const resurrect = await t.wb('POST', '/api/robot-ids/activate', { body: { code: c1, deviceInfo: device(first.deviceId) } });
    assert.equal(resurrect.status, 402, resurrect.text);
    assert.equal((await t.wb('GET', '/api/robots', { headers: owner.headers })).body.data.total, 1);
    // Another tenant has its own allowance.
    const other = await registerOwner(t, 'other');
    const [oc] = await newCodes(t, other);
    const ok = await activate(t, oc);
    assert.equal((await poll(t, ok.token)).status, 200);
    assert.equal((await t.wb('GET', '/api/robots', { headers: bearer(other.token) })).body.data.total, 1);
  });

  it('reports sent at once share commits, yet the plan counts each: past max_messages_per_month only the extra ones are 402, leaving nothing', async () => {
    const owner = await registerOwner(t);
    const admin = await superadmin(t);
    const limits = await t.request('PUT', `/api/v2/admin/tenants/${owner.tenantId}/limit-overrides`, {
      headers: admin.headers,
      body: { limits: { max_messages_per_month: 5 } },
    });
    assert.equal(limits.status, 200, limits.text);
    const [code] = await newCodes(t, owner);
    const robot = await activate(t, code);
    // Another tenant's robot reports in the same burst: its reports share the commits and are all taken.
    const neighbour = await registerOwner(t, 'neighbour');
    const other = await activate(t, (await newCodes(t, neighbour))[0]);
    const report = (token: string, i: number) => t.wb('POST', '/api/robot/messages', { headers: bearer(token), body: { spoken: `hello ${i}` } });
    const burst = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => report(robot.token, i)),
      ...Array.from({ length: 3 }, (_, i) => report(other.token, i)),
    ]);
    const sent = burst.slice(0, 8);
    assert.deepEqual(
      burst.slice(8).map((r) => r.status),
      [200, 200, 200],
      'the neighbour is not held to this tenant’s limit',
    );
    assert.deepEqual(sent.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 402, 402, 402], sent.map((r) => r.text).join('\n'));
    for (const refused of sent.filter((r) => r.status === 402)) assert.equal(refused.body.code, 402);
    const stored = await t.app.db('robots_messages').where('tenant_id', owner.tenantId).pluck('message_id');
    assert.deepEqual(
      stored.sort(),
      sent
        .filter((r) => r.status === 200)
        .map((r) => r.body.data.messageId)
        .sort(),
    );
    const events = await t.app.db('core_events').where({ name: 'robots.message.received', tenant_id: owner.tenantId }).count({ n: '*' }).first();
    assert.equal(Number(events!.n), 5);
    const row = await t.app.db('robots_robots').where('robot_id', robot.robotId).first('total_messages');
    assert.equal(Number(row.total_messages), 5);
    const neighbourRow = await t.app.db('robots_robots').where('robot_id', other.robotId).first('total_messages', 'last_active_at');
    assert.equal(Number(neighbourRow.total_messages), 3, 'each robot counts its own reports');
    assert.ok(neighbourRow.last_active_at);
    const used = (tenantId: string) =>
      t.app.db('billing_usage').where({ tenant_id: tenantId, metric: 'max_messages_per_month' }).whereNot('period_key', 'like', '%-%-%').first('used');
    assert.equal(Number((await used(owner.tenantId)).used), 5, 'the refused reports were not counted');
    assert.equal(Number((await used(neighbour.tenantId)).used), 3);
  });
});
