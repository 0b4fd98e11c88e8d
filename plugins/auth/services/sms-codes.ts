import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { affected } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { injectTrace } from 'plinth/plugin';
import { addressKey, type RateLimits } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import { sameSecret, sha256, sixDigitCode } from 'plinth/plugin';
import { AuthErrors } from './errors.js';
import type { SmsCodeSender } from '../api.js';

/** Delivers one text message; the outbox row records what happened either way. */
export interface SmsProvider {
  readonly name: string;
  send(phone: string, body: string): Promise<void>;
}

/** The default: nothing leaves the machine; the message is logged and kept in auth_sms_outbox. */
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}
  async send(phone: string): Promise<void> {
    this.logger.info({ phone }, 'SMS kept in the outbox (log provider)');
  }
}

export interface HttpSmsProviderDeps {
  url: string;
  token: string | null;
}

/** Production: POSTs `{ to, message }` as JSON to an HTTP SMS gateway, with a bearer token. */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  constructor(private readonly deps: HttpSmsProviderDeps) {}
  async send(phone: string, body: string): Promise<void> {
    const res = await fetch(this.deps.url, {
      method: 'POST',
      // The gateway sees the trace of the sign-in that sent the code (W3C traceparent).
      headers: injectTrace({ 'content-type': 'application/json', ...(this.deps.token ? { authorization: `Bearer ${this.deps.token}` } : {}) }),
      body: JSON.stringify({ to: phone, message: body }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
  }
}

export const PHONE = /^\+?[1-9]\d{6,14}$/;

/** What SmsCodes is built from, passed by name. */
export interface SmsCodesDeps {
  db: Knex;
  clock: Clock;
  settings: AuthSettings['sms'];
  provider: SmsProvider;
  rateLimits: RateLimits;
}

/**
 * One-time SMS codes for other plugins' phone logins: 6 digits, 5 minutes, 5 tries per code,
 * a new code retires the previous one, sends capped per phone and per IP.
 */
export class SmsCodes implements SmsCodeSender {
  constructor(private readonly deps: SmsCodesDeps) {}

  async send(phone: string, purpose: string, ip: string): Promise<{ expires_in: number }> {
    if (!PHONE.test(phone)) throw AppError.validation([{ path: 'body.phone', message: 'must be a phone number in international format' }], 400);
    await this.deps.rateLimits.consume({ bucket: 'auth.sms.ip', points: this.deps.settings.perIpPerHour, durationSeconds: 3600 }, addressKey(ip));
    await this.deps.rateLimits.consume({ bucket: 'auth.sms.phone', points: this.deps.settings.perPhonePerHour, durationSeconds: 3600 }, phone);
    const now = this.deps.clock.now();
    const code = sixDigitCode();
    const body = `Your verification code is ${code}. It expires in ${Math.round(this.deps.settings.codeTtlSeconds / 60)} minutes.`;
    const outboxId = await this.deps.db.transaction(async (trx) => {
      await trx('auth_sms_codes').where({ phone, purpose }).whereNull('used_at').update({ used_at: now.toISOString() });
      await trx('auth_sms_codes').insert({
        phone,
        purpose,
        code_hash: sha256(`${phone}:${code}`),
        expires_at: new Date(now.getTime() + this.deps.settings.codeTtlSeconds * 1000).toISOString(),
        ip,
        created_at: now.toISOString(),
      });
      const [row] = await trx('auth_sms_outbox')
        .insert({ phone, body, provider: this.deps.provider.name, status: 'stored', created_at: now.toISOString() })
        .returning('id');
      return typeof row === 'object' ? row.id : row;
    });
    try {
      await this.deps.provider.send(phone, body);
      if (this.deps.provider.name !== 'log') await this.deps.db('auth_sms_outbox').where('id', outboxId).update({ status: 'sent' });
    } catch (err) {
      await this.deps
        .db('auth_sms_outbox')
        .where('id', outboxId)
        .update({ status: 'failed', error: (err as Error).message });
      throw AuthErrors.smsFailed();
    }
    return { expires_in: this.deps.settings.codeTtlSeconds };
  }

  /** Consumes the code or throws 400 (wrong, expired, too many tries). */
  async verify(phone: string, code: string, purpose: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const row = await this.deps.db('auth_sms_codes').where({ phone, purpose }).whereNull('used_at').orderBy('id', 'desc').first();
    if (!row || row.expires_at <= now) throw AuthErrors.smsCodeInvalid();
    // Every try is counted before the code is compared, in one conditional UPDATE, so parallel
    // guesses cannot all pass a check that was read before any of them was counted.
    const tried = affected(
      await this.deps
        .db('auth_sms_codes')
        .where('id', row.id)
        .whereNull('used_at')
        .where('attempts', '<', this.deps.settings.maxAttempts)
        .increment('attempts', 1),
    );
    if (tried === 0) {
      const current = await this.deps.db('auth_sms_codes').where('id', row.id).first('used_at');
      if (current?.used_at) throw AuthErrors.smsCodeInvalid();
      throw AuthErrors.smsTooManyAttempts();
    }
    if (!/^\d{6}$/.test(code) || !sameSecret(row.code_hash, sha256(`${phone}:${code}`))) {
      throw AuthErrors.smsCodeWrong();
    }
    const claimed = affected(await this.deps.db('auth_sms_codes').where('id', row.id).whereNull('used_at').update({ used_at: now }));
    if (!claimed) throw AuthErrors.smsCodeInvalid();
  }
}
