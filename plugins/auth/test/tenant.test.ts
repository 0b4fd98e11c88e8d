import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { apiKeyHeaders, assertError, assertValidation, auditRows, count, createKey, eventRows, startAuthApp, UA, type AuthApp } from './admin-helpers.js';

const DEFAULTS = { allowed_numbers: [], require_approval: false, ai_consent_enabled: false };

describe('auth: /tenant/settings', () => {
  const clock = new ManualClock('2026-04-10T08:00:00.000Z');
  let t: AuthApp;
  let owner: Actor;
  let admin: Actor;
  let member: Actor;

  before(async () => {
    t = await startAuthApp({ clock });
    owner = await registerOwner(t, 'owner', { email: 'owner@settings.test', tenantName: 'Settings Ltd' });
    admin = await addUser(t, owner.tenantId, 'admin', { email: 'admin@settings.test' });
    member = await addUser(t, owner.tenantId, 'member', { email: 'member@settings.test' });
  });
  after(() => t?.close());

  const settingsRow = async (tenantId = owner.tenantId) => {
    const row = await t.db('auth_tenant_settings').where('tenant_id', tenantId).first();
    return {
      allowed_numbers: JSON.parse(row.allowed_numbers),
      require_approval: Boolean(row.require_approval),
      ai_consent_enabled: Boolean(row.ai_consent_enabled),
    };
  };

  it('GET: any member of the tenant reads the defaults', async () => {
    for (const who of [owner, admin, member]) {
      const res = await t.api('GET', '/tenant/settings', { headers: who.headers });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, DEFAULTS, who.email);
    }
  });

  it('GET: 401 without credentials', async () => {
    assertError(await t.api('GET', '/tenant/settings'), 401);
  });

  it('PATCH by the owner is partial, stored, audited and emitted', async () => {
    const res = await t.api('PATCH', '/tenant/settings', {
      headers: owner.headers,
      body: { allowed_numbers: ['+5511999999999', '+5511999999999', '4915112345678'] },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { allowed_numbers: ['+5511999999999', '4915112345678'], require_approval: false, ai_consent_enabled: false });
    assert.deepEqual(await settingsRow(), res.body);

    const next = await t.api('PATCH', '/tenant/settings', { headers: owner.headers, body: { require_approval: true } });
    assert.equal(next.status, 200, next.text);
    assert.deepEqual(next.body.allowed_numbers, ['+5511999999999', '4915112345678'], 'untouched fields stay');
    assert.equal(next.body.require_approval, true);
    assert.deepEqual((await t.api('GET', '/tenant/settings', { headers: member.headers })).body, next.body);

    const audits = await auditRows(t, { action: 'tenant.settings.updated', tenant_id: owner.tenantId });
    assert.equal(audits.length, 2);
    assert.equal(audits[1].actor_id, owner.id);
    assert.equal(audits[1].target_id, owner.tenantId);
    assert.deepEqual(JSON.parse(audits[1].details), { require_approval: true });
    const events = (await eventRows(t, 'auth.tenant.settings_updated')).filter((e) => e.tenant_id === owner.tenantId);
    assert.equal(events.length, 2);
    assert.deepEqual(events[1].payload, { tenant_id: owner.tenantId, settings: next.body });
  });

  it('PATCH by an admin works; by a member is 403 and changes nothing', async () => {
    const ok = await t.api('PATCH', '/tenant/settings', { headers: admin.headers, body: { require_approval: false } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.require_approval, false);
    const before = await settingsRow();
    const auditsBefore = await count(t.db('auth_audit_logs').where('action', 'tenant.settings.updated'));
    assertError(await t.api('PATCH', '/tenant/settings', { headers: member.headers, body: { require_approval: true } }), 403);
    assertError(await t.api('PATCH', '/tenant/settings', { headers: member.headers, body: { ai_consent_enabled: true } }), 403);
    assert.deepEqual(await settingsRow(), before);
    assert.equal(await count(t.db('auth_audit_logs').where('action', 'tenant.settings.updated')), auditsBefore);
    assert.equal(await count(t.db('auth_consents').where('tenant_id', owner.tenantId)), 0);
  });

  it('PATCH: 422 for an invalid phone, a wrong type, an unknown field or an empty body; 401 without credentials', async () => {
    const before = await settingsRow();
    const patch = (body: unknown) => t.api('PATCH', '/tenant/settings', { headers: owner.headers, body });
    assert.deepEqual(assertValidation(await patch({ allowed_numbers: ['+5511999999999', 'call me'] })), ['body.allowed_numbers.1']);
    assertValidation(await patch({ allowed_numbers: ['0123'] }));
    assertValidation(await patch({ allowed_numbers: '+5511999999999' }));
    assert.deepEqual(assertValidation(await patch({ require_approval: 'yes' })), ['body.require_approval']);
    assert.deepEqual(assertValidation(await patch({ plan: 'pro' })), ['body.plan']);
    assertValidation(await patch({}));
    assert.deepEqual(await settingsRow(), before);
    assertError(await t.api('PATCH', '/tenant/settings', { body: { require_approval: true } }), 401);
  });

  it('ai_consent_enabled records a GDPR consent row each time it changes: on/off/on keeps 3 rows', async () => {
    const on = await t.api('PATCH', '/tenant/settings', { headers: owner.headers, body: { ai_consent_enabled: true } });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.ai_consent_enabled, true);
    let rows = await t.db('auth_consents').where('tenant_id', owner.tenantId).orderBy('id');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].type, 'ai_processing');
    assert.equal(rows[0].version, '1.0');
    assert.equal(Boolean(rows[0].granted), true);
    assert.equal(rows[0].user_id, owner.id);
    assert.match(rows[0].ip, /127\.0\.0\.1|::1/);
    assert.equal(rows[0].user_agent, UA);
    assert.equal(rows[0].created_at, clock.now().toISOString());

    // Setting it to what it already is records nothing.
    assert.equal((await t.api('PATCH', '/tenant/settings', { headers: owner.headers, body: { ai_consent_enabled: true } })).status, 200);
    assert.equal(await count(t.db('auth_consents').where('tenant_id', owner.tenantId)), 1);

    clock.advance(60_000);
    const off = await t.api('PATCH', '/tenant/settings', { headers: admin.headers, body: { ai_consent_enabled: false } });
    assert.equal(off.body.ai_consent_enabled, false);
    clock.advance(60_000);
    await t.api('PATCH', '/tenant/settings', { headers: owner.headers, body: { ai_consent_enabled: true } });

    rows = await t.db('auth_consents').where('tenant_id', owner.tenantId).orderBy('id');
    assert.equal(rows.length, 3);
    assert.deepEqual(
      rows.map((r: { granted: unknown }) => Boolean(r.granted)),
      [true, false, true],
    );
    assert.deepEqual(
      rows.map((r: { user_id: string }) => r.user_id),
      [owner.id, admin.id, owner.id],
    );
    assert.ok(rows[0].created_at < rows[1].created_at && rows[1].created_at < rows[2].created_at);
    assert.equal((await settingsRow()).ai_consent_enabled, true);
    const audits = await auditRows(t, { action: 'tenant.settings.updated', tenant_id: owner.tenantId });
    assert.ok(audits.some((a) => JSON.parse(a.details).ai_consent_enabled === false && a.actor_id === admin.id));
  });

  it('an owner API key with settings:manage can PATCH; the consent row names the key’s user', async () => {
    const other = await registerOwner(t, 'owner', { email: 'keyowner@settings.test' });
    const key = await createKey(t, other, ['settings:manage', 'settings:read']);
    const res = await t.api('PATCH', '/tenant/settings', { headers: apiKeyHeaders(key.raw), body: { ai_consent_enabled: true } });
    assert.equal(res.status, 200, res.text);
    const [row] = await t.db('auth_consents').where('tenant_id', other.tenantId);
    assert.equal(row.user_id, other.id);
    assert.deepEqual(await settingsRow(owner.tenantId).then((s) => s.ai_consent_enabled), true, 'the first tenant is untouched');
  });
});
