import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Mailer } from 'plinth/plugin';
import { mailLanguage, renderMail, type MailTemplate } from 'plinth/plugin';
import { MAILS } from './mail-texts.js';
import { addressKey, type LimitSpec, type RateLimits } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import type { AuditLog } from './audit.js';
import { underMfaPolicy } from './mfa-policy.js';
import type { PrincipalCache } from './principal-cache.js';
import { newRecoveryCode, newTotpSecret, qrDataUrl, RECOVERY_CODES, recoveryCodeHash, totpStep, totpUri } from './totp.js';
import type { Db, RequestMeta, UserRow } from './types.js';
import type { Users } from './users.js';
import { AuthErrors } from './errors.js';

/** A second-factor answer: a code from the app, or one of the recovery codes. */
export interface FactorAnswer {
  code?: string;
  recovery_code?: string;
}

export type FactorUsed = 'totp' | 'recovery_code';
/** Why an answer was refused (in the audit row; the client is told only that it was wrong). */
export type FactorRefusal = 'wrong_code' | 'replayed_code' | 'wrong_recovery_code' | 'no_factor';

export interface FactorStatus {
  enabled: boolean;
  /** Enrolment begun (a secret was shown) but not yet confirmed with a code. */
  pending: boolean;
  confirmed_at: string | null;
  recovery_codes_left: number;
  /** The server's policy requires this user to have a second factor. */
  required: boolean;
  policy: AuthSettings['mfa']['require'];
}

/** What SecondFactors is built from, passed by name. */
/** What second factors need of sessions (services/sessions.ts): ending a user's others when a factor changes. */
export interface SessionEnding {
  revokeAllSessions(trx: Db, userId: string, reason: string, keep?: string): Promise<string[]>;
  invalidateSessions(ids: string[]): Promise<void>;
}

export interface SecondFactorsDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  settings: AuthSettings;
  users: Users;
  sessions: SessionEnding;
  audit: AuditLog;
  cache: PrincipalCache;
  mailer: Mailer;
  rateLimits: RateLimits;
}

/**
 * A user's second factor (TOTP) and its recovery codes: enrol (a secret shown once, confirmed with
 * a code), disable, new recovery codes, the operator's reset, and checking an answer. A code is
 * accepted once per time step (RFC 6238 §5.2), a recovery code once. Every guess spends from the
 * account's budget before it is checked, as a password does (sessions.ts).
 */
export class SecondFactors {
  /** Per account (a stolen session must not become an oracle), then per address. */
  readonly budgets: { account: LimitSpec; ip: LimitSpec };

  constructor(private readonly deps: SecondFactorsDeps) {
    const l = deps.settings.limits;
    this.budgets = {
      account: { bucket: 'auth.mfa.account', points: l.loginFailuresPerAccountIp, durationSeconds: l.loginFailureWindowMinutes * 60 },
      ip: { bucket: 'auth.mfa.ip', points: l.loginPerIpPerMinute, durationSeconds: 60 },
    };
  }

  /** Has a confirmed factor (the table, not the cached flag: this decides whether a sign-in is challenged). */
  async enabled(userId: string, trx: Db = this.deps.db): Promise<boolean> {
    return Boolean(await trx('auth_mfa_totp').where('user_id', userId).whereNotNull('confirmed_at').first('user_id'));
  }

  async status(userId: string): Promise<FactorStatus> {
    const user = await this.deps.users.byId(userId);
    if (!user) throw AppError.forbidden('only a user has a second factor');
    const row = await this.deps.db('auth_mfa_totp').where('user_id', user.id).first('confirmed_at');
    const [{ n }] = await this.deps.db('auth_mfa_recovery_codes').where('user_id', user.id).whereNull('used_at').count({ n: '*' });
    return {
      enabled: Boolean(row?.confirmed_at),
      pending: Boolean(row && !row.confirmed_at),
      confirmed_at: row?.confirmed_at ?? null,
      recovery_codes_left: row?.confirmed_at ? Number(n) : 0,
      required: underMfaPolicy(user, this.deps.settings.mfa.require),
      policy: this.deps.settings.mfa.require,
    };
  }

