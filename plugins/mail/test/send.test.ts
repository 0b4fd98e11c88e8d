// Sending: POST /api/send through the core mailer to a real SMTP relay (a local smtp-server sink),
// the sent records, batch sends, scheduled sends with a ManualClock, and billing's
// emails_sent_per_month.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'mocha';
import { ManualClock } from 'plinth/plugin';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { HOUR, assertError, count, createMailbox, eventRows, unique, type MailApp } from './helpers.js';
import { ROOT_TOKEN, mailLoginOk, startRelayApp, startSink, type Sink } from './relay.js';

const T0 = '2026-03-01T10:00:00.000Z';
/** Seed 003's format of an instant: `2026-03-01 10:00:00` (UTC). */
const seed = (iso: string) => iso.slice(0, 19).replace('T', ' ');

describe('mail: sending through the relay', () => {
  let sink: Sink;
  let t: MailApp;
  let owner: Actor;
  let other: Actor;
  let member: Actor;
  let ownerBox: string;
  let otherBox: string;
  let memberBox: string;
  let admin: Record<string, string>;
  const clock = new ManualClock(T0);
  const root = { authorization: `Bearer ${ROOT_TOKEN}` };

  before(async () => {
    sink = await startSink();
    t = await startRelayApp({ smtpUrl: sink.url, clock });
    owner = await registerOwner(t);
    other = await registerOwner(t);
    member = await addUser(t, owner.tenantId, 'member');
    ownerBox = await createMailbox(t, owner);
    otherBox = await createMailbox(t, other);
    memberBox = await createMailbox(t, member);
    admin = await mailLoginOk(t, 'operator@plinth.test', 'Operator-pass-2026!');
  });
  after(async () => {
    await t?.close();
    await sink?.close();
  });
  beforeEach(() => {
    sink.messages.length = 0;
    sink.refuse = false;
  });

  const sentRows = () => count(t.db('mail_sent'));

  it('from a mailbox the caller may use: the relay gets it (from, to, subject, body); /api/sent lists it as sent', async () => {
    const res = await t.mail('POST', '/api/send', {
      headers: owner.headers,
      body: { from: ownerBox, fromName: 'Owner Name', to: 'Friend@Outside.test', subject: 'Hello there ✓', text: 'plain body', html: '<p>html body</p>' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.status, 'sent');
    assert.match(res.body.id, /^msg_[0-9a-f]{24}$/);
    const [m] = await sink.waitFor(1);
    assert.equal(m.from, ownerBox);
    assert.deepEqual(m.to, ['friend@outside.test']);
    assert.equal(m.parsed.subject, 'Hello there ✓');
    assert.deepEqual(m.parsed.from?.value, [{ address: ownerBox, name: 'Owner Name' }]);
    assert.equal(m.parsed.text?.trim(), 'plain body');
    assert.match(String(m.parsed.html), /<p>html body<\/p>/);

    const list = await t.mail('GET', `/api/sent?from=${ownerBox}`, { headers: owner.headers });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body[0].resend_id, res.body.id);
    assert.equal(list.body[0].status, 'sent');
    assert.equal(list.body[0].recipients, 'friend@outside.test');
    assert.equal(list.body[0].subject, 'Hello there ✓');
    assert.equal(list.body[0].sent_at, seed(T0));
    assert.equal(list.body[0].html_content, undefined, 'the list leaves the bodies out');

    const byPublic = await t.mail('GET', `/api/sent/${res.body.id}`, { headers: owner.headers });
    assert.equal(byPublic.status, 200, byPublic.text);
    assert.equal(byPublic.body.html_content, '<p>html body</p>');
    assert.equal(byPublic.body.text_content, 'plain body');
    assert.equal(byPublic.body.from_addr, ownerBox);
    const byId = await t.mail('GET', `/api/sent/${byPublic.body.id}`, { headers: owner.headers });
    assert.equal(byId.body.resend_id, res.body.id);
    const status = await t.mail('GET', `/api/send/${res.body.id}`, { headers: owner.headers });
    assert.deepEqual(status.body, { id: res.body.id, status: 'sent', scheduled_at: null, sent_at: seed(T0), error: null });

    const events = (await eventRows(t, 'mail.sent')).filter((e) => e.payload.sent_id === res.body.id);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, { sent_id: res.body.id, from: ownerBox, recipients: ['friend@outside.test'], subject: 'Hello there ✓' });
    assert.equal(events[0].tenant_id, owner.tenantId);

    // Another tenant sees none of it.
    assertError(await t.mail('GET', `/api/sent/${res.body.id}`, { headers: other.headers }), 404);
    assertError(await t.mail('GET', `/api/send/${res.body.id}`, { headers: other.headers }), 404);
    assertError(await t.mail('GET', `/api/sent?from=${ownerBox}`, { headers: other.headers }), 404);
    assertError(await t.mail('DELETE', `/api/sent/${res.body.id}`, { headers: other.headers }), 404);

    const del = await t.mail('DELETE', `/api/sent/${res.body.id}`, { headers: owner.headers });
    assert.equal(del.status, 200, del.text);
    assertError(await t.mail('GET', `/api/sent/${res.body.id}`, { headers: owner.headers }), 404);
  });

  it('to several recipients (array or comma list): one message to all of them', async () => {
    const res = await t.mail('POST', '/api/send', {
      headers: owner.headers,
      body: { from: ownerBox, to: 'a@outside.test, b@outside.test,a@outside.test', subject: 'many', text: 'x' },
    });
    assert.equal(res.status, 200, res.text);
    const [m] = await sink.waitFor(1);
    assert.deepEqual(m.to.sort(), ['a@outside.test', 'b@outside.test']);
  });

  it('from a mailbox of another tenant (or one that does not exist): 404, nothing sent', async () => {
    const before = await sentRows();
    assertError(
      await t.mail('POST', '/api/send', { headers: owner.headers, body: { from: otherBox, to: 'x@outside.test', subject: 's', text: 't' } }),
      404,
      'mailbox_not_found',
    );
    assertError(
      await t.mail('POST', '/api/send', { headers: owner.headers, body: { from: `nobody@mail.test`, to: 'x@outside.test', subject: 's', text: 't' } }),
      404,
    );
    // A member only sends from their own mailboxes, not the owner's.
    await t.mail('PATCH', `/api/users/${member.id}`, { headers: admin, body: { can_send: 1 } });
    assertError(await t.mail('POST', '/api/send', { headers: member.headers, body: { from: ownerBox, to: 'x@outside.test', subject: 's', text: 't' } }), 404);
    assert.equal(await sentRows(), before);
    assert.equal(sink.messages.length, 0);
  });

  it('a user without can_send: 403 cannot_send; with it: sent; a signed-in mailbox never sends', async () => {
    await t.mail('PATCH', `/api/users/${member.id}`, { headers: admin, body: { can_send: 0 } });
    assertError(
      await t.mail('POST', '/api/send', { headers: member.headers, body: { from: memberBox, to: 'x@outside.test', subject: 's', text: 't' } }),
      403,
      'cannot_send',
    );
    await t.mail('PATCH', `/api/users/${member.id}`, { headers: admin, body: { can_send: 1 } });
    const ok = await t.mail('POST', '/api/send', { headers: member.headers, body: { from: memberBox, to: 'x@outside.test', subject: 's', text: 't' } });
    assert.equal(ok.status, 200, ok.text);
    await sink.waitFor(1);

    await t.mail('POST', '/api/mailboxes/change-password', { headers: admin, body: { address: memberBox, new_password: 'Mailbox-pass-2026' } });
    await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin, body: { address: memberBox, can_login: true } });
    const mailbox = await mailLoginOk(t, memberBox, 'Mailbox-pass-2026');
    assertError(
      await t.mail('POST', '/api/send', { headers: mailbox, body: { from: memberBox, to: 'x@outside.test', subject: 's', text: 't' } }),
      403,
      'cannot_send',
    );
    assert.equal(sink.messages.length, 1);
  });

  it('header injection (CR/LF in subject, fromName or a recipient) is refused and nothing is sent', async () => {
    const before = await sentRows();
    const base = { from: ownerBox, to: 'x@outside.test', subject: 'fine', text: 'body' };
    const attempts = [
      { ...base, subject: 'hi\r\nBcc: victim@outside.test' },
      { ...base, subject: 'hi\nBcc: victim@outside.test' },
      { ...base, subject: 'hi\rX-Evil: 1' },
      { ...base, fromName: 'Name\r\nBcc: victim@outside.test' },
      { ...base, fromName: 'Evil" <boss@outside.test>' },
      { ...base, to: 'x@outside.test\r\nBcc: victim@outside.test' },
      { ...base, to: 'x@outside.test\nbcc: victim@outside.test' },
      { ...base, to: 'Name <x@outside.test>' },
      { ...base, to: ['x@outside.test\r\nBcc: victim@outside.test'] },
      { ...base, from: `${ownerBox}\r\nBcc: victim@outside.test` },
      { ...base, to: 'not-an-address' },
    ];
    for (const body of attempts) {
      const res = await t.mail('POST', '/api/send', { headers: owner.headers, body });
      assert.ok(res.status === 400 || res.status === 422, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.equal(typeof res.body.error, 'string');
    }
    assertError(
      await t.mail('POST', '/api/send', { headers: owner.headers, body: { from: ownerBox, to: 'x@outside.test', subject: 'no body' } }),
      400,
      'empty_message',
    );
    assert.equal(await sentRows(), before);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sink.messages.length, 0);
  });

  it('a relay that refuses: status failed with an error, no mail.sent event', async () => {
    sink.refuse = true;
    const res = await t.mail('POST', '/api/send', {
      headers: owner.headers,
      body: { from: ownerBox, to: 'refused@outside.test', subject: 'refused', text: 'x' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'failed');
    const status = await t.mail('GET', `/api/send/${res.body.id}`, { headers: owner.headers });
    assert.equal(status.body.status, 'failed');
    assert.equal(typeof status.body.error, 'string');
    assert.equal((await eventRows(t, 'mail.sent')).filter((e) => e.payload.sent_id === res.body.id).length, 0);
    const list = await t.mail('GET', `/api/sent?from=${ownerBox}`, { headers: owner.headers });
    assert.equal(list.body.find((x: any) => x.resend_id === res.body.id).status, 'failed');
  });

  it('/api/send/batch: a result per item, in order; a bad item does not stop the others', async () => {
    const res = await t.mail('POST', '/api/send/batch', {
      headers: owner.headers,
      body: [
        { from: ownerBox, to: 'one@outside.test', subject: 'b1', text: '1' },
        { from: otherBox, to: 'two@outside.test', subject: 'b2', text: '2' },
        { from: ownerBox, to: 'three@outside.test', subject: 'b3', text: '3' },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true);
    assert.equal(res.body.result.length, 3);
    assert.equal(res.body.result[0].status, 'sent');
    assert.equal(typeof res.body.result[1].error, 'string');
    assert.equal(res.body.result[1].code, 'mailbox_not_found');
    assert.equal(res.body.result[2].status, 'sent');
    const got = await sink.waitFor(2);
    assert.deepEqual(got.map((m) => m.parsed.subject).sort(), ['b1', 'b3']);
    // Only bad items: success false.
    const bad = await t.mail('POST', '/api/send/batch', { headers: owner.headers, body: [{ from: otherBox, to: 'x@outside.test', subject: 's', text: 't' }] });
    assert.equal(bad.body.success, false);
    // A header-injection item fails validation for the whole batch.
    assert.ok(
      [400, 422].includes(
        (await t.mail('POST', '/api/send/batch', { headers: owner.headers, body: [{ from: ownerBox, to: 'x@outside.test', subject: 'a\r\nb: c', text: 't' }] }))
          .status,
      ),
    );
    assertError(await t.mail('POST', '/api/send/batch', { headers: owner.headers, body: [] }), 400);
  });

  describe('scheduled sends', () => {
    // The root token does not expire as the manual clock moves on.
    let box: string;
    before(async () => {
      box = await createMailbox(t, { headers: root }, unique('sched'));
    });
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const schedule = async (subject: string, when: string) => {
      const res = await t.mail('POST', '/api/send', {
        headers: root,
        body: { from: box, to: 'later@outside.test', subject, text: subject, scheduledAt: when },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'scheduled');
      return res.body.id as string;
    };
    const runJob = async () => {
      const outcome = await t.app.scheduler.runNow('mail.send-scheduled');
      return outcome;
    };
    const subjects = () => sink.messages.map((m) => m.parsed.subject);

    it('nothing goes before scheduledAt; after it the job sends it exactly once', async () => {
      const id = await schedule('sched-once', at(HOUR));
      const status = await t.mail('GET', `/api/send/${id}`, { headers: root });
      assert.equal(status.body.status, 'scheduled');
      assert.equal(status.body.scheduled_at, seed(at(HOUR)));
      await runJob();
      clock.advance(HOUR - 1000);
      await runJob();
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(subjects(), []);
      assert.equal((await t.mail('GET', `/api/send/${id}`, { headers: root })).body.status, 'scheduled');

      clock.advance(2000);
      await runJob();
      await runJob();
      await sink.waitFor(1);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(subjects(), ['sched-once']);
      const done = await t.mail('GET', `/api/send/${id}`, { headers: root });
      assert.equal(done.body.status, 'sent');
      assert.equal(done.body.sent_at, seed(clock.now().toISOString()));
      assert.equal((await eventRows(t, 'mail.sent')).filter((e) => e.payload.sent_id === id).length, 1);
    });

    it('PATCH /api/send/:id re-schedules; POST /cancel cancels (never sent); a sent one cannot change (409)', async () => {
      const moved = await schedule('sched-moved', at(HOUR));
      const canceled = await schedule('sched-canceled', at(HOUR));
      const patchedAt = at(3 * HOUR);
      const patch = await t.mail('PATCH', `/api/send/${moved}`, { headers: root, body: { scheduledAt: patchedAt } });
      assert.equal(patch.status, 200, patch.text);
      assert.equal(patch.body.scheduled_at, seed(patchedAt));
      assertError(await t.mail('PATCH', `/api/send/${moved}`, { headers: root, body: { scheduledAt: at(-HOUR) } }), 400, 'bad_schedule');
      const cancel = await t.mail('POST', `/api/send/${canceled}/cancel`, { headers: root });
      assert.equal(cancel.status, 200, cancel.text);
      assert.equal((await t.mail('GET', `/api/send/${canceled}`, { headers: root })).body.status, 'canceled');
      assertError(await t.mail('POST', `/api/send/${canceled}/cancel`, { headers: root }), 409, 'not_scheduled');

      clock.advance(2 * HOUR);
      await runJob();
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(subjects(), [], 'neither the moved nor the canceled one went');
      clock.advance(2 * HOUR);
      await runJob();
      await runJob();
      await sink.waitFor(1);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(subjects(), ['sched-moved']);
      assert.equal((await t.mail('GET', `/api/send/${canceled}`, { headers: root })).body.status, 'canceled');

      assertError(await t.mail('PATCH', `/api/send/${moved}`, { headers: root, body: { scheduledAt: at(HOUR) } }), 409, 'not_scheduled');
      assertError(await t.mail('POST', `/api/send/${moved}/cancel`, { headers: root }), 409, 'not_scheduled');
      assertError(await t.mail('PATCH', `/api/send/${moved}`, { headers: root, body: { status: 'canceled' } }), 409, 'not_scheduled');
      assertError(await t.mail('GET', '/api/send/msg_000000000000000000000000', { headers: root }), 404);
      assertError(await t.mail('PATCH', '/api/send/msg_000000000000000000000000', { headers: root, body: { status: 'canceled' } }), 404);
      assertError(await t.mail('GET', '/api/send/not-an-id', { headers: root }), 400);
    });

    it('the mail.send action takes the input POST /api/send takes: scheduledAt holds it; what the route refuses, it refuses', async () => {
      const actions = t.app.container.resolve('actions');
      const call = { tenantId: owner.tenantId, meta: {}, logger: t.app.logger };
      const input = { from: ownerBox, to: 'later@outside.test', subject: 'sched-action', text: 'x' };
      const out = await actions.run<{ id: string; status: string }>('mail.send', { ...input, scheduledAt: at(HOUR) }, call);
      assert.equal(out.status, 'scheduled');
      const row = await t.db('mail_sent').where('public_id', out.id).first();
      assert.equal(row.status, 'scheduled');
      assert.equal(row.scheduled_at, at(HOUR));
      await assert.rejects(actions.run('mail.send', { ...input, subject: 'a\r\nBcc: x@outside.test' }, call), /input\.subject/);
      await assert.rejects(actions.run('mail.send', { ...input, bcc: 'x@outside.test' }, call), /input\.bcc is not allowed/);
      await assert.rejects(actions.run('mail.send', { ...input, scheduledAt: 'tomorrow' }, call), /input\.scheduledAt/);
      assert.equal((await t.mail('POST', `/api/send/${out.id}/cancel`, { headers: root })).status, 200);
    });

    it('scheduledAt in the past sends at once; a bad date is 400', async () => {
      const res = await t.mail('POST', '/api/send', {
        headers: root,
        body: { from: box, to: 'x@outside.test', subject: 'past', text: 'x', scheduledAt: at(-HOUR) },
      });
      assert.equal(res.body.status, 'sent', res.text);
      assert.ok(
        [400, 422].includes(
          (await t.mail('POST', '/api/send', { headers: root, body: { from: box, to: 'x@outside.test', subject: 'bad', text: 'x', scheduledAt: 'tomorrow' } }))
            .status,
        ),
      );
    });
  });
});

describe('mail: sending and billing (emails_sent_per_month)', () => {
  let t: MailApp;
  before(async () => {
    t = await startRelayApp({ billing: true });
  });
  after(async () => t?.close());

  it('counts every recipient; past the free plan’s 100 a send is refused with 402 and nothing recorded', async () => {
    const owner = await registerOwner(t);
    const box = await createMailbox(t, owner);
    const to = (n: number, label: string) => Array.from({ length: n }, (_, i) => `${label}${i}@outside.test`);
    const send = (recipients: string[]) =>
      t.mail('POST', '/api/send', { headers: owner.headers, body: { from: box, to: recipients, subject: 's', text: 't' } });
    assert.equal((await send(to(50, 'a'))).status, 200);
    assert.equal((await send(to(49, 'b'))).status, 200);
    const before = await count(t.db('mail_sent'));
    const over = await send(to(2, 'c'));
    assertError(over, 402);
    assert.match(over.body.error, /emails_sent_per_month/);
    assert.equal(await count(t.db('mail_sent')), before, 'the refused send is not recorded');
    assert.equal((await send(to(1, 'd'))).status, 200, 'the 100th recipient fits');
    assertError(await send(to(1, 'e')), 402);
    // A batch reports the refusal per item.
    const batch = await t.mail('POST', '/api/send/batch', { headers: owner.headers, body: [{ from: box, to: 'f@outside.test', subject: 's', text: 't' }] });
    assert.equal(batch.body.success, false);
    assert.match(batch.body.result[0].error, /emails_sent_per_month/);

    // Another tenant has its own allowance.
    const other = await registerOwner(t);
    const otherBox = await createMailbox(t, other);
    assert.equal(
      (await t.mail('POST', '/api/send', { headers: other.headers, body: { from: otherBox, to: 'g@outside.test', subject: 's', text: 't' } })).status,
      200,
    );
  });
});
