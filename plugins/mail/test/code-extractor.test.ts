import assert from 'node:assert/strict';
import { candidates, extractVerificationCode, KEYWORD_AT, keywordMatches, type Span } from '../services/code-extractor.js';
import { CODE_SAMPLES } from './code-samples.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createMailbox, inbox, send, startMailApp, type MailApp } from './helpers.js';

describe('mail: verification codes (unit, realistic samples)', () => {
  it('has a broad sample set', () => {
    assert.ok(CODE_SAMPLES.length >= 25);
    assert.ok(CODE_SAMPLES.filter((s) => s.code === null).length >= 10, 'plenty of negatives');
  });

  for (const sample of CODE_SAMPLES) {
    it(`${sample.name} → ${sample.code ?? 'none'}`, () => {
      assert.equal(extractVerificationCode(sample.subject, sample.text), sample.code);
    });
  }

  it('codes in groups come back as typed, without separators; groups that differ are not a code', () => {
    assert.equal(extractVerificationCode('Verify', 'Your verification code is 284-613.'), '284613');
    assert.equal(extractVerificationCode('Verify', 'Your code:\n\n123 456\n'), '123456');
    assert.equal(extractVerificationCode('Verify', 'Your code:\n5 8 1 9 2 7\n'), '581927');
    assert.equal(extractVerificationCode('Verify', 'Confirmation code: QX7-K4M'), 'QX7K4M');
    assert.equal(extractVerificationCode('Verify', 'Your code is ３８４１２６'), '384126');
    assert.equal(extractVerificationCode('Help', 'Did not get your code? Call 555-0199.'), null);
    assert.equal(extractVerificationCode('Offer', 'Enter your access code: 1 500 000 points await.'), null);
  });

  it('a bare PIN counts only in a mail about signing in, verifying or a transaction', () => {
    assert.equal(extractVerificationCode('Ihre PIN', 'Ihre PIN für die Anmeldung lautet 4821.'), '4821');
    assert.equal(extractVerificationCode('Your booking', 'Confirmation number: 4012.558.213\nPIN code: 9021\nCheck-in from 15:00.'), null);
  });

  it('a code-like token longer than 8 or shorter than 4 is not a code', () => {
    assert.equal(extractVerificationCode('Your code', 'Your verification code is 123.'), null);
    assert.equal(extractVerificationCode('Your code', 'Your verification code is 1234567890.'), null);
  });

  it('bounded work on a large hostile body', () => {
    const body = `code ${'1234 '.repeat(20_000)}${'a'.repeat(100_000)}`;
    const started = Date.now();
    extractVerificationCode('code', body);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});

/** Texts dense in code words, tokens, compounds and separators, from a seeded generator (the same every run). */
function scanTexts(count: number): string[] {
  let seed = 20261128;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const pieces = [
    ...['code', 'Code:', 'codes', 'PIN', 'OTP', 'passcode', 'Bestätigungscode', 'barcode', 'promo code', 'mot de passe', 'код', '验证码', '인증 코드'],
    ...['4821', '12 34 56', '1 2 3 4', '284-613', 'QX7-K4M', 'AB12', '2024', '1234 5678', '12 345 678', 'ab-12-cd', 'ſ1234', 'K9K9', '３８４１'],
    ...['lorem ipsum dolor sit amet', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'the', 'é', '—', '(', '#', '$', '.', ',', ':', '-', ' ', ' ', '\n', '\t'],
    // long runs without a character that ends a token: a scan restarted inside one would split a match
    ...['12 34 56 78 12 34 56 78 12 34 56 78 12 34 56 78 12 34 56 78', 'ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234 ſ1234'],
    'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore',
  ];
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(random() * 80) }, () => pick(pieces)).join(pick(['', ' ', ' ', '\n'])));
}

describe('mail: verification codes, the scans near keywords', () => {
  const texts = scanTexts(3000);

  it('find the keywords a scan of the whole text finds', () => {
    const wholeScan = new RegExp(KEYWORD_AT.source, 'giu');
    for (const text of texts) {
      const near = keywordMatches(text).map((m) => [m.index, m[0], m.groups?.prefix]);
      const whole = [...text.matchAll(wholeScan)].map((m) => [m.index, m[0], m.groups?.prefix]);
      assert.deepEqual(near, whole, JSON.stringify(text));
    }
  });

  it('find every token within reach of a keyword that a scan of the whole text finds, and nothing else', () => {
    let compared = 0;
    for (const text of texts) {
      const keywords: Span[] = keywordMatches(text).map((m) => ({ start: m.index, end: m.index + m[0].length }));
      if (!keywords.length) continue;
      const whole = [...candidates(text, [{ start: 0, end: text.length }])];
      const near = [...candidates(text, keywords)];
      const key = (c: { code: string; start: number; end: number }) => `${c.start}:${c.end}:${c.code}`;
      const wholeKeys = new Set(whole.map(key));
      for (const c of near) assert.ok(wholeKeys.has(key(c)), `${key(c)} is not what the whole scan finds in ${JSON.stringify(text)}`);
      const nearKeys = new Set(near.map(key));
      const inReach = (c: Span) => keywords.some((k) => (c.start >= k.end && c.start - k.end <= 80) || (c.end <= k.start && k.start - c.end <= 80));
      for (const c of whole.filter(inReach)) assert.ok(nearKeys.has(key(c)), `${key(c)} missed in ${JSON.stringify(text)}`);
      compared += whole.filter(inReach).length;
    }
    assert.ok(compared > 1000, `${compared} tokens within reach`);
  });
});

