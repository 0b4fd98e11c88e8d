// A safe first start (issue 38): without a configured password, the first superadmin gets a
// one-time setup link (settings.auth.admin.setup `link`, or `auto` when standard output is not a
// terminal) instead of a printed password: single use, an hour, stored hashed, a new one at each
// start while it waits. A generated password (`password`, or `auto` on a terminal) is marked, and
// the admin UI sends its user to choose their own first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { capturingLogger } from '../../../test/helpers/logs.js';
import { assertError, assertValidation, auditRows, type AuthApp, startAuthApp } from './admin-helpers.js';
import { enrolTotp } from './mfa-helpers.js';

const ADMIN_EMAIL = 'admin@localhost';
const CHOSEN = 'Chosen-by-the-operator-31';

/** The `Setup link:` line of a banner: its URL and token, or null. */
function bannerLink(banner: string): { url: URL; token: string } | null {
  const line = /^ {2}Setup link: +(\S+)/m.exec(banner)?.[1];
  if (!line) return null;
  const url = new URL(line);
  return { url, token: url.searchParams.get('token') ?? '' };
}
const bannerPassword = (banner: string) => /^ {2}Password: +(\S+)/m.exec(banner)?.[1] ?? null;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('auth: the first superadmin’s setup link', () => {
  const apps: AuthApp[] = [];
  let database: TestDatabase | null = null;
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database?.drop();
    database = null;
  });
  const start = async (setup: string, options: { clock?: ManualClock; database?: TestDatabase; logger?: ReturnType<typeof capturingLogger> } = {}) => {
    const t = await startAuthApp({
      admin: null,
      settings: { admin: { setup } },
      clock: options.clock,
      database: options.database,
      logger: options.logger?.logger,
    });
    apps.push(t);
    return t;
  };

  it('prints a link and no password; the superadmin has none until the link sets one; the token is stored hashed and logged nowhere', async () => {
    const logs = capturingLogger();
    const t = await start('link', { logger: logs });
    const banner = t.app.banner();
    assert.match(banner, /^ {2}Superadmin: +admin@localhost$/m);
    assert.equal(bannerPassword(banner), null, 'no password line');
    const link = bannerLink(banner);
    assert.ok(link, banner);
    assert.equal(`${link.url.origin}${link.url.pathname}`, 'http://plinth.test/admin/auth/setup');
    assert.ok(link.token.length >= 40);
    assert.match(banner, /works once, for 60 minutes/);

    const row = await t.db('auth_users').where('email', ADMIN_EMAIL).first();
    assert.equal(row.password_hash, null);
    assert.equal(Boolean(row.must_change_password), true);
    const stored = await t.db('auth_one_time_tokens').where({ user_id: row.id, purpose: 'admin_setup' }).select('token_hash', 'expires_at', 'created_at');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].token_hash, sha256(link.token));
    assert.equal(new Date(stored[0].expires_at).getTime() - new Date(stored[0].created_at).getTime(), 3_600_000);
    assert.ok(!JSON.stringify(logs.lines).includes(link.token), 'the token is in no log record');
    const warned = logs.lines.find((l) => l.email === ADMIN_EMAIL);
    assert.equal(warned?.level, 40);
    assert.match(warned?.msg, /setup link in the startup banner/);
    assertError(await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: 'anything-at-all-1' } }), 401, 'invalid_credentials');
  });

  it('the link shows whom it sets up, sets the password once (a weak one is refused without spending it), and is refused after', async () => {
    const t = await start('link');
    const { token } = bannerLink(t.app.banner())!;
    const check = await t.api('POST', '/auth/setup/check', { body: { token } });
    assert.equal(check.status, 200, check.text);
    assert.equal(check.body.email, ADMIN_EMAIL);

    assert.deepEqual(assertValidation(await t.api('POST', '/auth/setup', { body: { token, password: 'password' } })), ['body.password']);
    const done = await t.api('POST', '/auth/setup', { body: { token, password: CHOSEN } });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(done.body, { detail: `The superadmin is ready: sign in as ${ADMIN_EMAIL} with the password you chose.`, email: ADMIN_EMAIL });

    const signedIn = await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: CHOSEN } });
    assert.equal(signedIn.status, 200, signedIn.text);
    const me = await t.api('GET', '/users/me', { headers: { authorization: `Bearer ${signedIn.body.access_token}` } });
    assert.equal(me.body.must_change_password, false);
    assert.equal(me.body.is_superadmin, true);

    assertError(await t.api('POST', '/auth/setup', { body: { token, password: 'Another-takeover-pass-9' } }), 400, 'invalid_token');
    assertError(await t.api('POST', '/auth/setup/check', { body: { token } }), 400, 'invalid_token');
    assert.equal((await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: 'Another-takeover-pass-9' } })).status, 401);
    const [audit] = await auditRows(t, { action: 'auth.setup_completed' });
    assert.equal(audit.target_id, me.body.id);
    assertError(await t.api('POST', '/auth/setup', { body: { token: 'x'.repeat(43), password: CHOSEN } }), 400, 'invalid_token');
  });

  it('may move the superadmin to another address (verified); one already taken is 409 and the link stays unspent', async () => {
    const t = await start('link');
    const { token } = bannerLink(t.app.banner())!;
    const customer = await registerOwner(t, 'customer');
    assertError(await t.api('POST', '/auth/setup', { body: { token, password: CHOSEN, email: customer.email } }), 409, 'email_taken');
    assert.deepEqual(assertValidation(await t.api('POST', '/auth/setup', { body: { token, password: CHOSEN, email: 'ops@' } })), ['body.email']);
    const moved = await t.api('POST', '/auth/setup', { body: { token, password: CHOSEN, email: 'Ops@Intranet' } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.email, 'ops@intranet');
    assert.equal((await t.api('POST', '/auth/login', { body: { email: 'ops@intranet', password: CHOSEN } })).status, 200);
    assert.equal((await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: CHOSEN } })).status, 401);
    const row = await t.db('auth_users').where('email', 'ops@intranet').first();
    assert.ok(row.email_verified_at);
  });

  it('expires after an hour; the next start prints a new link (not one within two minutes of the last), and using one spends the others', async () => {
    const clock = new ManualClock('2026-11-28T08:00:00.000Z');
    database = await createTestDatabase();
    const first = await start('link', { clock, database });
    const old = bannerLink(first.app.banner())!;
    await first.app.stop();

    clock.advance(60_000); // an instance starting alongside: it points at the link already printed
    const alongside = await start('link', { clock, database });
    assert.equal(bannerLink(alongside.app.banner()), null);
    assert.match(alongside.app.banner(), /waiting for its setup: use the link another instance just printed/);
    await alongside.app.stop();

    clock.advance(59 * 60_000 + 1);
    const later = await start('link', { clock, database });
    assertError(await later.api('POST', '/auth/setup', { body: { token: old.token, password: CHOSEN } }), 400, 'invalid_token');
    const fresh = bannerLink(later.app.banner());
    assert.ok(fresh && fresh.token !== old.token, later.app.banner());
    await later.app.stop();
    clock.advance(5 * 60_000);
    const again = await start('link', { clock, database });
    const another = bannerLink(again.app.banner())!;
    assert.equal((await again.api('POST', '/auth/setup', { body: { token: fresh.token, password: CHOSEN } })).status, 200);
    assertError(await again.api('POST', '/auth/setup', { body: { token: another.token, password: 'Second-link-takeover-7' } }), 400, 'invalid_token');
    await again.app.stop();
    const done = await start('link', { clock, database });
    assert.equal(bannerLink(done.app.banner()), null, 'set up: no more links');
    assert.doesNotMatch(done.app.banner(), /Superadmin:/);
  });

  it('auto: a setup link when standard output is not a terminal, the generated password on one', async () => {
    database = await createTestDatabase();
    const t = await startAuthApp({ database, admin: { email: 'someone@plinth.test', password: 'Not-the-first-admin-1' } });
    apps.push(t);
    await t.db('auth_audit_logs').delete();
    await t.db('auth_users').delete();
    await t.services.bootstrap.ensureFirstAdmin({ email: 'piped@localhost', password: null, setup: 'auto' }, false);
    const piped = await t.db('auth_users').where('email', 'piped@localhost').first();
    assert.equal(piped.password_hash, null);
    assert.ok(bannerLink(t.app.banner()));
    await t.db('auth_users').delete();
    await t.services.bootstrap.ensureFirstAdmin({ email: 'tty@localhost', password: null, setup: 'auto' }, true);
    const tty = await t.db('auth_users').where('email', 'tty@localhost').first();
    assert.ok(tty.password_hash);
    assert.equal(Boolean(tty.must_change_password), true);
    assert.ok(bannerPassword(t.app.banner()));
  });
});

