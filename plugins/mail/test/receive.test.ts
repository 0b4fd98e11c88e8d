import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import {
  AUTO_DOMAIN,
  DOMAIN,
  assertError,
  compose,
  count,
  createMailbox,
  inbox,
  loginAdmin,
  rowCounts,
  send,
  sendFails,
  sendRaw,
  smtpDialog,
  startMailApp,
  transport,
  unique,
  type MailApp,
} from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('mail: receiving over SMTP', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp({ mail: { smtp: { maxRecipients: 3, maxMessageBytes: 20 * 1024 } } });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('a message with text, html and an attachment: listed, read in full, downloaded byte for byte', async () => {
    const address = await createMailbox(t, owner);
    const message = {
      from: 'Acme Accounts <no-reply@acme.example>',
      to: address,
      subject: 'Your Acme verification code',
      text: 'Hello,\n\nYour verification code is 482913. It expires in 10 minutes.\n\nAcme',
      html: '<p>Hello,</p><p>Your verification code is <b>482913</b>. It expires in 10 minutes.</p>',
      attachments: [
        { filename: 'report.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' },
        { filename: 'pixel.png', content: PNG, contentType: 'image/png' },
      ],
    };
    const raw = await compose(message);
    const info = await sendRaw(t, raw, address, 'bounce@acme.example');
    assert.deepEqual(info.accepted, [address]);
    assert.match(info.response, /^250 /);

    const list = await inbox(t, owner, address);
    assert.equal(list.length, 1);
    const [item] = list;
    assert.equal(item.sender, 'no-reply@acme.example');
    assert.equal(item.subject, 'Your Acme verification code');
    assert.equal(item.verification_code, '482913');
    assert.match(item.preview, /^Hello, Your verification code is 482913\./);
    assert.equal(item.is_read, 0);
    assert.equal(typeof item.id, 'number');
    assert.ok(!Number.isNaN(Date.parse(item.received_at)));

    const one = await t.mail('GET', `/api/email/${item.id}`, { headers: owner.headers });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.id, item.id);
    assert.equal(one.body.sender, 'no-reply@acme.example');
    assert.equal(one.body.to_addrs, address);
    assert.equal(one.body.subject, message.subject);
    assert.equal(one.body.verification_code, '482913');
    assert.equal(one.body.content.trim(), message.text);
    assert.match(one.body.html_content, /<b>482913<\/b>/);
    assert.equal(one.body.is_read, 1);
    assert.equal(one.body.download, `/mail/api/email/${item.id}/download`, 'the link carries the face base');
    assert.deepEqual(
      one.body.attachments.map((a: any) => ({ filename: a.filename, size: a.size, content_type: a.content_type })),
      [
        { filename: 'report.csv', size: 8, content_type: 'text/csv' },
        { filename: 'pixel.png', size: PNG.length, content_type: 'image/png' },
      ],
    );

    const again = await inbox(t, owner, address);
    assert.equal(again[0].is_read, 1, 'read once, read for good');

    // The link works as given: fetched exactly as returned.
    const download = await fetch(`${t.url}${one.body.download}`, { headers: owner.headers });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-type') ?? '', /^message\/rfc822/);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.ok(bytes.equals(raw), `download differs from what was sent (${bytes.length} vs ${raw.length} bytes)`);
  });

  it('a message with lines starting with dots and 8-bit text survives byte for byte', async () => {
    const address = await createMailbox(t, owner);
    const raw = Buffer.from(
      [
        'From: =?UTF-8?B?5byg5LiJ?= <zhang@outside.test>',
        `To: ${address}`,
        'Subject: =?UTF-8?B?5oKo55qE6aqM6K+B56CB?=',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        '您的验证码是 735102，5 分钟内有效。',
        '.a line that starts with a dot',
        '..two dots',
        '.',
        'trailing spaces   ',
        '',
      ].join('\r\n'),
      'utf8',
    );
    await sendRaw(t, raw, address);
    const [item] = await inbox(t, owner, address);
    assert.equal(item.subject, '您的验证码');
    assert.equal(item.verification_code, '735102');
    const download = await fetch(`${t.url}/mail/api/email/${item.id}/download`, { headers: owner.headers });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(raw));
  });

  it('reads what other senders write: a windows-1251 body in base64, quoted-printable Latin-1 HTML only, an inline image by Content-ID', async () => {
    // windows-1251 puts А…я at 0xC0…0xFF; the digits and spaces are ASCII.
    const cp1251 = (text: string) => Buffer.from([...text].map((c) => (c >= 'А' && c <= 'я' ? 0xc0 + c.charCodeAt(0) - 0x410 : c.charCodeAt(0))));
    /** Sends these lines (CRLF-joined) to a new mailbox; the message as listed and as read. */
    const deliver = async (lines: (to: string) => string[]) => {
      const address = await createMailbox(t, owner);
      await sendRaw(t, lines(address).join('\r\n'), address);
      const [item] = await inbox(t, owner, address);
      const read = await t.mail('GET', `/api/email/${item.id}`, { headers: owner.headers });
      return { item, one: read.body };
    };

    const ru = await deliver((to) => [
      'From: =?windows-1251?B?' + cp1251('Банк').toString('base64') + '?= <bank@outside.test>',
      `To: ${to}`,
      'Subject: =?windows-1251?B?' + cp1251('Вход в банк').toString('base64') + '?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=windows-1251',
      'Content-Transfer-Encoding: base64',
      '',
      cp1251('Ваш код подтверждения: 550421').toString('base64'),
      '',
    ]);
    assert.equal(ru.item.subject, 'Вход в банк');
    assert.equal(ru.item.verification_code, '550421');
    assert.equal(ru.one.content.trim(), 'Ваш код подтверждения: 550421');
    assert.equal(ru.one.sender, 'bank@outside.test');

    const de = await deliver((to) => [
      'From: Shop <shop@outside.test>',
      `To: ${to}`,
      'Subject: =?ISO-8859-1?Q?Best=E4tigung?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="R"',
      '',
      '--R',
      'Content-Type: text/html; charset=ISO-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<table><tr><td>Ihr Best=E4tigungscode:</td></tr><tr><td><b>640213</b></td></tr></table><img src=3D"cid:logo@shop" onerror=3D"alert(1)">',
      '--R',
      'Content-Type: image/png; name="logo.png"',
      'Content-ID: <logo@shop>',
      'Content-Disposition: inline; filename="logo.png"',
      'Content-Transfer-Encoding: base64',
      '',
      PNG.toString('base64'),
      '--R--',
      '',
    ]);
    assert.equal(de.item.subject, 'Bestätigung');
    assert.equal(de.item.verification_code, '640213');
    assert.match(de.one.content, /Ihr Bestätigungscode:\s*\n\s*640213/, 'HTML-only mail is read as text, one table row a line');
    assert.match(de.one.html_content, /<img src="cid:logo@shop" \/?>/, 'kept, its handler removed');
    assert.doesNotMatch(de.one.html_content, /onerror/);
    assert.deepEqual(de.one.attachments, [{ filename: 'logo.png', content_type: 'image/png', size: PNG.length, content_id: 'logo@shop' }]);
  });

  it('POST /mail/receive finds the mailbox inside an address group of the headers', async () => {
    const address = await createMailbox(t, owner);
    const admin = await loginAdmin(t);
    const raw = [
      `From: news@outside.test`,
      'To: undisclosed-recipients:;',
      `Cc: Team: ${address}, other@elsewhere.example;`,
      'Subject: grouped',
      '',
      'code 918273',
      '',
    ].join('\r\n');
    const res = await t.mail('POST', '/receive', { raw, headers: { ...admin.headers, 'content-type': 'message/rfc822' } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      res.body.stored.map((x: { mailbox: string }) => x.mailbox),
      [address],
    );
    assert.equal((await inbox(t, owner, address))[0].verification_code, '918273');
  });

  it('an unknown recipient at a known domain is refused at RCPT with 550', async () => {
    const before = await rowCounts(t);
    const err = await sendFails(send(t, { to: `${unique('nobody')}@${DOMAIN}`, subject: 'hi', text: 'hi' }));
    assert.equal(err.responseCode, 550, String(err));
    assert.equal(err.code, 'EENVELOPE');
    assert.deepEqual(await rowCounts(t), before);
  });

  it('a foreign domain is refused at RCPT with 550 (no relay)', async () => {
    const err = await sendFails(send(t, { to: 'someone@elsewhere.example', subject: 'hi', text: 'hi' }));
    assert.equal(err.responseCode, 550, String(err));
    const sub = await sendFails(send(t, { to: `x@sub.${DOMAIN}`, subject: 'hi', text: 'hi' }));
    assert.equal(sub.responseCode, 550, 'a subdomain of a mail domain is not that domain');
  });

  it('a mixed recipient list: the known mailbox gets it, the unknown one is refused', async () => {
    const address = await createMailbox(t, owner);
    const stranger = `${unique('nobody')}@${DOMAIN}`;
    const info = await send(t, { to: [address, stranger], subject: 'mixed', text: 'mixed' });
    assert.deepEqual(info.accepted, [address]);
    assert.deepEqual(info.rejected, [stranger]);
    assert.equal((info as any).rejectedErrors[0].responseCode, 550);
    assert.equal((await inbox(t, owner, address)).length, 1);
    assert.equal(await count(t.db('mail_mailboxes').where('address', stranger)), 0);
  });

  it('a domain set to createOnFirstMail makes the mailbox on first mail; a superadmin sees it', async () => {
    const address = `${unique('fresh')}@${AUTO_DOMAIN}`;
    assert.equal(await count(t.db('mail_mailboxes').where('address', address)), 0);
    const info = await send(t, { to: address, subject: 'first', text: 'first mail' });
    assert.deepEqual(info.accepted, [address]);
    await send(t, { to: address.toUpperCase(), subject: 'second', text: 'second mail' });
    assert.equal(await count(t.db('mail_mailboxes').where('address', address)), 1, 'one mailbox, case-insensitive');
    const admin = await loginAdmin(t);
    const list = await inbox(t, admin, address);
    assert.deepEqual(
      list.map((e) => e.subject),
      ['second', 'first'],
    );
    const boxes = await t.mail('GET', `/api/mailboxes?domain=${AUTO_DOMAIN}`, { headers: admin.headers });
    assert.ok(boxes.body.some((m: any) => m.address === address));
    // The owner of a tenant does not see a platform-level mailbox.
    assertError(await t.mail('GET', `/api/emails?mailbox=${address}`, { headers: owner.headers }), 404);
  });

  it('past maxRecipients (3) the extras get 452; the first three get the message', async () => {
    const boxes = [];
    for (let i = 0; i < 5; i++) boxes.push(await createMailbox(t, owner));
    const info = await send(t, { to: boxes, subject: 'to five', text: 'to five' });
    assert.deepEqual(info.accepted, boxes.slice(0, 3));
    assert.deepEqual(info.rejected, boxes.slice(3));
    for (const e of (info as any).rejectedErrors) assert.equal(e.responseCode, 452);
    for (const b of boxes.slice(0, 3)) assert.equal((await inbox(t, owner, b)).length, 1);
    for (const b of boxes.slice(3)) assert.equal((await inbox(t, owner, b)).length, 0);
    // One raw copy per stored row (each mailbox owns its copy).
    const ids = (await t.db('mail_emails').whereIn('mailbox_id', t.db('mail_mailboxes').whereIn('address', boxes).select('id')).select('id')).map((r: any) =>
      Number(r.id),
    );
    assert.equal(ids.length, 3);
  });

  it('an oversize message is 552 with nothing stored; the next message on a new connection is accepted', async () => {
    const address = await createMailbox(t, owner);
    const before = await rowCounts(t);
    const big = 'x'.repeat(76) + '\n';
    const err = await sendFails(send(t, { to: address, subject: 'too big', text: big.repeat(400) }));
    assert.equal(err.responseCode, 552, String(err));
    assert.deepEqual(await rowCounts(t), before, 'nothing stored');
    const ok = await send(t, { to: address, subject: 'small', text: 'small' });
    assert.match(ok.response, /^250 /);
    assert.deepEqual(
      (await inbox(t, owner, address)).map((e) => e.subject),
      ['small'],
    );
  });

  it('oversize without a SIZE declaration (the DATA stream itself exceeds it): 552, nothing stored', async () => {
    const address = await createMailbox(t, owner);
    const before = await rowCounts(t);
    const body = `From: a@outside.test\r\nTo: ${address}\r\nSubject: streamed\r\n\r\n${('y'.repeat(998) + '\r\n').repeat(30)}.\r\n`;
    const replies = await smtpDialog(t.smtpPort, [
      'EHLO client.test\r\n',
      'MAIL FROM:<a@outside.test>\r\n',
      `RCPT TO:<${address}>\r\n`,
      'DATA\r\n',
      body,
      'QUIT\r\n',
    ]);
    assert.match(replies[4], /^354 /);
    assert.match(replies[5], /^552 /, replies.join(' | '));
    assert.deepEqual(await rowCounts(t), before);
    // Same connection keeps working after the refusal.
    const again = await smtpDialog(t.smtpPort, [
      'EHLO client.test\r\n',
      'MAIL FROM:<a@outside.test>\r\n',
      `RCPT TO:<${address}>\r\n`,
      'DATA\r\n',
      `Subject: fits\r\n\r\nfits\r\n.\r\n`,
      'QUIT\r\n',
    ]);
    assert.match(again[5], /^250 /, again.join(' | '));
    assert.deepEqual(
      (await inbox(t, owner, address)).map((e) => e.subject),
      ['fits'],
    );
  });

  it('odd messages (NUL bytes, an overlong Message-ID, subject and sender) are stored, and never fail the others committed with them', async () => {
    const address = await createMailbox(t, owner);
    const odd = Buffer.from(
      [
        `From: "${'N'.repeat(400)}" <${'s'.repeat(300)}@outside.test>`,
        `To: ${address}`,
        `Subject: ${'S'.repeat(1200)}`,
        `Message-ID: <${'m'.repeat(1500)}@outside.test>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'a NUL \u0000 in the text; code: 5521',
        '',
      ].join('\r\n'),
      'utf8',
    );
    const normal = Array.from({ length: 6 }, (_, i) => send(t, { to: address, subject: `normal ${i}`, text: 'fine' }));
    const results = await Promise.allSettled([...normal, sendRaw(t, odd, address)]);
    assert.deepEqual(
      results.map((r) => r.status),
      Array(7).fill('fulfilled'),
      JSON.stringify(results.filter((r) => r.status === 'rejected')),
    );
    const list = await inbox(t, owner, address);
    assert.equal(list.length, 7);
    const oddOne = list.find((e) => e.subject.startsWith('SSS'));
    assert.ok(oddOne);
    const full = await t.mail('GET', `/api/email/${oddOne.id}`, { headers: owner.headers });
    assert.match(full.body.content, /a NUL .* in the text/);
    const download = await fetch(`${t.url}/mail/api/email/${oddOne.id}/download`, { headers: owner.headers });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(odd), 'the raw bytes keep everything');
  });

  it('only CRLF.CRLF ends the data: a bare-LF dot cannot smuggle a second message', async () => {
    const address = await createMailbox(t, owner);
    const smuggled = `MAIL FROM:<evil@outside.test>\r\nRCPT TO:<${address}>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n`;
    const body = `Subject: carrier\r\n\r\nbefore\n.\n${smuggled}\r\n.\r\n`;
    const replies = await smtpDialog(t.smtpPort, [
      'EHLO client.test\r\n',
      'MAIL FROM:<a@outside.test>\r\n',
      `RCPT TO:<${address}>\r\n`,
      'DATA\r\n',
      body,
      'QUIT\r\n',
    ]);
    assert.match(replies[5], /^250 /, replies.join(' | '));
    const list = await inbox(t, owner, address);
    assert.deepEqual(
      list.map((e) => e.subject),
      ['carrier'],
      'one message, the smuggled commands stayed inside it',
    );
  });

  it('an over-long command line is refused and nothing is stored', async () => {
    const before = await rowCounts(t);
    const replies = await smtpDialog(t.smtpPort, ['EHLO client.test\r\n', `MAIL FROM:<${'a'.repeat(20_000)}@outside.test>\r\n`]);
    assert.match(replies[2], /^[45]\d\d .*too long/i, replies.join(' | '));
    assert.deepEqual(await rowCounts(t), before);
  });

  it('a pooled connection sends several messages in one session', async () => {
    const address = await createMailbox(t, owner);
    const tr = transport(t, { pool: true, maxConnections: 1 });
    try {
      for (let i = 0; i < 3; i++) await tr.sendMail({ from: 'a@outside.test', to: address, subject: `n${i}`, text: `n${i}` });
    } finally {
      tr.close();
    }
    assert.deepEqual(
      (await inbox(t, owner, address)).map((e) => e.subject),
      ['n2', 'n1', 'n0'],
    );
  });
});
