// WorkBot belongs to the operator (issue 13, item 3): phone users join WorkBot's home tenant (the
// operator tenant unless settings.robots.homeTenant names another) as members and are the seed's
// "user"; every /workbot/api/admin/* endpoint is for superadmins and the home tenant's owners and
// admins only; a robot a phone user activates is theirs. Each refusal is checked with the
// database state behind it.
import assert from 'node:assert/strict';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import {
  activate,
  adminCodes,
  bearer,
  device,
  homeAdmin,
  homeTenantId,
  newCodes,
  phoneLogin,
  robotsApp,
  robotsAppWithHome,
  sendText,
  smsCode,
  superadmin,
  type Owner,
  type RobotsApp,
  userNumber,
} from '../../../test/helpers/robots.js';

/** Customers register themselves here (the default, verify, would hold their sign-in until the emailed link). */
const openRegistration = { auth: { registration: 'open' } };

const count = async (t: RobotsApp, table: string, where: Record<string, unknown> = {}) => Number((await t.app.db(table).where(where).count({ n: '*' }))[0].n);

function assertRefused(res: { status: number; body: any; text: string }, what: string): void {
  assert.equal(res.status, 403, `${what}: ${res.text}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message'], what);
  assert.equal(res.body.code, 403, what);
  assert.equal(res.body.data, null, what);
  assert.match(res.body.message, /WorkBot administration is for superadmins and the admins of WorkBot's home tenant/, what);
}

describe('robots: WorkBot belongs to the operator', () => {
  let t: RobotsApp;
  let root: Owner;
  let admin: Owner;
  before(async () => {
    t = await robotsApp({ settings: openRegistration });
    root = await superadmin(t);
    admin = await homeAdmin(t);
  });
  after(async () => t?.close());

  describe('every /api/admin/* endpoint: superadmins and home admins only', () => {
    // One row per admin endpoint; `ADMIN_ROUTES` below checks the table against the app's routes.
    type Target = { code: string; used: string; userId: string };
    const ENDPOINTS: Array<{ method: string; route: string; path(x: Target): string; body?(x: Target): unknown }> = [
      { method: 'POST', route: '/api/admin/activation-codes', path: () => '/api/admin/activation-codes', body: () => ({ count: 3, validityPeriod: 3650 }) },
      { method: 'GET', route: '/api/admin/activation-codes', path: () => '/api/admin/activation-codes?pageSize=100' },
      { method: 'POST', route: '/api/admin/unbind-device', path: () => '/api/admin/unbind-device', body: (x) => ({ code: x.used, reason: 'mine now' }) },
      { method: 'POST', route: '/api/admin/activation-codes/{code}/disable', path: (x) => `/api/admin/activation-codes/${x.code}/disable` },
      { method: 'GET', route: '/api/admin/users', path: () => '/api/admin/users?pageSize=200' },
      { method: 'POST', route: '/api/admin/users/{userId}/disable', path: (x) => `/api/admin/users/${x.userId}/disable` },
      { method: 'GET', route: '/api/admin/logs', path: () => '/api/admin/logs?pageSize=200' },
    ];

    it('the table names every admin route the app serves', async () => {
      const spec = await t.request('GET', '/openapi.json');
      assert.equal(spec.status, 200, spec.text);
      const served = Object.entries(spec.body.paths as Record<string, Record<string, unknown>>)
        .filter(([path]) => path.startsWith('/workbot/api/admin/'))
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.slice('/workbot'.length).replace(/:(\w+)/g, '{$1}')}`))
        .sort();
      assert.deepEqual(served, ENDPOINTS.map((e) => `${e.method} ${e.route}`).sort());
    });

    it('a self-registered customer owner, a customer admin, a phone user and a home member: 403 from each, nothing written', async () => {
      // Real targets, so a refusal is the guard's and not a 404: a home code, a used one, a home user.
      const [code, used] = await adminCodes(t, admin, 2);
      const robot = await activate(t, used);
      const victim = await phoneLogin(t);

      const customer = await registerOwner(t, 'customer');
      const customerAdmin = await addUser(t, customer.tenantId, 'admin', { label: 'customer-admin' });
      const phone = await phoneLogin(t);
      const member = await addUser(t, await homeTenantId(t), 'member', { label: 'home-member' });

      const snapshot = async () => ({
        licenses: await t.app.db('licensing_licenses').orderBy('license_id').select('license_id', 'tenant_id', 'status', 'active_devices', 'valid_until'),
        devices: await t.app.db('licensing_devices').orderBy('id').select('license_pk', 'device_id', 'status'),
        users: await t.app.db('auth_users').orderBy('id').select('id', 'tenant_id', 'role', 'status'),
        tenants: await count(t, 'auth_tenants'),
        robots: await t.app.db('robots_robots').orderBy('id').select('robot_id', 'user_id', 'status'),
      });
      const before = await snapshot();
      const target = { code, used, userId: victim.id };
      for (const [who, caller] of [
        ['customer owner', customer],
        ['customer admin', customerAdmin],
        ['phone user', phone],
        ['home member', member],
      ] as const) {
        for (const e of ENDPOINTS)
          assertRefused(await t.wb(e.method, e.path(target), { headers: caller.headers, body: e.body?.(target) }), `${who}: ${e.method} ${e.route}`);
      }
      assert.deepEqual(await snapshot(), before, 'no code made, disabled or unbound, no user disabled');
      assert.equal(await count(t, 'licensing_licenses', { tenant_id: customer.tenantId }), 0);
      assert.equal((await t.wb('GET', '/api/robot/commands', { headers: bearer(robot.token) })).status, 200, 'the used code’s robot is still signed in');
      assert.equal((await t.wb('GET', '/api/robots', { headers: victim.headers })).status, 200, 'the target user still works');
      // Each refusal is a security event the operator can read.
      const refused = await t.app.db('robots_logs').where({ type: 'security' }).select('details');
      assert.equal(
        refused.filter((r: { details: string }) => JSON.parse(r.details).status === 403 && JSON.parse(r.details).path.startsWith('/workbot/api/admin/')).length,
        4 * ENDPOINTS.length,
      );
    });

    it('no token: 401; a robot token: 401', async () => {
      const [code] = await adminCodes(t, admin);
      const robot = await activate(t, code);
      for (const e of ENDPOINTS) {
        const target = { code, used: code, userId: admin.id };
        for (const headers of [{}, bearer(robot.token)]) {
          const res = await t.wb(e.method, e.path(target), { headers, body: e.body?.(target) });
          assert.equal(res.status, 401, `${e.method} ${e.route}: ${res.text}`);
          assert.equal(res.body.code, 401);
        }
      }
    });

    it('a home admin’s API key: only with robots:manage', async () => {
      const key = async (scopes: string[]) => {
        const res = await t.request('POST', '/api/v2/api-keys', { headers: admin.headers, body: { name: scopes.join(' '), scopes } });
        assert.equal(res.status, 201, res.text);
        return { 'x-api-key': res.body.raw_key as string };
      };
      const narrow = await t.wb('GET', '/api/admin/activation-codes', { headers: await key(['robots:use']) });
      assert.equal(narrow.status, 403, narrow.text);
      assert.deepEqual([narrow.body.code, narrow.body.data], [403, null]);
      assert.match(narrow.body.message, /robots:manage/);
      assert.equal((await t.wb('GET', '/api/admin/activation-codes', { headers: await key(['robots:manage']) })).status, 200);
    });

    it('a home admin, a home owner and a superadmin pass every one', async () => {
      const owner = await homeAdmin(t, 'home-owner', 'owner');
      for (const caller of [admin, owner, root]) {
        const [code, used] = await adminCodes(t, caller, 2);
        await activate(t, used);
        const victim = await phoneLogin(t);
        const target = { code, used, userId: victim.id };
        for (const e of ENDPOINTS) {
          const res = await t.wb(e.method, e.path(target), { headers: caller.headers, body: e.body?.(target) });
          assert.equal(res.status, 200, `${e.method} ${e.route}: ${res.text}`);
          assert.equal(res.body.code, 0);
        }
      }
    });
  });

  describe('phone users (SMS login)', () => {
    it('join the home tenant as members and are the seed’s "user"; no tenant is made; the same phone is the same user', async () => {
      const tenants = await count(t, 'auth_tenants');
      const phone = await phoneLogin(t);
      assert.equal(phone.role, 'user');
      assert.equal(await count(t, 'auth_tenants'), tenants, 'no new tenant');
      const row = await t.app.db('auth_users').where('id', phone.id).first();
      assert.deepEqual([row.tenant_id, row.role, Boolean(row.is_superadmin), row.phone], [await homeTenantId(t), 'member', false, phone.phone]);
      const platform = await t.app.db('auth_tenants').where('is_platform', true).first('id');
      assert.equal(row.tenant_id, platform.id, 'the home tenant is the operator tenant by default');
      const info = await t.wb('GET', '/api/user/info', { headers: phone.headers });
      assert.equal(info.status, 200, info.text);
      assert.equal(info.body.data.role, 'user');

      const again = await phoneLogin(t, phone.phone);
      assert.deepEqual([again.id, again.role], [phone.id, 'user']);
      assert.equal(await count(t, 'auth_users', { phone: phone.phone }), 1);
    });

    it('an existing user keeps their tenant and role; only home owners/admins and superadmins are "admin"', async () => {
      const customer = await registerOwner(t, 'phone-owner');
      const cases: Array<[string, Owner, string]> = [
        ['customer owner', customer, 'user'],
        ['home admin', admin, 'admin'],
        ['superadmin', root, 'admin'],
      ];
      for (const [i, [who, user, role]] of cases.entries()) {
        const phone = `+8613911100${String(i).padStart(3, '0')}`;
        await t.app.db('auth_users').where('id', user.id).update({ phone });
        const before = await t.app.db('auth_users').where('id', user.id).first('tenant_id', 'role');
        const res = await t.wb('POST', '/api/user/login', { body: { phone, code: await smsCode(t, phone) } });
        assert.equal(res.status, 200, `${who}: ${res.text}`);
        assert.deepEqual([res.body.data.userId, res.body.data.role], [await userNumber(t, user.id), role], who);
        assert.deepEqual(await t.app.db('auth_users').where('id', user.id).first('tenant_id', 'role'), before, `${who} did not move`);
        const info = await t.wb('GET', '/api/user/info', { headers: user.headers });
        assert.equal(info.body.data.role, role, `${who}: /api/user/info with their own token`);
      }
    });
  });

  describe('robots a phone user activates are theirs', () => {
    it('activated with a home admin’s code and the user’s token: the robot row is theirs; another phone user cannot see or control it', async () => {
      const [code] = await adminCodes(t, admin);
      const alice = await phoneLogin(t);
      const bob = await phoneLogin(t);
      const res = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: device() }, headers: alice.headers });
      assert.equal(res.status, 201, res.text);
      const robotId = res.body.data.robotId as string;
      const row = await t.app.db('robots_robots').where('robot_id', robotId).first();
      assert.deepEqual([row.user_id, row.tenant_id], [alice.id, await homeTenantId(t)]);

      const listed = (who: Owner) =>
        t.wb('GET', '/api/robots', { headers: who.headers }).then((r) => r.body.data.list.map((x: { robotId: string }) => x.robotId));
      assert.deepEqual(await listed(alice), [robotId]);
      assert.equal((await t.wb('GET', `/api/robots/${robotId}`, { headers: alice.headers })).status, 200);
      assert.equal((await sendText(t, alice, robotId, 'from alice')).status, 200);
      assert.ok((await listed(admin)).includes(robotId), 'a home admin sees every robot of the home tenant');

      assert.ok(!(await listed(bob)).includes(robotId));
      for (const res of [
        await t.wb('GET', `/api/robots/${robotId}`, { headers: bob.headers }),
        await t.wb('PUT', `/api/robots/${robotId}`, { body: { name: 'bob’s now' }, headers: bob.headers }),
        await t.wb('DELETE', `/api/robots/${robotId}`, { headers: bob.headers }),
        await t.wb('GET', `/api/robots/${robotId}/statistics`, { headers: bob.headers }),
        await sendText(t, bob, robotId, 'from bob'),
      ]) {
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.code, 404);
      }
      const after = await t.app.db('robots_robots').where('robot_id', robotId).first();
      assert.deepEqual([after.user_id, after.name, after.status], [alice.id, row.name, 'active']);
      assert.equal(await count(t, 'robots_commands', { robot_pk: row.id, created_by: bob.id }), 0);
    });

    it('a code bound to another user, or another user’s robot after an unbind: 403 and nothing bound; another tenant’s user: 404', async () => {
      const alice = await phoneLogin(t);
      const bob = await phoneLogin(t);
      const [forAlice] = await adminCodes(t, admin, 1, { boundUserId: alice.id });
      const license = await t.app.db('licensing_licenses').where('activation_code', forAlice).first('id', 'license_id');
      const refused = await t.wb('POST', '/api/robot-ids/activate', { body: { code: forAlice, deviceInfo: device() }, headers: bob.headers });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 403);
      assert.equal(await count(t, 'licensing_devices', { license_pk: license.id }), 0, 'no device bound');
      assert.equal(await count(t, 'robots_robots', { license_id: license.license_id }), 0, 'no robot made');

      // Alice's robot, unbound by an admin: Bob's phone cannot take it over; Alice's new phone can.
      const [open] = await adminCodes(t, admin);
      const first = await t.wb('POST', '/api/robot-ids/activate', { body: { code: open, deviceInfo: device('alice-1') }, headers: alice.headers });
      assert.equal(first.status, 201, first.text);
      assert.equal((await t.wb('POST', '/api/admin/unbind-device', { body: { code: open }, headers: admin.headers })).status, 200);
      const takeover = await t.wb('POST', '/api/robot-ids/activate', { body: { code: open, deviceInfo: device('bob-1') }, headers: bob.headers });
      assert.equal(takeover.status, 403, takeover.text);
      const openLicense = await t.app.db('licensing_licenses').where('activation_code', open).first('license_id', 'active_devices');
      assert.equal(Number(openLicense.active_devices), 0);
      const back = await t.wb('POST', '/api/robot-ids/activate', { body: { code: open, deviceInfo: device('alice-2') }, headers: alice.headers });
      assert.equal(back.status, 201, back.text);
      assert.equal((await t.app.db('robots_robots').where('robot_id', first.body.data.robotId).first()).user_id, alice.id);

      // A customer's owner with a home code: as if the code did not exist.
      const customer = await registerOwner(t, 'code-thief');
      const [home] = await adminCodes(t, admin);
      const stranger = await t.wb('POST', '/api/robot-ids/activate', { body: { code: home, deviceInfo: device() }, headers: customer.headers });
      assert.equal(stranger.status, 404, stranger.text);
      assert.equal(await count(t, 'robots_robots', { tenant_id: customer.tenantId }), 0);
    });

    it('without a user token (the device alone): the code’s bound user owns it; an unbound code’s robot becomes the first signed-in activator’s', async () => {
      const alice = await phoneLogin(t);
      const bound = await activate(t, (await adminCodes(t, admin, 1, { boundUserId: alice.id }))[0]);
      assert.equal((await t.app.db('robots_robots').where('robot_id', bound.robotId).first()).user_id, alice.id);

      const [code] = await adminCodes(t, admin);
      const nobody = await activate(t, code, device('dev-owned-later'));
      assert.equal((await t.app.db('robots_robots').where('robot_id', nobody.robotId).first()).user_id, null);
      const again = await t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: device('dev-owned-later') }, headers: alice.headers });
      assert.equal(again.status, 200, again.text);
      assert.equal((await t.app.db('robots_robots').where('robot_id', nobody.robotId).first()).user_id, alice.id);
    });

    it('codes the operator issues into a customer tenant stay in that tenant: its owner controls them, the home admin does not list them', async () => {
      const customer = await registerOwner(t, 'issued');
      const [code] = await newCodes(t, customer);
      const robot = await activate(t, code);
      assert.deepEqual(
        (await t.wb('GET', '/api/robots', { headers: customer.headers })).body.data.list.map((r: { robotId: string }) => r.robotId),
        [robot.robotId],
      );
      assert.ok(!(await t.wb('GET', '/api/robots', { headers: admin.headers })).body.data.list.some((r: { robotId: string }) => r.robotId === robot.robotId));
    });
  });
});

