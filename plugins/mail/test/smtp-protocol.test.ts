// SMTP protocol edges the receiver must hold: only CRLF.CRLF ends DATA (no "SMTP smuggling" with a
// bare-LF dot), pipelined commands after a message are commands, not mail, and a pipelined group's
// replies come in order.
import assert from 'node:assert/strict';
import net from 'node:net';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

/** A line to send once `after` replies are in (by default, one reply for each line before it plus the greeting). */
type Step = string | { send: string; after: number };

/** Sends each step once its replies are in; resolves with the whole transcript when the server closes. */
function converse(port: number, steps: Step[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    let i = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.on('data', (chunk) => {
      out += chunk;
      const replies = out.split('\r\n').filter((l) => /^\d{3} /.test(l)).length;
      for (let step = steps[i]; step !== undefined && replies >= (typeof step === 'string' ? i + 1 : step.after); step = steps[i]) {
        socket.write(typeof step === 'string' ? step : step.send);
        i++;
      }
    });
  });
}

describe('mail: SMTP protocol edges', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      plugins: ['auth', 'mail'],
      settings: {
        auth: { admin: { email: 'root@smtp.test', password: 'Sup3r-secret-pass' } },
        mail: { domains: [{ name: 'edge.test', createOnFirstMail: true }] },
      },
    });
  });
  after(async () => t?.close());

  it('a bare-LF dot does not end DATA: the "smuggled" second message stays inside the first', async () => {
    const port = t.app.container.resolve('smtpPort');
    const transcript = await converse(port, [
      'EHLO client\r\n',
      'MAIL FROM:<a@sender.test>\r\n',
      'RCPT TO:<victim@edge.test>\r\n',
      'DATA\r\n',
      'Subject: first\r\n\r\nhello\n.\nMAIL FROM:<spoof@bank.test>\r\nRCPT TO:<other@edge.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n',
      'QUIT\r\n',
    ]);
    assert.match(transcript, /354 /);
    assert.equal((transcript.match(/^250 OK: stored/gm) ?? []).length, 1, transcript);
    const rows = await t.app.db('mail_emails').select('subject');
    assert.deepEqual(
      rows.map((r) => r.subject),
      ['first'],
    );
    assert.equal(await t.app.db('mail_mailboxes').where('address', 'other@edge.test').first(), undefined, 'no mailbox was made for the smuggled recipient');
  });

  it('pipelined MAIL, RCPT and DATA (RFC 2920) get their replies in order, and the message is stored', async () => {
    const port = t.app.container.resolve('smtpPort');
    // The group in one write after EHLO's reply; the message after the 354 (the fifth reply), QUIT after its 250.
    const transcript = await converse(port, [
      'EHLO client\r\n',
      'MAIL FROM:<a@sender.test>\r\nRCPT TO:<piped@edge.test>\r\nDATA\r\n',
      { send: 'Subject: pipelined\r\n\r\nhello\r\n.\r\n', after: 5 },
      { send: 'QUIT\r\n', after: 6 },
    ]);
    const lines = transcript.split('\r\n').filter(Boolean);
    const finals = lines.filter((l) => /^\d{3} /.test(l)).map((l) => l.slice(0, 3));
    assert.deepEqual(finals.slice(0, 6), ['220', '250', '250', '250', '354', '250'], lines.join('\n'));
    assert.match(lines.find((l) => l.startsWith('250 OK: stored'))!, /stored as \d+/);
    const row = await t.app.db('mail_emails').where('subject', 'pipelined').first();
    assert.ok(row, 'the message was stored');
  });
});