describe('auth: signed in with a generated password', () => {
  let t: AuthApp;
  let password: string;
  before(async () => {
    t = await startAuthApp({ admin: null, settings: { admin: { setup: 'password' } } });
    password = bannerPassword(t.app.banner())!;
    assert.ok(password, t.app.banner());
  });
  after(async () => t?.close());

  const uiCookie = async (pw: string) => {
    const res = await fetch(`${t.url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: pw }),
    });
    assert.equal(res.status, 200, await res.text());
    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
  };

  it('is marked: /users/me says so and the admin UI’s meta names the page to go to first; choosing one’s own clears it', async () => {
    const cookie = await uiCookie(password);
    const meta = await t.request('GET', '/admin/api/meta', { headers: cookie });
    assert.deepEqual(meta.body.me.required_step, { href: '/admin/auth/change-password', reason: 'password_change_required' });
    const me = await t.api('GET', '/users/me', { headers: cookie });
    assert.equal(me.body.must_change_password, true);

    assert.deepEqual(assertValidation(await t.api('POST', '/auth/set-password', { headers: cookie, body: { password, current_password: password } })), [
      'body.password',
    ]);
    assertError(
      await t.api('POST', '/auth/set-password', { headers: cookie, body: { password: CHOSEN, current_password: 'wrong-one-9' } }),
      403,
      'wrong_password',
    );
    const set = await t.api('POST', '/auth/set-password', { headers: cookie, body: { password: CHOSEN, current_password: password } });
    assert.equal(set.status, 200, set.text);
    assert.equal((await t.request('GET', '/admin/api/meta', { headers: cookie })).body.me.required_step, undefined, 'at once: the cached user is dropped');
    assert.equal((await t.api('GET', '/users/me', { headers: cookie })).body.must_change_password, false);
    assert.equal((await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password: CHOSEN } })).status, 200);
    assert.equal((await t.api('POST', '/auth/login', { body: { email: ADMIN_EMAIL, password } })).status, 401);
  });
});

describe('auth: plinth create-admin without --password', () => {
  it('prints a generated password (the CLI’s own output) and marks it to be changed at sign-in', async () => {
    const t = await startAuthApp();
    try {
      const created = await t.services.bootstrap.createAdmin('second-admin@localhost', null);
      assert.ok(created.generatedPassword && created.generatedPassword.length >= 20);
      assert.equal(created.setupToken, null);
      const row = await t.db('auth_users').where('email', 'second-admin@localhost').first();
      assert.equal(Boolean(row.must_change_password), true);
      const given = await t.services.bootstrap.createAdmin('third-admin@localhost', 'Given-on-the-command-line-5');
      assert.equal(given.generatedPassword, null);
      assert.equal(Boolean((await t.db('auth_users').where('email', 'third-admin@localhost').first()).must_change_password), false);
    } finally {
      await t.close();
    }
  });
});

describe('auth: a generated password under the default second-factor policy', () => {
  it('the superadmin is sent to choose their own password first, then to set up a second factor (the policy’s step)', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00.000Z');
    const t = await startAuthApp({ admin: null, clock, settings: { admin: { setup: 'password' }, mfa: { require: 'superadmins' } } });
    try {
      const generated = bannerPassword(t.app.banner())!;
      const res = await fetch(`${t.url}/admin/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: generated }),
      });
      assert.equal(res.status, 200, await res.text());
      const cookie = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
      const step = async () => (await t.request('GET', '/admin/api/meta', { headers: cookie })).body.me.required_step;
      assert.deepEqual(await step(), { href: '/admin/auth/change-password', reason: 'password_change_required' });
      // What the change-password page calls, while the policy holds the session to its set-up.
      assert.equal((await t.api('GET', '/auth/registration', { headers: cookie })).status, 200);
      const set = await t.api('POST', '/auth/set-password', { headers: cookie, body: { password: CHOSEN, current_password: generated } });
      assert.equal(set.status, 200, set.text);
      assert.equal((await step()).reason, 'mfa_enrollment_required');
      await enrolTotp(t, cookie, clock);
      assert.equal(await step(), undefined);
    } finally {
      await t.close();
    }
  });
});

