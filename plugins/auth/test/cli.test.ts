import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../../test/helpers/database.js';
import { freePort, kill, openDatabase, runPlinth, startServer, waitFor, writeConfig, type PlinthProcess } from '../../../test/helpers/processes.js';
import { login, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { capturingLogger } from '../../../test/helpers/logs.js';
import { assertError, auditRows, count, startAuthApp, type AuthApp } from './admin-helpers.js';

/** The generated password on the startup banner's `Password:` line, or null. */
function bannerPassword(text: string): string | null {
  return /^ {2}Password: +(\S+)/m.exec(text)?.[1] ?? null;
}

/** The token of the startup banner's `Setup link:` line, or null. */
function bannerSetupToken(text: string): string | null {
  const link = /^ {2}Setup link: +(\S+)/m.exec(text)?.[1];
  return link ? new URL(link).searchParams.get('token') : null;
}

/** Sets the superadmin's password through its setup link (on `base`, an /api/v2 URL). */
async function completeSetup(base: string, token: string, password: string): Promise<number> {
  const res = await fetch(`${base}/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  return res.status;
}

describe('auth: the first superadmin', () => {
  const apps: AuthApp[] = [];
  let database: TestDatabase | null = null;
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database?.drop();
    database = null;
  });

  it('without settings.auth.admin (setup: password), the first start creates admin@localhost, its generated password once in the banner', async () => {
    database = await createTestDatabase();
    const first = capturingLogger();
    // `auto` would decide by this process's standard output; a setup link is setup-link.test.ts's.
    const settings = { admin: { setup: 'password' } };
    const t = await startAuthApp({ admin: null, settings, logger: first.logger, database });
    apps.push(t);
    const password = bannerPassword(t.app.banner());
    assert.ok(password && password.length >= 20, `a strong generated password in the banner:\n${t.app.banner()}`);
    assert.match(t.app.banner(), /^ {2}Superadmin: +admin@localhost$/m);
    const line = first.lines.find((l) => l.email === 'admin@localhost');
    assert.ok(line, `a log line about the new superadmin:\n${first.lines.map((l) => l.msg).join('\n')}`);
    assert.equal(line.level, 40, 'a warning: the operator must act on it');
    assert.ok(!JSON.stringify(first.lines).includes(password), 'the password is in no log record');

    const row = await t.db('auth_users').where('email', 'admin@localhost').first();
    assert.equal(Boolean(row.is_superadmin), true);
    assert.equal(row.role, 'owner');
    assert.ok(!row.password_hash.includes(password));
    assert.equal(Boolean(row.must_change_password), true, 'generated: the admin UI asks for one of their own');
    const tenant = await t.db('auth_tenants').where('id', row.tenant_id).first();
    assert.equal(Boolean(tenant.is_platform), true);
    const [audit] = await auditRows(t, { action: 'admin.superadmin.created', target_id: row.id });
    assert.equal(JSON.parse(audit.details).via, 'first-start');

    const admin = await login(t, 'admin@localhost', password);
    assert.equal((await t.api('GET', '/admin/stats', { headers: admin.headers })).status, 200);

    // A second start on the same database creates nobody and prints no password.
    await t.app.stop();
    apps.splice(0);
    const second = capturingLogger();
    const again = await startAuthApp({ admin: null, settings, logger: second.logger, database });
    apps.push(again);
    assert.equal(await count(again.db('auth_users')), 1);
    assert.equal(bannerPassword(again.app.banner()), null, 'no password the second time');
    assert.ok(!JSON.stringify(second.lines).includes(password));
    await login(again, 'admin@localhost', password);
  });

  it('honours PLINTH_ADMIN_EMAIL and PLINTH_ADMIN_PASSWORD, and logs no password', async () => {
    const { logger, lines } = capturingLogger();
    const t = await startAuthApp({ admin: null, logger, env: { PLINTH_ADMIN_EMAIL: 'Ops@Example.test', PLINTH_ADMIN_PASSWORD: 'Env-given-password-77' } });
    apps.push(t);
    assert.equal(await count(t.db('auth_users')), 1);
    const row = await t.db('auth_users').first();
    assert.equal(row.email, 'ops@example.test');
    assert.equal(Boolean(row.is_superadmin), true);
    assert.ok(!JSON.stringify(lines).includes('Env-given-password-77'));
    assert.ok(lines.some((l) => l.email === 'ops@example.test' && l.password === undefined));
    const admin = await login(t, 'ops@example.test', 'Env-given-password-77');
    assert.equal((await t.api('GET', '/admin/users', { headers: admin.headers })).body.total, 1);
  });

  it('three instances starting together on one PostgreSQL: exactly one creates the superadmin, nobody promotes it again or resets its password', async () => {
    // Several instances share a database only on PostgreSQL; a SQLite file has one instance.
    database = await createTestDatabase({ dialect: 'postgres' });
    const logs = [capturingLogger(), capturingLogger(), capturingLogger()];
    const admin = { email: 'boss@race.test', password: 'Racing-instances-pass-42' };
    const started = await Promise.all(logs.map((l) => startAuthApp({ admin, logger: l.logger, database: database! })));
    apps.push(...started);
    const t = started[0];
    const rows = await t.db('auth_users').select('id', 'email', 'is_superadmin', 'password_hash', 'updated_at');
    assert.equal(rows.length, 1, 'one user');
    assert.equal(Boolean(rows[0].is_superadmin), true);
    assert.equal(await count(t.db('auth_tenants')), 1, 'one platform tenant');
    const audit = await t.db('auth_audit_logs').where('target_id', rows[0].id).select('action');
    assert.deepEqual(
      audit.map((a: { action: string }) => a.action),
      ['admin.superadmin.created'],
      'created once, never role_changed',
    );
    const announced = logs.flatMap((l) => l.lines).filter((l) => /created the first superadmin/.test(l.msg));
    assert.equal(announced.length, 1, 'one instance says it created the admin');
    assert.equal((await login(t, admin.email, admin.password)).headers.authorization.startsWith('Bearer '), true);
  });

  it('refuses to start with a weak configured admin password, naming the setting', async () => {
    database = await createTestDatabase();
    await assert.rejects(startAuthApp({ database, admin: { email: 'weak@example.test', password: 'short' } }), (err: Error) => {
      assert.equal(err.name, 'ConfigError');
      assert.match(err.message, /settings\.auth\.admin\.password.*at least 8 characters/);
      return true;
    });
  });
});

describe('auth: three `plinth start` processes on one fresh PostgreSQL database (real processes)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  const procs: PlinthProcess[] = [];
  after(async () => {
    for (const p of procs) await kill(p);
    await database?.drop();
  });

  it('started together (output piped), exactly one creates the superadmin and prints its setup link; one user, one audit row', async () => {
    // Several instances share a database only on PostgreSQL; each has its own data dir, as on its own host.
    database = await createTestDatabase({ dialect: 'postgres' });
    const ports = await Promise.all([0, 1, 2].map(() => freePort()));
    const configs = ports.map((port, i) => {
      const dataDir = path.join(database.dataDir, `host-${i}`);
      fs.mkdirSync(dataDir);
      return writeConfig(database, { plugins: ['auth'], server: { port }, dataDir }, `instance-${i}.json`);
    });
    const started = await Promise.allSettled(configs.map((config, i) => startServer(config, ports[i])));
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;

    const outputs = procs.map((p) => p.output());
    for (const o of outputs) assert.equal(bannerPassword(o), null, 'standard output is a pipe: no password is printed');
    const tokens = outputs.map(bannerSetupToken);
    const printed = tokens.filter((p): p is string => p !== null);
    assert.equal(printed.length, 1, `one process prints a setup link:\n${outputs.join('\n-----\n')}`);
    const announcer = tokens.findIndex((p) => p !== null);
    const announced = outputs.map((o) => o.split('\n').filter((line) => /created the first superadmin/.test(line)).length);
    assert.deepEqual(
      announced,
      outputs.map((_, i) => (i === announcer ? 1 : 0)),
      'the process that printed the link, and only it, says once that it created the superadmin',
    );
    for (const o of outputs) assert.doesNotMatch(o, /"level":50/, 'no errors logged');

    const db = openDatabase(database);
    try {
      const users = await db('auth_users').select('id', 'email', 'is_superadmin');
      assert.deepEqual(
        users.map((u) => [u.email, Boolean(u.is_superadmin)]),
        [['admin@localhost', true]],
        'one user, the superadmin',
      );
      assert.equal(await count(db('auth_tenants').where('is_platform', true)), 1, 'one platform tenant');
      assert.equal(await count(db('auth_tenants')), 1);
      const audit = await db('auth_audit_logs').select('action', 'target_id', 'details');
      assert.deepEqual(
        audit.map((a) => [a.action, a.target_id]),
        [['admin.superadmin.created', users[0].id]],
        'created once; never promoted again (role_changed) or otherwise touched',
      );
      assert.equal(JSON.parse(audit[0].details).via, 'first-start');
    } finally {
      await db.destroy();
    }
    // The printed link sets the password (once), on any instance; that password works on every one.
    const chosen = 'Chosen-after-a-race-42';
    assert.equal(await completeSetup(`http://127.0.0.1:${ports[(announcer + 1) % 3]}/api/v2`, printed[0], chosen), 200);
    assert.equal(await completeSetup(`http://127.0.0.1:${ports[announcer]}/api/v2`, printed[0], 'Second-use-takeover-42'), 400);
    for (const port of ports) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password: chosen }),
      });
      assert.equal(res.status, 200, await res.text());
    }
  });
});

