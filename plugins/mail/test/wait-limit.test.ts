// GET /mail/api/emails/wait holds a socket per call: one caller may hold at most
// longPollMaxPerPrincipal (2 here) at once. Past it, 429 in the face's envelope; the slot comes
// back however a wait ends (mail arrives, it times out, the client goes away, an error).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, createMailbox, send, startMailApp, type MailApp } from './helpers.js';
import { mailServices } from '../services/own.js';

describe('mail: concurrent long-polls per caller (longPollMaxPerPrincipal: 2)', function () {
  this.timeout(60_000);
  let t: MailApp;
  let owner: Actor;
  let boxes: string[];
  const held: AbortController[] = [];
  before(async () => {
    t = await startMailApp({ mail: { longPollMaxPerPrincipal: 2 } });
    owner = await registerOwner(t);
    boxes = [await createMailbox(t, owner), await createMailbox(t, owner)];
  });
  after(async () => {
    held.forEach((a) => a.abort());
    await t?.close();
  });

  const waitPath = (mailbox: string, timeout: number, since = 0) => `/api/emails/wait?mailbox=${encodeURIComponent(mailbox)}&since=${since}&timeout=${timeout}`;

  /** Starts a long wait with its own abort handle; resolves with the reply, or 'aborted'. */
  function hold(actor: Actor, mailbox: string, since = 0) {
    const abort = new AbortController();
    held.push(abort);
    const reply = fetch(`${t.url}/mail${waitPath(mailbox, 30, since)}`, { headers: actor.headers, signal: abort.signal }).then(
      async (res) => ({ status: res.status, body: await res.json() }),
      () => 'aborted' as const,
    );
    return { abort, reply };
  }

  /** Resolves once `n` more waits listen for mail than `before` (they are in, holding their slot). */
  async function listening(before: number, n: number): Promise<void> {
    const ingest = mailServices.of(t.app).ingest;
    for (let i = 0; i < 200 && ingest.waiting < before + n; i++) await sleep(25);
    assert.equal(ingest.waiting, before + n);
  }
  const listeners = () => mailServices.of(t.app).ingest.waiting as number;

  it(
    'the 3rd concurrent wait is a 429 (too_many_waits, Retry-After) while another caller is unaffected; each way a wait ends gives its slot ' + 'back',
    async () => {
      const base = listeners();
      const a = hold(owner, boxes[0]);
      const b = hold(owner, boxes[1]);
      await listening(base, 2);

      const third = await t.mail('GET', waitPath(boxes[0], 30), { headers: owner.headers });
      const body = assertError(third, 429, 'too_many_waits');
      assert.match(body.error, /at most 2/);
      assert.equal(third.headers.get('retry-after'), '1');

      const other = await registerOwner(t);
      const theirs = await createMailbox(t, other);
      const free = await t.mail('GET', waitPath(theirs, 0), { headers: other.headers });
      assert.equal(free.status, 200, free.text);

      // Mail arrives: wait A answers with it, and its slot is free by the time the reply is read.
      await send(t, { to: boxes[0], subject: 'the code', text: 'Your code is 441122' });
      const arrived = await a.reply;
      assert.ok(arrived !== 'aborted');
      assert.equal(arrived.status, 200);
      assert.deepEqual(
        arrived.body.map((e: any) => e.verification_code),
        ['441122'],
      );

      // Timeout: a 1-second wait is accepted (A's slot), answers [] and gives the slot back too.
      const timedOut = await t.mail('GET', waitPath(boxes[0], 1, arrived.body[0].id), { headers: owner.headers });
      assert.equal(timedOut.status, 200, timedOut.text);
      assert.deepEqual(timedOut.body, []);
      const afterTimeout = await t.mail('GET', waitPath(boxes[0], 1, arrived.body[0].id), { headers: owner.headers });
      assert.equal(afterTimeout.status, 200, afterTimeout.text);

      // Errors: waits on a mailbox the caller cannot see are 404, and hold nothing afterwards.
      for (let i = 0; i < 3; i++) assertError(await t.mail('GET', waitPath(theirs, 5), { headers: owner.headers }), 404);

      // Client abort: with B and C holding both slots, a 3rd is refused; B's client goes away, then
      // a wait is accepted again (polled briefly: the server sees the close asynchronously).
      const c = hold(owner, boxes[0], arrived.body[0].id);
      await listening(base, 2);
      assertError(await t.mail('GET', waitPath(boxes[1], 0), { headers: owner.headers }), 429, 'too_many_waits');
      b.abort.abort();
      assert.equal(await b.reply, 'aborted');
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await t.mail('GET', waitPath(boxes[1], 0), { headers: owner.headers })).status;
        if (status !== 200) await sleep(50);
      }
      assert.equal(status, 200, 'a wait is accepted once the aborted one let go');
      c.abort.abort();
      await c.reply;
    },
  );
});
