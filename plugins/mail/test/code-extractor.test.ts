import assert from 'node:assert/strict';
import { extractVerificationCode } from '../services/code-extractor.js';
import { CODE_SAMPLES } from './code-samples.js';
import { createMailbox, inbox, registerOwner, send, startMailApp, type Actor, type MailApp } from './helpers.js';

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

describe('mail: verification codes end to end over SMTP', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  const picks = CODE_SAMPLES.filter((s) => /GitHub|Chinese 验证码|Japanese 認証|Korean 인증번호 in|Spanish código|Russian код подтверждения|order confirmation|Chinese bank/.test(s.name));

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
      html: '<html><head><style>.c{color:#1a2b3c;font-size:32px}</style></head><body><p>Your verification code:</p><table><tr><td class="c">&nbsp;739104&nbsp;</td></tr></table><p>&copy; 2024 Example</p></body></html>',
    });
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '739104');
  });

  it('a code in a quoted-printable, base64-encoded Chinese message', async () => {
    const address = await createMailbox(t, owner);
    await send(t, { to: address, subject: '您的验证码', text: '您的验证码是:615243,请在10分钟内使用。', textEncoding: 'base64' } as any);
    const [item] = await inbox(t, owner, address);
    assert.equal(item.verification_code, '615243');
  });
});
