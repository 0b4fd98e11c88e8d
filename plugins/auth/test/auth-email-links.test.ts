import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, registerOwner, uniqueEmail } from '../../../test/helpers/actors.js';
import { HOUR, MINUTE, api, assertNoMail, auditRows, authApp, bearer, claimsOf, eventRows, lastMailId, linkOf, login, waitForMail } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SENT = { detail: 'If an account exists for this address, we have sent it an email.' };
const BAD_LINK = { detail: 'invalid or expired link', code: 'invalid_token' };
const BAD_TOKEN = { detail: 'invalid or expired token', code: 'invalid_token' };
const VERIFIED = { detail: 'Your email address is verified.', email_verified: true };

describe('auth: POST /auth/verify-email', () => {
  const clock = new ManualClock('2026-06-01T10:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock });
  });
  after(async () => t?.close());

  const verify = (token: string) => api(t, 'POST', '/auth/verify-email', { body: { token } });
  const verificationToken = async (email: string, afterId = 0) => linkOf(await waitForMail(t, email, { afterId, subject: /verify/i })).token;
  const verifiedAt = async (id: string) => (await t.app.db('auth_users').where('id', id).first('email_verified_at')).email_verified_at;

  let owner: Actor;
  beforeEach(async () => {
    owner = await registerOwner(t);
  });

  it('the link mailed at registration verifies the address, once; audited', async () => {
    const token = await verificationToken(owner.email);
    const res = await verify(token);
    assert.deepEqual([res.status, res.body], [200, VERIFIED]);
    assert.equal(await verifiedAt(owner.id), clock.now().toISOString());
    const me = await api(t, 'GET', '/auth/me', { headers: owner.headers });
    assert.equal(me.body.email_verified, true);
    assert.equal((await auditRows(t, 'auth.email_verified', { target_id: owner.id })).length, 1);
    const row = await t.app.db('auth_one_time_tokens').where('token_hash', sha256(token)).first();
    assert.equal(row.purpose, 'email_verification');
    assert.ok(row.used_at);

    const again = await verify(token);
    assert.deepEqual([again.status, again.body], [400, BAD_TOKEN]);
  });

  it('a link for an address the user has since changed does nothing: 400', async () => {
    const token = await verificationToken(owner.email);
    const moved = uniqueEmail('moved');
    await t.app.db('auth_users').where('id', owner.id).update({ email: moved });
    const res = await verify(token);
    assert.deepEqual([res.status, res.body], [400, BAD_TOKEN]);
    assert.equal(await verifiedAt(owner.id), null);
    assert.deepEqual(await auditRows(t, 'auth.email_verified', { target_id: owner.id }), []);
  });

  it('changing the email through PATCH /users/me: the old link is dead, the new address gets its own', async () => {
    const oldToken = await verificationToken(owner.email);
    const moved = uniqueEmail('new-address');
    const mark = await lastMailId(t);
    const patch = await api(t, 'PATCH', '/users/me', { body: { email: moved }, headers: owner.headers });
    assert.equal(patch.status, 200, patch.text);
    const newToken = await verificationToken(moved, mark);
    assert.deepEqual((await verify(oldToken)).body, BAD_TOKEN);
    assert.equal(await verifiedAt(owner.id), null);
    assert.deepEqual((await verify(newToken)).body, VERIFIED);
    assert.ok(await verifiedAt(owner.id));
  });

  it('expires after tokenTtlMinutes.emailVerification (24 h)', async () => {
    const token = await verificationToken(owner.email);
    clock.advance(24 * HOUR + MINUTE);
    assert.deepEqual((await verify(token)).body, BAD_TOKEN);
    assert.equal(await verifiedAt(owner.id), null);
  });

  it('POST /auth/verify-email/request sends a fresh link (the old one is retired); once verified it says so', async () => {
    const oldToken = await verificationToken(owner.email);
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/verify-email/request', { headers: owner.headers });
    assert.deepEqual([res.status, res.body], [200, { detail: 'We have sent you a verification link.' }]);
    const token = await verificationToken(owner.email, mark);
    assert.deepEqual((await verify(oldToken)).body, BAD_TOKEN);
    assert.deepEqual((await verify(token)).body, VERIFIED);
    const done = await api(t, 'POST', '/auth/verify-email/request', { headers: owner.headers });
    assert.deepEqual(done.body, { detail: 'Your email address is already verified.' });
    assert.equal((await api(t, 'POST', '/auth/verify-email/request')).status, 401);
  });

  it('garbage or missing tokens', async () => {
    assert.deepEqual((await verify('y'.repeat(43))).body, BAD_TOKEN);
    const missing = await api(t, 'POST', '/auth/verify-email', { body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ loc: ['body', 'token'], msg: 'is required', type: 'value_error' }]);
  });
});

