import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestApp } from '../../../test/helpers/app.js';
import { uniqueEmail } from '../../../test/helpers/actors.js';
import { api, assertNoMail, auditRows, authApp, eventRows, lastMailId, linkOf, login, strongPassword, waitForMail } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const REGISTERED = 'Check your email to verify your address.';

describe('auth: POST /auth/register', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp();
  });
  after(async () => t?.close());

  const counts = async () => ({
    users: Number((await t.app.db('auth_users').count({ n: '*' }))[0].n),
    tenants: Number((await t.app.db('auth_tenants').count({ n: '*' }))[0].n),
  });

  it('creates a tenant and its owner: 201, the password stored as argon2id, events, audit and a verification mail', async () => {
    const email = uniqueEmail('new');
    const password = strongPassword();
    const before = await counts();
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/register', { body: { email: email.toUpperCase(), password, full_name: 'Nora New', tenant_name: 'Nora Ltd' } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, { detail: REGISTERED, email });
    assert.deepEqual(await counts(), { users: before.users + 1, tenants: before.tenants + 1 });

    const user = await t.app.db('auth_users').where('email', email).first();
    assert.equal(user.role, 'owner');
    assert.equal(user.full_name, 'Nora New');
    assert.equal(Boolean(user.is_superadmin), false);
    assert.equal(user.status, 'active');
    assert.equal(user.email_verified_at, null);
    assert.match(user.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.ok(!user.password_hash.includes(password));
    const tenant = await t.app.db('auth_tenants').where('id', user.tenant_id).first();
    assert.equal(tenant.name, 'Nora Ltd');
    assert.equal(tenant.status, 'active');
    assert.equal(Boolean(tenant.is_platform), false);
    assert.ok(await t.app.db('auth_tenant_settings').where('tenant_id', user.tenant_id).first());

    const created = (await eventRows(t, 'auth.user.created')).find((e) => e.payload.user_id === user.id);
    assert.deepEqual(created?.payload, { user_id: user.id, email, phone: null, role: 'owner' });
    assert.equal(created?.tenant_id, user.tenant_id);
    assert.ok((await eventRows(t, 'auth.tenant.created')).some((e) => e.payload.tenant_id === user.tenant_id && e.payload.name === 'Nora Ltd'));
    const [audit] = await auditRows(t, 'auth.registered', { target_id: user.id });
    assert.equal(audit.actor_label, email);
    assert.equal(audit.tenant_id, user.tenant_id);

    const mail = await waitForMail(t, email, { afterId: mark, subject: /verify/i });
    const { url, token } = linkOf(mail);
    assert.equal(url.origin, 'http://plinth.test');
    assert.match(url.pathname, /^\/admin\/(.+\/)?verify-email$/, 'the default settings.auth.links.verifyEmail');
    const row = await t.app.db('auth_one_time_tokens').where({ user_id: user.id, purpose: 'email_verification' }).first();
    assert.equal(row.token_hash, sha256(token));
    assert.equal(row.email, email);
    assert.equal(await t.app.db('auth_one_time_tokens').where('token_hash', token).first(), undefined, 'the raw token is not stored');

    const session = await login(t, email, password);
    assert.equal(session.user.role, 'owner');
    assert.equal(session.user.tenant_id, user.tenant_id);
  });

  it('the tenant is named after the full name, else the email, when no tenant_name is given', async () => {
    const a = uniqueEmail('named');
    const b = uniqueEmail('bare');
    assert.equal((await api(t, 'POST', '/auth/register', { body: { email: a, password: strongPassword(), full_name: 'Ann Named' } })).status, 201);
    assert.equal((await api(t, 'POST', '/auth/register', { body: { email: b, password: strongPassword() } })).status, 201);
    const tenantOf = async (email: string) =>
      (await t.app.db('auth_users as u').join('auth_tenants as t', 't.id', 'u.tenant_id').where('u.email', email).first('t.name')).name;
    assert.equal(await tenantOf(a), 'Ann Named');
    assert.equal(await tenantOf(b), b);
  });

  it('an address already in use: the same 201 and body, nothing created or changed, a notice mail instead', async () => {
    const email = uniqueEmail('taken');
    const password = strongPassword();
    const first = await api(t, 'POST', '/auth/register', { body: { email, password, full_name: 'First' } });
    assert.equal(first.status, 201);
    await waitForMail(t, email, { subject: /verify/i });
    const before = await counts();
    const tokensBefore = await t.app.db('auth_one_time_tokens').count({ n: '*' });
    const hashBefore = (await t.app.db('auth_users').where('email', email).first('password_hash')).password_hash;
    const mark = await lastMailId(t);

    const again = await api(t, 'POST', '/auth/register', {
      body: { email: email.toUpperCase(), password: strongPassword(), full_name: 'Intruder', tenant_name: 'Other' },
    });
    assert.equal(again.status, first.status);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await counts(), before);
    assert.deepEqual(await t.app.db('auth_one_time_tokens').count({ n: '*' }), tokensBefore, 'no verification token for the second attempt');
    assert.equal((await t.app.db('auth_users').where('email', email).first('password_hash')).password_hash, hashBefore);
    const notice = await waitForMail(t, email, { afterId: mark });
    assert.match(notice.subject, /already have an account/i);
    assert.doesNotMatch(notice.text, /token=/, 'the notice carries no link that could sign anyone in');
    await login(t, email, password);
  });

  it('a common password: 422 naming body.password; nothing created', async () => {
    const email = uniqueEmail('common');
    const res = await api(t, 'POST', '/auth/register', { body: { email, password: 'Password123' } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body, {
      detail: [{ loc: ['body', 'password'], msg: 'is too common; choose a less guessable password', type: 'value_error' }],
      code: 'validation_error',
    });
    assert.equal(await t.app.db('auth_users').where('email', email).first(), undefined);
  });

  it('a too short or too long password: 422 naming body.password', async () => {
    const short = await api(t, 'POST', '/auth/register', { body: { email: uniqueEmail(), password: 'x7$Kq2' } });
    assert.equal(short.status, 422);
    assert.deepEqual(short.body, {
      detail: [{ loc: ['body', 'password'], msg: 'must be at least 8 characters', type: 'value_error' }],
      code: 'validation_error',
    });
    const long = await api(t, 'POST', '/auth/register', { body: { email: uniqueEmail(), password: 'k9#'.repeat(100) } });
    assert.equal(long.status, 422);
    assert.deepEqual(long.body.detail[0].loc, ['body', 'password']);
    assert.equal(long.body.detail[0].msg, 'must be at most 256 characters');
  });

  it('a malformed email, missing or unknown fields: 422 with FastAPI-style detail', async () => {
    const bad = await api(t, 'POST', '/auth/register', { body: { email: 'not-an-email', password: strongPassword() } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'validation_error');
    assert.deepEqual(
      bad.body.detail.map((d: { loc: string[] }) => d.loc),
      [['body', 'email']],
    );
    assert.equal(bad.body.detail[0].type, 'value_error');

    const missing = await api(t, 'POST', '/auth/register', { body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail.map((d: { loc: string[]; msg: string }) => [d.loc.join('.'), d.msg]).sort(), [
      ['body.email', 'is required'],
      ['body.password', 'is required'],
    ]);

    const extra = await api(t, 'POST', '/auth/register', { body: { email: uniqueEmail(), password: strongPassword(), role: 'superadmin' } });
    assert.equal(extra.status, 422);
    assert.deepEqual(extra.body.detail, [{ loc: ['body', 'role'], msg: 'is not allowed', type: 'value_error' }]);
  });
});

describe('auth: registration closed', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { registration: 'closed' } });
  });
  after(async () => t?.close());

  it('403 registration_closed; no user, no tenant, no mail', async () => {
    const email = uniqueEmail('closed');
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/register', { body: { email, password: strongPassword() } });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { detail: 'registration is closed on this server; ask the operator for an account', code: 'registration_closed' });
    assert.equal(await t.app.db('auth_users').where('email', email).first(), undefined);
    assert.equal(Number((await t.app.db('auth_tenants').count({ n: '*' }))[0].n), 1, 'only the platform tenant');
    await assertNoMail(t, email, mark, 200);
  });
});
