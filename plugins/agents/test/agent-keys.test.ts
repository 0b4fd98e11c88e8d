// A key for an agent from the Agents page: the presets are computed on the server for the person
// asking (role, scope limit, plan; never a platform scope), and a key made with one holds exactly them.
import assert from 'node:assert/strict';
import { sha256 } from 'plinth/plugin';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type Reply, type TestApp } from '../../../test/helpers/app.js';

const ADMIN = { email: 'operator@agent-keys.test', password: 'Operator-pass-2026!' };

function assertError(res: Reply, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.code, code, res.text);
  assert.equal(typeof res.body.detail === 'string' || Array.isArray(res.body.detail), true, res.text);
}

type Preset = { id: string; scopes: string[]; tools: string[] };

describe('agents: a key for an agent, with a preset', () => {
  let t: TestApp;
  let admin: Actor;
  let owner: Actor;
  let member: Actor;
  let other: Actor;

  const presets = async (who: Actor): Promise<Record<string, Preset>> => {
    const res = await t.request('GET', '/agents/key-presets', { headers: who.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.presets.map((p: Preset) => p.id),
      ['read_only', 'everything'],
    );
    return Object.fromEntries(res.body.presets.map((p: Preset) => [p.id, p]));
  };
  const grantable = async (who: Actor): Promise<string[]> =>
    (await t.request('GET', '/api/v2/api-keys/scopes', { headers: who.headers })).body.map((s: { scope: string }) => s.scope).sort();

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'mail', 'agents'], settings: { auth: { admin: ADMIN } } });
    admin = await login(t, ADMIN.email, ADMIN.password);
    owner = await registerOwner(t, 'agent-keys');
    member = await addUser(t, owner.tenantId, 'member');
    other = await registerOwner(t, 'agent-keys-other');
  });
  after(async () => t?.close());

  it('an owner: read only = every read scope it may grant, everything = every scope it may grant; no platform scope', async () => {
    const p = await presets(owner);
    const mine = (await grantable(owner)).filter((s) => !s.startsWith('platform:'));
    assert.deepEqual(p.everything.scopes, mine);
    assert.deepEqual(
      p.read_only.scopes,
      mine.filter((s) => s.endsWith(':read')),
    );
    assert.ok(p.read_only.scopes.includes('usage:read') && !p.read_only.scopes.includes('licenses:manage'), JSON.stringify(p.read_only.scopes));
    assert.ok(p.everything.scopes.includes('licenses:manage'));
    assert.ok(p.everything.tools.includes('licensing_generate') && !p.read_only.tools.includes('licensing_generate'), JSON.stringify(p));
  });

  it('a member gets only what a member holds; a superadmin never gets an operator scope; visitors 401', async () => {
    const p = await presets(member);
    assert.deepEqual(p.everything.scopes, await grantable(member));
    assert.ok(
      !p.everything.scopes.some((s) => s.endsWith(':manage') && s !== 'account:manage' && s !== 'api-keys:manage'),
      JSON.stringify(p.everything.scopes),
    );
    const asAdmin = await presets(admin);
    assert.ok(!asAdmin.everything.scopes.some((s) => s.startsWith('platform:')), JSON.stringify(asAdmin.everything.scopes));
    assert.ok((await grantable(admin)).includes('platform:admin'), 'the superadmin holds it: the preset leaves it out on purpose');
    assert.equal((await t.request('GET', '/agents/key-presets')).status, 401);
    assert.equal((await t.request('POST', '/agents/keys', { body: { name: 'x', preset: 'everything' } })).status, 401);
  });

  it('a key made with a preset holds exactly its scopes, in the maker’s tenant; shown once, audited, metered like any key', async () => {
    const p = await presets(member);
    const res = await t.request('POST', '/agents/keys', { headers: member.headers, body: { name: 'claude desktop', preset: 'read_only' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.preset, 'read_only');
    assert.deepEqual(res.body.scopes, p.read_only.scopes);
    assert.match(res.body.raw_key, /^mf_/);
    const row = await t.app.db('auth_api_keys').where('id', res.body.id).first();
    assert.deepEqual(JSON.parse(row.scopes), p.read_only.scopes);
    assert.equal(row.tenant_id, owner.tenantId);
    assert.equal(row.user_id, member.id);
    assert.equal(row.name, 'claude desktop');
    assert.equal(row.key_hash, sha256(res.body.raw_key));
    const audit = await t.app.db('auth_audit_logs').where({ action: 'api_key.created', target_id: res.body.id }).first();
    assert.ok(audit, 'in the audit log');
    // The key works, and is listed (never with its secret) on the API keys page's list.
    const listed = await t.request('GET', '/api/v2/api-keys', { headers: member.headers });
    const mine = listed.body.find((k: { id: string }) => k.id === res.body.id);
    assert.deepEqual(mine.scopes, p.read_only.scopes);
    assert.ok(!listed.text.includes(res.body.raw_key));
    const other_ = await t.request('GET', '/api/v2/api-keys', { headers: other.headers });
    assert.ok(!other_.body.some((k: { id: string }) => k.id === res.body.id), 'another tenant does not see it');

    const everything = await t.request('POST', '/agents/keys', { headers: owner.headers, body: { name: 'all', preset: 'everything', expires_in_days: 30 } });
    assert.equal(everything.status, 201, everything.text);
    assert.deepEqual(JSON.parse((await t.app.db('auth_api_keys').where('id', everything.body.id).first()).scopes), (await presets(owner)).everything.scopes);
  });

  it('a preset a client names but the server does not know, or a made-up scope list, is 422; nothing is made', async () => {
    const before = await t.app.db('auth_api_keys').count({ n: '*' });
    for (const body of [
      { name: 'x', preset: 'admin' },
      { name: 'x', preset: 'everything', scopes: ['platform:admin'] },
      { name: '   ', preset: 'everything' },
      { preset: 'everything' },
      { name: 'x', preset: 'everything', expires_in_days: 0 },
    ]) {
      const res = await t.request('POST', '/agents/keys', { headers: member.headers, body });
      assertError(res, 422, 'validation_error');
    }
    assert.deepEqual(await t.app.db('auth_api_keys').count({ n: '*' }), before);
  });

  it('a plan without a feature: its scopes are in no preset; a plan without API keys: 403 feature_not_in_plan', async () => {
    const plan = await t.request('POST', '/api/v2/admin/plans', {
      headers: admin.headers,
      body: { id: 'agents-only', display_name: 'Agents only', limits: {}, features: ['api_keys', 'agents'] },
    });
    assert.equal(plan.status, 201, plan.text);
    assert.equal(
      (await t.request('PUT', `/api/v2/admin/tenants/${other.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'agents-only' } })).status,
      200,
    );
    const p = await presets(other);
    assert.ok(!p.everything.scopes.some((s) => s.startsWith('licenses:') || s.startsWith('mail:')), JSON.stringify(p.everything.scopes));
    assert.deepEqual(p.everything.scopes, await grantable(other));
    const made = await t.request('POST', '/agents/keys', { headers: other.headers, body: { name: 'cut', preset: 'everything' } });
    assert.equal(made.status, 201, made.text);
    assert.ok(!made.body.scopes.some((s: string) => s.startsWith('licenses:')));

    assert.equal(
      (await t.request('POST', '/api/v2/admin/plans', { headers: admin.headers, body: { id: 'no-keys', display_name: 'No keys', limits: {}, features: [] } }))
        .status,
      201,
    );
    assert.equal(
      (await t.request('PUT', `/api/v2/admin/tenants/${other.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'no-keys' } })).status,
      200,
    );
    assertError(await t.request('GET', '/agents/key-presets', { headers: other.headers }), 403, 'feature_not_in_plan');
    assertError(await t.request('POST', '/agents/keys', { headers: other.headers, body: { name: 'x', preset: 'read_only' } }), 403, 'feature_not_in_plan');
  });
});
