// Issue 39: seed 000's example of creating an API key has no `scopes` (seed 001 asks for them).
// The documented example works: the key holds every tenant scope its creator holds, listed in the
// reply, and a Warning advises naming only the ones it needs. Seed 001's form is unchanged.
import assert from 'node:assert/strict';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { apiKeyHeaders, assertValidation, count, loginAdmin, startAuthApp, type AuthApp } from './admin-helpers.js';

describe('auth: seed 000’s API key without scopes', () => {
  let t: AuthApp;
  let owner: Actor;
  let member: Actor;

  before(async () => {
    t = await startAuthApp();
    owner = await registerOwner(t, 'owner', { email: 'owner@seed000.test', tenantName: 'Seed 000' });
    member = await addUser(t, owner.tenantId, 'member', { email: 'member@seed000.test' });
  });
  after(() => t?.close());

  const grantable = async (actor: Actor) =>
    ((await t.api('GET', '/api-keys/scopes', { headers: actor.headers })).body as Array<{ scope: string }>).map((s) => s.scope).sort();

  it('POST /api-keys {"name": "CI/CD Pipeline"}: 201, the creator’s scopes, a Warning; the key works within them', async () => {
    const res = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'CI/CD Pipeline' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.name, 'CI/CD Pipeline');
    assert.match(res.body.raw_key, /^mf_/);
    assert.deepEqual([...res.body.scopes].sort(), await grantable(owner));
    assert.ok(res.body.scopes.includes('api-keys:manage'), res.text);
    assert.match(res.headers.get('warning') ?? '', /^299 - "no scopes given: the key holds all \d+ of yours; name only those it needs \(scopes\)"$/);
    const row = await t.db('auth_api_keys').where('id', res.body.id).first();
    assert.deepEqual(JSON.parse(row.scopes).sort(), [...res.body.scopes].sort());

    const me = await t.api('GET', '/auth/me', { headers: apiKeyHeaders(res.body.raw_key) });
    assert.equal(me.status, 200, me.text);

    // Seed 001's form: exactly the scopes named, and no advice.
    const scoped = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'outreach-bot', scopes: ['account:read'], expires_in_days: 90 } });
    assert.equal(scoped.status, 201, scoped.text);
    assert.deepEqual(scoped.body.scopes, ['account:read']);
    assert.equal(scoped.headers.get('warning'), null);
  });

  it('a member’s key without scopes holds the member’s, never more; a superadmin’s never platform:admin', async () => {
    const res = await t.api('POST', '/api-keys', { headers: member.headers, body: { name: 'mine' } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual([...res.body.scopes].sort(), await grantable(member));
    assert.ok(!res.body.scopes.some((s: string) => s.endsWith(':manage') && !['account:manage', 'api-keys:manage'].includes(s)), res.text);

    const root = await loginAdmin(t);
    const operator = await t.api('POST', '/api-keys', { headers: root.headers, body: { name: 'operator-ci' } });
    assert.equal(operator.status, 201, operator.text);
    assert.ok(!operator.body.scopes.some((s: string) => s.startsWith('platform:')), operator.text);
  });

  it('still refused: no name, or an empty scope list (422); nothing stored', async () => {
    const before = await count(t.db('auth_api_keys'));
    assert.deepEqual(assertValidation(await t.api('POST', '/api-keys', { headers: owner.headers, body: {} })), ['body.name']);
    assertValidation(await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'ci', scopes: [] } }));
    assert.equal(await count(t.db('auth_api_keys')), before);
  });
});