describe('robots: phone users hold their robots and their own account, nothing else of the operator’s', () => {
  let t: RobotsApp;
  let root: Owner;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['billing', 'mail'] });
    root = await superadmin(t);
  });
  after(async () => t?.close());

  it('a phone user’s scopes in the operator tenant: robots:use and their account; billing, mail and API keys refused, nothing written', async () => {
    const phone = await phoneLogin(t);
    const me = await t.request('GET', '/api/v2/auth/me', { headers: phone.headers });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([...me.body.auth.scopes].sort(), ['account:manage', 'account:read', 'robots:use']);
    assert.deepEqual(me.body.scope_limit, ['account:read', 'account:manage', 'robots:use']);

    const billing = await t.request('GET', '/api/v2/billing/subscription', { headers: phone.headers });
    assert.equal(billing.status, 403, billing.text);
    assert.match(billing.text, /billing:read/);
    const key = await t.request('POST', '/api/v2/api-keys', { headers: phone.headers, body: { name: 'mine', scopes: ['robots:use'] } });
    assert.equal(key.status, 403, key.text);
    const mailbox = await t.request('POST', '/mail/api/create', { headers: phone.headers, body: { name: 'phone-user-box' } });
    assert.ok([401, 403].includes(mailbox.status), mailbox.text);
    assert.equal(await count(t, 'auth_api_keys', { user_id: phone.id }), 0);
    assert.equal(await count(t, 'mail_mailboxes'), 0);

    assert.equal((await t.wb('GET', '/api/robots', { headers: phone.headers })).status, 200, 'their robots still work');
    assert.equal(
      (await t.request('PATCH', '/api/v2/users/me', { headers: phone.headers, body: { full_name: 'Zhang San' } })).status,
      200,
      'and their own profile',
    );
  });

  it('the operator lifts or changes the limit; an unknown scope is refused naming it; promotion to admin lifts it', async () => {
    const phone = await phoneLogin(t);
    const patch = (body: unknown) => t.request('PATCH', `/api/v2/admin/users/${phone.id}`, { headers: root.headers, body });
    const bad = await patch({ scope_limit: ['robots:use', 'nope:nothing'] });
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.text, /scope_limit/);
    assert.match(bad.text, /nope:nothing/);
    assert.equal(
      (await t.app.db('auth_users').where('id', phone.id).first('scope_limit')).scope_limit,
      JSON.stringify(['account:read', 'account:manage', 'robots:use']),
    );

    assert.equal((await patch({ scope_limit: ['robots:use', 'billing:read'] })).status, 200);
    assert.equal((await t.request('GET', '/api/v2/billing/subscription', { headers: phone.headers })).status, 200);

    const lifted = await patch({ role: 'admin' });
    assert.equal(lifted.status, 200, lifted.text);
    assert.equal(lifted.body.scope_limit, null);
    const me = await t.request('GET', '/api/v2/auth/me', { headers: phone.headers });
    assert.ok(me.body.auth.scopes.includes('robots:manage'), me.text);
  });
});

