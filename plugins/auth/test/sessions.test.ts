// Sessions a user can see and end (issue 38): GET/DELETE /auth/sessions, the operator's
// /admin/users/{id}/sessions, what ending one does to its tokens (at once, on every instance), the
// audit rows, and the mail about a sign-in from a new device.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, PASSWORD, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { createTestDatabase, usingPostgres } from '../../../test/helpers/database.js';
import { waitFor } from '../../../test/helpers/processes.js';
import { ADMIN, type AuthApp, MISSING_ID, assertError, auditRows, count, loginAdmin, startAuthApp } from './admin-helpers.js';
import { deviceLabel, deviceParts } from '../services/devices.js';
import { assertNoMail, lastMailId, waitForMail } from './helpers.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IOS = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('auth: a session’s device, from its user agent', () => {
  it('names a browser and its system, a program, or nothing; the English label is made of those names', () => {
    const cases: Array<[string | null, ReturnType<typeof deviceParts>, string]> = [
      [FIREFOX, { browser: 'Firefox', system: 'Linux', program: null }, 'Firefox on Linux'],
      [SAFARI_IOS, { browser: 'Safari', system: 'iOS', program: null }, 'Safari on iOS'],
      ['curl/8.5.0', { browser: null, system: null, program: 'curl' }, 'curl'],
      ['', { browser: null, system: null, program: null }, 'Unknown device'],
      [null, { browser: null, system: null, program: null }, 'Unknown device'],
    ];
    for (const [ua, parts, label] of cases) {
      assert.deepEqual(deviceParts(ua), parts, String(ua));
      assert.equal(deviceLabel(ua), label, String(ua));
    }
  });
});

/** A sign-in of `who` with this user agent: its bearer headers and refresh token. */
async function signIn(t: AuthApp, who: Actor, userAgent: string) {
  const res = await t.api('POST', '/auth/login', { body: { email: who.email, password: who.password }, headers: { 'user-agent': userAgent } });
  assert.equal(res.status, 200, res.text);
  return { headers: { authorization: `Bearer ${res.body.access_token}` }, refresh: res.body.refresh_token as string };
}

