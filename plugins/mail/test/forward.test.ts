// Forwarding: a mailbox's forward_to sends what arrives over SMTP on through the core mailer (to a
// local SMTP sink), with loop protection, and the batch-forward endpoints (strictAdmin).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'mocha';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, assertError, count, createMailbox, send, sendRaw, unique, type MailApp } from './helpers.js';
import { freePort, mailLoginOk, startRelayApp, startSink, type Sink } from './relay.js';

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe('mail: forwarding to a relay', () => {
  let sink: Sink;
  let t: MailApp;
  let owner: Actor;
  let other: Actor;

  before(async () => {
    sink = await startSink();
    t = await startRelayApp({ smtpUrl: sink.url });
    owner = await registerOwner(t);
    other = await registerOwner(t);
  });
  after(async () => {
    await t?.close();
    await sink?.close();
  });
  beforeEach(() => {
    sink.messages.length = 0;
    sink.refuse = false;
  });

  const idOf = async (actor: Actor | { headers: Record<string, string> }, address: string): Promise<number> => {
    const list = await t.mail('GET', `/api/mailboxes?search=${encodeURIComponent(address.split('@')[0])}`, { headers: actor.headers });
    const hit = list.body.find((m: any) => m.address === address);
    assert.ok(hit, `${address} listed`);
    return hit.id;
  };
  const deliver = async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.events.flush();
      await settle(30);
    }
  };

  it('POST /api/mailbox/forward: what arrives over SMTP reaches forward_to, marked X-Plinth-Forwarded; null stops it', async () => {
    const box = await createMailbox(t, owner);
    const id = await idOf(owner, box);
    const set = await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: id, forward_to: 'Me@Elsewhere.test' } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { success: true });
    const listed = await t.mail('GET', '/api/mailboxes?forward=true', { headers: owner.headers });
    assert.equal(listed.body.find((m: any) => m.address === box)?.forward_to, 'me@elsewhere.test');

    await send(t, { to: box, subject: 'Forward me', text: 'the body text', html: '<b>the body html</b>' });
    await deliver();
    const [m] = await sink.waitFor(1);
    assert.deepEqual(m.to, ['me@elsewhere.test']);
    assert.equal(m.parsed.subject, 'Forward me');
    assert.equal(m.parsed.text?.trim(), 'the body text');
    assert.match(String(m.parsed.html), /<b>the body html<\/b>/);
    assert.equal(m.parsed.headers.get('x-plinth-forwarded'), box);
    assert.equal(m.parsed.replyTo?.value[0].address, 'sender@outside.test');
    assert.equal(
      await count(t.db('mail_emails').where({ forwarded: true }).whereIn('mailbox_id', t.db('mail_mailboxes').select('id').where('address', box))),
      1,
    );

    // Delivered again later (a retried event): not forwarded a second time.
    await deliver();
    assert.equal(sink.messages.length, 1);

    const clear = await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: id, forward_to: null } });
    assert.equal(clear.status, 200, clear.text);
    await send(t, { to: box, subject: 'Not forwarded', text: 'x' });
    await deliver();
    await settle(150);
    assert.equal(sink.messages.length, 1, 'nothing more after forward_to was cleared');
    assert.equal(await count(t.db('mail_emails').whereIn('mailbox_id', t.db('mail_mailboxes').select('id').where('address', box))), 2, 'both messages stored');
  });

  it('forward_to must be an address; another tenant’s mailbox is 404; an unknown id is 404', async () => {
    const box = await createMailbox(t, owner);
    const id = await idOf(owner, box);
    for (const forward_to of ['not-an-address', 'a@b.test\r\nBcc: c@d.test', 42]) {
      const res = await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: id, forward_to } });
      assert.ok(res.status === 400 || res.status === 422, res.text);
    }
    assertError(await t.mail('POST', '/api/mailbox/forward', { headers: other.headers, body: { mailbox_id: id, forward_to: 'x@elsewhere.test' } }), 404);
    assertError(await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: 999999, forward_to: 'x@elsewhere.test' } }), 404);
    const row = await t.db('mail_mailboxes').where('id', id).first('forward_to');
    assert.equal(row.forward_to, null);
  });

  it('a relay that refuses: the forward is retried and goes out once the relay accepts', async () => {
    const box = await createMailbox(t, owner);
    await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: await idOf(owner, box), forward_to: 'retry@elsewhere.test' } });
    sink.refuse = true;
    await send(t, { to: box, subject: 'Retry me', text: 'x' });
    await deliver();
    assert.equal(sink.messages.length, 0);
    assert.equal(
      await count(t.db('mail_emails').where({ forwarded: true }).whereIn('mailbox_id', t.db('mail_mailboxes').select('id').where('address', box))),
      0,
      'not marked as forwarded',
    );
    sink.refuse = false;
    for (let i = 0; i < 20 && sink.messages.length === 0; i++) {
      await settle(100);
      await t.app.events.flush();
    }
    await sink.waitFor(1);
    await deliver();
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.messages[0].parsed.subject, 'Retry me');
  });

  it('the batch-forward endpoints (strictAdmin): by ids and by addresses, per-mailbox results; null clears', async () => {
    const admin = await mailLoginOk(t, ADMIN.email, ADMIN.password);
    const a = await createMailbox(t, owner);
    const b = await createMailbox(t, other);
    const ids = [await idOf(owner, a), await idOf(other, b)];
    const byIds = await t.mail('POST', '/api/mailboxes/batch-forward', {
      headers: admin,
      body: { mailbox_ids: [...ids, 999999], forward_to: 'batch@elsewhere.test' },
    });
    assert.equal(byIds.status, 200, byIds.text);
    assert.equal(byIds.body.success_count, 2);
    assert.equal(byIds.body.fail_count, 1);
    assert.equal(byIds.body.total, 3);
    assert.deepEqual(
      byIds.body.results.map((r: any) => r.success),
      [true, true, false],
    );
    await send(t, { to: [a, b], subject: 'Batch forwarded', text: 'x' });
    await deliver();
    await sink.waitFor(2);
    assert.deepEqual(
      sink.messages.map((m) => m.to[0]),
      ['batch@elsewhere.test', 'batch@elsewhere.test'],
    );
    assert.deepEqual(sink.messages.map((m) => m.parsed.headers.get('x-plinth-forwarded')).sort(), [a, b].sort());

    const byAddress = await t.mail('POST', '/api/mailboxes/batch-forward-by-address', {
      headers: admin,
      body: { addresses: [a.toUpperCase(), `nobody@mail.test`], forward_to: 'second@elsewhere.test' },
    });
    assert.equal(byAddress.status, 200, byAddress.text);
    assert.equal(byAddress.body.success_count, 1);
    assert.deepEqual(
      byAddress.body.results.map((r: any) => [r.address, r.success]),
      [
        [a, true],
        ['nobody@mail.test', false],
      ],
    );
    assert.equal((await t.db('mail_mailboxes').where('address', a).first('forward_to')).forward_to, 'second@elsewhere.test');

    const clear = await t.mail('POST', '/api/mailboxes/batch-forward', { headers: admin, body: { mailbox_ids: ids, forward_to: null } });
    assert.equal(clear.body.success_count, 2);
    sink.messages.length = 0;
    await send(t, { to: [a, b], subject: 'Not forwarded', text: 'x' });
    await deliver();
    await settle(150);
    assert.equal(sink.messages.length, 0);

    // Owners cannot use the batch forms.
    assertError(
      await t.mail('POST', '/api/mailboxes/batch-forward', { headers: owner.headers, body: { mailbox_ids: ids, forward_to: 'x@elsewhere.test' } }),
      403,
    );
    assertError(
      await t.mail('POST', '/api/mailboxes/batch-forward-by-address', { headers: owner.headers, body: { addresses: [a], forward_to: 'x@elsewhere.test' } }),
      403,
    );
  });
});

