import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { generate } from 'otplib';
import { createApp, type Plinth } from '../../core/app.js';
import { announce } from '../../core/banner.js';
import { createLogger, prettyLine } from '../../core/logger.js';
import { projectRoot } from '../../core/paths.js';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/database.js';
import { freePort, waitFor } from '../helpers/processes.js';

/** A stream that keeps what is written; `isTTY` makes it look like a terminal to the logger. */
function memoryStream(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe('first start: logs a person can read', () => {
  it('prettyLine: time, level, [plugin], message, key=value, and the error stack below', () => {
    const err = new Error('boom');
    const line = prettyLine({
      level: 50,
      time: '2026-11-22T17:40:08.015Z',
      pid: 1,
      plugin: 'mail',
      msg: 'relay refused',
      to: 'a@b.test',
      note: 'two words',
      n: 3,
      err: { message: 'boom', stack: err.stack },
    });
    const [first, second] = line.split('\n');
    assert.equal(first, '17:40:08.015 ERROR [mail] relay refused to=a@b.test note="two words" n=3');
    assert.equal(second, '    Error: boom');
  });

  it('log.format auto: readable lines on a terminal, JSON lines elsewhere; pretty and json force one', () => {
    const tty = memoryStream(true);
    createLogger('info', undefined, { format: 'auto', out: tty.stream }).info({ port: 2525 }, 'SMTP receiver listening');
    assert.match(tty.text(), /^\d\d:\d\d:\d\d\.\d{3} .*INFO.* SMTP receiver listening port=2525\n$/);

    const pipe = memoryStream(false);
    createLogger('info', undefined, { format: 'auto', out: pipe.stream }).info({ port: 2525 }, 'SMTP receiver listening');
    const record = JSON.parse(pipe.text());
    assert.equal(record.msg, 'SMTP receiver listening');
    assert.equal(record.port, 2525);

    const forcedPretty = memoryStream(false);
    createLogger('info', undefined, { format: 'pretty', out: forcedPretty.stream }).warn('careful');
    assert.match(forcedPretty.text(), /^\S+ WARN {2}careful\n$/, 'no colour codes when the stream is not a terminal');

    const forcedJson = memoryStream(true);
    createLogger('info', undefined, { format: 'json', out: forcedJson.stream }).info('as json');
    assert.equal(JSON.parse(forcedJson.text()).msg, 'as json');
  });
});

describe('first start: in-process', () => {
  let app: Plinth | null = null;
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await app?.stop();
    app = null;
    await database.drop();
  });

  const boot = async (extra: Record<string, unknown> = {}) => {
    app = await createApp({
      env: {},
      overrides: {
        server: { port: 0, host: '127.0.0.1' },
        smtp: { port: 0, host: '127.0.0.1' },
        dataDir: database.dataDir,
        database: { url: database.url },
        log: { level: 'silent' },
        plugins: ['example'],
        pluginDirs: ['plugins', 'test/fixtures/plugins'],
        ...extra,
      } as never,
    });
    await app.start();
    return app;
  };

  it('without a configured publicUrl, port 0 settles on the port actually served (openapi servers too)', async () => {
    const a = await boot();
    const port = new URL(a.url).port;
    assert.equal(a.config.server.publicUrl, `http://localhost:${port}`);
    const doc = await (await fetch(`${a.url}/openapi.json`)).json();
    assert.deepEqual(doc.servers, [{ url: `http://localhost:${port}` }]);
  });

  it('GET / redirects (302) to /admin; with the UI turned off it stays a 404', async () => {
    const a = await boot();
    const res = await fetch(`${a.url}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/admin');
    await a.stop();
    const off = await boot({ ui: { enabled: false } });
    assert.equal((await fetch(`${off.url}/`, { redirect: 'manual' })).status, 404);
  });

  it('the banner names the admin URL, the public URL, the bind address and what plugins announced', async () => {
    const a = await boot({ server: { port: 0, host: '127.0.0.1', publicUrl: 'https://plinth.example.com/' } });
    announce(a.contexts.get('example')!.logger, { 'Example note': 'from a plugin logger' });
    const port = new URL(a.url).port;
    const lines = a.banner().split('\n');
    assert.deepEqual(lines.filter(Boolean), [
      'Plinth is running',
      '  Admin UI:      https://plinth.example.com/admin',
      '  Public URL:    https://plinth.example.com',
      `  Listening on:  127.0.0.1:${port}`,
      '  Example note:  from a plugin logger',
    ]);
  });
});

interface Started {
  output(): string;
  stop(): Promise<void>;
}

/** `plinth start` exactly as a new user runs it: the real default config, only these env vars set. */
async function startPlain(env: Record<string, string>, port: number): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/plinth.ts', 'start'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let gone = false;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => (gone = true));
  await waitFor(
    `plinth start on port ${port}`,
    async () => {
      if (gone) throw new Error(`plinth start exited early:\n${out}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60_000 },
  );
  // The banner is written right after the listening line: wait for it, not for time.
  await waitFor('the startup banner', () => out.includes('Plinth is running') && out.includes('plinth started'));
  return {
    output: () => out,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('first start: spawned with only PORT, SMTP_PORT and PLINTH_DATA_DIR', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let env: Record<string, string>;
  let port: number;
  let server: Started | null = null;
  let password = '';
  let token = '';

  before(async () => {
    database = await createTestDatabase();
    port = await freePort();
    env = { PORT: String(port), SMTP_PORT: String(await freePort()), PLINTH_DATA_DIR: database.dataDir };
    // The PostgreSQL pass needs its database named; the SQLite pass lives in the data dir.
    if (usingPostgres) env.DATABASE_URL = database.url!;
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('the first lines name the admin URL, the superadmin and, standard output being a pipe, a one-time setup link: no password', async () => {
    server = await startPlain(env, port);
    const lines = server.output().split('\n');
    const title = lines.indexOf('Plinth is running');
    assert.ok(title >= 0 && title < 12, `the banner is among the first lines:\n${server.output()}`);
    const banner = lines.slice(title, lines.indexOf('', title));
    const field = (label: string) =>
      banner
        .find((l) => l.trimStart().startsWith(`${label}:`))
        ?.split(/:\s+/)
        .slice(1)
        .join(':');
    assert.equal(field('Admin UI'), `http://localhost:${port}/admin`);
    assert.equal(field('Listening on'), `0.0.0.0:${port}`);
    assert.equal(field('Superadmin'), 'admin@localhost');
    assert.equal(field('Password'), undefined, `no password in the banner:\n${banner.join('\n')}`);
    assert.doesNotMatch(server.output(), /Password:/, 'nor anywhere in the output');
    const link = new URL((field('Setup link') ?? '').split(/\s+/)[0]);
    assert.equal(`${link.origin}${link.pathname}`, `http://localhost:${port}/admin/auth/setup`);
    token = link.searchParams.get('token') ?? '';
    assert.ok(token.length >= 40, `a setup link in the banner:\n${banner.join('\n')}`);
    assert.equal(field('SMTP'), `port ${env.SMTP_PORT}, mail for localhost`);
    assert.equal(server.output().split(token).length - 1, 1, 'the link is printed once, in the banner only');
    const listening = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((r) => r.msg?.startsWith('listening'));
    assert.equal(listening.msg, `listening on http://localhost:${port}`, 'the URL to open, not http://0.0.0.0');
    assert.equal(listening.bind, `0.0.0.0:${port}`);
  });

  it('the setup link sets the password once (its page is served); a second use is refused; the password signs in', async () => {
    const base = `http://127.0.0.1:${port}`;
    const page = await fetch(`${base}/admin/auth/setup?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Plinth admin<\/title>/);
    const setup = (body: unknown) =>
      fetch(`${base}/api/v2/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    password = 'First-start-chosen-pass-9';
    const done = await setup({ token, password });
    assert.equal(done.status, 200, await done.clone().text());
    const again = await setup({ token, password: 'A-second-use-takeover-9' });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { code: string }).code, 'invalid_token');
  });

  it('the password signs in; GET / leads to /admin; /openapi.json names the port served', async () => {
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/v2/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/admin');
    const admin = await fetch(`${base}/`);
    assert.equal(admin.status, 200);
    assert.match(await admin.text(), /<title>Plinth admin<\/title>/);
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    assert.deepEqual(doc.servers, [{ url: `http://localhost:${port}` }]);
  });

  it('the superadmin makes 30 mailboxes on the default domain, 30 activation codes and 3 robots, no 402; mail over SMTP is listed', async () => {
    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, text, body: text ? JSON.parse(text) : null };
    };
    const login = await call('POST', '/api/v2/auth/login', { email: 'admin@localhost', password });
    assert.equal(login.status, 200, login.text);
    const token = login.body.access_token as string;
    // The default policy: a superadmin sets up a second factor before anything else (the code from otplib).
    assert.equal(login.body.mfa_enrollment_required, true, login.text);
    const enrolled = await call('POST', '/api/v2/auth/mfa/totp/enroll', undefined, token);
    const confirmed = await call('POST', '/api/v2/auth/mfa/totp/confirm', { code: await generate({ secret: enrolled.body.secret }) }, token);
    assert.equal(confirmed.status, 200, confirmed.text);

    const domains = await call('GET', '/mail/api/domains', undefined, token);
    assert.deepEqual(domains.body, ['localhost'], 'with no domain configured, the host of the public URL');
    const boxes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await call('POST', '/mail/api/create', { local: `box${i}`, domainIndex: 0 }, token);
      assert.equal(res.status, 200, `mailbox ${i}: ${res.text}`);
      boxes.push(res.body.email);
    }
    assert.equal(boxes[29], 'box29@localhost');

    const codes = await call('POST', '/workbot/api/admin/activation-codes', { count: 30 }, token);
    assert.equal(codes.status, 200, codes.text);
    assert.equal(codes.body.data.codes.length, 30);
    for (let i = 0; i < 3; i++) {
      const res = await call(
        'POST',
        '/workbot/api/robot-ids/activate',
        { code: codes.body.data.codes[i].code, deviceInfo: { deviceId: `first-start-device-${i}` } },
        token,
      );
      assert.equal(res.status, 201, `robot ${i}: ${res.text}`);
    }

    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(env.SMTP_PORT), secure: false, ignoreTLS: true });
    try {
      await smtp.sendMail({ from: 'someone@outside.test', to: 'box7@localhost', subject: 'First mail', text: 'It works.' });
    } finally {
      smtp.close();
    }
    const inbox = await call('GET', '/mail/api/emails?mailbox=box7%40localhost', undefined, token);
    assert.equal(inbox.status, 200, inbox.text);
    assert.deepEqual(
      inbox.body.map((m: { subject: string }) => m.subject),
      ['First mail'],
    );
  });

  it('a second start on the same data dir prints the admin URL again but no password, and no link once set up', async () => {
    await server!.stop();
    server = await startPlain(env, port);
    const out = server.output();
    assert.match(out, new RegExp(`Admin UI:\\s+http://localhost:${port}/admin`));
    assert.ok(!out.includes(password), 'the first password is not shown again');
    assert.ok(!/Password:/.test(out), 'no password line at all');
    assert.ok(!/Superadmin:/.test(out), 'nobody was created');
    assert.ok(!/Setup link:/.test(out), 'the superadmin is set up');
  });
});
