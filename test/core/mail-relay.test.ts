// The outgoing-mail relay set by a superadmin (Settings → Outgoing mail relay): kept in the
// database, used by every instance's mailer from its next mail, audited; the parts given by config
// or environment are locked. A real SMTP server (smtp-server) takes the mail.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, settingSource } from '../../core/config/load.js';
import type { Mailer } from '../../core/mailer.js';
import { createAjv } from '../../core/validation.js';
import { type Actor, login, registerOwner } from '../helpers/actors.js';
import { createTestApp, type Reply, type TestApp } from '../helpers/app.js';
import { startRelay } from '../helpers/smtp-relay.js';

const ADMIN = { email: 'operator@relay.test', password: 'Operator-pass-2026!' };
const BASE = '/api/admin/mailer';

function assertError(res: Reply, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error.code, code, res.text);
  if (message) assert.match(res.body.error.message, message);
}

/** Held to the reply /openapi.json documents (the core's routes are not checked by a plugin router). */
async function assertDocumented(t: TestApp, method: 'get' | 'patch' | 'post', path: string, res: Reply): Promise<void> {
  const doc = (await t.request('GET', '/openapi.json')).body;
  const schema = doc.paths[path][method].responses[String(res.status)]?.content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${path} documents its ${res.status}`);
  const validate = createAjv({ useDefaults: false }).compile(schema);
  assert.ok(validate(res.body), `${method.toUpperCase()} ${path}: ${JSON.stringify(validate.errors)}`);
}

/** A port nothing listens on (taken, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const start = (options: Parameters<typeof createTestApp>[0] = {}) => createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } }, ...options });

describe('admin API: the outgoing-mail relay (Settings)', () => {
  let t: TestApp;
  let other: TestApp;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let admin: Actor;
  let customer: Actor;
  const patch = (body: unknown, who: Actor = admin) => t.request('PATCH', BASE, { headers: who.headers, body });
  const audits = async (action: string): Promise<Array<Record<string, any>>> =>
    (await t.app.db('auth_audit_logs').where({ action }).orderBy('id')).map((r: Record<string, any>) => ({ ...r, details: JSON.parse(String(r.details)) }));

  before(async () => {
    relay = await startRelay();
    t = await start();
    // A second instance on the same database: it must relay through what the first one saved.
    other = await start({ database: t.database });
    admin = await login(t, ADMIN.email, ADMIN.password);
    customer = await registerOwner(t, 'relay-customer');
  });
  after(async () => {
    await other?.close();
    await t?.close();
    await relay?.close();
  });

  it('customers get 403, visitors 401; a superadmin sees no relay yet (mail kept in the outbox), nothing locked', async () => {
    assertError(await t.request('GET', BASE, { headers: customer.headers }), 403, 'forbidden');
    assertError(await patch({ host: 'smtp.evil.test' }, customer), 403, 'forbidden');
    assertError(await t.request('POST', `${BASE}/test`, { headers: customer.headers, body: { to: 'x@relay.test' } }), 403, 'forbidden');
    assertError(await t.request('GET', BASE), 401, 'unauthorized');
    assert.equal(await t.app.db('core_kv').where('key', 'mailer.relay').first(), undefined, 'nothing stored by the refused calls');
    const res = await t.request('GET', BASE, { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      transport: 'outbox',
      host: null,
      port: 587,
      tls: 'starttls',
      user: null,
      password_set: false,
      from: 'Plinth <no-reply@localhost>',
      locked: { connection: null, from: null },
    });
    await assertDocumented(t, 'get', BASE, res);
    assertError(await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'ops@relay.test' } }), 409, 'no_relay');
  });

  it('hostile or wrong input is 422 naming the field; nothing is stored', async () => {
    for (const [body, field] of [
      [{ host: 'smtp.test\r\nRCPT TO:<x@evil.test>' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ port: 70000 }, 'port'],
      [{ port: '25; rm -rf /' }, 'port'],
      [{ tls: 'ssl3' }, 'tls'],
      [{ from: 'no at sign' }, 'from'],
      [{ from: 'a@b.test\r\nBcc: all@evil.test' }, 'from'],
      [{ password: 'x\ny' }, 'password'],
      [{ smtpUrl: 'smtp://evil.test' }, ''],
    ] as const) {
      const res = await patch(body);
      assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.error.code, 'validation_error');
      assert.ok(JSON.stringify(res.body.error.details).includes(field), res.text);
    }
    assert.equal((await patch({})).status, 422, 'an empty change is refused');
    assert.equal((await t.request('PATCH', BASE, { headers: { ...admin.headers, 'content-type': 'application/json' }, raw: '{"host":' })).status, 400);
    assert.equal(await t.app.db('core_kv').where('key', 'mailer.relay').first(), undefined);
  });

  it('a superadmin sets the relay: stored once for every instance, never showing the password, audited; both instances relay through it at once', async () => {
    const port = Number(new URL(relay.url).port);
    const res = await patch({ host: '127.0.0.1', port, tls: 'none', from: 'Ops <ops@relay.test>' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      transport: 'smtp',
      host: '127.0.0.1',
      port,
      tls: 'none',
      user: null,
      password_set: false,
      from: 'Ops <ops@relay.test>',
      locked: { connection: null, from: null },
    });
    await assertDocumented(t, 'patch', BASE, res);
    const stored = JSON.parse((await t.app.db('core_kv').where('key', 'mailer.relay').first()).value);
    assert.deepEqual(stored, { host: '127.0.0.1', port, tls: 'none', user: null, password: null, from: 'Ops <ops@relay.test>' });
    const [audit] = await audits('mailer.relay.updated');
    assert.equal(audit.actor_id, admin.id);
    assert.deepEqual(audit.details, { changed: ['host', 'port', 'tls', 'from'] });

    // No restart: each instance's next mail goes through the relay, from the new sender.
    for (const [i, app] of [t, other].entries()) {
      const sent = await app.app.container.resolve<Mailer>('mailer').send({ to: `reader${i}@relay.test`, subject: `via ${i}`, text: 'hello' });
      assert.equal(sent.status, 'sent', JSON.stringify(sent));
      assert.equal(relay.received.at(-1)?.to[0], `reader${i}@relay.test`);
      assert.equal(relay.received.at(-1)?.from, 'ops@relay.test');
      assert.equal((await app.app.db('core_mail_outbox').where('id', sent.id).first()).transport, 'smtp');
    }
    assert.equal((await other.request('GET', BASE, { headers: admin.headers })).body.host, '127.0.0.1', 'the other instance shows it too');
  });

  it('"send a test mail" reaches the relay and says so; audited', async () => {
    const before = relay.received.length;
    const res = await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'check@relay.test' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.to, 'check@relay.test');
    await assertDocumented(t, 'post', `${BASE}/test`, res);
    assert.equal(relay.received.length, before + 1);
    assert.deepEqual(relay.received.at(-1)?.to, ['check@relay.test']);
    assert.match(relay.received.at(-1)?.raw ?? '', /Subject: Plinth: test mail/);
    const tested = await audits('mailer.relay.tested');
    assert.deepEqual(tested.at(-1)?.details, { to: 'check@relay.test', ok: true, error: null });
    assertError(await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'not an address' } }), 422, 'validation_error');
  });

  it('the password is write-only: never returned, blank keeps it, null removes it; the change is audited without its value', async () => {
    const set = await patch({ user: 'relay-user', password: 'S3cret-relay-pass' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.password_set, true);
    assert.equal(set.body.user, 'relay-user');
    assert.ok(!set.text.includes('S3cret-relay-pass'), 'the reply never carries the password');
    assert.ok(!(await t.request('GET', BASE, { headers: admin.headers })).text.includes('S3cret-relay-pass'));
    const stored = () => t.app.db('core_kv').where('key', 'mailer.relay').first();
    assert.equal(JSON.parse((await stored()).value).password, 'S3cret-relay-pass');
    const kept = await patch({ password: '', from: 'Ops Team <ops@relay.test>' });
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.body.password_set, true);
    assert.equal(JSON.parse((await stored()).value).password, 'S3cret-relay-pass', 'blank keeps the old password');
    const audited = await audits('mailer.relay.updated');
    assert.deepEqual(
      audited.slice(-2).map((a) => a.details.changed),
      [['user', 'password'], ['from']],
    );
    assert.ok(!JSON.stringify(audited).includes('S3cret-relay-pass'), 'the audit log names the field, never the value');

    // This relay offers no AUTH without TLS: the test mail fails, and says why in the relay's words.
    const refused = await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'check@relay.test' } });
    assertError(refused, 422, 'relay_failed', /^the relay did not take the test mail: .+/);
    assert.deepEqual((await audits('mailer.relay.tested')).at(-1)?.details.ok, false);

    const cleared = await patch({ user: null, password: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.password_set, false);
    assert.equal(JSON.parse((await stored()).value).password, null);
  });

  it('a wrong port: the test mail is a 422 naming the refused connection, not a 500', async () => {
    const port = await closedPort();
    assert.equal((await patch({ port })).status, 200);
    const res = await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'check@relay.test' } });
    assertError(res, 422, 'relay_failed', /ECONNREFUSED|connect/i);
    assert.match(res.body.error.message, new RegExp(String(port)));
  });
});

describe('admin API: a relay given by config or environment is locked', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let t: TestApp;
  let admin: Actor;

  before(async () => {
    relay = await startRelay();
    t = await start({ overrides: { mailer: { smtpUrl: relay.url } }, env: { PLINTH_MAILER_FROM: 'Env Sender <env@relay.test>' } });
    admin = await login(t, ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await t?.close();
    await relay?.close();
  });

  it('shows where each part is set, refuses to change it (409 setting_locked), and relays through it', async () => {
    const res = await t.request('GET', BASE, { headers: admin.headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      transport: 'smtp',
      host: '127.0.0.1',
      port: Number(new URL(relay.url).port),
      tls: 'none',
      user: null,
      password_set: false,
      from: 'Env Sender <env@relay.test>',
      locked: { connection: 'config', from: 'environment' },
    });
    const host = await t.request('PATCH', BASE, { headers: admin.headers, body: { host: 'smtp.other.test', port: 25 } });
    assertError(host, 409, 'setting_locked', /^host, port are set by mailer\.smtpUrl in the config: change them there$/);
    assert.deepEqual(host.body.error.details, { fields: ['host', 'port'], source: 'config' });
    assertError(
      await t.request('PATCH', BASE, { headers: admin.headers, body: { from: 'x@relay.test' } }),
      409,
      'setting_locked',
      /from is set by PLINTH_MAILER_FROM in the environment/,
    );
    assertError(await t.request('PATCH', BASE, { headers: admin.headers, body: { password: 'x' } }), 409, 'setting_locked');
    assert.equal(await t.app.db('core_kv').where('key', 'mailer.relay').first(), undefined, 'nothing stored');
    assert.equal((await t.app.db('auth_audit_logs').where('action', 'mailer.relay.updated')).length, 0);

    const sent = await t.request('POST', `${BASE}/test`, { headers: admin.headers, body: { to: 'env-check@relay.test' } });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(relay.received.at(-1)?.from, 'env@relay.test');
  });
});

describe('config: where a setting came from (what locks a part of the relay)', () => {
  it('a config file, the environment, or nothing (the default); a later null gives the default back', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-sources-'));
    try {
      fs.mkdirSync(path.join(root, 'config'));
      fs.writeFileSync(path.join(root, 'config', 'default.json'), JSON.stringify({ mailer: { smtpUrl: 'smtp://file.test:25' } }));
      const fromFile = loadConfig({ root, env: {} });
      assert.equal(settingSource(fromFile, 'mailer.smtpUrl'), 'config');
      assert.equal(settingSource(fromFile, 'mailer.from'), null, 'a default is no source');

      const fromEnv = loadConfig({ root, env: { PLINTH_MAILER_SMTP_URL: 'smtp://env.test:25', PLINTH_MAILER_FROM: 'Env <env@relay.test>' } });
      assert.equal(fromEnv.mailer.smtpUrl, 'smtp://env.test:25');
      assert.equal(settingSource(fromEnv, 'mailer.smtpUrl'), 'environment', 'the environment wins over the file');
      assert.equal(settingSource(fromEnv, 'mailer.from'), 'environment');

      const cleared = loadConfig({ root, env: {}, overrides: { mailer: { smtpUrl: null } } });
      assert.equal(cleared.mailer.smtpUrl, null);
      assert.equal(settingSource(cleared, 'mailer.smtpUrl'), null);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