describe('mail: forwarding loop protection (relay = this server)', () => {
  let t: MailApp;
  let owner: Actor;

  before(async () => {
    const port = await freePort();
    t = await startRelayApp({ smtpPort: port, smtpUrl: `smtp://127.0.0.1:${port}` });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  const rowsOf = (address: string) => count(t.db('mail_emails').whereIn('mailbox_id', t.db('mail_mailboxes').select('id').where('address', address)));
  const idOf = async (address: string) => Number((await t.db('mail_mailboxes').where('address', address).first('id')).id);
  const drain = async () => {
    for (let i = 0; i < 6; i++) {
      await t.app.events.flush();
      await settle(50);
    }
  };

  it('two mailboxes forwarding to each other: each message lands once in each, and never goes round again', async () => {
    const a = await createMailbox(t, owner, unique('loopa'));
    const b = await createMailbox(t, owner, unique('loopb'));
    await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: await idOf(a), forward_to: b } });
    await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: await idOf(b), forward_to: a } });

    await send(t, { to: a, subject: 'Loop one', text: 'x' });
    await drain();
    assert.equal(await rowsOf(a), 1);
    assert.equal(await rowsOf(b), 1, 'the forward arrived at b');
    await drain();
    assert.equal(await rowsOf(a), 1, 'b did not send it back to a');
    assert.equal(await rowsOf(b), 1);

    await send(t, { to: b, subject: 'Loop two', text: 'y' });
    await drain();
    await drain();
    assert.equal(await rowsOf(a), 2);
    assert.equal(await rowsOf(b), 2);
    const subjects = (await t
      .db('mail_emails')
      .whereIn('mailbox_id', [await idOf(a), await idOf(b)])
      .orderBy('id')
      .pluck('subject')) as string[];
    assert.deepEqual(subjects.sort(), ['Loop one', 'Loop one', 'Loop two', 'Loop two']);
    assert.equal(await count(t.db('core_mail_outbox').where('subject', 'like', 'Loop%')), 2, 'two forwards went out in all');

    // A message that already carries the header from outside is stored but not forwarded.
    const before = await count(t.db('core_mail_outbox'));
    await sendRaw(t, `From: x@outside.test\r\nTo: ${a}\r\nSubject: Pre-marked\r\nX-Plinth-Forwarded: ${b}\r\n\r\nbody\r\n`, a);
    await drain();
    assert.equal(await rowsOf(a), 3);
    assert.equal(await rowsOf(b), 2);
    assert.equal(await count(t.db('core_mail_outbox')), before);
  });

  it('a mailbox forwarding to itself stores the message once', async () => {
    const self = await createMailbox(t, owner, unique('self'));
    await t.mail('POST', '/api/mailbox/forward', { headers: owner.headers, body: { mailbox_id: await idOf(self), forward_to: self } });
    await send(t, { to: self, subject: 'Self', text: 'x' });
    await drain();
    await drain();
    assert.equal(await rowsOf(self), 1);
  });
});