describe('mail: verification codes end to end over SMTP', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  const picks = CODE_SAMPLES.filter((s) =>
    /GitHub|Chinese 验证码|Japanese 認証|Korean 인증번호 in|Spanish código|Russian код подтверждения|order confirmation|Chinese bank/.test(s.name),
  );

  it('picks a handful across languages (and negatives)', () => assert.ok(picks.length >= 8, String(picks.length)));

  for (const sample of picks) {
    it(`${sample.name}: listed with verification_code ${sample.code ?? 'null'}`, async () => {
      const address = await createMailbox(t, owner);
      await send(t, { to: address, subject: sample.subject, text: sample.text });
      const [item] = await inbox(t, owner, address);
      assert.equal(item.subject, sample.subject);
      assert.equal(item.verification_code, sample.code);
    });
  }

  it('an HTML-only message: the code is found in the HTML', async () => {
    const address = await createMailbox(t, owner);
    await send(t, {
      to: address,
      subject: 'Confirm your email',
      html:
        '<html><head><style>.c{color:#1a2b3c;font-size:32px}</style></head><body><p>Your verification code:</p><table><tr><td ' +
        'class="c">&nbsp;739104&nbsp;</td></tr></table><p>&copy; 2024 Example</p></body></html>',
    });
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '739104');
  });

  it('an HTML-only mail in minified table cells: cells and rows stay apart in the stored text, the code is found', async () => {
    const address = await createMailbox(t, owner);
    const html =
      '<!DOCTYPE html><html><head><style>td{font-family:Arial;color:#3c4043}</style></head><body><table width="100%"><tr><td><table width="600">' +
      '<tr><td>CloudVault</td></tr><tr><td>Use the code below to finish signing in:</td></tr><tr><td style="font-size:30px">903174</td></tr>' +
      '<tr><td>If you didn&rsquo;t try to sign in, ignore this email.</td></tr><tr><td>Requested</td><td>Mar 14, 2025</td></tr></table></td></tr></table>' +
      '<div>CloudVault Inc.</div><div>1 Main St</div><p>Unsubscribe</p><ul><li>Help</li><li>Privacy</li></ul></body></html>';
    await send(t, { to: address, subject: 'Your CloudVault sign-in code', html });
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '903174');
    assert.match(item.preview, /^CloudVault Use the code below to finish signing in: 903174 If you/);
    const one = await t.mail('GET', `/api/email/${item.id}`, { headers: owner.headers });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.verification_code, '903174');
    const lines = one.body.content.split('\n').filter((line: string) => line.trim());
    assert.deepEqual(lines.slice(0, 5), [
      'CloudVault',
      'Use the code below to finish signing in:',
      '903174',
      'If you didn’t try to sign in, ignore this email.',
      'Requested Mar 14, 2025',
    ]);
    assert.doesNotMatch(one.body.content, /903174If|font-family|#3c4043/, 'no glued cells, no stylesheet');
    assert.match(one.body.content, /CloudVault Inc\.\n1 Main St\n/);
    assert.match(one.body.html_content, /<td style="font-size:30px">903174<\/td>/, 'the HTML is kept as sent (sanitized)');
  });

  it('an HTML-only mail with the code one digit per cell, dashed and spaced codes in text', async () => {
    const address = await createMailbox(t, owner);
    const boxes = [...'581927'].map((d) => `<td style="border:1px solid #ddd">${d}</td>`).join('');
    await send(t, {
      to: address,
      subject: 'Your login code',
      html: `<table><tr><td>Here is your login code:</td></tr><tr><td><table><tr>${boxes}</tr></table></td></tr></table>`,
    });
    await send(t, { to: address, subject: 'Verification', text: 'Your verification code is 284-613.' });
    await send(t, { to: address, subject: 'Your single-use code', text: 'Your single-use code is:\n\n123 456\n\nDon’t share it.' });
    const codes = (await inbox(t, owner, address)).map((item) => item.verification_code).sort();
    assert.deepEqual(codes, ['123456', '284613', '581927']);
  });

  it('an HTML-only mail nested deeper than the renderer walks is rendered plainly, blocks still apart', async () => {
    const address = await createMailbox(t, owner);
    const deep =
      `${'<div>'.repeat(1500)}<table><tr><td>Your code:</td></tr><tr><td>&nbsp;640218&nbsp;</td></tr><tr><td>Expires ` +
      `soon</td></tr></table>${'</div>'.repeat(1500)}`;
    await send(t, { to: address, subject: 'Sign in', html: `<html><head><style>td{color:#ff0000}</style></head><body>${deep}</body></html>` });
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '640218');
    const one = await t.mail('GET', `/api/email/${item.id}`, { headers: owner.headers });
    assert.equal(one.body.content, 'Your code:\n640218\nExpires soon');
  });

  it('a code in a quoted-printable, base64-encoded Chinese message', async () => {
    const address = await createMailbox(t, owner);
    await send(t, { to: address, subject: '您的验证码', text: '您的验证码是:615243,请在10分钟内使用。', textEncoding: 'base64' } as any);
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '615243');
  });
});