/** An admin UI sign-in: the session cookie. */
async function signInUi(t: TestApp, who: Pick<Actor, 'email' | 'password'>, userAgent: string): Promise<Record<string, string>> {
  const res = await fetch(`${t.url}/admin/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  assert.equal(res.status, 200, await res.text());
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
}

const sessionRow = (t: AuthApp, id: string) => t.db('auth_sessions').where('id', id).first('revoked_at', 'revoked_reason', 'last_used_at');

describe('auth: my sessions (GET/DELETE /auth/sessions)', () => {
  let t: AuthApp;
  const clock = new ManualClock('2026-11-28T09:00:00.000Z');
  before(async () => {
    t = await startAuthApp({ clock });
  });
  after(async () => t?.close());

  it('lists my live sessions with device, address, user agent, created and last used; the current one marked; nobody else’s', async () => {
    const owner = await registerOwner(t, 'lister');
    const other = await registerOwner(t, 'not-mine');
    const firefox = await signIn(t, owner, FIREFOX);
    clock.advance(60_000);
    const phone = await signIn(t, owner, SAFARI_IOS);
    await signInUi(t, owner, FIREFOX);
    const gone = await signIn(t, owner, 'curl/8.5.0');
    assert.equal((await t.api('POST', '/auth/logout', { headers: gone.headers })).status, 200);

    const res = await t.api('GET', '/auth/sessions', { headers: firefox.headers });
    assert.equal(res.status, 200, res.text);
    const list = res.body as Array<Record<string, any>>;
    assert.equal(list.length, 4, 'the registration sign-in, Firefox, the phone and the UI; not the ended one nor another user’s');
    const mine = await t.db('auth_sessions').where('user_id', owner.id).whereNull('revoked_at').pluck('id');
    assert.deepEqual(list.map((s) => s.id).sort(), [...mine].sort());
    assert.deepEqual(
      list.filter((s) => s.current).map((s) => s.device),
      ['Firefox on Linux'],
    );
    const iphone = list.find((s) => s.user_agent === SAFARI_IOS)!;
    assert.deepEqual(
      { kind: iphone.kind, device: iphone.device, ip: iphone.ip, created_at: iphone.created_at },
      { kind: 'api', device: 'Safari on iOS', ip: '127.0.0.1', created_at: '2026-11-28T09:01:00.000Z' },
    );
    assert.equal(list.find((s) => s.kind === 'ui')?.device, 'Firefox on Linux');
    // The names the label is made of, for a UI in another language to put together.
    assert.deepEqual(iphone.device_parts, { browser: 'Safari', system: 'iOS', program: null });
    assert.ok(!list.some((s) => s.device === 'curl'));
    assert.ok(
      !(await t.api('GET', '/auth/sessions', { headers: other.headers })).body.some((s: { id: string }) => mine.includes(s.id)),
      'another user sees none of them',
    );

    // Last used: written when a session is used (at most once a minute), and at a refresh.
    clock.advance(5 * 60_000);
    assert.equal((await t.api('GET', '/users/me', { headers: phone.headers })).status, 200);
    await waitFor('the phone session’s last use', async () => (await sessionRow(t, iphone.id)).last_used_at === '2026-11-28T09:06:00.000Z');
    clock.advance(60_000);
    const refreshed = await t.api('POST', '/auth/refresh', { body: { refresh_token: firefox.refresh } });
    assert.equal(refreshed.status, 200, refreshed.text);
    const current = list.find((s) => s.current)!;
    assert.equal((await sessionRow(t, current.id)).last_used_at, '2026-11-28T09:07:00.000Z');
    const again = (await t.api('GET', '/auth/sessions', { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).body as Array<
      Record<string, any>
    >;
    assert.deepEqual(
      again.slice(0, 2).map((s) => s.id),
      [current.id, iphone.id],
      'the most recently used first',
    );

    // Unused past refreshTokenTtlDays (14), an API session can no longer get a token: not listed, though within its 30 days.
    clock.advance(15 * 86_400_000);
    const fresh = await signIn(t, owner, FIREFOX);
    const later = (await t.api('GET', '/auth/sessions', { headers: fresh.headers })).body as Array<Record<string, any>>;
    assert.deepEqual(
      later.map((s) => s.current),
      [true],
    );
  });

  it('DELETE /auth/sessions/{id} ends one: its access and refresh tokens fail at once; audited; the others go on', async () => {
    const owner = await registerOwner(t, 'ender');
    const laptop = await signIn(t, owner, FIREFOX);
    const phone = await signIn(t, owner, SAFARI_IOS);
    const phoneId = ((await t.api('GET', '/auth/sessions', { headers: phone.headers })).body as Array<{ id: string; current: boolean }>).find(
      (s) => s.current,
    )!.id;
    assert.equal((await t.api('GET', '/users/me', { headers: phone.headers })).status, 200, 'cached as live now');

    const res = await t.api('DELETE', `/auth/sessions/${phoneId}`, { headers: laptop.headers });
    assert.equal(res.status, 204, res.text);
    assertError(await t.api('GET', '/users/me', { headers: phone.headers }), 401, 'session_revoked');
    assertError(await t.api('POST', '/auth/refresh', { body: { refresh_token: phone.refresh } }), 401, 'invalid_refresh_token');
    assert.equal((await t.api('GET', '/users/me', { headers: laptop.headers })).status, 200);
    const row = await sessionRow(t, phoneId);
    assert.ok(row.revoked_at);
    assert.equal(row.revoked_reason, 'ended_by_user');
    const [audit] = await auditRows(t, { action: 'auth.session_ended', target_id: phoneId });
    assert.equal(audit.actor_id, owner.id);
    assert.equal(audit.tenant_id, owner.tenantId);
    assert.deepEqual(JSON.parse(audit.details), { current: false });
    assertError(await t.api('DELETE', `/auth/sessions/${phoneId}`, { headers: laptop.headers }), 404);
    assert.equal((await auditRows(t, { action: 'auth.session_ended', target_id: phoneId })).length, 1, 'no row for ending it again');
  });

  it('another user — a stranger, or a member of the same tenant — cannot end my session: 404, and it still works', async () => {
    const owner = await registerOwner(t, 'victim');
    const stranger = await registerOwner(t, 'stranger');
    const member = await addUser(t, owner.tenantId, 'member');
    const admin = await addUser(t, owner.tenantId, 'admin');
    const ownerSession = await t.db('auth_sessions').where('user_id', owner.id).first('id');
    for (const who of [stranger, member, admin]) {
      assertError(await t.api('DELETE', `/auth/sessions/${ownerSession.id}`, { headers: who.headers }), 404);
      assertError(await t.api('GET', `/admin/users/${owner.id}/sessions`, { headers: who.headers }), 403);
      assertError(await t.api('DELETE', `/admin/users/${owner.id}/sessions`, { headers: who.headers }), 403);
      assertError(await t.api('DELETE', `/admin/users/${owner.id}/sessions/${ownerSession.id}`, { headers: who.headers }), 403);
    }
    const endAll = await t.api('DELETE', '/auth/sessions?include_current=true', { headers: member.headers });
    assert.equal(endAll.body.ended, 1, 'the member’s own session only');
    assert.equal((await sessionRow(t, ownerSession.id)).revoked_at, null);
    assert.equal((await t.api('GET', '/users/me', { headers: owner.headers })).status, 200);
    assert.equal((await t.api('DELETE', '/auth/sessions/not-a-uuid', { headers: owner.headers })).status, 422);
  });

  it('DELETE /auth/sessions ends every other session (this one stays); include_current=true ends this one too', async () => {
    const owner = await registerOwner(t, 'everywhere');
    const a = await signIn(t, owner, FIREFOX);
    const b = await signIn(t, owner, SAFARI_IOS);
    const ui = await signInUi(t, owner, FIREFOX);
    const res = await t.api('DELETE', '/auth/sessions', { headers: a.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { detail: '3 sessions ended.', ended: 3 });
    assertError(await t.api('GET', '/users/me', { headers: owner.headers }), 401, 'session_revoked');
    assertError(await t.api('GET', '/users/me', { headers: b.headers }), 401, 'session_revoked');
    assert.equal((await t.request('GET', '/admin/api/meta', { headers: ui })).body.me, null, 'the admin UI cookie is signed out');
    assert.equal((await t.api('GET', '/users/me', { headers: a.headers })).status, 200);
    const [audit] = await auditRows(t, { action: 'auth.sessions_ended', target_id: owner.id });
    const details = JSON.parse(audit.details);
    assert.equal(details.count, 3);
    assert.equal(details.sessions.length, 3);
    assert.ok(details.kept);

    const all = await t.api('DELETE', '/auth/sessions?include_current=true', { headers: a.headers });
    assert.deepEqual(all.body, { detail: '1 session ended.', ended: 1 });
    assertError(await t.api('GET', '/users/me', { headers: a.headers }), 401, 'session_revoked');
  });

  it('an API key with account:read lists its user’s sessions (none is current); ending them needs account:manage', async () => {
    const owner = await registerOwner(t, 'keyed');
    const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'sessions', scopes: ['account:read'] } });
    const listed = await t.api('GET', '/auth/sessions', { headers: { 'x-api-key': key.body.raw_key } });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.length, 1);
    assert.equal(listed.body[0].current, false, 'a key has no session of its own');
    assertError(await t.api('DELETE', '/auth/sessions', { headers: { 'x-api-key': key.body.raw_key } }), 403);
  });
});

describe('auth: a user’s sessions for the superadmin (/admin/users/{id}/sessions)', () => {
  let t: AuthApp;
  before(async () => {
    t = await startAuthApp();
  });
  after(async () => t?.close());

  it('lists them, ends one, then all: their tokens fail, the operator’s own go on; audited with the user’s tenant', async () => {
    const root = await loginAdmin(t);
    const owner = await registerOwner(t, 'operated');
    const phone = await signIn(t, owner, SAFARI_IOS);
    const list = await t.api('GET', `/admin/users/${owner.id}/sessions`, { headers: root.headers });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.length, 2);
    assert.ok(list.body.every((s: { current: boolean }) => !s.current));
    const phoneId = list.body.find((s: { user_agent: string }) => s.user_agent === SAFARI_IOS).id;

    assert.equal((await t.api('DELETE', `/admin/users/${owner.id}/sessions/${phoneId}`, { headers: root.headers })).status, 204);
    assertError(await t.api('GET', '/users/me', { headers: phone.headers }), 401, 'session_revoked');
    assert.equal((await t.api('GET', '/users/me', { headers: owner.headers })).status, 200);
    const all = await t.api('DELETE', `/admin/users/${owner.id}/sessions`, { headers: root.headers });
    assert.deepEqual(all.body, { detail: '1 session ended.', ended: 1 });
    assertError(await t.api('GET', '/users/me', { headers: owner.headers }), 401, 'session_revoked');
    assert.equal((await t.api('GET', '/admin/stats', { headers: root.headers })).status, 200);
    assert.equal(await count(t.db('auth_sessions').where({ user_id: owner.id, revoked_reason: 'ended_by_admin' })), 2);

    const rows = await auditRows(t, { action: 'admin.user.sessions_ended', target_id: owner.id });
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.tenant_id === owner.tenantId && r.actor_id === root.id));
    assert.deepEqual(JSON.parse(rows[0].details), { count: 1, sessions: [phoneId] });
  });

  it('404 for an unknown user, and for a session of another user', async () => {
    const root = await loginAdmin(t);
    const owner = await registerOwner(t, 'first');
    const other = await registerOwner(t, 'second');
    const theirs = await t.db('auth_sessions').where('user_id', other.id).first('id');
    assertError(await t.api('GET', `/admin/users/${MISSING_ID}/sessions`, { headers: root.headers }), 404);
    assertError(await t.api('DELETE', `/admin/users/${MISSING_ID}/sessions`, { headers: root.headers }), 404);
    assertError(await t.api('DELETE', `/admin/users/${owner.id}/sessions/${theirs.id}`, { headers: root.headers }), 404);
    assert.equal((await t.api('GET', '/users/me', { headers: other.headers })).status, 200);
  });

  it('is in /openapi.json', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    assert.deepEqual(Object.keys(doc.paths['/api/v2/auth/sessions']).sort(), ['delete', 'get']);
    assert.deepEqual(Object.keys(doc.paths['/api/v2/auth/sessions/{id}']), ['delete']);
    assert.deepEqual(Object.keys(doc.paths['/api/v2/admin/users/{id}/sessions']).sort(), ['delete', 'get']);
    assert.deepEqual(Object.keys(doc.paths['/api/v2/admin/users/{id}/sessions/{session_id}']), ['delete']);
  });
});

describe('auth: ending a session on one instance stops it on another (PostgreSQL)', () => {
  it('the other instance refuses its token at once (pub/sub), not after the cache’s lifetime', async function () {
    if (!usingPostgres) this.skip(); // several instances share a database only on PostgreSQL
    const database = await createTestDatabase();
    const one = await startAuthApp({ database });
    const two = await startAuthApp({ database });
    try {
      const owner = await registerOwner(one, 'two-instances');
      const phone = await signIn(one, owner, SAFARI_IOS);
      assert.equal((await two.api('GET', '/users/me', { headers: phone.headers })).status, 200, 'instance two caches the session');
      const id = (await one.api('GET', '/auth/sessions', { headers: phone.headers })).body.find((s: { current: boolean }) => s.current).id;
      assert.equal((await one.api('DELETE', `/auth/sessions/${id}`, { headers: owner.headers })).status, 204);
      await waitFor('instance two to refuse the ended session', async () => (await two.api('GET', '/users/me', { headers: phone.headers })).status === 401, {
        timeoutMs: 5000,
      });
    } finally {
      await two.app.stop();
      await one.app.stop();
      await database.drop();
    }
  });
});

describe('auth: the new sign-in mail (settings.auth.newDeviceMail)', () => {
  const start = (newDeviceMail: boolean, mailLanguage = 'en') =>
    createTestApp({
      plugins: ['auth'],
      overrides: { server: { trustProxy: true } },
      settings: { auth: { admin: ADMIN, newDeviceMail, mailLanguage, limits: { loginPerIpPerMinute: 1000 } } },
    });
  const from = (ip: string, userAgent: string) => ({ 'x-forwarded-for': ip, 'user-agent': userAgent });
  const signInFrom = async (t: TestApp, who: Actor, headers: Record<string, string>) =>
    assert.equal((await t.request('POST', '/api/v2/auth/login', { body: { email: who.email, password: PASSWORD }, headers })).status, 200);

  it('mails on a device and network none of the recent sessions had; not for a known pair, the first sign-in or a neighbour address', async () => {
    const t = await start(true);
    try {
      const email = `traveller-${process.pid}@people.test`;
      const reg = await t.request('POST', '/api/v2/auth/register', { body: { email, password: PASSWORD }, headers: from('198.51.100.10', FIREFOX) });
      assert.equal(reg.status, 201, reg.text);
      await waitForMail(t, email, { subject: /^Verify your email address$/ });
      let mark = await lastMailId(t);
      const who = await login(t, email); // from 127.0.0.1 with node's user agent: the first sign-in
      await assertNoMail(t, email, mark, 200);
      await signInFrom(t, who, from('127.0.0.1', 'node')); // known
      await assertNoMail(t, email, mark, 200);
      await signInFrom(t, who, from('203.0.113.7', FIREFOX));
      const mail = await waitForMail(t, email, { afterId: mark, subject: /^New sign-in to your account$/ });
      assert.match(mail.text, /Device: {3}Firefox on Linux/);
      assert.match(mail.text, /Address: {2}203\.0\.113\.7/);
      assert.match(mail.text, /http:\/\/plinth\.test\/admin\/auth\/profile/);
      mark = await lastMailId(t);
      await signInFrom(t, who, from('203.0.113.99', FIREFOX)); // the same /24
      await signInFrom(t, who, from('127.0.0.1', 'node'));
      await assertNoMail(t, email, mark);
      await signInFrom(t, who, from('203.0.113.99', SAFARI_IOS)); // a new device on a known network
      await waitForMail(t, email, { afterId: mark, subject: /^New sign-in/ });
    } finally {
      await t.close();
    }
  });

  it('in Chinese, names the device the Chinese way', async () => {
    const t = await start(true, 'zh-CN');
    try {
      const owner = await registerOwner(t, 'zh-traveller');
      const mark = await lastMailId(t);
      await signInFrom(t, owner, from('203.0.113.7', FIREFOX));
      const mail = await waitForMail(t, owner.email, { afterId: mark, subject: /^您的账号有新的登录$/ });
      assert.match(mail.text, /设备：Firefox（Linux）/);
    } finally {
      await t.close();
    }
  });

  it('off by default: no mail for a new device', async () => {
    const t = await createTestApp({ plugins: ['auth'], overrides: { server: { trustProxy: true } }, settings: { auth: { admin: ADMIN } } });
    try {
      const owner = await registerOwner(t, 'quiet');
      await waitForMail(t, owner.email, { subject: /^Verify your email address$/ });
      const mark = await lastMailId(t);
      await signInFrom(t, owner, from('203.0.113.7', FIREFOX));
      await assertNoMail(t, owner.email, mark);
    } finally {
      await t.close();
    }
  });
});
