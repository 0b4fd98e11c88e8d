// The operator's tenant page API (issue 40): GET /admin/tenants/{id}/sections assembles each
// plugin's section, GET …/deletion counts what a DELETE takes by plugin, and DELETE removes the
// tenant with every plugin's rows in one transaction (the other tenant's rows stay); rename and
// unsuspend through PATCH, audited by name. Only superadmins; unknown ids 404; hostile input 4xx.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { ADMIN, API, assertError, assertValidation, MISSING_ID } from './admin-helpers.js';

// tenant-probe (test/fixtures/plugins) fails its section or its remove for tenants named so; listed early, its remove runs late.
const PLUGINS = ['auth', 'tenant-probe', 'licensing', 'robots', 'mail', 'ai', 'workflows', 'agents', 'billing'];
const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

describe('auth: the tenant page and deleting a tenant', () => {
  let t: TestApp;
  let root: Actor;
  let alpha: Actor;
  let alphaMember: Actor;
  let beta: Actor;
  const api = (method: string, path: string, who: Actor | null, body?: unknown) => t.request(method, `${API}${path}`, { headers: who?.headers ?? {}, body });
  const db = () => t.app.db;
  const n = async (table: string, where: Record<string, unknown>) =>
    Number(((await db()(table).where(where).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

  /** A tenant's robot, mailbox and license as their plugins store them. */
  async function seed(tenantId: string, tag: string) {
    const now = new Date().toISOString();
    await db()('robots_robots').insert({
      robot_id: `robot_${tag}`,
      robot_uuid: randomUUID(),
      tenant_id: tenantId,
      name: `Robot ${tag}`,
      created_at: now,
      updated_at: now,
    });
    await db()('robots_logs').insert({ tenant_id: tenantId, type: 'api_error', level: 'info', message: `log ${tag}`, created_at: now });
    await db()('mail_mailboxes').insert({ tenant_id: tenantId, address: `box-${tag}@mail.test`, domain: 'mail.test', created_at: now });
    await db()('licensing_licenses').insert({
      license_id: `LIC-${tag.toUpperCase().padEnd(8, 'X').slice(0, 8)}`,
      tenant_id: tenantId,
      activation_code: `CODE-${tag}`,
      plan: 'yearly',
      device_cap: 2,
      issued_at: now,
      created_at: now,
      updated_at: now,
    });
  }

  before(async () => {
    t = await createTestApp({ plugins: PLUGINS, settings: { auth: { admin: ADMIN, limits: LIMITS } } });
    root = await login(t, ADMIN.email, ADMIN.password);
    alpha = await registerOwner(t, 'owner', { email: 'owner@alpha.test', fullName: 'Alice Alpha', tenantName: 'Alpha Corp' });
    alphaMember = await addUser(t, alpha.tenantId, 'member', { email: 'member@alpha.test' });
    beta = await registerOwner(t, 'owner', { email: 'owner@beta.test', fullName: 'Bob Beta', tenantName: 'Beta GmbH' });
    const key = await api('POST', '/api-keys', alpha, { name: 'alpha-ci', scopes: ['users:read'] });
    assert.equal(key.status, 201, key.text);
    await seed(alpha.tenantId, 'alpha');
    await seed(beta.tenantId, 'beta');
  });
  after(() => t?.close());

  it('only superadmins reach the new endpoints: 401 without credentials, 403 for a customer owner and a member', async () => {
    const paths: Array<[string, string]> = [
      ['GET', `/admin/tenants/${beta.tenantId}/sections`],
      ['GET', `/admin/tenants/${beta.tenantId}/deletion`],
      ['DELETE', `/admin/tenants/${beta.tenantId}`],
    ];
    for (const [method, path] of paths) {
      assertError(await api(method, path, null), 401);
      assertError(await api(method, path, alpha), 403);
      assertError(await api(method, path, alphaMember), 403);
    }
    assert.equal(await n('auth_tenants', { id: beta.tenantId }), 1);
  });

  it('404 for an unknown tenant, 422 for an id that is not one', async () => {
    for (const path of [`/admin/tenants/${MISSING_ID}/sections`, `/admin/tenants/${MISSING_ID}/deletion`]) assertError(await api('GET', path, root), 404);
    assertError(await api('DELETE', `/admin/tenants/${MISSING_ID}`, root), 404);
    for (const bad of ['not-a-uuid', "1'%20or%20'1'='1", '..%2F..%2Fetc', 'x'.repeat(300)]) {
      const res = await api('GET', `/admin/tenants/${bad}/sections`, root);
      assert.ok(res.status >= 400 && res.status < 500, `${bad}: ${res.status}`);
    }
  });

  it("the sections: each plugin's part of the tenant, named, never another tenant's rows", async () => {
    const res = await api('GET', `/admin/tenants/${alpha.tenantId}/sections`, root);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.tenant.name, 'Alpha Corp');
    const byId = new Map<string, any>(res.body.sections.map((s: any) => [s.id, s]));
    for (const id of ['auth.members', 'auth.api-keys', 'auth.audit', 'robots.robots', 'mail.mailboxes', 'licensing.licenses']) assert.ok(byId.has(id), id);
    const members = byId.get('auth.members');
    assert.deepEqual(members.facts[0], {
      label: 'Owner',
      value: 'owner@alpha.test',
      messages: { label: { id: 'auth.tenant.members.owners', values: { count: 1 } } },
    });
    assert.deepEqual(members.table.rows.map((r: unknown[]) => r[1]).sort(), ['member@alpha.test', 'owner@alpha.test']);
    assert.deepEqual(
      byId.get('auth.api-keys').table.rows.map((r: unknown[]) => r[0]),
      ['alpha-ci'],
    );
    assert.deepEqual(
      byId.get('robots.robots').table.rows.map((r: unknown[]) => r[0]),
      ['Robot alpha'],
    );
    assert.deepEqual(
      byId.get('mail.mailboxes').table.rows.map((r: unknown[]) => r[0]),
      ['box-alpha@mail.test'],
    );
    assert.equal(byId.get('licensing.licenses').table.rows.length, 1);
    assert.ok(!res.text.includes('beta'), 'nothing of Beta GmbH');
  });

  it('rename and unsuspend through PATCH, audited with the names', async () => {
    let res = await api('PATCH', `/admin/tenants/${beta.tenantId}`, root, { name: '  Beta AG  ' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'Beta AG');
    res = await api('PATCH', `/admin/tenants/${beta.tenantId}`, root, { status: 'suspended' });
    assert.equal(res.body.status, 'suspended');
    res = await api('PATCH', `/admin/tenants/${beta.tenantId}`, root, { status: 'active' });
    assert.equal(res.body.status, 'active');
    const audit = await db()('auth_audit_logs').where({ action: 'admin.tenant.updated', target_id: beta.tenantId }).orderBy('id');
    const details = audit.map((a: any) => JSON.parse(a.details));
    assert.deepEqual(details[0], { name: 'Beta AG', previous_name: 'Beta GmbH' });
    assert.deepEqual(details[2], { status: 'active', previous_status: 'suspended' });
    for (const bad of [{ name: '' }, { name: '   ' }, { name: 'x'.repeat(201) }, { status: 'deleted' }, { name: { $ne: 1 } }, { is_operator: true }]) {
      assertValidation(await api('PATCH', `/admin/tenants/${beta.tenantId}`, root, bad));
    }
    assert.equal((await db()('auth_tenants').where('id', beta.tenantId).first()).name, 'Beta AG');
  });

  it("the superadmin's own tenant can be neither suspended nor deleted (409), and the deletion says why", async () => {
    const own = root.tenantId;
    assertError(await api('PATCH', `/admin/tenants/${own}`, root, { status: 'suspended' }), 409);
    assertError(await api('DELETE', `/admin/tenants/${own}`, root), 409);
    const res = await api('GET', `/admin/tenants/${own}/deletion`, root);
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.body.blocked, 'string');
    assert.equal(await n('auth_tenants', { id: own }), 1);
  });

  it('the deletion lists what goes by plugin; DELETE removes the tenant and all of it, and nothing of another tenant', async () => {
    const preview = await api('GET', `/admin/tenants/${alpha.tenantId}/deletion`, root);
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.blocked, null);
    assert.equal(preview.body.tenant.name, 'Alpha Corp');
    const goes = Object.fromEntries(preview.body.goes.map((p: any) => [p.plugin, Object.fromEntries(p.rows.map((r: any) => [r.label, r.count]))]));
    assert.equal(goes.auth.users, 2);
    assert.equal(goes.auth['API key'], 1);
    assert.equal(goes.robots.robot, 1);
    assert.equal(goes.mail.mailbox, 1);
    assert.equal(goes.licensing.license, 1);

    const res = await api('DELETE', `/admin/tenants/${alpha.tenantId}`, root);
    assert.equal(res.status, 204, res.text);
    const gone = alpha.tenantId;
    for (const [table, where] of [
      ['auth_tenants', { id: gone }],
      ['auth_users', { tenant_id: gone }],
      ['auth_api_keys', { tenant_id: gone }],
      ['robots_robots', { tenant_id: gone }],
      ['robots_logs', { tenant_id: gone }],
      ['mail_mailboxes', { tenant_id: gone }],
      ['licensing_licenses', { tenant_id: gone }],
      ['billing_subscriptions', { tenant_id: gone }],
    ] as const) {
      assert.equal(await n(table, where), 0, table);
    }
    for (const [table, where] of [
      ['auth_tenants', { id: beta.tenantId }],
      ['robots_robots', { tenant_id: beta.tenantId }],
      ['mail_mailboxes', { tenant_id: beta.tenantId }],
      ['licensing_licenses', { tenant_id: beta.tenantId }],
    ] as const) {
      assert.equal(await n(table, where), 1, `${table} of Beta`);
    }
    // The audit entries stay (the retention job takes them): the deletion names the tenant and counts what went.
    const entry = await db()('auth_audit_logs').where({ action: 'admin.tenant.deleted', target_id: gone }).first();
    const details = JSON.parse(entry.details);
    assert.equal(details.name, 'Alpha Corp');
    assert.equal(details.deleted['robots: robot'], 1);
    assert.equal(details.deleted['auth: users'], 2);
    assertError(await api('GET', `/admin/tenants/${gone}/sections`, root), 404);
    assertError(await api('DELETE', `/admin/tenants/${gone}`, root), 404);
  });

  it("a plugin's section that fails is one error section; the page still shows every other", async () => {
    const broken = await registerOwner(t, 'owner', { email: 'owner@broken.test', tenantName: 'Broken Ltd' });
    const res = await api('GET', `/admin/tenants/${broken.tenantId}/sections`, root);
    assert.equal(res.status, 200, res.text);
    const probe = res.body.sections.find((s: any) => s.id.startsWith('tenant-probe.'));
    assert.deepEqual(probe, {
      id: 'tenant-probe.error',
      title: 'tenant-probe',
      error: 'tenant-probe: could not be read (the error is in the log)',
      // Said in the viewer's language: the plugin's name in the nav (its own English when it ships no catalogue) and the core's sentence.
      messages: { title: { id: 'tenant-probe.nav.group' }, error: { id: 'shell.tenant.error', values: { plugin: 'tenant-probe' } } },
    });
    assert.ok(res.body.sections.some((s: any) => s.id === 'auth.members'));
    const fine = await api('GET', `/admin/tenants/${beta.tenantId}/sections`, root);
    assert.deepEqual(
      fine.body.sections.find((s: any) => s.id === 'tenant-probe.probe'),
      { id: 'tenant-probe.probe', title: 'Probe', facts: [{ label: 'Probe', value: 'ok' }] },
    );
  });

  it("a plugin's remove that fails rolls the whole deletion back: the tenant and every plugin's rows stay", async () => {
    const stuck = await registerOwner(t, 'owner', { email: 'owner@stuck.test', tenantName: 'Stuck Ltd' });
    await seed(stuck.tenantId, 'stuck');
    const res = await api('DELETE', `/admin/tenants/${stuck.tenantId}`, root);
    assert.equal(res.status, 500, res.text);
    for (const [table, where] of [
      ['auth_tenants', { id: stuck.tenantId }],
      ['auth_users', { tenant_id: stuck.tenantId }],
      ['robots_robots', { tenant_id: stuck.tenantId }],
      ['mail_mailboxes', { tenant_id: stuck.tenantId }],
      ['licensing_licenses', { tenant_id: stuck.tenantId }],
    ] as const) {
      assert.equal(await n(table, where), 1, table);
    }
    assert.equal(await n('auth_audit_logs', { action: 'admin.tenant.deleted', target_id: stuck.tenantId }), 0);
  });

  it('the users list names each user’s tenant', async () => {
    const res = await api('GET', '/admin/users?search=beta', root);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.items.map((u: any) => [u.email, u.tenant_name]),
      [['owner@beta.test', 'Beta AG']],
    );
  });
});
