import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { MINUTE, ADMIN, api, auditRows, authApp, bearer, claimsOf, forgeJwt, login } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const INVALID_TOKEN = { detail: 'invalid token', code: 'invalid_token' };
const JWT_SECRET = 'a-test-signing-secret-of-at-least-32-chars';

describe('auth: GET /auth/me', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp();
  });
  after(async () => t?.close());

  it('with an access token: the user (never the hash) and how they signed in', async () => {
    const owner = await registerOwner(t, 'owner', { fullName: 'Mia Me' });
    const res = await api(t, 'GET', '/auth/me', { headers: owner.headers });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, owner.id);
    assert.equal(res.body.email, owner.email);
    assert.equal(res.body.full_name, 'Mia Me');
    assert.equal(res.body.role, 'owner');
    assert.equal(res.body.tenant_id, owner.tenantId);
    assert.equal(res.body.is_superadmin, false);
    assert.equal(res.body.email_verified, false);
    assert.equal(res.body.auth.kind, 'user');
    assert.ok(Array.isArray(res.body.auth.scopes) && res.body.auth.scopes.includes('api-keys:manage'));
    assert.ok(!('password_hash' in res.body));
    assert.ok(!res.text.includes('argon2'));
  });

  it('with an X-API-Key made by POST /api-keys: the key owner, with the key scopes', async () => {
    const owner = await registerOwner(t);
    const created = await api(t, 'POST', '/api-keys', { body: { name: 'me-reader', scopes: ['account:read'], expires_in_days: 30 }, headers: owner.headers });
    assert.equal(created.status, 201, created.text);
    const raw: string = created.body.raw_key;
    assert.ok(raw.startsWith('mf_'));
    const stored = await t.app.db('auth_api_keys').where('id', created.body.id).first();
    assert.equal(stored.key_hash, sha256(raw));
    assert.equal(await t.app.db('auth_api_keys').where('key_hash', raw).first(), undefined);

    const res = await api(t, 'GET', '/auth/me', { headers: { 'x-api-key': raw } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, owner.id);
    assert.deepEqual(res.body.auth, { kind: 'api_key', scopes: ['account:read'], api_key_id: created.body.id });

    const wrong = await api(t, 'GET', '/auth/me', { headers: { 'x-api-key': `${raw.slice(0, -4)}zzzz` } });
    assert.deepEqual([wrong.status, wrong.body], [401, { detail: 'invalid API key', code: 'invalid_api_key' }]);
  });

  it('without credentials, or with garbage: 401', async () => {
    const none = await api(t, 'GET', '/auth/me');
    assert.deepEqual([none.status, none.body], [401, { detail: 'authentication required', code: 'unauthorized' }]);
    const garbage = await api(t, 'GET', '/auth/me', { headers: bearer('garbage') });
    assert.deepEqual([garbage.status, garbage.body], [401, INVALID_TOKEN]);
  });
});

describe('auth: POST /auth/logout', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp();
  });
  after(async () => t?.close());

  it('ends this session at once (401 session_revoked), audited; other sessions go on', async () => {
    const owner = await registerOwner(t);
    const other = await login(t, owner.email, owner.password);
    assert.equal((await api(t, 'GET', '/auth/me', { headers: owner.headers })).status, 200, 'warm the principal cache');
    const res = await api(t, 'POST', '/auth/logout', { headers: owner.headers });
    assert.deepEqual([res.status, res.body], [200, { detail: 'Logged out.' }]);

    const after = await api(t, 'GET', '/auth/me', { headers: owner.headers });
    assert.deepEqual([after.status, after.body], [401, { detail: 'session ended', code: 'session_revoked' }]);
    const sid = claimsOf(owner.session.access_token).sid;
    const session = await t.app.db('auth_sessions').where('id', sid).first();
    assert.ok(session.revoked_at);
    assert.equal(session.revoked_reason, 'logout');
    const [audit] = await auditRows(t, 'auth.logout', { actor_id: owner.id });
    assert.equal(audit.target_id, sid);
    assert.equal(audit.actor_type, 'user');

    assert.equal((await api(t, 'GET', '/auth/me', { headers: bearer(other.access_token) })).status, 200);
    assert.equal((await api(t, 'POST', '/auth/logout', { headers: owner.headers })).status, 401, 'a second logout with the dead token');
  });

  it('with a refresh_token of one of your sessions: ends that session', async () => {
    const owner = await registerOwner(t);
    const other = await login(t, owner.email, owner.password);
    const res = await api(t, 'POST', '/auth/logout', { body: { refresh_token: other.refresh_token }, headers: owner.headers });
    assert.equal(res.status, 200);
    assert.equal((await api(t, 'GET', '/auth/me', { headers: bearer(other.access_token) })).status, 401);
    assert.equal((await api(t, 'POST', '/auth/refresh', { body: { refresh_token: other.refresh_token } })).status, 401);
  });

  it("someone else's refresh token does not end their session", async () => {
    const alice = await registerOwner(t);
    const bob = await registerOwner(t);
    const res = await api(t, 'POST', '/auth/logout', { body: { refresh_token: bob.session.refresh_token }, headers: alice.headers });
    assert.equal(res.status, 200);
    assert.equal((await api(t, 'GET', '/auth/me', { headers: bob.headers })).status, 200);
  });

  it('without credentials: 401', async () => {
    const res = await api(t, 'POST', '/auth/logout');
    assert.deepEqual([res.status, res.body], [401, { detail: 'authentication required', code: 'unauthorized' }]);
  });
});

