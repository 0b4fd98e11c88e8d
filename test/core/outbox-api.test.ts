import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import type { Mailer } from '../../core/mailer.js';
import { createAjv } from '../../core/validation.js';
import { createTestApp, testAuth, type Reply, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startRelay } from '../helpers/smtp-relay.js';

const ROOT = testAuth('op', 't0', ['superadmin']);
const OWNER = testAuth('owner', 't1', ['owner']);

/** The core envelope: `{ error: { code, message, details? }, request_id }`. */
function assertError(res: Reply, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error.code, code, res.text);
  assert.equal(typeof res.body.request_id, 'string');
  if (message) assert.match(res.body.error.message, message);
}

/**
 * The core's routes do not pass through a plugin router's reply check: each 200 here is held to the
 * reply /openapi.json documents for it, as checkReplies holds the plugins' routes.
 */
async function assertDocumented(t: TestApp, method: 'get' | 'post', path: string, res: Reply): Promise<void> {
  const doc = (await t.request('GET', '/openapi.json')).body;
  const schema = doc.paths[path][method].responses[String(res.status)]?.content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${path} documents its ${res.status}`);
  const validate = createAjv({ useDefaults: false }).compile(schema);
  assert.ok(validate(res.body), `${method.toUpperCase()} ${path}: ${JSON.stringify(validate.errors)}`);
}

describe('admin API: the mail outbox', () => {
  let t: TestApp;
  const mailer = () => t.app.container.resolve<Mailer>('mailer');
  const ids: number[] = [];

  before(async () => {
    t = await createTestApp();
    ids.push(
      (
        await mailer().send({
          to: 'ann@example.test',
          subject: 'Reset your password',
          text: 'Open http://plinth.test/admin/auth/reset-password?token=abc',
          html: '<p><a href="http://plinth.test/admin/auth/reset-password?token=abc">Reset</a></p>',
        })
      ).id,
    );
    ids.push((await mailer().send({ to: ['bob@example.test', 'cy@example.test'], subject: 'Welcome', text: 'Hello Bob' })).id);
    ids.push((await mailer().send({ to: 'ann@example.test', subject: 'Usage alert', text: '80% used' })).id);
  });
  after(async () => t?.close());

  it('lists a page, newest first, with the core pager and without bodies', async () => {
    const res = await t.request('GET', '/api/admin/outbox?page_size=2', { headers: ROOT });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual({ ...res.body, items: undefined }, { items: undefined, total: 3, page: 1, page_size: 2, pages: 2, transport: 'outbox' });
    await assertDocumented(t, 'get', '/api/admin/outbox', res);
    assert.deepEqual(
      res.body.items.map((m: any) => m.subject),
      ['Usage alert', 'Welcome'],
    );
    const [latest, welcome] = res.body.items;
    assert.deepEqual(welcome.to, ['bob@example.test', 'cy@example.test']);
    assert.equal(latest.status, 'stored');
    assert.equal(latest.transport, 'outbox');
    assert.equal(latest.from, 'Plinth <no-reply@localhost>');
    assert.ok(latest.created_at);
    assert.ok(!('text' in latest) && !('html' in latest) && !('raw' in latest), 'bodies only on the detail');

    const second = await t.request('GET', '/api/admin/outbox?page=2&page_size=2', { headers: ROOT });
    assert.deepEqual(
      second.body.items.map((m: any) => m.subject),
      ['Reset your password'],
    );
  });

  it('filters by recipient', async () => {
    const res = await t.request('GET', '/api/admin/outbox?to=ann@example.test', { headers: ROOT });
    assert.deepEqual(
      res.body.items.map((m: any) => m.subject),
      ['Usage alert', 'Reset your password'],
    );
    assert.equal(res.body.total, 2);
  });

  it('reads one mail with its text and HTML', async () => {
    const res = await t.request('GET', `/api/admin/outbox/${ids[0]}`, { headers: ROOT });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, ids[0]);
    assert.deepEqual(res.body.to, ['ann@example.test']);
    assert.equal(res.body.subject, 'Reset your password');
    assert.match(res.body.text, /reset-password\?token=abc/);
    assert.match(res.body.html, /<a href="http:\/\/plinth\.test\/admin\/auth\/reset-password\?token=abc">/);
    await assertDocumented(t, 'get', '/api/admin/outbox/{id}', res);
  });

  it('resend without a relay: 409 saying no relay is configured and how to set one; the row is unchanged', async () => {
    const res = await t.request('POST', `/api/admin/outbox/${ids[0]}/resend`, { headers: ROOT });
    assertError(res, 409, 'no_relay', /no SMTP relay is configured \(mailer\.smtpUrl or PLINTH_MAILER_SMTP_URL\)/);
    const row = await t.app.db('core_mail_outbox').where('id', ids[0]).first();
    assert.equal(row.status, 'stored');
  });

  it('an id that names no mail: 404 naming the id, on every route', async () => {
    for (const id of ['999999', 'abc', '0', '1.5', '99999999999']) {
      assertError(
        await t.request('GET', `/api/admin/outbox/${id}`, { headers: ROOT }),
        404,
        'not_found',
        new RegExp(`no outgoing mail with id "${id.replace('.', '\\.')}"`),
      );
      assertError(await t.request('POST', `/api/admin/outbox/${id}/resend`, { headers: ROOT }), 404, 'not_found', new RegExp(`"${id.replace('.', '\\.')}"`));
    }
  });

  it('bad query parameters: 422 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['page=0', 'query.page'],
      ['page=x', 'query.page'],
      ['page_size=500', 'query.page_size'],
      ['to=', 'query.to'],
      ['bogus=1', 'query.bogus'],
    ];
    for (const [query, field] of cases) {
      const res = await t.request('GET', `/api/admin/outbox?${query}`, { headers: ROOT });
      assertError(res, 422, 'validation_error');
      assert.deepEqual(
        res.body.error.details.map((d: any) => d.path),
        [field],
        query,
      );
      assert.match(res.body.error.message, new RegExp(field.replace('.', '\\.')));
    }
  });

  it('superadmins only: 401 without credentials, 403 for a tenant owner', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/outbox'],
      ['GET', `/api/admin/outbox/${ids[0]}`],
      ['POST', `/api/admin/outbox/${ids[0]}/resend`],
    ]) {
      assertError(await t.request(method, path), 401, 'unauthorized');
      assertError(await t.request(method, path, { headers: OWNER }), 403, 'forbidden', /requires role superadmin/);
    }
  });
});

describe('admin API: resend through a real SMTP relay', () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const apps: TestApp[] = [];
  beforeEach(async () => {
    database = await createTestDatabase();
    relay = await startRelay(['refused@example.test']);
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.app.stop();
    await relay.close();
    await database.drop();
  });

  it('a mail kept while there was no relay is delivered once one is configured; the row says sent', async () => {
    // First the platform runs without a relay: the reset mail stays in the outbox.
    const before = await createTestApp({ database });
    apps.push(before);
    const kept = await before.app.container.resolve<Mailer>('mailer').send({ to: 'ann@example.test', subject: 'Reset your password', text: 'the link' });
    assert.equal(kept.status, 'stored');
    await before.app.stop();
    apps.splice(0);

    // Then the operator configures a relay (mailer.smtpUrl) and sends it again.
    const after = await createTestApp({ database, overrides: { mailer: { smtpUrl: relay.url } } });
    apps.push(after);
    const listed = await after.request('GET', '/api/admin/outbox', { headers: ROOT });
    assert.equal(listed.body.transport, 'smtp');
    const res = await after.request('POST', `/api/admin/outbox/${kept.id}/resend`, { headers: ROOT });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'sent');
    assert.equal(res.body.transport, 'smtp');
    assert.equal(res.body.error, null);
    await assertDocumented(after, 'post', '/api/admin/outbox/{id}/resend', res);

    assert.equal(relay.received.length, 1);
    assert.deepEqual(relay.received[0].to, ['ann@example.test']);
    assert.equal(relay.received[0].from, 'no-reply@localhost');
    const parsed = await simpleParser(relay.received[0].raw);
    assert.equal(parsed.messageId, kept.messageId, 'the very message that was kept');
    assert.equal(parsed.subject, 'Reset your password');
    const row = await after.app.db('core_mail_outbox').where('id', kept.id).first();
    assert.equal(row.status, 'sent');
    assert.equal(row.transport, 'smtp');
  });

  it("the relay refusing the recipient: the answer and the row say failed, with the relay's error", async () => {
    const t = await createTestApp({ database, overrides: { mailer: { smtpUrl: relay.url } } });
    apps.push(t);
    const sent = await t.app.container.resolve<Mailer>('mailer').send({ to: 'refused@example.test', subject: 'No', text: 'x' });
    assert.equal(sent.status, 'failed');
    const res = await t.request('POST', `/api/admin/outbox/${sent.id}/resend`, { headers: ROOT });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.error, /550|mailbox unavailable/);
    await assertDocumented(t, 'post', '/api/admin/outbox/{id}/resend', res);
    const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
    assert.equal(row.status, 'failed');
    assert.match(row.error, /550|mailbox unavailable/);
    assert.equal(relay.received.length, 0);
  });
});
