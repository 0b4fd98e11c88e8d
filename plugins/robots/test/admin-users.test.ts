import assert from 'node:assert/strict';
import { ADMIN, ISO, RobotSocket, addMember, bearer, ownerWithRobot, registerOwner, robotsApp, type RobotsApp } from './helpers.js';

describe('robots: admin users (7.1, 7.2) and system logs (9.1)', () => {
  let t: RobotsApp;
  let root: Record<string, string>;
  before(async () => {
    t = await robotsApp();
    const login = await t.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(login.status, 200, login.text);
    root = bearer(login.body.access_token);
  });
  after(async () => t?.close());

  it('401 without credentials', async () => {
    for (const [method, path] of [['GET', '/api/admin/users'], ['POST', '/api/admin/users/x/disable'], ['GET', '/api/admin/logs']] as const) {
      const res = await t.wb(method, path);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.code, 401);
      assert.equal(res.body.data, null);
    }
  });

  it("lists the tenant's users in the seed's shape, paginated, with robot counts", async () => {
    const { owner } = await ownerWithRobot(t, 'lister');
    const m1 = await addMember(t, owner.tenantId, 'm1');
    await addMember(t, owner.tenantId, 'm2');
    await registerOwner(t, 'stranger'); // another tenant: never listed

    const all = await t.wb('GET', '/api/admin/users?page=1&pageSize=50', { headers: owner.headers });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.code, 0);
    assert.equal(all.body.data.total, 3);
    const me = all.body.data.list.find((u: any) => u.userId === owner.id);
    assert.equal(me.robotCount, 1);
    assert.equal(me.totalActivationCodes, 1);
    assert.equal(me.role, 'owner');
    assert.equal(me.status, 'active');
    assert.match(me.createdAt, ISO);
    for (const key of ['userId', 'nickname', 'avatar', 'phone', 'role', 'status', 'robotCount', 'totalActivationCodes', 'createdAt', 'lastLoginAt']) assert.ok(key in me, key);
    const member = all.body.data.list.find((u: any) => u.userId === m1.id);
    assert.equal(member.role, 'user');
    assert.equal(member.robotCount, 0);

    const p1 = await t.wb('GET', '/api/admin/users?page=1&pageSize=2', { headers: owner.headers });
    const p2 = await t.wb('GET', '/api/admin/users?page=2&pageSize=2', { headers: owner.headers });
    assert.equal(p1.body.data.total, 3);
    assert.equal(p1.body.data.list.length, 2);
    assert.equal(p2.body.data.list.length, 1);
    const ids = new Set([...p1.body.data.list, ...p2.body.data.list].map((u: any) => u.userId));
    assert.equal(ids.size, 3);

    const users = await t.wb('GET', '/api/admin/users?role=user', { headers: owner.headers });
    assert.equal(users.body.data.total, 2);
    assert.ok(users.body.data.list.every((u: any) => u.role === 'user'));

    // The superadmin sees every tenant.
    const everyone = await t.wb('GET', '/api/admin/users?pageSize=200', { headers: root });
    assert.equal(everyone.status, 200, everyone.text);
    assert.ok(everyone.body.data.total >= 5);
  });

  it('a member (not admin): 403', async () => {
    const owner = await registerOwner(t, 'm-owner');
    const member = await addMember(t, owner.tenantId, 'plain');
    for (const [method, path] of [['GET', '/api/admin/users'], ['POST', `/api/admin/users/${owner.id}/disable`], ['GET', '/api/admin/logs']] as const) {
      const res = await t.wb(method, path, { headers: member.headers });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 403);
    }
    assert.equal((await t.request('GET', '/api/v2/auth/me', { headers: owner.headers })).status, 200);
  });

  it('disable: the user is suspended and their token stops working at once; other tenants: 404', async () => {
    const owner = await registerOwner(t, 'disabler');
    const member = await addMember(t, owner.tenantId, 'victim');
    assert.equal((await t.wb('GET', '/api/robots', { headers: member.headers })).status, 200);

    const other = await registerOwner(t, 'other');
    const foreign = await t.wb('POST', `/api/admin/users/${other.id}/disable`, { headers: owner.headers });
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.body.code, 404);
    assert.equal((await t.wb('GET', '/api/robots', { headers: other.headers })).status, 200);
    const unknown = await t.wb('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/disable', { headers: owner.headers });
    assert.equal(unknown.status, 404, unknown.text);

    const res = await t.wb('POST', `/api/admin/users/${member.id}/disable`, { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { code: 0, message: '禁用成功', data: null });
    const after = await t.wb('GET', '/api/robots', { headers: member.headers });
    assert.ok([401, 403].includes(after.status), after.text);
    const listed = await t.wb('GET', '/api/admin/users?role=user', { headers: owner.headers });
    assert.equal(listed.body.data.list.find((u: any) => u.userId === member.id).status, 'suspended');

    // An admin cannot disable the owner above them.
    const admin = await addMember(t, owner.tenantId, 'adm');
    await t.app.db('auth_users').where('id', admin.id).update({ role: 'admin' });
    const adminLogin = admin; // roles are read per request
    const up = await t.wb('POST', `/api/admin/users/${owner.id}/disable`, { headers: adminLogin.headers });
    assert.ok([403, 401].includes(up.status), up.text);
  });

  it('logs API errors and security events; listed per tenant with filters', async () => {
    const owner = await registerOwner(t, 'logger');
    const other = await registerOwner(t, 'other-logs');
    const missing = await t.wb('GET', '/api/robots/robot_1_abcdef', { headers: owner.headers });
    assert.equal(missing.status, 404, missing.text);
    assert.equal((await t.wb('POST', '/api/robot-ids/activate', { body: { code: 'ZZZZZZZZ', deviceInfo: { deviceId: 'd-1' } } })).status >= 400, true);
    assert.equal(await RobotSocket.refusedStatus(t, 'robot_1_abc', 'rbt_bogus'), 401);

    const logs = await t.wb('GET', '/api/admin/logs?type=api_error&level=warn&page=1&pageSize=20', { headers: owner.headers });
    assert.equal(logs.status, 200, logs.text);
    assert.equal(logs.body.code, 0);
    const entry = logs.body.data.list.find((l: any) => l.details?.path === '/workbot/api/robots/robot_1_abcdef');
    assert.ok(entry, logs.text);
    assert.equal(entry.logType, 'api_error');
    assert.equal(entry.level, 'warn');
    assert.equal(entry.details.status, 404);
    assert.equal(typeof entry.message, 'string');
    assert.equal(typeof entry.ipAddress, 'string');
    assert.match(entry.createdAt, ISO);
    assert.ok(logs.body.data.list.every((l: any) => l.logType === 'api_error' && l.level === 'warn'));
    assert.equal((await t.wb('GET', '/api/admin/logs?logType=api', { headers: owner.headers })).body.data.total, logs.body.data.total);
    assert.equal((await t.wb('GET', '/api/admin/logs?level=error', { headers: owner.headers })).body.data.total, 0);

    // Another tenant does not see it.
    const theirs = await t.wb('GET', '/api/admin/logs', { headers: other.headers });
    assert.ok(!theirs.body.data.list.some((l: any) => l.details?.path === '/workbot/api/robots/robot_1_abcdef'));

    // The superadmin sees the tenantless security events (401s, refused activation, the WebSocket).
    const security = await t.wb('GET', '/api/admin/logs?type=security&pageSize=200', { headers: root });
    assert.equal(security.status, 200, security.text);
    const messages = security.body.data.list.map((l: any) => l.message);
    assert.ok(messages.includes('invalid robot token at the WebSocket handshake'), security.text);
    assert.ok(security.body.data.list.some((l: any) => l.details?.path === '/workbot/api/admin/users' && l.details.status === 401), security.text);
  });
});
