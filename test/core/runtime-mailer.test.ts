import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import type { Mailer } from '../../core/mailer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/processes.js';
import { startRelay } from '../helpers/smtp-relay.js';

describe('runtime: mailer', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const mailer = () => t!.app.container.resolve<Mailer>('mailer');

  it('without a relay, send() stores the built RFC 822 message in core_mail_outbox with status stored', async () => {
    t = await createTestApp();
    assert.equal(await mailer().transportNow(), 'outbox');
    const sent = await mailer().send({ to: 'bob@example.test', subject: 'Your code is 123456', text: 'Use 123456 to sign in.' });
    assert.equal(sent.status, 'stored');
    assert.match(sent.messageId ?? '', /^<.+@.+>$/);

    const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
    assert.equal(row.status, 'stored');
    assert.equal(row.transport, 'outbox');
    assert.equal(row.error, null);
    assert.equal(row.subject, 'Your code is 123456');
    assert.equal(row.from, 'Plinth <no-reply@localhost>');
    assert.deepEqual(JSON.parse(row.to), ['bob@example.test']);
    assert.equal(row.message_id, sent.messageId);
    assert.match(row.raw, /^Subject: Your code is 123456\r$/m);
    assert.match(row.raw, new RegExp(`^Message-ID: ${sent.messageId!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r$`, 'm'));
    assert.match(row.raw, /^To: bob@example\.test\r$/m);
    assert.ok(row.raw.includes('\r\n\r\n'), 'headers and body are separated as RFC 822 says');

    const parsed = await simpleParser(row.raw);
    assert.equal(parsed.subject, 'Your code is 123456');
    assert.equal(parsed.text?.trim(), 'Use 123456 to sign in.');

    const listed = await mailer().outbox({ to: 'bob@example.test' });
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0].to, ['bob@example.test']);
    assert.deepEqual(await mailer().outbox({ to: 'alice@example.test' }), []);
  });

  it('keeps non-ASCII subjects, several recipients, html and a custom from intact', async () => {
    t = await createTestApp();
    const sent = await mailer().send({
      to: ['a@example.test', 'b@example.test'],
      from: 'Billing <billing@plinth.test>',
      subject: 'Facture n°42 — reçue ✓',
      html: '<p>Merci <b>beaucoup</b></p>',
    });
    const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
    assert.deepEqual(JSON.parse(row.to), ['a@example.test', 'b@example.test']);
    assert.equal(row.from, 'Billing <billing@plinth.test>');
    assert.ok(/^[\x00-\x7f]*$/.test(row.raw), 'the raw message is 7-bit clean');
    const parsed = await simpleParser(row.raw);
    assert.equal(parsed.subject, 'Facture n°42 — reçue ✓');
    assert.equal(parsed.from?.value[0].address, 'billing@plinth.test');
    assert.match(String(parsed.html), /<b>beaucoup<\/b>/);
  });

  describe('with an SMTP relay (mailer.smtpUrl)', () => {
    let relay: Awaited<ReturnType<typeof startRelay>>;
    beforeEach(async () => {
      relay = await startRelay(['nobody@example.test']);
    });
    afterEach(async () => relay.close());

    it('the message reaches the relay and the row says sent', async () => {
      t = await createTestApp({ overrides: { mailer: { smtpUrl: relay.url } } });
      assert.equal(await mailer().transportNow(), 'smtp');
      const sent = await mailer().send({ to: 'bob@example.test', subject: 'Relayed', text: 'over SMTP' });
      assert.equal(sent.status, 'sent');
      assert.equal(relay.received.length, 1);
      const got = relay.received[0];
      assert.equal(got.from, 'no-reply@localhost');
      assert.deepEqual(got.to, ['bob@example.test']);
      const parsed = await simpleParser(got.raw);
      assert.equal(parsed.subject, 'Relayed');
      assert.equal(parsed.messageId, sent.messageId);
      assert.equal(parsed.text?.trim(), 'over SMTP');

      const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
      assert.equal(row.status, 'sent');
      assert.equal(row.transport, 'smtp');
      assert.equal(row.error, null);
      assert.equal(row.message_id, sent.messageId);
    });

    it('a recipient the relay refuses: send() resolves failed and the row keeps the error', async () => {
      t = await createTestApp({ overrides: { mailer: { smtpUrl: relay.url } } });
      const sent = await mailer().send({ to: 'nobody@example.test', subject: 'Refused', text: 'x' });
      assert.equal(sent.status, 'failed');
      assert.equal(relay.received.length, 0);
      const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
      assert.equal(row.status, 'failed');
      assert.match(row.error, /550|mailbox unavailable/);
      assert.match(row.raw, /^Subject: Refused\r$/m, 'the message is kept, so it can be looked at or sent again');
    });
  });

  it('with the relay down, send() resolves failed and the row says failed with the error', async () => {
    const port = await freePort(); // nothing listens there
    t = await createTestApp({ overrides: { mailer: { smtpUrl: `smtp://127.0.0.1:${port}` } } });
    const sent = await mailer().send({ to: 'bob@example.test', subject: 'Nobody home', text: 'x' });
    assert.equal(sent.status, 'failed');
    const row = await t.app.db('core_mail_outbox').where('id', sent.id).first();
    assert.equal(row.status, 'failed');
    assert.equal(row.transport, 'smtp');
    assert.match(row.error, /ECONNREFUSED/);
    assert.equal(row.subject, 'Nobody home');
  });
});
