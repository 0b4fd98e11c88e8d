import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, type LoginBody, registerOwner } from '../../../test/helpers/actors.js';
import { DAY, api, auditRows, authApp, bearer, claimsOf, login } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const INVALID = { detail: 'invalid refresh token', code: 'invalid_refresh_token' };
const SECOND = 1000;

describe('auth: POST /auth/refresh', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock });
  });
  after(async () => t?.close());

  const refresh = (token: string) => api(t, 'POST', '/auth/refresh', { body: { refresh_token: token } });
  const me = (access: string) => api(t, 'GET', '/auth/me', { headers: bearer(access) });
  const sessionOf = (access: string) => t.app.db('auth_sessions').where('id', claimsOf(access).sid).first();
  const liveRefreshTokens = async (sessionId: string) =>
    Number((await t.app.db('auth_refresh_tokens').where('session_id', sessionId).whereNull('used_at').count({ n: '*' }))[0].n);

  let owner: Actor;
  beforeEach(async () => {
    owner = await registerOwner(t);
  });

  it('rotates: a new pair for the same session; the old refresh token is marked used', async () => {
    clock.advance(60 * SECOND);
    const res = await refresh(owner.session.refresh_token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(res.body.token_type, 'bearer');
    assert.notEqual(res.body.refresh_token, owner.session.refresh_token);
    assert.notEqual(res.body.access_token, owner.session.access_token);
    assert.equal(claimsOf(res.body.access_token).sid, claimsOf(owner.session.access_token).sid, 'the same session');

    const old = await t.app.db('auth_refresh_tokens').where('token_hash', sha256(owner.session.refresh_token)).first();
    assert.equal(old.used_at, clock.now().toISOString());
    const fresh = await t.app.db('auth_refresh_tokens').where('token_hash', sha256(res.body.refresh_token)).first();
    assert.equal(fresh.session_id, old.session_id);
    assert.equal(fresh.used_at, null);
    assert.equal(await t.app.db('auth_refresh_tokens').where('token_hash', res.body.refresh_token).first(), undefined);

    assert.equal((await me(res.body.access_token)).status, 200);
    assert.equal((await me(owner.session.access_token)).status, 200, 'the previous access token lives out its 30 minutes');
    assert.equal((await refresh(res.body.refresh_token)).status, 200);
  });

  it('an old refresh token presented after the grace window: 401, and the whole session is revoked', async () => {
    const other = await login(t, owner.email, owner.password);
    const first = await refresh(owner.session.refresh_token);
    assert.equal(first.status, 200);
    clock.advance(11 * SECOND);

    const reuse = await refresh(owner.session.refresh_token);
    assert.deepEqual([reuse.status, reuse.body], [401, INVALID]);

    const session = await sessionOf(owner.session.access_token);
    assert.equal(session.revoked_reason, 'refresh_token_reuse');
    assert.equal(session.revoked_at, clock.now().toISOString());
    const [audit] = await auditRows(t, 'auth.refresh_token_reuse', { target_id: session.id });
    assert.equal(audit.target_type, 'session');

    assert.deepEqual([(await refresh(first.body.refresh_token)).status], [401], 'the newer refresh token of the family is dead too');
    for (const access of [owner.session.access_token, first.body.access_token]) {
      const res = await me(access);
      assert.deepEqual([res.status, res.body], [401, { detail: 'session ended', code: 'session_revoked' }]);
    }
    // Another session of the same user is untouched.
    assert.equal((await me(other.access_token)).status, 200);
    assert.equal((await refresh(other.refresh_token)).status, 200);
  });

  it('reuse within refreshReuseGraceSeconds (a concurrent retry): the same successor again, nothing revoked', async () => {
    const first = await refresh(owner.session.refresh_token);
    clock.advance(9 * SECOND);
    const second = await refresh(owner.session.refresh_token);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.refresh_token, first.body.refresh_token, 'the same successor, not a second chain');
    const session = await sessionOf(owner.session.access_token);
    assert.equal(session.revoked_at, null);
    for (const pair of [first.body, second.body]) assert.equal((await me(pair.access_token)).status, 200);
    assert.equal(await liveRefreshTokens(session.id), 1);
    assert.equal((await refresh(first.body.refresh_token)).status, 200);
    assert.deepEqual(await auditRows(t, 'auth.refresh_token_reuse', { target_id: session.id }), []);
  });

  it('21 refreshes racing with one token all succeed with one successor: one live refresh token, the session survives', async () => {
    const results = await Promise.all(Array.from({ length: 21 }, () => refresh(owner.session.refresh_token)));
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    assert.equal(new Set(results.map((r) => r.body.refresh_token)).size, 1, 'one successor');
    const session = await sessionOf(owner.session.access_token);
    assert.equal(session.revoked_at, null);
    assert.equal(await liveRefreshTokens(session.id), 1);
  });

  it('a refresh token unused for refreshTokenTtlDays: 401; used in time, it is renewed', async () => {
    clock.advance(13 * DAY);
    const renewed = await refresh(owner.session.refresh_token);
    assert.equal(renewed.status, 200);
    clock.advance(14 * DAY + SECOND);
    const late = await refresh(renewed.body.refresh_token);
    assert.deepEqual([late.status, late.body], [401, INVALID]);
    const session = await sessionOf(owner.session.access_token);
    assert.equal(session.revoked_at, null, 'expiry is not reuse');
  });

  it('a session lives at most sessionMaxDays, however often it is refreshed', async () => {
    const started = await sessionOf(owner.session.access_token);
    let pair: Pick<LoginBody, 'access_token' | 'refresh_token'> = owner.session;
    for (let day = 10; day <= 20; day += 10) {
      clock.advance(10 * DAY);
      const res = await refresh(pair.refresh_token);
      assert.equal(res.status, 200, `day ${day}`);
      pair = res.body;
    }
    const capped = await t.app.db('auth_refresh_tokens').where('token_hash', sha256(pair.refresh_token)).first();
    assert.equal(capped.expires_at, started.expires_at, 'a refresh token never outlives its session');
    clock.advance(10 * DAY); // day 30
    const res = await refresh(pair.refresh_token);
    assert.deepEqual([res.status, res.body], [401, INVALID]);
    const access = await me(pair.access_token);
    assert.equal(access.status, 401);
  });

  it('unknown, malformed or missing tokens', async () => {
    assert.deepEqual((await refresh('not-a-real-refresh-token-at-all')).body, INVALID);
    assert.equal((await refresh(owner.session.access_token)).status, 401, 'an access token is not a refresh token');
    const missing = await api(t, 'POST', '/auth/refresh', { body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail, [{ loc: ['body', 'refresh_token'], msg: 'is required', type: 'value_error' }]);
  });

  it('after logout the refresh token of that session is refused', async () => {
    const res = await api(t, 'POST', '/auth/logout', { headers: owner.headers });
    assert.equal(res.status, 200);
    assert.deepEqual((await refresh(owner.session.refresh_token)).body, INVALID);
  });
});

describe('auth: the per-IP refresh limit', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { limits: { refreshPerIpPerMinute: 2 } } });
  });
  after(async () => t?.close());

  it('past refreshPerIpPerMinute: 429 with Retry-After', async () => {
    const owner = await registerOwner(t);
    let token = owner.session.refresh_token;
    for (let i = 0; i < 2; i++) {
      const res = await api(t, 'POST', '/auth/refresh', { body: { refresh_token: token } });
      assert.equal(res.status, 200);
      token = res.body.refresh_token;
    }
    const res = await api(t, 'POST', '/auth/refresh', { body: { refresh_token: token } });
    assert.equal(res.status, 429);
    assert.equal(res.body.code, 'rate_limited');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal(
      await t.app
        .db('auth_refresh_tokens')
        .where('token_hash', sha256(token))
        .first('used_at')
        .then((r) => r.used_at),
      null,
      'the refused refresh did not spend the token',
    );
  });
});