describe('auth: plinth start and plinth create-admin (spawned)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let config: string;
  let server: PlinthProcess | null = null;
  let base: string;

  before(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    config = writeConfig(database, {
      plugins: ['auth'],
      server: { port },
      settings: { auth: { registration: 'open', limits: { loginPerIpPerMinute: 1000, mailRequestsPerIpPerHour: 1000 } } },
    }); // registers and signs in at once
    base = `http://127.0.0.1:${port}/api/v2`;
    server = await startServer(config, port);
  });
  after(async () => {
    if (server) await kill(server, 'SIGTERM');
    await database?.drop();
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const get = async (path: string, token: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  it('plinth start (output piped) prints a setup link for admin@localhost, no password; the link sets one once; it logs in', async () => {
    const token = await waitFor('the setup link in the banner', () => bannerSetupToken(server!.output()));
    assert.match(server!.output(), /^ {2}Superadmin: +admin@localhost$/m);
    assert.equal(bannerPassword(server!.output()), null);
    assert.equal(server!.output().split(token).length - 1, 1, 'printed exactly once');
    const password = 'Chosen-through-the-link-7';
    assert.equal((await post('/auth/setup', { token, password })).status, 200);
    assert.equal((await post('/auth/setup', { token, password: 'Second-use-takeover-7' })).status, 400);
    const res = await post('/auth/login', { email: 'admin@localhost', password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const stats = await get('/admin/stats', res.body.access_token);
    assert.equal(stats.status, 200);
    assert.equal(stats.body.users.total, 1);
  });

  it('plinth create-admin --email --password creates a superadmin who can log in', async () => {
    const run = await runPlinth(['create-admin', '--email', 'cli-admin@example.test', '--password', 'Cli-created-pass-42'], config);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /created superadmin cli-admin@example\.test/);
    assert.ok(!run.output.includes('Cli-created-pass-42'), 'a given password is not echoed');
    const res = await post('/auth/login', { email: 'cli-admin@example.test', password: 'Cli-created-pass-42' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const me = await get('/users/me', res.body.access_token);
    assert.equal(me.body.is_superadmin, true);
    assert.equal((await get('/admin/stats', res.body.access_token)).status, 200);

    const db = openDatabase(database);
    try {
      const row = await db('auth_users').where('email', 'cli-admin@example.test').first();
      const platform = await db('auth_tenants').where('is_platform', true).first();
      assert.equal(row.tenant_id, platform.id, 'in the platform tenant');
      assert.equal(await count(db('auth_tenants').where('is_platform', true)), 1, 'one platform tenant');
      assert.equal(await count(db('auth_audit_logs').where({ action: 'admin.superadmin.created', target_id: row.id })), 1);
    } finally {
      await db.destroy();
    }
  });

  it('plinth create-admin promotes an existing user, who keeps their password', async () => {
    const reg = await post('/auth/register', { email: 'promote@example.test', password: PASSWORD });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const run = await runPlinth(['create-admin', '--email', 'Promote@Example.test'], config);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /promote@example\.test is now a superadmin/);
    assert.doesNotMatch(run.output, /password/);
    const res = await post('/auth/login', { email: 'promote@example.test', password: PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await get('/admin/stats', res.body.access_token)).status, 200);
    const db = openDatabase(database);
    try {
      const row = await db('auth_users').where('email', 'promote@example.test').first();
      assert.equal(await count(db('auth_audit_logs').where({ action: 'admin.user.role_changed', target_id: row.id })), 1);
    } finally {
      await db.destroy();
    }
  });

  it('on PostgreSQL, a running server sees the promotion of a user it has cached at once (pub/sub)', async function () {
    if (!usingPostgres) this.skip(); // one process on SQLite: the cache's 30 s lifetime bounds it
    const reg = await post('/auth/register', { email: 'cached@example.test', password: PASSWORD });
    assert.equal(reg.status, 201);
    const res = await post('/auth/login', { email: 'cached@example.test', password: PASSWORD });
    assert.equal((await get('/users/me', res.body.access_token)).status, 200); // the server caches the user now
    assert.equal((await get('/admin/stats', res.body.access_token)).status, 403);
    const run = await runPlinth(['create-admin', '--email', 'cached@example.test'], config);
    assert.equal(run.code, 0, run.output);
    await waitFor('the promotion to reach the server', async () => (await get('/admin/stats', res.body.access_token)).status === 200, { timeoutMs: 5000 });
  });

  it('plinth create-admin fails with a one-line message without an email or with a weak password', async () => {
    const run = await runPlinth(['create-admin'], config);
    assert.equal(run.code, 1);
    assert.match(run.output, /^plinth: create-admin needs --email/m);
    const weak = await runPlinth(['create-admin', '--email', 'weak@example.test', '--password', 'password'], config);
    assert.equal(weak.code, 1);
    assert.match(weak.output, /^plinth: the admin password \(--password or PLINTH_ADMIN_PASSWORD\) is too common/m);
    assert.doesNotMatch(weak.output, /\n\s+at /, 'no stack trace');
  });
});

describe('auth: bootstrap leaves existing users alone', () => {
  it('a database with users gets no new admin at start, even with settings.auth.admin set', async () => {
    const database = await createTestDatabase();
    const t = await startAuthApp({ database, admin: { email: 'first@example.test', password: 'First-admin-pass-1' } });
    try {
      await registerOwner(t, 'owner', { email: 'customer@example.test' });
      await t.app.stop();
      const again = await startAuthApp({ database, admin: { email: 'second@example.test', password: 'Second-admin-pass-1' } });
      try {
        assert.equal(await again.db('auth_users').where('email', 'second@example.test').first(), undefined);
        assertError(await again.api('POST', '/auth/login', { body: { email: 'second@example.test', password: 'Second-admin-pass-1' } }), 401);
        await login(again, 'first@example.test', 'First-admin-pass-1');
      } finally {
        await again.app.stop();
      }
    } finally {
      await database.drop();
    }
  });
});
