// Signing in with a passkey over the API and through the admin UI's login: without an email (a
// discoverable passkey) and by email; the session, counter, audit row and event; the refusals (a
// replayed, expired or registration challenge, a counter gone back, a wrong origin or relying party,
// no user verification, another user's passkey or user handle, a suspended user).
import assert from 'node:assert/strict';
import { SESSION_COOKIE } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, api, auditRows, authApp, bearer, eventRows, loginAdmin } from './helpers.js';
import { SoftAuthenticator, type Bend, type SoftCredential } from './passkey-authenticator.js';

describe('auth: signing in with a passkey', () => {
  let t: TestApp;
  let alice: Actor;
  let bob: Actor;
  let aliceKey: SoftCredential;
  let bobKey: SoftCredential;
  const device = new SoftAuthenticator('http://plinth.test');

  const signInOptions = (body: Record<string, unknown> = {}) => api(t, 'POST', '/auth/passkeys/sign-in/options', { body });
  const verify = (response: unknown) => api(t, 'POST', '/auth/passkeys/sign-in/verify', { body: { response } });
  const passkeyOf = (key: SoftCredential) => t.app.db('auth_passkeys').where('credential_id', key.id).first();
  const sessionsOf = async (userId: string) => Number((await t.app.db('auth_sessions').where('user_id', userId).count({ n: '*' }))[0].n);

  async function addPasskey(who: Actor): Promise<SoftCredential> {
    const options = await api(t, 'POST', '/auth/passkeys/registration/options', { headers: who.headers });
    const made = device.create(options.body);
    const res = await api(t, 'POST', '/auth/passkeys/registration/verify', { headers: who.headers, body: { response: made.response } });
    assert.equal(res.status, 201, res.text);
    return made.credential;
  }

  /** Options (by `email` when given), then `key`'s answer, bent as asked. */
  async function answer(key: SoftCredential, bend: Bend = {}, email?: string) {
    const options = await signInOptions(email ? { email } : {});
    assert.equal(options.status, 200, options.text);
    return device.get(options.body, key, bend);
  }

  /** A refusal: its status and code, the audit row of a failed passkey sign-in, and no session. */
  async function refused(response: unknown, status: number, code: string, userId: string) {
    const failures = (await auditRows(t, 'auth.login_failed')).length;
    const sessions = await sessionsOf(userId);
    const res = await verify(response);
    assert.equal(res.status, status, res.text);
    assert.equal(res.body.code, code);
    const rows = await auditRows(t, 'auth.login_failed');
    assert.equal(rows.length, failures + 1);
    assert.equal(JSON.parse(rows[rows.length - 1].details).method, 'passkey');
    assert.equal(await sessionsOf(userId), sessions, 'no session');
  }

  before(async () => {
    t = await authApp();
    alice = await registerOwner(t, 'alice');
    bob = await addUser(t, alice.tenantId, 'member', { label: 'bob' });
    aliceKey = await addPasskey(alice);
    bobKey = await addPasskey(bob);
  });
  after(() => t?.close());

  it('options without an email: any passkey of this site, user verification required, the challenge kept', async () => {
    const res = await signInOptions();
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.rpId, 'plinth.test');
    assert.equal(res.body.userVerification, 'required');
    assert.equal(res.body.allowCredentials, undefined);
    assert.ok(await t.app.db('auth_passkey_challenges').where({ purpose: 'sign_in', for_user: false }).first());
  });

  it('signs in with a discoverable passkey: the login reply, a session, the counter and last use, the audit row and event', async () => {
    const sessions = await sessionsOf(alice.id);
    const res = await verify(await answer(aliceKey));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.id, alice.id);
    assert.equal(res.body.token_type, 'bearer');
    const me = await api(t, 'GET', '/auth/me', { headers: bearer(res.body.access_token) });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, alice.email);
    assert.equal(await sessionsOf(alice.id), sessions + 1);
    const row = await passkeyOf(aliceKey);
    assert.equal(Number(row.counter), 1);
    assert.ok(row.last_used_at);
    const [login] = (await auditRows(t, 'auth.login', { actor_id: alice.id })).filter((r) => JSON.parse(r.details).method === 'passkey');
    assert.equal(JSON.parse(login.details).passkey_id, row.id);
    assert.ok((await eventRows(t, 'auth.login')).some((e) => e.payload.user_id === alice.id && e.payload.method === 'passkey'));
  });

  it('the same answer again is refused: the challenge was used', async () => {
    const response = await answer(aliceKey);
    assert.equal((await verify(response)).status, 200);
    await refused(response, 400, 'invalid_challenge', alice.id);
  });

  it('an expired challenge is refused', async () => {
    const response = await answer(aliceKey);
    await t.app.db('auth_passkey_challenges').update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await refused(response, 400, 'invalid_challenge', alice.id);
  });

  it('a registration challenge does not sign anyone in', async () => {
    const options = await api(t, 'POST', '/auth/passkeys/registration/options', { headers: alice.headers });
    const response = device.get({ challenge: options.body.challenge }, aliceKey);
    await refused(response, 400, 'invalid_challenge', alice.id);
  });

  it('a counter that does not move forward is refused (a cloned authenticator), the stored counter stays', async () => {
    const stored = Number((await passkeyOf(aliceKey)).counter);
    await refused(await answer(aliceKey, { counter: stored }), 401, 'passkey_refused', alice.id);
    assert.equal(Number((await passkeyOf(aliceKey)).counter), stored);
  });

  for (const [what, bend] of [
    ['another origin', { origin: 'http://evil.test' }],
    ['another relying party', { rpId: 'evil.test' }],
    ['no user verification', { userVerified: false }],
    ['a user handle naming another user', { userHandle: Buffer.from('someone-else').toString('base64url') }],
  ] as const) {
    it(`${what}: refused`, async () => {
      await refused(await answer(aliceKey, bend), 401, 'passkey_refused', alice.id);
    });
  }

  it('a forged signature is refused', async () => {
    const response = await answer(aliceKey);
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1] ^= 1;
    await refused({ ...response, response: { ...response.response, signature: signature.toString('base64url') } }, 401, 'passkey_refused', alice.id);
  });

  it('an unknown passkey is refused', async () => {
    const stranger = new SoftAuthenticator('http://plinth.test');
    const { credential } = stranger.create({ challenge: 'x', rp: { id: 'plinth.test' }, user: { id: Buffer.from(alice.id).toString('base64url') } });
    await refused(await answer(credential), 401, 'passkey_refused', alice.id);
  });

  it("by email: that account's passkeys; an unknown address or one without passkeys gets a stand-in that looks the same", async () => {
    const mine = await signInOptions({ email: alice.email.toUpperCase() });
    assert.deepEqual(
      mine.body.allowCredentials.map((c: { id: string }) => c.id),
      [aliceKey.id],
    );
    const carol = await addUser(t, alice.tenantId, 'member', { label: 'carol' });
    const shapes = [];
    for (const email of ['nobody@people.test', 'nobody@people.test', carol.email, 'somebody@people.test']) {
      const res = await signInOptions({ email });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.allowCredentials.length, 1);
      assert.match(res.body.allowCredentials[0].id, /^[A-Za-z0-9_-]{43}$/);
      shapes.push(res.body.allowCredentials[0].id);
    }
    assert.equal(shapes[0], shapes[1], 'the same address gets the same stand-in');
    assert.equal(new Set(shapes).size, 3);
  });

  it("by email: only that account's passkey answers; another user's, or any for an unknown address, is refused", async () => {
    const res = await verify(await answer(aliceKey, {}, alice.email));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.id, alice.id);
    await refused(await answer(bobKey, {}, alice.email), 401, 'passkey_refused', bob.id);
    await refused(await answer(aliceKey, {}, 'nobody@people.test'), 401, 'passkey_refused', alice.id);
  });

  it('the passkey of a suspended user is refused (403, audited); once active again it signs in', async () => {
    const admin = await loginAdmin(t);
    const suspend = await api(t, 'POST', `/admin/users/${bob.id}/suspend`, { headers: bearer(admin.access_token) });
    assert.equal(suspend.status, 200, suspend.text);
    const before = await sessionsOf(bob.id);
    const res = await verify(await answer(bobKey));
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.code, 'account_suspended');
    assert.equal(await sessionsOf(bob.id), before);
    assert.equal((await auditRows(t, 'auth.login_refused_suspended', { target_id: bob.id })).length, 1);
    await api(t, 'POST', `/admin/users/${bob.id}/activate`, { headers: bearer(admin.access_token) });
    assert.equal((await verify(await answer(bobKey))).status, 200);
  });

  it('the admin UI signs in with a passkey: POST /admin/api/login { passkey } sets the session cookie of a UI session', async () => {
    const res = await t.request('POST', '/admin/api/login', { body: { passkey: await answer(aliceKey) } });
    assert.equal(res.status, 200, res.text);
    const cookie = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '');
    assert.ok(cookie, 'a session cookie');
    const me = await t.request('GET', '/admin/api/me', { headers: { cookie: `${SESSION_COOKIE}=${cookie[1]}` } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.id, alice.id);
    const [session] = await t.app.db('auth_sessions').where('user_id', alice.id).orderBy('created_at', 'desc').limit(1);
    assert.equal(session.kind, 'ui');

    const malformed = await t.request('POST', '/admin/api/login', { body: { passkey: { id: 'x' } } });
    assert.equal(malformed.status, 422, malformed.text);
    const refusedUi = await t.request('POST', '/admin/api/login', { body: { passkey: await answer(aliceKey, { origin: 'http://evil.test' }) } });
    assert.equal(refusedUi.status, 401, refusedUi.text);
    assert.equal(refusedUi.headers.get('set-cookie'), null);
    assert.equal((await t.request('POST', '/admin/api/login', { body: { passkey: {}, email: ADMIN.email } })).status, 422);
  });

  it('a removed passkey signs no one in', async () => {
    const row = await passkeyOf(aliceKey);
    assert.equal((await api(t, 'DELETE', `/auth/passkeys/${row.id}`, { headers: alice.headers })).status, 204);
    await refused(await answer(aliceKey), 401, 'passkey_refused', alice.id);
  });
});
