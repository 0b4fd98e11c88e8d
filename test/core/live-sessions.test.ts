// A live stream (GET /admin/api/live) lives no longer than the session that opened it: signing out
// ends that session's streams and no other; a session the operator ends (the user suspended) and an
// API key revoked end theirs too — through the auth plugin's invalidations, checked again at once.
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { login, registerOwner, type Actor } from '../helpers/actors.js';
import { openLive } from '../helpers/live.js';

const ADMIN = { email: 'root@live-sessions.test', password: 'Operator-pass-for-live-42' };

describe('live streams end with their session', () => {
  let t: TestApp;
  let admin: Actor;

  before(async () => {
    t = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN, limits: { loginPerIpPerMinute: 1000 } } } });
    admin = await login(t, ADMIN.email, ADMIN.password);
  });
  after(() => t?.close());

  /** Signs in the way the admin UI does: the HttpOnly session cookie. */
  async function uiSession(email: string, password: string): Promise<Record<string, string>> {
    const res = await fetch(`${t.url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(res.status, 200, await res.text());
    const cookie = /^(plinth_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(cookie, 'a session cookie');
    return { cookie };
  }
  /** Something for the tenant's pages, to show a stream is still open. */
  const tell = (tenantId: string, n: number) => t.app.container.resolve('live').publish(tenantId, 'test.ping', { n });

  it('signing out ends the streams of that session, and not those of another session of the same person', async () => {
    const owner = await registerOwner(t, 'live-out');
    const [one, two] = [await uiSession(owner.email, 'Correct-horse-battery-9'), await uiSession(owner.email, 'Correct-horse-battery-9')];
    const first = await openLive(t.url, one);
    const second = await openLive(t.url, two);
    const third = await openLive(t.url, one);
    try {
      await tell(owner.tenantId, 1);
      await Promise.all([first, second, third].map((s) => s.next((e) => e.data.n === 1)));

      const out = await fetch(`${t.url}/admin/api/logout`, { method: 'POST', headers: one });
      assert.equal(out.status, 200);
      assert.equal(await first.ended, true, 'the server ended it');
      assert.equal(await third.ended, true);
      await tell(owner.tenantId, 2);
      assert.deepEqual((await second.next((e) => e.data.n === 2)).data, { n: 2 });
      assert.equal(second.isEnded, false);
      // The ended session cannot open another.
      assert.equal((await fetch(`${t.url}/admin/api/live`, { headers: one })).status, 401);
    } finally {
      for (const s of [first, second, third]) s.close();
    }
  });

  it('suspending the user ends their open streams at once', async () => {
    const owner = await registerOwner(t, 'live-suspend');
    const stream = await openLive(t.url, await uiSession(owner.email, 'Correct-horse-battery-9'));
    try {
      await tell(owner.tenantId, 1);
      await stream.next((e) => e.data.n === 1);
      const suspended = await t.request('POST', `/api/v2/admin/users/${owner.id}/suspend`, { headers: admin.headers });
      assert.equal(suspended.status, 200, suspended.text);
      assert.equal(await stream.ended, true);
    } finally {
      stream.close();
    }
  });

  it('revoking an API key ends the streams it opened; a bearer token’s stream of the same user stays', async () => {
    const owner = await registerOwner(t, 'live-key');
    const key = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: 'dashboard', scopes: ['account:read'] } });
    assert.equal(key.status, 201, key.text);
    const byKey = await openLive(t.url, { 'x-api-key': key.body.raw_key });
    const byToken = await openLive(t.url, owner.headers);
    try {
      const revoked = await t.request('DELETE', `/api/v2/api-keys/${key.body.id}`, { headers: owner.headers });
      assert.ok([200, 204].includes(revoked.status), revoked.text);
      assert.equal(await byKey.ended, true);
      await tell(owner.tenantId, 3);
      await byToken.next((e) => e.data.n === 3);
      assert.equal(byToken.isEnded, false);
    } finally {
      byKey.close();
      byToken.close();
    }
  });
});
