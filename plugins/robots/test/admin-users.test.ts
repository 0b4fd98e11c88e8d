import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import {
  ISO,
  RobotSocket,
  adminCodes,
  bearer,
  homeAdmin,
  homeTenantId,
  ownerWithRobot,
  phoneLogin,
  robotsApp,
  superadmin,
  type Owner,
  type RobotsApp,
  userNumber,
} from '../../../test/helpers/robots.js';

// Seed sections 7 and 9 are the operator's: WorkBot's home tenant (the operator tenant here) is
// what its admins list and disable; a superadmin sees every tenant. A fresh app per test, so the
// home tenant's counts are exact.
describe('robots: admin users (7.1, 7.2) and system logs (9.1)', () => {
  let t: RobotsApp;
  let root: Owner;
  beforeEach(async () => {
    t = await robotsApp();
    root = await superadmin(t);
  });
  afterEach(async () => t?.close());

  it('401 without credentials', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/users'],
      ['POST', '/api/admin/users/x/disable'],
      ['GET', '/api/admin/logs'],
    ] as const) {
      const res = await t.wb(method, path);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.code, 401);
      assert.equal(res.body.data, null);
    }
  });

  it("lists the home tenant's users in the seed's shape, paginated, with robot counts; the seed's role", async () => {
    const admin = await homeAdmin(t, 'lister');
    const phone = await phoneLogin(t);
    await addUser(t, await homeTenantId(t), 'member', { label: 'm2' });
    const [code] = await adminCodes(t, admin, 1, { boundUserId: phone.id });
    await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: { deviceId: 'lister-phone' } }, headers: phone.headers });
    const customer = await ownerWithRobot(t, 'stranger'); // another tenant: never listed to a home admin

    const all = await t.wb('GET', '/api/admin/users?page=1&pageSize=50', { headers: admin.headers });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.code, 0);
    assert.equal(all.body.data.total, 4, 'the superadmin, the admin, the phone user, the member');
    // userId is the user's number (the seed's integer), never the UUID.
    assert.ok(
      all.body.data.list.every((u: any) => Number.isInteger(u.userId)),
      all.text,
    );
    const numbers = new Map<string, number>();
    for (const id of [phone.id, admin.id, root.id, customer.owner.id]) numbers.set(id, await userNumber(t, id));
    const row = (id: string) => all.body.data.list.find((u: any) => u.userId === numbers.get(id));
    const mine = row(phone.id);
    assert.equal(mine.robotCount, 1);
    assert.equal(mine.totalActivationCodes, 1);
    assert.equal(mine.role, 'user');
    assert.equal(mine.tenantRole, 'member');
    assert.equal(mine.phone, phone.phone);
    assert.equal(mine.status, 'active');
    assert.match(mine.createdAt, ISO);
    for (const key of ['userId', 'nickname', 'avatar', 'phone', 'role', 'status', 'robotCount', 'totalActivationCodes', 'createdAt', 'lastLoginAt'])
      assert.ok(key in mine, key);
    assert.deepEqual([row(admin.id).role, row(admin.id).tenantRole], ['admin', 'admin']);
    assert.deepEqual([row(root.id).role, row(root.id).tenantRole], ['admin', 'owner']);
    assert.equal(row(customer.owner.id), undefined);

    const p1 = await t.wb('GET', '/api/admin/users?page=1&pageSize=3', { headers: admin.headers });
    const p2 = await t.wb('GET', '/api/admin/users?page=2&pageSize=3', { headers: admin.headers });
    assert.equal(p1.body.data.total, 4);
    assert.equal(p1.body.data.list.length, 3);
    assert.equal(p2.body.data.list.length, 1);
    assert.equal(new Set([...p1.body.data.list, ...p2.body.data.list].map((u: any) => u.userId)).size, 4);

    const users = await t.wb('GET', '/api/admin/users?role=user', { headers: admin.headers });
    assert.equal(users.body.data.total, 2);
    assert.ok(users.body.data.list.every((u: any) => u.role === 'user'));

    // The superadmin sees every tenant; a customer's owner is a seed "user" (not a WorkBot admin).
    const everyone = await t.wb('GET', '/api/admin/users?pageSize=200', { headers: root.headers });
    assert.equal(everyone.status, 200, everyone.text);
    assert.equal(everyone.body.data.total, 5);
    const stranger = everyone.body.data.list.find((u: any) => u.userId === numbers.get(customer.owner.id));
    assert.deepEqual([stranger.role, stranger.tenantRole, stranger.robotCount], ['user', 'owner', 1]);
  });

  it('a member of the home tenant: 403', async () => {
    const member = await addUser(t, await homeTenantId(t), 'member', { label: 'plain' });
    for (const [method, path] of [
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${root.id}/disable`],
      ['GET', '/api/admin/logs'],
    ] as const) {
      const res = await t.wb(method, path, { headers: member.headers });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.code, 403);
    }
    assert.equal((await t.request('GET', '/api/v2/auth/me', { headers: root.headers })).status, 200);
  });

  it('disable: the user is suspended and their token stops working at once; other tenants: 404; not above your role', async () => {
    const admin = await homeAdmin(t, 'disabler');
    const victim = await phoneLogin(t);
    assert.equal((await t.wb('GET', '/api/robots', { headers: victim.headers })).status, 200);

    const other = await registerOwner(t, 'other');
    // Another tenant's user, by number (the seed's form) or UUID: 404, as if there were none.
    for (const ref of [await userNumber(t, other.id), other.id]) {
      const foreign = await t.wb('POST', `/api/admin/users/${ref}/disable`, { headers: admin.headers });
      assert.equal(foreign.status, 404, foreign.text);
      assert.equal(foreign.body.code, 404);
    }
    assert.equal((await t.wb('GET', '/api/robots', { headers: other.headers })).status, 200);
    const unknown = await t.wb('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/disable', { headers: admin.headers });
    assert.equal(unknown.status, 404, unknown.text);

    const res = await t.wb('POST', `/api/admin/users/${victim.number}/disable`, { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { code: 0, message: '禁用成功', data: null });
    const after = await t.wb('GET', '/api/robots', { headers: victim.headers });
    assert.ok([401, 403].includes(after.status), after.text);
    const listed = await t.wb('GET', '/api/admin/users?role=user', { headers: admin.headers });
    assert.equal(listed.body.data.list.find((u: any) => u.userId === victim.number).status, 'suspended');
    assert.equal((await t.app.db('auth_users').where('id', victim.id).first()).status, 'suspended');

    // An admin cannot disable the owner (here the superadmin) above them.
    const up = await t.wb('POST', `/api/admin/users/${root.id}/disable`, { headers: admin.headers });
    assert.equal(up.status, 403, up.text);
    assert.equal((await t.app.db('auth_users').where('id', root.id).first()).status, 'active');
  });

  it('logs API errors and security events; a home admin sees the home tenant’s, a superadmin every tenant’s', async () => {
    const admin = await homeAdmin(t, 'logger');
    const phone = await phoneLogin(t);
    const other = await registerOwner(t, 'other-logs');
    assert.equal((await t.wb('GET', '/api/robots/robot_1_abcdef', { headers: phone.headers })).status, 404);
    assert.equal((await t.wb('GET', '/api/robots/robot_2_abcdef', { headers: other.headers })).status, 404);
    assert.equal((await t.wb('POST', '/api/robot-ids/activate', { body: { code: 'ZZZZZZZZ', deviceInfo: { deviceId: 'd-1' } } })).status >= 400, true);
    assert.equal(await RobotSocket.refusedStatus(t, 'robot_1_abc', 'rbt_bogus'), 401);
    // The customer's owner tries an admin endpoint: refused, and logged as a security event.
    assert.equal((await t.wb('GET', '/api/admin/logs', { headers: other.headers })).status, 403);

    // `api_error` is the type's name from before it took the seed's `api`: still understood.
    const logs = await t.wb('GET', '/api/admin/logs?type=api_error&level=error&page=1&pageSize=20', { headers: admin.headers });
    assert.equal(logs.status, 200, logs.text);
    assert.equal(logs.body.code, 0);
    const entry = logs.body.data.list.find((l: any) => l.details?.path === '/workbot/api/robots/robot_1_abcdef');
    assert.ok(entry, logs.text);
    assert.equal(entry.logType, 'api');
    assert.equal(entry.level, 'error');
    assert.equal(entry.details.status, 404);
    assert.equal(typeof entry.message, 'string');
    assert.equal(typeof entry.ipAddress, 'string');
    assert.match(entry.createdAt, ISO);
    assert.ok(logs.body.data.list.every((l: any) => l.logType === 'api' && l.level === 'error'));
    assert.ok(
      !logs.body.data.list.some((l: any) => l.details?.path === '/workbot/api/robots/robot_2_abcdef'),
      'another tenant’s errors are not the home admin’s',
    );
    assert.equal((await t.wb('GET', '/api/admin/logs?logType=api', { headers: admin.headers })).body.data.total, logs.body.data.total);
    assert.equal((await t.wb('GET', '/api/admin/logs?logType=api&level=warn', { headers: admin.headers })).body.data.total, 0);

    // The superadmin sees the tenantless security events (401s, refused activation, the WebSocket) and the refused admin call.
    const security = await t.wb('GET', '/api/admin/logs?type=security&pageSize=200', { headers: root.headers });
    assert.equal(security.status, 200, security.text);
    const messages = security.body.data.list.map((l: any) => l.message);
    assert.ok(messages.includes('invalid robot token at the WebSocket handshake'), security.text);
    assert.ok(
      security.body.data.list.some((l: any) => l.details?.path === '/workbot/api/admin/logs' && l.details.status === 403),
      security.text,
    );
    const errors = await t.wb('GET', '/api/admin/logs?type=api_error&pageSize=200', { headers: bearer(root.token) });
    assert.ok(
      errors.body.data.list.some((l: any) => l.details?.path === '/workbot/api/robots/robot_2_abcdef'),
      errors.text,
    );
  });
});