describe('robots: the homeTenant setting', () => {
  it('names the home tenant by name: its owner is a WorkBot admin, an admin of the operator tenant is not; phone users join it', async () => {
    // Given no tenant name, registration names the tenant after the owner ("shop owner"); names match without case.
    const { t, prepared: shop } = await robotsAppWithHome('Shop Owner', (first) => registerOwner(first, 'shop', { tenantName: null }));
    try {
      assert.equal(await homeTenantId(t), shop.tenantId);
      assert.equal((await t.wb('GET', '/api/admin/activation-codes', { headers: shop.headers })).status, 200);
      const operatorAdmin = await addUser(t, (await t.app.db('auth_tenants').where('is_platform', true).first('id')).id, 'admin', { label: 'op-admin' });
      assertRefused(await t.wb('GET', '/api/admin/activation-codes', { headers: operatorAdmin.headers }), 'an admin of a tenant that is not home');
      assert.equal((await t.wb('GET', '/api/admin/activation-codes', { headers: (await superadmin(t)).headers })).status, 200, 'a superadmin always passes');
      const phone = await phoneLogin(t);
      assert.equal(phone.tenantId, shop.tenantId);
      assert.equal(phone.role, 'user');
    } finally {
      await t.close();
    }
  });

  it('names the home tenant by id: codes are made there', async () => {
    const { t, prepared: shop } = await robotsAppWithHome(
      (o: Owner) => o.tenantId,
      (first) => registerOwner(first, 'by-id'),
    );
    try {
      const [code] = await adminCodes(t, shop);
      assert.equal((await t.app.db('licensing_licenses').where('activation_code', code).first('tenant_id')).tenant_id, shop.tenantId);
    } finally {
      await t.close();
    }
  });

  it('naming no tenant: the boot fails and says which setting', async () => {
    await assert.rejects(robotsApp({ robots: { homeTenant: 'no such tenant' } }), /robots\.homeTenant "no such tenant" names no tenant/);
  });
});