  /** Spends one guess of the account's (and the address's) budget: 429 past it. */
  async spend(userId: string, ip: string): Promise<void> {
    await this.deps.rateLimits.consume(this.budgets.ip, addressKey(ip));
    await this.deps.rateLimits.consume(this.budgets.account, userId);
  }

  async refund(userId: string): Promise<void> {
    await this.deps.rateLimits.reset(this.budgets.account, userId);
  }

  /**
   * Checks an answer in `trx` and spends it: the code's time step becomes the last accepted one,
   * the recovery code is marked used (audited). A refusal changes nothing.
   */
  async check(trx: Db, user: UserRow, answer: FactorAnswer, meta: RequestMeta): Promise<{ ok: true; used: FactorUsed } | { ok: false; reason: FactorRefusal }> {
    const now = this.deps.clock.now();
    if (answer.recovery_code !== undefined) {
      const claimed = affected(
        await trx('auth_mfa_recovery_codes')
          .where({ user_id: user.id, code_hash: recoveryCodeHash(answer.recovery_code) })
          .whereNull('used_at')
          .update({ used_at: now.toISOString() }),
      );
      if (claimed !== 1 || !(await this.enabled(user.id, trx))) return { ok: false, reason: 'wrong_recovery_code' };
      const [{ n }] = await trx('auth_mfa_recovery_codes').where('user_id', user.id).whereNull('used_at').count({ n: '*' });
      await this.deps.audit.record(
        { action: 'auth.mfa.recovery_code_used', actor: actorOf(user), target: { type: 'user', id: user.id }, meta, details: { left: Number(n) } },
        trx,
      );
      return { ok: true, used: 'recovery_code' };
    }
    const row = await trx('auth_mfa_totp').where('user_id', user.id).whereNotNull('confirmed_at').first('secret');
    if (!row) return { ok: false, reason: 'no_factor' };
    const step = totpStep(row.secret, answer.code ?? '', now);
    if (step === null) return { ok: false, reason: 'wrong_code' };
    // Only a newer step than the last accepted one: the same code again, or an older one still in the window, is a replay.
    const moved = affected(
      await trx('auth_mfa_totp')
        .where('user_id', user.id)
        .where((w) => w.whereNull('last_step').orWhere('last_step', '<', step))
        .update({ last_step: step }),
    );
    return moved === 1 ? { ok: true, used: 'totp' } : { ok: false, reason: 'replayed_code' };
  }

  /**
   * A signed-in user's own change that needs a current answer (disable, new recovery codes): the
   * guess is budgeted, the answer checked and `change` made in one transaction; a refusal is
   * audited after it (the audit log's own writes wait for the connection it holds) and is a 401.
   */
  private async proven<T>(
    user: UserRow,
    answer: FactorAnswer,
    meta: RequestMeta,
    purpose: string,
    change: (trx: Db, used: FactorUsed) => Promise<T>,
  ): Promise<T> {
    await this.spend(user.id, meta.ip);
    const outcome = await this.deps.db.transaction(async (trx) => {
      const result = await this.check(trx, user, answer, meta);
      return result.ok ? { ok: true as const, value: await change(trx, result.used) } : result;
    });
    if (!outcome.ok) {
      await this.deps.audit.record({
        action: 'auth.mfa.code_refused',
        actor: actorOf(user),
        target: { type: 'user', id: user.id },
        meta,
        details: { purpose, reason: outcome.reason },
      });
      throw AuthErrors.totpCodeInvalid();
    }
    await this.refund(user.id);
    return outcome.value;
  }

