// SMTP protocol edges the receiver must hold: only CRLF.CRLF ends DATA (no "SMTP smuggling" with a
// bare-LF dot), and pipelined commands after a message are commands, not mail.
import assert from 'node:assert/strict';
import net from 'node:net';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

function converse(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    let i = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.on('data', (chunk) => {
      out += chunk;
      // Send the next line after each reply line (a 220 greeting, 250, 354, …).
      const replies = out.split('\r\n').filter((l) => /^\d{3} /.test(l)).length;
      while (i < lines.length && i < replies) socket.write(lines[i++]);
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
});
