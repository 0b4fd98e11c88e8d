// Two-factor sign-in with TOTP (issue 38): enrolment, the challenge a sign-in answers, and the
// refusals (wrong, replayed, expired codes; dead challenges). Codes come from otplib, not from the
// server's own library.
import assert from 'node:assert/strict';
import { URI } from 'otpauth';
import { ManualClock } from 'plinth/plugin';
import { type Actor, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, assertValidation, auditRows, count, startAuthApp, type AuthApp } from './admin-helpers.js';
import { claimsOf, waitForMail } from './helpers.js';
import { bearer, challengeFor, codeAt, codeNow, enrolTotp, nextStep, signInWithCode, STEP, verify } from './mfa-helpers.js';

describe('auth: two-factor sign-in (TOTP)', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: AuthApp;
  before(async () => {
    t = await startAuthApp({ clock });
  });
  after(() => t?.close());

  const sessions = (userId: string) => count(t.db('auth_sessions').where('user_id', userId));

  it('/openapi.json documents the second factor: its routes, and the challenge as a reply of /auth/login and /auth/magic-link/verify', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    for (const [path, method] of [
      ['/api/v2/auth/mfa', 'get'],
      ['/api/v2/auth/mfa/totp/enroll', 'post'],
      ['/api/v2/auth/mfa/totp/confirm', 'post'],
      ['/api/v2/auth/mfa/totp/disable', 'post'],
      ['/api/v2/auth/mfa/recovery-codes', 'post'],
      ['/api/v2/auth/mfa/verify', 'post'],
      ['/api/v2/admin/users/{id}/mfa/reset', 'post'],
    ]) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
    for (const path of ['/api/v2/auth/login', '/api/v2/auth/magic-link/verify']) {
      const schema = doc.paths[path].post.responses['200'].content['application/json'].schema;
      assert.ok(
        schema.anyOf.some((s: { properties?: Record<string, unknown> }) => s.properties?.challenge_token),
        path,
      );
    }
  });

  describe('enrolment', () => {
    let owner: Actor;
    before(async () => {
      owner = await registerOwner(t, 'enrol');
    });

    it('enroll shows a secret once (QR, otpauth URI, base32) and changes nothing until a code confirms it', async () => {
      const res = await t.api('POST', '/auth/mfa/totp/enroll', { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.secret, /^[A-Z2-7]{32}$/, '160 bits of base32');
      assert.match(res.body.qr_code, /^data:image\/svg\+xml;base64,/);
      assert.match(Buffer.from(res.body.qr_code.split(',')[1], 'base64').toString('utf8'), /<svg[\s\S]*<\/svg>/);
      const parsed = URI.parse(res.body.otpauth_uri);
      assert.equal(parsed.issuer, 'Plinth');
      assert.equal(parsed.label, owner.email);
      assert.equal(parsed.secret.base32, res.body.secret);
      assert.deepEqual([res.body.algorithm, res.body.digits, res.body.period], ['SHA1', 6, 30]);
      const status = await t.api('GET', '/auth/mfa', { headers: owner.headers });
      assert.deepEqual(
        { ...status.body, policy: undefined },
        {
          enabled: false,
          pending: true,
          confirmed_at: null,
          recovery_codes_left: 0,
          required: false,
          policy: undefined,
        },
      );
      const row = await t.db('auth_users').where('id', owner.id).first('mfa_enabled');
      assert.equal(Boolean(row.mfa_enabled), false);
      // Not yet on: a password still signs in with tokens.
      const login = await t.api('POST', '/auth/login', { body: { email: owner.email, password: PASSWORD } });
      assert.ok(login.body.access_token, login.text);
    });

    it('a wrong code does not confirm (401 invalid_code, audited); a code from otplib does: ten recovery codes, shown once, stored hashed', async () => {
      const started = await t.api('POST', '/auth/mfa/totp/enroll', { headers: owner.headers });
      const secret = started.body.secret;
      nextStep(clock);
      const right = await codeNow(secret, clock);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      assertError(await t.api('POST', '/auth/mfa/totp/confirm', { headers: owner.headers, body: { code: wrong } }), 401, 'invalid_code');
      assert.equal((await t.db('auth_mfa_totp').where('user_id', owner.id).first()).confirmed_at, null);
      assert.equal((await auditRows(t, { action: 'auth.mfa.code_refused', target_id: owner.id })).length, 1);

      const elsewhere = await t.api('POST', '/auth/login', { body: { email: owner.email, password: PASSWORD } });
      const res = await t.api('POST', '/auth/mfa/totp/confirm', { headers: owner.headers, body: { code: right } });
      assert.equal(res.status, 200, res.text);
      const codes: string[] = res.body.recovery_codes;
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const c of codes) assert.match(c, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      const stored = await t.db('auth_mfa_recovery_codes').where('user_id', owner.id);
      assert.equal(stored.length, 10);
      for (const row of stored) assert.match(row.code_hash, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(stored).includes(codes[0].replace(/-/g, '')), 'no recovery code in the clear');
      const totp = await t.db('auth_mfa_totp').where('user_id', owner.id).first();
      assert.ok(totp.confirmed_at);
      assert.equal(Number(totp.last_step), Math.floor(clock.now().getTime() / STEP), 'the confirming code’s step is spent');
      assert.equal(Boolean((await t.db('auth_users').where('id', owner.id).first('mfa_enabled')).mfa_enabled), true);
      const [audit] = await auditRows(t, { action: 'auth.mfa.enabled', target_id: owner.id });
      assert.equal(audit.actor_id, owner.id);
      // The session that confirmed goes on; the one opened elsewhere without the factor ended (its refresh token too).
      assert.equal((await t.api('GET', '/auth/me', { headers: owner.headers })).status, 200);
      assertError(await t.api('GET', '/auth/me', { headers: bearer(elsewhere.body.access_token) }), 401, 'session_revoked');
      assertError(await t.api('POST', '/auth/refresh', { body: { refresh_token: elsewhere.body.refresh_token } }), 401);
      const status = await t.api('GET', '/auth/mfa', { headers: owner.headers });
      assert.equal(status.body.enabled, true);
      assert.equal(status.body.recovery_codes_left, 10);
      // The profile says so too.
      assert.equal((await t.api('GET', '/users/me', { headers: owner.headers })).body.mfa_enabled, true);
    });

    it('refusals: enroll again (409), confirm without enrolling (409), and with an API key (403: only a signed-in session)', async () => {
      assertError(await t.api('POST', '/auth/mfa/totp/enroll', { headers: owner.headers }), 409, 'mfa_already_enabled');
      const fresh = await registerOwner(t, 'no-enrol');
      assertError(await t.api('POST', '/auth/mfa/totp/confirm', { headers: fresh.headers, body: { code: '123456' } }), 409, 'mfa_not_enrolling');
      const key = await t.api('POST', '/api-keys', { headers: fresh.headers, body: { name: 'k', scopes: ['account:manage', 'account:read'] } });
      assert.equal(key.status, 201, key.text);
      assertError(await t.api('POST', '/auth/mfa/totp/enroll', { headers: { 'x-api-key': key.body.raw_key } }), 403);
      assert.equal(await count(t.db('auth_mfa_totp').where('user_id', fresh.id)), 0);
    });
  });

  describe('signing in', () => {
    let owner: Actor;
    let secret: string;
    let recovery: string[];
    before(async () => {
      owner = await registerOwner(t, 'signin');
      ({ secret, recoveryCodes: recovery } = await enrolTotp(t, owner.headers, clock));
    });

    it('a password answers a challenge, not tokens (no session yet); a code from otplib completes it with the login reply', async () => {
      const before = await sessions(owner.id);
      const login = await t.api('POST', '/auth/login', { body: { email: owner.email, password: PASSWORD } });
      assert.equal(login.status, 200);
      assert.deepEqual(Object.keys(login.body).sort(), ['challenge_token', 'expires_in', 'methods', 'mfa_required']);
      assert.deepEqual(login.body.methods, ['totp', 'recovery_code']);
      assert.equal(login.body.expires_in, 300);
      assert.equal(await sessions(owner.id), before, 'no session before the code');
      const stored = await t.db('auth_mfa_challenges').where('user_id', owner.id).orderBy('id', 'desc').first();
      assert.notEqual(stored.token_hash, login.body.challenge_token, 'stored as a hash');
      nextStep(clock);
      const res = await verify(t, login.body.challenge_token, { code: await codeNow(secret, clock) });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
      assert.equal(res.body.user.id, owner.id);
      assert.equal((await t.api('GET', '/auth/me', { headers: bearer(res.body.access_token) })).status, 200);
      const session = await t.db('auth_sessions').where('id', claimsOf(res.body.access_token).sid).first();
      assert.equal(session.second_factor, 'totp');
      const [audit] = (await auditRows(t, { action: 'auth.login', actor_id: owner.id })).slice(-1);
      assert.deepEqual(JSON.parse(audit.details), { method: 'password', session: 'api', second_factor: 'totp' });
      // Spent: the same challenge again is refused, even with the next code.
      nextStep(clock);
      assertError(await verify(t, login.body.challenge_token, { code: await codeNow(secret, clock) }), 401, 'invalid_challenge');
    });

    it('replay within the step: a code accepted once is refused on a new challenge, and so is an older code still in the window', async () => {
      nextStep(clock);
      const code = await codeNow(secret, clock);
      const first = await verify(t, await challengeFor(t, owner.email, PASSWORD), { code });
      assert.equal(first.status, 200, first.text);
      const sessionsAfter = await sessions(owner.id);
      const again = await challengeFor(t, owner.email, PASSWORD);
      assertError(await verify(t, again, { code }), 401, 'invalid_code');
      // Ten seconds later, the previous step's code is still within the ±1 window, but older than the one accepted.
      clock.advance(10_000);
      const previous = await codeAt(secret, new Date(clock.now().getTime() - STEP));
      assertError(await verify(t, again, { code: previous }), 401, 'invalid_code');
      assert.equal(await sessions(owner.id), sessionsAfter);
      const reasons = (await auditRows(t, { action: 'auth.mfa.challenge_failed', target_id: owner.id })).map((r) => JSON.parse(r.details).reason);
      assert.deepEqual(reasons.slice(-2), ['replayed_code', 'replayed_code']);
      // The next step's code is fine, on the same challenge.
      nextStep(clock);
      assert.equal((await verify(t, again, { code: await codeNow(secret, clock) })).status, 200);
    });

    it('expired and early codes: a step beyond the window either side is refused; the window is one step', async () => {
      nextStep(clock);
      const challenge = await challengeFor(t, owner.email, PASSWORD);
      const now = clock.now().getTime();
      assertError(await verify(t, challenge, { code: await codeAt(secret, new Date(now - 2 * STEP)) }), 401, 'invalid_code');
      assertError(await verify(t, challenge, { code: await codeAt(secret, new Date(now + 2 * STEP)) }), 401, 'invalid_code');
      assertError(await verify(t, challenge, { code: 'abcdef' }), 401, 'invalid_code');
      // One step ahead (a phone's clock a little fast) is accepted.
      assert.equal((await verify(t, challenge, { code: await codeAt(secret, new Date(now + STEP)) })).status, 200);
    });

    it('a challenge expires after 5 minutes, dies after 5 wrong codes, and is bound to its kind of session', async () => {
      nextStep(clock);
      const late = await challengeFor(t, owner.email, PASSWORD);
      clock.advance(5 * 60_000 + 1_000);
      assertError(await verify(t, late, { code: await codeNow(secret, clock) }), 401, 'invalid_challenge');

      nextStep(clock);
      const guessed = await challengeFor(t, owner.email, PASSWORD);
      for (let i = 0; i < 5; i++) assertError(await verify(t, guessed, { code: String(100000 + i) }), 401, 'invalid_code');
      assertError(await verify(t, guessed, { code: await codeNow(secret, clock) }), 401, 'invalid_challenge');
      const last = (await auditRows(t, { action: 'auth.mfa.challenge_failed', target_id: owner.id })).at(-1)!;
      assert.equal(JSON.parse(last.details).challenge_spent, true);

      // The admin UI's challenge (a cookie session) is not answered on the API, nor the API's on the admin UI.
      const ui = await t.request('POST', '/admin/api/login', { body: { email: owner.email, password: PASSWORD } });
      assert.equal(ui.body.mfa_required, true, ui.text);
      assert.equal(ui.headers.get('set-cookie'), null, 'no cookie before the code');
      assertError(await verify(t, ui.body.challenge_token, { code: await codeNow(secret, clock) }), 401, 'invalid_challenge');
      const api = await challengeFor(t, owner.email, PASSWORD);
      const cross = await t.request('POST', '/admin/api/login', { body: { challenge_token: api, code: await codeNow(secret, clock) } });
      assert.equal(cross.status, 401, cross.text);
      assert.equal(cross.headers.get('set-cookie'), null);
      const done = await t.request('POST', '/admin/api/login', { body: { challenge_token: ui.body.challenge_token, code: await codeNow(secret, clock) } });
      assert.equal(done.status, 200, done.text);
      assert.match(done.headers.get('set-cookie') ?? '', /plinth_session=/);
    });

    it('recovery codes: each signs in once (audited with what is left), typed in any case, with or without dashes', async () => {
      const first = await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: recovery[0].toUpperCase() });
      assert.equal(first.status, 200, first.text);
      const used = await auditRows(t, { action: 'auth.mfa.recovery_code_used', target_id: owner.id });
      assert.equal(used.length, 1);
      assert.equal(JSON.parse(used[0].details).left, 9);
      assertError(await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: recovery[0] }), 401, 'invalid_code');
      const second = await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: recovery[1].replace(/-/g, '') });
      assert.equal(second.status, 200, second.text);
      assert.equal((await t.db('auth_sessions').where('id', claimsOf(second.body.access_token).sid).first()).second_factor, 'recovery_code');
      assert.equal((await t.api('GET', '/auth/mfa', { headers: bearer(second.body.access_token) })).body.recovery_codes_left, 8);
      // Someone else's recovery code is no use.
      const other = await registerOwner(t, 'other');
      const theirs = await enrolTotp(t, other.headers, clock);
      assertError(await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: theirs.recoveryCodes[0] }), 401, 'invalid_code');
    });

    it('a challenge token is not a credential: refused as a Bearer token and as an API key', async () => {
      const challenge = await challengeFor(t, owner.email, PASSWORD);
      assertError(await t.api('GET', '/auth/me', { headers: bearer(challenge) }), 401);
      assertError(await t.api('GET', '/users/me', { headers: { 'x-api-key': challenge } }), 401);
      assertError(await t.api('POST', '/auth/refresh', { body: { refresh_token: challenge } }), 401);
    });

    it('new recovery codes need a fresh code: the old ones stop working, the new ones work', async () => {
      const me = await signInWithCode(t, owner.email, PASSWORD, secret, clock);
      assertError(await t.api('POST', '/auth/mfa/recovery-codes', { headers: bearer(me.access_token), body: { code: '000000' } }), 401, 'invalid_code');
      nextStep(clock);
      const res = await t.api('POST', '/auth/mfa/recovery-codes', { headers: bearer(me.access_token), body: { code: await codeNow(secret, clock) } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.recovery_codes.length, 10);
      assertError(await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: recovery[5] }), 401, 'invalid_code');
      assert.equal((await verify(t, await challengeFor(t, owner.email, PASSWORD), { recovery_code: res.body.recovery_codes[5] })).status, 200);
      assert.equal((await auditRows(t, { action: 'auth.mfa.recovery_codes_replaced', target_id: owner.id })).length, 1);
      recovery = res.body.recovery_codes;
    });

    it('disable needs a fresh code or a recovery code; then a password signs in with tokens again, and the user is mailed', async () => {
      const me = await signInWithCode(t, owner.email, PASSWORD, secret, clock);
      const headers = bearer(me.access_token);
      assertError(await t.api('POST', '/auth/mfa/totp/disable', { headers, body: { code: '000000' } }), 401, 'invalid_code');
      assert.ok(assertValidation(await t.api('POST', '/auth/mfa/totp/disable', { headers, body: {} })).includes('body.code'));
      assertValidation(await t.api('POST', '/auth/mfa/totp/disable', { headers, body: { code: '123456', recovery_code: recovery[9] } }));
      assert.equal(await count(t.db('auth_mfa_totp').where('user_id', owner.id)), 1);
      const res = await t.api('POST', '/auth/mfa/totp/disable', { headers, body: { recovery_code: recovery[9] } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.enabled, false);
      assert.equal(await count(t.db('auth_mfa_totp').where('user_id', owner.id)), 0);
      assert.equal(await count(t.db('auth_mfa_recovery_codes').where('user_id', owner.id)), 0);
      const [audit] = await auditRows(t, { action: 'auth.mfa.disabled', target_id: owner.id });
      assert.deepEqual(JSON.parse(audit.details), { with: 'recovery_code' });
      const login = await t.api('POST', '/auth/login', { body: { email: owner.email, password: PASSWORD } });
      assert.ok(login.body.access_token, login.text);
      await waitForMail(t, owner.email, { subject: /^Two-factor sign-in was turned off$/ });
    });
  });
});