describe('auth: token confusion and forgery', () => {
  const clock = new ManualClock('2026-05-01T12:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock, auth: { jwtSecret: JWT_SECRET } });
  });
  after(async () => t?.close());

  const me = (headers: Record<string, string>) => api(t, 'GET', '/auth/me', { headers });

  /** Claims like the server's own for a real session, so only the tampered part differs. */
  async function realClaims() {
    const owner = await registerOwner(t);
    const claims = claimsOf(owner.session.access_token);
    return { owner, claims };
  }

  it('the admin UI session token (plinth_session cookie) is refused as a Bearer access token', async () => {
    const res = await t.request('POST', '/admin/api/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(res.status, 200, res.text);
    const cookie = /plinth_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
    assert.ok(cookie, 'the session cookie is set');
    assert.match(res.headers.get('set-cookie')!, /httponly/i);
    const uiToken = cookie[1];
    assert.equal(claimsOf(uiToken).typ, 'ui');

    assert.equal((await me({ cookie: `plinth_session=${uiToken}` })).status, 200, 'it works as the cookie');
    const asBearer = await me(bearer(uiToken));
    assert.deepEqual([asBearer.status, asBearer.body], [401, INVALID_TOKEN]);
    const session = await t.app.db('auth_sessions').where('id', claimsOf(uiToken).sid).first();
    assert.equal(session.kind, 'ui');
  });

  it('an access token is not a UI session cookie', async () => {
    const { owner } = await realClaims();
    const res = await me({ cookie: `plinth_session=${owner.session.access_token}` });
    assert.deepEqual([res.status, res.body], [401, { detail: 'authentication required', code: 'unauthorized' }]);
  });

  it('a token forged with the right secret passes (the forgery is faithful)…', async () => {
    const { owner, claims } = await realClaims();
    const forged = forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, jti: randomUUID() }, JWT_SECRET);
    assert.equal((await me(bearer(forged))).status, 200);
    assert.equal((await me(owner.headers)).status, 200);
  });

  it('…but one signed with another secret, with alg none, another algorithm, type or audience is 401', async () => {
    const { claims } = await realClaims();
    const cases: Record<string, string> = {
      'another secret': forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-that-is-also-32-chars-long'),
      'alg none': forgeJwt({ alg: 'none', typ: 'JWT' }, claims, null),
      'alg none, signature kept': `${forgeJwt({ alg: 'none', typ: 'JWT' }, claims, null)}${forgeJwt({ alg: 'HS256' }, claims, JWT_SECRET).split('.')[2]}`,
      'HS512 with the right secret': (() => {
        const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${enc({ alg: 'HS512', typ: 'JWT' })}.${enc(claims)}.${createHash('sha512').update('x').digest('base64url')}`;
      })(),
      'typ ui': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, typ: 'ui' }, JWT_SECRET),
      'no typ': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, typ: undefined }, JWT_SECRET),
      'another audience': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'someone-else' }, JWT_SECRET),
      'another issuer': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iss: 'evil' }, JWT_SECRET),
      'no expiry': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: undefined }, JWT_SECRET),
      'a made-up session': forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: randomUUID() }, JWT_SECRET),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await me(bearer(token));
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      assert.ok(['invalid_token', 'session_revoked'].includes(res.body.code), `${name}: ${res.body.code}`);
    }
  });

  it('a session of one user is not accepted for another (sub swapped)', async () => {
    const a = await realClaims();
    const b = await realClaims();
    const swapped = forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...a.claims, sub: b.owner.id }, JWT_SECRET);
    const res = await me(bearer(swapped));
    assert.deepEqual([res.status, res.body.code], [401, 'session_revoked']);
  });

  it('an access token expires after 30 minutes (ManualClock): 401 token_expired', async () => {
    const { owner } = await realClaims();
    clock.advance(29 * MINUTE);
    assert.equal((await me(owner.headers)).status, 200);
    clock.advance(2 * MINUTE);
    const res = await me(owner.headers);
    assert.deepEqual([res.status, res.body], [401, { detail: 'token expired', code: 'token_expired' }]);
    const fresh = await api(t, 'POST', '/auth/refresh', { body: { refresh_token: owner.session.refresh_token } });
    assert.equal(fresh.status, 200, 'the refresh token still works');
    assert.equal((await me(bearer(fresh.body.access_token))).status, 200);
  });
});
