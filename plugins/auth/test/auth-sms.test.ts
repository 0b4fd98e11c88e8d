import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { MINUTE, authApp } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface SmsCodes {
  send(phone: string, purpose: string, ip: string): Promise<{ expires_in: number }>;
  verify(phone: string, code: string, purpose: string): Promise<void>;
}

let phoneSeq = 0;
const newPhone = () => `+4915${String(Date.now() % 1e6).padStart(6, '0')}${String(phoneSeq++).padStart(3, '0')}`;
let ipSeq = 0;
const newIp = () => `203.0.113.${++ipSeq}`;

const rejectsWith = (promise: Promise<unknown>, status: number, code: string) =>
  assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.deepEqual([err.status, err.code], [status, code], err.message);
    return true;
  });

describe('auth: SMS one-time codes (the smsCodes service)', () => {
  const clock = new ManualClock('2026-08-01T10:00:00.000Z');
  let t: TestApp;
  let sms: SmsCodes;
  before(async () => {
    t = await authApp({ clock, auth: { sms: { perPhonePerHour: 3, perIpPerHour: 4 } } });
    sms = t.app.container.resolve<SmsCodes>('smsCodes');
  });
  after(async () => t?.close());

  /** Sends a code and reads it back from the SMS outbox. */
  async function sendCode(phone: string, purpose = 'login', ip = newIp()): Promise<string> {
    const res = await sms.send(phone, purpose, ip);
    assert.deepEqual(res, { expires_in: 300 });
    const row = await t.app.db('auth_sms_outbox').where('phone', phone).orderBy('id', 'desc').first();
    const code = /\b(\d{6})\b/.exec(row.body)?.[1];
    assert.ok(code, `no code in ${row.body}`);
    return code;
  }
  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const codeRow = (phone: string) => t.app.db('auth_sms_codes').where('phone', phone).orderBy('id', 'desc').first();

  it('sends a 6-digit code, kept in auth_sms_outbox; the code itself is stored only hashed', async () => {
    const phone = newPhone();
    const ip = newIp();
    const code = await sendCode(phone, 'login', ip);
    assert.match(code, /^\d{6}$/);
    const out = await t.app.db('auth_sms_outbox').where('phone', phone).first();
    assert.equal(out.provider, 'log');
    assert.equal(out.status, 'stored');
    assert.match(out.body, /expires in 5 minutes/);
    const row = await codeRow(phone);
    assert.equal(row.code_hash, sha256(`${phone}:${code}`));
    assert.ok(!Object.values(row).some((v) => String(v) === code), 'the raw code is not in auth_sms_codes');
    assert.equal(row.attempts, 0);
    assert.equal(row.ip, ip);
    assert.equal(row.expires_at, new Date(clock.now().getTime() + 5 * MINUTE).toISOString());
  });

  it('the right code verifies once', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    await sms.verify(phone, code, 'login');
    assert.ok((await codeRow(phone)).used_at);
    await rejectsWith(sms.verify(phone, code, 'login'), 400, 'invalid_code');
  });

  it('a wrong code: 400 invalid_code and one attempt counted', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    await rejectsWith(sms.verify(phone, wrongCode(code), 'login'), 400, 'invalid_code');
    await rejectsWith(sms.verify(phone, 'abcdef', 'login'), 400, 'invalid_code');
    assert.equal((await codeRow(phone)).attempts, 2);
    await sms.verify(phone, code, 'login');
  });

  it('5 wrong codes: too_many_attempts, even with the right one after', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    for (let i = 0; i < 5; i++) await rejectsWith(sms.verify(phone, wrongCode(code), 'login'), 400, 'invalid_code');
    await rejectsWith(sms.verify(phone, code, 'login'), 400, 'too_many_attempts');
    assert.equal((await codeRow(phone)).used_at, null);
  });

  it('parallel guesses cannot get past the attempt limit', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    const guesses = Array.from({ length: 30 }, () => {
      let guess: string;
      do guess = String(randomInt(0, 1_000_000)).padStart(6, '0');
      while (guess === code);
      return sms.verify(phone, guess, 'login').then(
        () => 'ok',
        (err: AppError) => err.code,
      );
    });
    const results = await Promise.all(guesses);
    assert.equal(results.filter((r) => r === 'invalid_code').length, 5, results.join(','));
    assert.equal(results.filter((r) => r === 'too_many_attempts').length, 25);
    assert.equal((await codeRow(phone)).attempts, 5);
    await rejectsWith(sms.verify(phone, code, 'login'), 400, 'too_many_attempts');
  });

  it('expires after 5 minutes (ManualClock)', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    clock.advance(5 * MINUTE + 1000);
    await rejectsWith(sms.verify(phone, code, 'login'), 400, 'invalid_code');
  });

  it('is good until just before 5 minutes', async () => {
    const phone = newPhone();
    const code = await sendCode(phone);
    clock.advance(4 * MINUTE + 59_000);
    await sms.verify(phone, code, 'login');
  });

  it('a new code retires the old one', async () => {
    const phone = newPhone();
    const first = await sendCode(phone);
    const second = await sendCode(phone);
    const rows = await t.app.db('auth_sms_codes').where('phone', phone).orderBy('id');
    assert.ok(rows[0].used_at, 'the first is retired');
    if (first !== second) await rejectsWith(sms.verify(phone, first, 'login'), 400, 'invalid_code');
    await sms.verify(phone, second, 'login');
  });

  it('a code is only good for its purpose', async () => {
    const phone = newPhone();
    const code = await sendCode(phone, 'login');
    await rejectsWith(sms.verify(phone, code, 'bind-phone'), 400, 'invalid_code');
    await sms.verify(phone, code, 'login');
  });

  it('per-phone cap: past perPhonePerHour sends, 429 with Retry-After', async () => {
    const phone = newPhone();
    for (let i = 0; i < 3; i++) await sms.send(phone, 'login', newIp());
    await assert.rejects(sms.send(phone, 'login', newIp()), (err: AppError) => {
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limited');
      assert.ok(Number(err.headers?.['Retry-After']) > 0);
      return true;
    });
    assert.equal((await t.app.db('auth_sms_outbox').where('phone', phone)).length, 3, 'nothing sent past the cap');
  });

  it('per-IP cap: past perIpPerHour sends from one address, 429', async () => {
    const ip = newIp();
    for (let i = 0; i < 4; i++) await sms.send(newPhone(), 'login', ip);
    const phone = newPhone();
    await rejectsWith(sms.send(phone, 'login', ip), 429, 'rate_limited');
    assert.equal(await t.app.db('auth_sms_outbox').where('phone', phone).first(), undefined);
    await sms.send(phone, 'login', newIp());
  });

  it('a malformed phone number: 400 validation_error, nothing sent', async () => {
    await rejectsWith(sms.send('12345', 'login', newIp()), 400, 'validation_error');
    await rejectsWith(sms.send('+49 151 1234567', 'login', newIp()), 400, 'validation_error');
  });

  it('no code sent: invalid_code', async () => {
    await rejectsWith(sms.verify(newPhone(), '123456', 'login'), 400, 'invalid_code');
  });
});
