// SMTP protocol edges the receiver must hold: only CRLF.CRLF ends DATA (no "SMTP smuggling" with a
// bare-LF dot), pipelined commands after a message are commands, not mail, and a pipelined group's
// replies come in order.
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

/** Sends `group` in one write once the greeting and EHLO are answered, then `data` after the 354; resolves with every reply line. */
function pipelined(port: number, group: string, data: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let step = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n').filter(Boolean)));
    socket.on('data', (chunk) => {
      text += chunk;
      const finals = text.split('\r\n').filter((l) => /^\d{3} /.test(l));
      // Each line once what it waits for is in: the greeting, EHLO's reply, the 354, the 250 after the message.
      const ready = [finals.length >= 1, finals.length >= 2, finals.some((l) => l.startsWith('354')), finals.length >= 6][step];
      if (!ready) return;
      const line = ['EHLO client\r\n', group, data, 'QUIT\r\n'][step++];
      if (step === 4) socket.end(line);
      else socket.write(line);
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
    const lines = await pipelined(port, 'MAIL FROM:<a@sender.test>\r\nRCPT TO:<piped@edge.test>\r\nDATA\r\n', 'Subject: pipelined\r\n\r\nhello\r\n.\r\n');
    const finals = lines.filter((l) => /^\d{3} /.test(l)).map((l) => l.slice(0, 3));
    assert.deepEqual(finals.slice(0, 6), ['220', '250', '250', '250', '354', '250'], lines.join('\n'));
    assert.match(lines.find((l) => l.startsWith('250 OK: stored'))!, /stored as \d+/);
    const row = await t.app.db('mail_emails').where('subject', 'pipelined').first();
    assert.ok(row, 'the message was stored');
  });
});
