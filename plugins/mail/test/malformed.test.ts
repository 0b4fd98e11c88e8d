// Malformed MIME is refused for good: SMTP 554 5.6.0 naming the reason (a 451 would have the sender
// retry for days), POST /receive a 422 in the face's envelope; a real fault on our side stays 451.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, createMailbox, inbox, loginAdmin, rowCounts, send, sendFails, sendRaw, startMailApp, type MailApp } from './helpers.js';
import type { AppError } from 'plinth/plugin';
import { mailServices } from '../services/own.js';

const run = promisify(execFile);

const head = (to: string, subject: string) => `From: attacker@outside.test\r\nTo: ${to}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n`;

/** multipart inside multipart, `depth` levels down, a text part at the bottom. */
function deepMultipart(to: string, depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    close = `--b${i}--\r\n` + close;
  }
  return `${head(to, `deep ${depth}`)}${open}Content-Type: text/plain\r\n\r\nbottom\r\n${close}`;
}

function manyParts(to: string, parts: number): string {
  let body = '';
  for (let i = 0; i < parts; i++) body += `--B\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  return `${head(to, `${parts} parts`)}Content-Type: multipart/mixed; boundary="B"\r\n\r\n${body}--B--\r\n`;
}

function manyHeaderLines(to: string, lines: number): string {
  let extra = '';
  for (let i = 0; i < lines; i++) extra += `X-Filler-${i}: some header value\r\n`;
  return `${head(to, `${lines} header lines`)}${extra}\r\nbody\r\n`;
}

/** Sends with Python's smtplib; prints the refusal's code and text as JSON. */
async function sendWithSmtplib(port: number, to: string, message: string): Promise<{ code: number; text: string }> {
  const script = `
import json, smtplib, sys
msg = sys.stdin.buffer.read()
s = smtplib.SMTP('127.0.0.1', ${port}, timeout=30)
try:
    s.sendmail('attacker@outside.test', [${JSON.stringify(to)}], msg)
    print(json.dumps({'code': 250, 'text': 'accepted'}))
except smtplib.SMTPDataError as e:
    print(json.dumps({'code': e.smtp_code, 'text': e.smtp_error.decode()}))
finally:
    try: s.quit()
    except Exception: pass
`;
  const child = run('python3', ['-c', script], { maxBuffer: 1 << 20 });
  child.child.stdin!.end(message);
  return JSON.parse((await child).stdout);
}

/** Per describe: a mail app with these settings, its owner and one mailbox, closed after. */
function withMailbox(options: Parameters<typeof startMailApp>[0]): { t: MailApp; owner: Actor; address: string } {
  const box = {} as { t: MailApp; owner: Actor; address: string };
  before(async () => {
    box.t = await startMailApp(options);
    box.owner = await registerOwner(box.t);
    box.address = await createMailbox(box.t, box.owner);
  });
  after(async () => box.t?.close());
  return box;
}

describe('mail: malformed MIME is refused for good', function () {
  this.timeout(120_000);
  const box = withMailbox({ mail: { smtp: { maxMessageBytes: 8 * 1024 * 1024 } } });

  const cases: Array<[string, (to: string) => string, RegExp]> = [
    ['a 1,000-deep multipart', (to) => deepMultipart(to, 1000), /MIME parts nested more than 256 deep/],
    ['a 5,000-deep multipart', (to) => deepMultipart(to, 5000), /MIME parts nested more than 256 deep/],
    ['2,000 parts', (to) => manyParts(to, 2000), /more than 1000 MIME parts/],
    // The header bytes of every part count together: 50,000 small parts pass the limit on headers first.
    ['50,000 parts', (to) => manyParts(to, 50_000), /MIME headers over 262144 bytes/],
    ['100,000 header lines', (to) => manyHeaderLines(to, 100_000), /MIME headers over 262144 bytes/],
  ];

  for (const [name, build, reason] of cases) {
    it(`${name}: 554 5.6.0 naming the reason (nodemailer), nothing stored`, async () => {
      const before = await rowCounts(box.t);
      const err = await sendFails(sendRaw(box.t, build(box.address), box.address));
      assert.ok((err.responseCode ?? 0) >= 500, `a permanent code, got ${err.responseCode}: ${err.response}`);
      assert.equal(err.responseCode, 554, String(err.response));
      assert.match(String(err.response), /^554 5\.6\.0 malformed message: /);
      assert.match(String(err.response), reason);
      assert.deepEqual(await rowCounts(box.t), before);
    });
  }

  it('Python smtplib gets the same permanent refusal for a 5,000-deep multipart', async () => {
    const before = await rowCounts(box.t);
    const reply = await sendWithSmtplib(box.t.smtpPort, box.address, deepMultipart(box.address, 5000));
    assert.ok(reply.code >= 500, JSON.stringify(reply));
    assert.equal(reply.code, 554);
    assert.match(reply.text, /^5\.6\.0 malformed message: MIME parts nested more than 256 deep/);
    assert.deepEqual(await rowCounts(box.t), before);
  });

  it('a deep but legal multipart (under the nesting limit) is stored as usual', async () => {
    const reply = await sendWithSmtplib(box.t.smtpPort, box.address, deepMultipart(box.address, 200));
    assert.equal(reply.code, 250, JSON.stringify(reply));
    assert.ok((await inbox(box.t, box.owner, box.address)).some((e) => e.subject === 'deep 200'));
  });

  it('POST /mail/receive: a 1,000-deep multipart is a 422 in the face envelope (with ?to= and from the headers), not a 500', async () => {
    const admin = await loginAdmin(box.t);
    const before = await rowCounts(box.t);
    for (const query of [`?to=${encodeURIComponent(box.address)}`, '']) {
      const res = await box.t.mail('POST', `/receive${query}`, {
        raw: deepMultipart(box.address, 1000),
        headers: { ...admin.headers, 'content-type': 'message/rfc822' },
      });
      const body = assertError(res, 422, 'malformed_message');
      assert.match(body.error, /MIME parts nested more than 256 deep/);
    }
    const lines = await box.t.mail('POST', `/receive?to=${encodeURIComponent(box.address)}`, {
      raw: manyHeaderLines(box.address, 100_000),
      headers: { ...admin.headers, 'content-type': 'message/rfc822' },
    });
    assert.match(assertError(lines, 422, 'malformed_message').error, /MIME headers over 262144 bytes/);
    assert.deepEqual(await rowCounts(box.t), before);
  });

  it('a fault on our side (the database table is gone) stays a temporary 451; mail flows again once it is back', async () => {
    const before = await rowCounts(box.t);
    await box.t.db.schema.renameTable('mail_raw', 'mail_raw_away');
    try {
      const err = await sendFails(send(box.t, { to: box.address, subject: 'during the outage', text: 'x' }));
      assert.equal(err.responseCode, 451, String(err.response));
    } finally {
      await box.t.db.schema.renameTable('mail_raw_away', 'mail_raw');
    }
    assert.deepEqual(await rowCounts(box.t), before, 'nothing half-written');
    const ok = await send(box.t, { to: box.address, subject: 'after the outage', text: 'x' });
    assert.match(ok.response, /^250 /);
  });
});

/** ~0.9 MB of HTML tags: legal, but about a second of sanitising on a development machine. */
const slowHtml = (to: string) => `${head(to, 'slow to parse')}Content-Type: text/html\r\n\r\n${'<div><span title="a">x</span></div>'.repeat(25_000)}\r\n`;

describe('mail: the parse runs in a worker thread, within its time budget', function () {
  this.timeout(120_000);
  const box = withMailbox({ mail: { smtp: { parseTimeoutMs: 100, parseWorkers: 1 } } });

  it('a parse past parseTimeoutMs: a temporary 451 (its worker is stopped), nothing stored; a fresh worker stores the next message', async () => {
    const before = await rowCounts(box.t);
    const err = await sendFails(sendRaw(box.t, slowHtml(box.address), box.address));
    assert.equal(err.responseCode, 451, String(err.response));
    assert.match(String(err.response), /took too long to parse/);
    assert.deepEqual(await rowCounts(box.t), before, 'nothing stored for it');

    // A 100 ms budget is tight on a busy machine; a real sender retries a 451, and so does this one.
    let ok: Awaited<ReturnType<typeof send>> | undefined;
    for (let attempt = 1; !ok; attempt++) {
      ok = await send(box.t, { to: box.address, subject: 'after the slow one', text: 'your code is 482913' }).catch((err) => {
        if (attempt >= 3 || err.responseCode !== 451) throw err;
        return undefined;
      });
    }
    assert.match(ok.response, /^250 /);
    const mail = (await inbox(box.t, box.owner, box.address)).find((e) => e.subject === 'after the slow one');
    assert.ok(mail, 'the next message was stored');
    assert.equal(mail.verification_code, '482913');
  });

  it('a message handed over behind a slow one is not failed with it: only the slow one times out, a fresh worker prepares the rest', async () => {
    const { preparer } = mailServices.of(box.t.app);
    const quick = (i: number) => Buffer.from(`${head(box.address, `queued ${i}`)}Content-Type: text/plain\r\n\r\nyour code is ${700100 + i}\r\n`);
    // All four are with the one worker at once (it takes several at a time), the slow one first.
    const slow = preparer.prepare(Buffer.from(slowHtml(box.address)), 'attacker@outside.test');
    const behind = [1, 2, 3].map((i) => preparer.prepare(quick(i), 'attacker@outside.test'));
    await assert.rejects(slow, (err: AppError) => err.code === 'parse_timeout');
    const prepared = await Promise.all(behind);
    assert.deepEqual(
      prepared.map((p) => [p.subject, p.code]),
      [1, 2, 3].map((i) => [`queued ${i}`, String(700100 + i)]),
    );
  });

  it('a message inside a larger buffer (as small ones sit in Node’s buffer pool) is prepared from its own bytes, and that buffer stays whole', async () => {
    const { preparer } = mailServices.of(box.t.app);
    const text = `${head(box.address, 'pooled')}Content-Type: text/plain\r\n\r\nyour code is 700200\r\n`;
    const shared = Buffer.alloc(16_384, 'Z');
    const offset = 4_000;
    shared.write(text, offset);
    const message = shared.subarray(offset, offset + Buffer.byteLength(text));
    const prepared = await preparer.prepare(message, 'attacker@outside.test');
    assert.deepEqual([prepared.subject, prepared.code], ['pooled', '700200']);
    assert.doesNotMatch(prepared.text, /ZZ/, 'nothing of the bytes around it');
    // Moving the shared buffer itself to the worker would detach it under every other view of it.
    assert.equal(shared.byteLength, 16_384, 'the buffer it sits in is not detached');
    assert.equal(message.toString(), text, 'the message is still readable where it was (it is stored from there)');
  });
});

describe('mail: the parse worker refuses malformed MIME', function () {
  this.timeout(60_000);
  // The default time budget: a busy machine must not turn this refusal into a timeout.
  const box = withMailbox({ mail: { smtp: { parseWorkers: 1 } } });

  it('malformed MIME is still a 554 from the worker, with the reason', async () => {
    const err = await sendFails(sendRaw(box.t, manyParts(box.address, 2000), box.address));
    assert.equal(err.responseCode, 554, String(err.response));
    assert.match(String(err.response), /^554 5\.6\.0 malformed message: more than 1000 MIME parts/);
  });
});

describe('mail: parseWorkers 0 parses on the main thread', function () {
  this.timeout(60_000);
  const box = withMailbox({ mail: { smtp: { parseWorkers: 0 } } });

  it('stores mail with its code and refuses malformed MIME with the same 554', async () => {
    const ok = await send(box.t, { to: box.address, subject: 'inline', text: 'your code is 771204' });
    assert.match(ok.response, /^250 /);
    assert.equal((await inbox(box.t, box.owner, box.address)).find((e) => e.subject === 'inline')?.verification_code, '771204');
    const err = await sendFails(sendRaw(box.t, manyParts(box.address, 2000), box.address));
    assert.equal(err.responseCode, 554, String(err.response));
  });
});