describe('auth: the first steps in /openapi.json', () => {
  it('documents the setup link, the registration info and register’s tenant_name', async () => {
    const t = await startAuthApp();
    try {
      const doc = (await t.request('GET', '/openapi.json')).body;
      for (const [path, method] of [
        ['/api/v2/auth/setup', 'post'],
        ['/api/v2/auth/setup/check', 'post'],
        ['/api/v2/auth/registration', 'get'],
      ])
        assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
      const register = doc.paths['/api/v2/auth/register'].post.requestBody.content['application/json'].schema;
      assert.deepEqual(register.properties.tenant_name, { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' });
      assert.equal(doc.paths['/api/v2/users/me'].get.responses['200'].content['application/json'].schema.properties.must_change_password.type, 'boolean');
    } finally {
      await t.close();
    }
  });
});

describe('auth: GET /auth/registration', () => {
  for (const mode of ['open', 'verify', 'closed'] as const) {
    it(`says ${mode}, and the password bounds`, async () => {
      const t = await startAuthApp({ settings: { registration: mode, passwordMinLength: 10 } });
      try {
        const res = await t.api('GET', '/auth/registration');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, { registration: mode, password_min_length: 10, password_max_length: 256 });
      } finally {
        await t.close();
      }
    });
  }
});

describe('auth: POST /auth/register’s organisation name', () => {
  it('names the tenant, trimmed; a blank one is refused naming the field', async () => {
    const t = await startAuthApp();
    try {
      const email = `org-${process.pid}@people.test`;
      assert.deepEqual(assertValidation(await t.api('POST', '/auth/register', { body: { email, password: CHOSEN, tenant_name: '   ' } })), [
        'body.tenant_name',
      ]);
      const res = await t.api('POST', '/auth/register', { body: { email, password: CHOSEN, tenant_name: '  Acme Robotics  ' } });
      assert.equal(res.status, 201, res.text);
      const user = await t.db('auth_users').where('email', email).first('tenant_id');
      assert.equal((await t.db('auth_tenants').where('id', user.tenant_id).first('name')).name, 'Acme Robotics');
    } finally {
      await t.close();
    }
  });
});