describe('auth: magic links', () => {
  const clock = new ManualClock('2026-07-01T10:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock });
  });
  after(async () => t?.close());

  async function magicToken(email: string): Promise<string> {
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/magic-link/request', { body: { email } });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    const mail = await waitForMail(t, email, { afterId: mark, subject: /sign-in/i });
    const { url, token } = linkOf(mail);
    assert.equal(url.origin, 'http://plinth.test');
    assert.match(url.pathname, /^\/admin\/(.+\/)?magic-link$/, 'the default settings.auth.links.magicLink');
    assert.match(mail.text, /valid 10 minutes, once/);
    return token;
  }
  const verify = (token: string) => api(t, 'POST', '/auth/magic-link/verify', { body: { token } });

  let owner: Actor;
  beforeEach(async () => {
    owner = await registerOwner(t, 'owner', { fullName: 'Max Magic' });
  });

  it('request → mail → verify signs in with the login shape; the address counts as verified', async () => {
    const token = await magicToken(owner.email);
    const row = await t.app.db('auth_one_time_tokens').where({ user_id: owner.id, purpose: 'magic_link' }).first();
    assert.equal(row.token_hash, sha256(token));
    assert.equal(row.expires_at, new Date(clock.now().getTime() + 10 * MINUTE).toISOString());

    const res = await verify(token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
    assert.equal(res.body.token_type, 'bearer');
    assert.deepEqual(res.body.user, { id: owner.id, email: owner.email, full_name: 'Max Magic', role: 'owner', tenant_id: owner.tenantId });
    const me = await api(t, 'GET', '/auth/me', { headers: bearer(res.body.access_token) });
    assert.equal(me.status, 200);
    assert.equal(me.body.email_verified, true);
    assert.equal((await api(t, 'POST', '/auth/refresh', { body: { refresh_token: res.body.refresh_token } })).status, 200);

    const session = await t.app.db('auth_sessions').where('id', claimsOf(res.body.access_token).sid).first();
    assert.equal(session.user_id, owner.id);
    const audits = await auditRows(t, 'auth.login', { actor_id: owner.id });
    assert.deepEqual(JSON.parse(audits[audits.length - 1].details), { method: 'magic_link', session: 'api' });
    assert.ok((await eventRows(t, 'auth.login')).some((e) => e.payload.user_id === owner.id && e.payload.method === 'magic_link'));
  });

  it('single use: 400 the second time', async () => {
    const token = await magicToken(owner.email);
    assert.equal((await verify(token)).status, 200);
    const again = await verify(token);
    assert.deepEqual([again.status, again.body], [400, BAD_LINK]);
  });

  it('two verifications racing with one link: exactly one signs in', async () => {
    const token = await magicToken(owner.email);
    const results = await Promise.all([verify(token), verify(token), verify(token)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400]);
  });

  it('expires after 10 minutes (ManualClock)', async () => {
    const token = await magicToken(owner.email);
    clock.advance(10 * MINUTE + 1000);
    const res = await verify(token);
    assert.deepEqual([res.status, res.body], [400, BAD_LINK]);
  });

  it('a newer link retires the older one', async () => {
    const first = await magicToken(owner.email);
    const second = await magicToken(owner.email);
    assert.deepEqual((await verify(first)).body, BAD_LINK);
    assert.equal((await verify(second)).status, 200);
  });

  it('an unknown email: the same 200 and no mail', async () => {
    const ghost = uniqueEmail('ghost');
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/magic-link/request', { body: { email: ghost } });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    await assertNoMail(t, ghost, mark);
  });

  it('a link for an address the user has since changed does not sign in', async () => {
    const token = await magicToken(owner.email);
    await t.app
      .db('auth_users')
      .where('id', owner.id)
      .update({ email: uniqueEmail('elsewhere') });
    const res = await verify(token);
    assert.deepEqual([res.status, res.body], [400, BAD_LINK]);
  });

  it('a user suspended after the mail went out: 403, no session', async () => {
    const token = await magicToken(owner.email);
    await t.app.db('auth_users').where('id', owner.id).update({ status: 'suspended' });
    const sessions = await t.app.db('auth_sessions').where('user_id', owner.id).count({ n: '*' });
    const res = await verify(token);
    assert.deepEqual([res.status, res.body], [403, { detail: 'this account is suspended', code: 'account_suspended' }]);
    assert.deepEqual(await t.app.db('auth_sessions').where('user_id', owner.id).count({ n: '*' }), sessions);
  });

  it('garbage and missing tokens; a password login still works beside it', async () => {
    assert.deepEqual((await verify('z'.repeat(43))).body, BAD_LINK);
    assert.equal((await api(t, 'POST', '/auth/magic-link/verify', { body: {} })).status, 422);
    await login(t, owner.email, owner.password);
  });
});