  /** Starts (or starts over) enrolment: a new secret, shown this once, as a QR code, a URI and text. */
  async enroll(principal: Principal): Promise<{ secret: string; otpauth_uri: string; qr_code: string; algorithm: 'SHA1'; digits: 6; period: 30 }> {
    const user = await this.ownUser(principal);
    if (await this.enabled(user.id)) throw AuthErrors.mfaAlreadyEnabled('turn it off first to use another app');
    const secret = newTotpSecret();
    const now = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      await trx('auth_mfa_totp').where('user_id', user.id).delete();
      await trx('auth_mfa_totp').insert({ user_id: user.id, secret, confirmed_at: null, last_step: null, created_at: now });
    });
    const uri = totpUri(secret, user.email ?? user.username ?? user.phone ?? user.id, this.deps.settings.mfa.issuer);
    return { secret, otpauth_uri: uri, qr_code: await qrDataUrl(uri), algorithm: 'SHA1', digits: 6, period: 30 };
  }

  /**
   * The first code from the app turns the factor on and gives the ten recovery codes (shown once).
   * The user's other sessions end: each was opened without the second step.
   */
  async confirm(principal: Principal, code: string, meta: RequestMeta): Promise<{ recovery_codes: string[] }> {
    const user = await this.ownUser(principal);
    const row = await this.deps.db('auth_mfa_totp').where('user_id', user.id).first('secret', 'confirmed_at');
    if (!row) throw AuthErrors.mfaNotEnrolling();
    if (row.confirmed_at) throw AuthErrors.mfaAlreadyEnabled();
    await this.spend(user.id, meta.ip);
    const now = this.deps.clock.now();
    const step = totpStep(row.secret, code, now);
    const { codes, ended } = await this.deps.db.transaction(async (trx) => {
      const claimed =
        step !== null &&
        affected(await trx('auth_mfa_totp').where('user_id', user.id).whereNull('confirmed_at').update({ confirmed_at: now.toISOString(), last_step: step }));
      if (claimed !== 1) return { codes: null, ended: [] };
      await trx('auth_users').where('id', user.id).update({ mfa_enabled: true, updated_at: now.toISOString() });
      const fresh = await this.replaceRecoveryCodes(trx, user.id);
      await this.deps.audit.record(
        { action: 'auth.mfa.enabled', actor: principal, target: { type: 'user', id: user.id }, meta, details: { method: 'totp' } },
        trx,
      );
      const ids = await this.deps.sessions.revokeAllSessions(trx, user.id, 'mfa_enabled', principal.attributes?.sessionId as string | undefined);
      return { codes: fresh, ended: ids };
    });
    if (!codes) {
      await this.deps.audit.record({
        action: 'auth.mfa.code_refused',
        actor: principal,
        target: { type: 'user', id: user.id },
        meta,
        details: { purpose: 'enroll' },
      });
      throw AuthErrors.totpCodeInvalid();
    }
    await this.refund(user.id);
    await this.afterChange(user.id, ended);
    return { recovery_codes: codes };
  }

  /** Turns the factor off with a current code or a recovery code; the user is mailed. */
  async disable(principal: Principal, answer: FactorAnswer, meta: RequestMeta): Promise<FactorStatus> {
    const user = await this.ownUser(principal);
    if (!(await this.enabled(user.id))) throw AuthErrors.mfaNotEnabled();
    await this.proven(user, answer, meta, 'disable', async (trx, used) => {
      await this.remove(trx, user.id);
      await this.deps.audit.record(
        { action: 'auth.mfa.disabled', actor: principal, target: { type: 'user', id: user.id }, meta, details: { with: used } },
        trx,
      );
    });
    await this.afterChange(user.id, []);
    this.mail(user, MAILS.mfaDisabled);
    return this.status(user.id);
  }

  /** Ten new recovery codes (the old ones stop working), with a current code or a recovery code. */
  async regenerate(principal: Principal, answer: FactorAnswer, meta: RequestMeta): Promise<{ recovery_codes: string[] }> {
    const user = await this.ownUser(principal);
    if (!(await this.enabled(user.id))) throw AuthErrors.mfaNotEnabled();
    const codes = await this.proven(user, answer, meta, 'recovery_codes', async (trx, used) => {
      const fresh = await this.replaceRecoveryCodes(trx, user.id);
      await this.deps.audit.record(
        { action: 'auth.mfa.recovery_codes_replaced', actor: principal, target: { type: 'user', id: user.id }, meta, details: { with: used } },
        trx,
      );
      return fresh;
    });
    return { recovery_codes: codes };
  }

  /**
   * The operator's reset (a user who lost their device): factor and recovery codes removed, every
   * session of the user ended, audited, and the user mailed. Under the policy they enrol again at
   * their next sign-in.
   */
  async reset(actor: Principal, userId: string, meta: RequestMeta): Promise<UserRow> {
    const user = await this.deps.users.byId(userId);
    if (!user) throw AppError.notFound('user not found');
    const ended = await this.deps.db.transaction(async (trx) => {
      const had = await this.enabled(user.id, trx);
      await this.remove(trx, user.id);
      await this.deps.audit.record(
        { action: 'auth.mfa.reset', actor, tenantId: user.tenant_id, target: { type: 'user', id: user.id }, meta, details: { had_factor: had } },
        trx,
      );
      return this.deps.sessions.revokeAllSessions(trx, user.id, 'mfa_reset');
    });
    await this.afterChange(user.id, ended);
    this.mail(user, MAILS.mfaReset);
    return (await this.deps.users.byId(user.id))!;
  }

  private async remove(trx: Db, userId: string): Promise<void> {
    await trx('auth_mfa_totp').where('user_id', userId).delete();
    await trx('auth_mfa_recovery_codes').where('user_id', userId).delete();
    await trx('auth_mfa_challenges').where('user_id', userId).whereNull('used_at').update({ used_at: this.deps.clock.now().toISOString() });
    await trx('auth_users').where('id', userId).update({ mfa_enabled: false, updated_at: this.deps.clock.now().toISOString() });
  }

  private async replaceRecoveryCodes(trx: Db, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    const now = this.deps.clock.now().toISOString();
    await trx('auth_mfa_recovery_codes').where('user_id', userId).delete();
    await trx('auth_mfa_recovery_codes').insert(codes.map((code) => ({ user_id: userId, code_hash: recoveryCodeHash(code), used_at: null, created_at: now })));
    return codes;
  }

  /** After the commit: the cached user (mfa_enabled decides the policy) and ended sessions, on every instance. */
  private async afterChange(userId: string, endedSessions: string[]): Promise<void> {
    await this.deps.cache.invalidate('user', userId);
    await this.deps.sessions.invalidateSessions(endedSessions);
  }

  /** Only the user themselves, signed in (not with an API key: a key must not add or remove a sign-in factor). */
  private async ownUser(principal: Principal): Promise<UserRow> {
    if (principal.kind !== 'user') throw AppError.forbidden('two-factor sign-in is set up from a signed-in session, not with an API key or token');
    const user = await this.deps.users.byId(principal.id);
    if (!user) throw AppError.unauthorized();
    return user;
  }

  /** In the user's language, else the server's default. */
  private mail(user: UserRow, template: MailTemplate): void {
    if (!user.email) return;
    const { subject, text } = renderMail(template, mailLanguage(user.language, this.deps.settings.mailLanguage));
    this.deps.mailer.send({ to: user.email, subject, text }).catch((err: unknown) => this.deps.logger.error({ err }, `could not send "${subject}"`));
  }
}

/** The user as the actor of their own audit rows (before a session exists: a challenge). */
export const actorOf = (user: UserRow): Principal => ({
  kind: 'user',
  id: user.id,
  tenantId: user.tenant_id,
  roles: [user.role],
  scopes: [],
  name: user.email ?? user.username ?? user.phone ?? user.id,
});
