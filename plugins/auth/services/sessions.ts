import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventBus } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import { addressKey, type RateLimits, type LimitSpec, type LimitState } from 'plinth/plugin';
import { registrationMode, type AuthSettings } from '../config.js';
import type { AuditLog } from './audit.js';
import type { Passwords } from './passwords.js';
import type { PrincipalCache } from './principal-cache.js';
import { sha256 } from 'plinth/plugin';
import { RefreshRotation, type TokenPair } from './refresh-rotation.js';
import type { JwtSigner } from './jwt-signer.js';
import { normalizeEmail, type Users } from './users.js';
import type { Db, RequestMeta, UserRow } from './types.js';
import { loginDelayHeader, loginDelayMs, sleep } from './login-delay.js';
import { isChallenge, type CompletedStep, type SignInResult } from './mfa-challenges.js';
import { AuthErrors } from './errors.js';

export type { LoginResult } from '../api.js';
import type { LoginResult, SessionIssuer } from '../api.js';

const DAY = 86_400_000;
/** An address the user signed in from within this many days passes the account-wide login ceiling. */
const KNOWN_ADDRESS_DAYS = 30;

export type { TokenPair };

/** What Sessions is built from, passed by name. */
export interface SessionsDeps {
  db: Knex;
  clock: Clock;
  settings: AuthSettings;
  signer: JwtSigner;
  passwords: Passwords;
  users: Users;
  audit: AuditLog;
  events: EventBus;
  cache: PrincipalCache;
  rateLimits: RateLimits;
  /** Told of every session opened, after its commit (the new-device mail); must not throw. */
  onSignIn: (user: UserRow, sessionId: string, meta: RequestMeta) => void;
  /** After a sign-in's first step: the session, or the second-factor challenge before it (mfa-challenges.ts). */
  secondStep: (step: CompletedStep) => Promise<SignInResult>;
}

/**
 * Logins and their sessions. A session is one login; its refresh tokens rotate on every use and
 * form a family (refresh-rotation.ts).
 */
export class Sessions implements SessionIssuer {
  private readonly limits: { ip: LimitSpec; accountIp: LimitSpec; account: LimitSpec };
  /** This service's refresh tokens: issued with every access token, rotated on every use. */
  readonly rotation: RefreshRotation;

  constructor(private readonly deps: SessionsDeps) {
    const l = deps.settings.limits;
    this.limits = {
      ip: { bucket: 'auth.login.ip', points: l.loginPerIpPerMinute, durationSeconds: 60 },
      // Failures block for the window, then clear by themselves (no permanent lock-out anyone could
      // trigger): per account and address first, so guessing from ten addresses does not lock the
      // owner out; per account from everywhere as a much higher ceiling, which an address the
      // owner signed in from before still passes (OWASP's advice against account lock-out).
      accountIp: { bucket: 'auth.login.account-ip', points: l.loginFailuresPerAccountIp, durationSeconds: l.loginFailureWindowMinutes * 60 },
      account: { bucket: 'auth.login.account', points: l.loginFailuresPerAccount, durationSeconds: l.loginFailureWindowMinutes * 60 },
    };
    this.rotation = new RefreshRotation({
      db: deps.db,
      clock: deps.clock,
      settings: deps.settings,
      signer: deps.signer,
      users: deps.users,
      audit: deps.audit,
      rateLimits: deps.rateLimits,
      sessions: this,
    });
  }

  /**
   * Email (or username) + password. Unknown account, wrong password: the same 401 after the same
   * hashing work. An address counts as itself (IPv4) or its /64 (IPv6) in the budgets. A user with
   * a second factor gets a challenge instead of a session (mfa-challenges.ts).
   */
  async login(email: string, password: string, meta: RequestMeta, kind: 'api' | 'ui' = 'api'): Promise<SignInResult> {
    const account = normalizeEmail(email);
    const address = addressKey(meta.ip);
    await this.deps.rateLimits.consume(this.limits.ip, address);
    // Every attempt spends from the budgets *before* the password is checked (a success gives the
    // address's back): parallel guesses cannot all pass a check made before any failure was counted.
    const pair = `${account} ${address}`;
    await this.deps.rateLimits.consume(this.limits.accountIp, pair);
    // An email, or a username (the temp-mail face signs users in by name).
    const user = account.includes('@') ? await this.deps.users.byEmail(account) : await this.deps.users.byUsername(account);
    const spent = await this.spendAccountBudget(account, user, meta.ip);
    // The progressive delay comes before the password check, so no reply says sooner that a guess was wrong.
    const delayMs = await this.delayFor(spent, user, meta.ip);
    if (delayMs) await sleep(delayMs);
    const ok = await this.deps.passwords.verify(user?.password_hash ?? null, password);
    if (!user || !ok) {
      await this.deps.audit.record({
        action: 'auth.login_failed',
        actorLabel: account,
        target: user ? { type: 'user', id: user.id } : undefined,
        tenantId: user?.tenant_id ?? null,
        meta,
        details: delayMs ? { delay_ms: delayMs } : undefined,
      });
      throw AuthErrors.credentialsWrong(loginDelayHeader(delayMs));
    }
    await this.deps.rateLimits.reset(this.limits.accountIp, pair);
    if (spent) await this.deps.rateLimits.refund(this.limits.account, account);
    await this.assertActive(user, meta);
    await this.assertVerified(user, meta);
    if (this.deps.passwords.needsRehash(user.password_hash!))
      await this.deps.users.setPasswordHash(this.deps.db, user.id, await this.deps.passwords.hash(password));
    return this.signIn({ user, meta, kind, method: 'password', details: delayMs ? { delay_ms: delayMs } : {} });
  }

  /** The account-wide ceiling; past it, only addresses the user signed in from lately may still try (null: nothing spent). */
  private async spendAccountBudget(account: string, user: UserRow | undefined, ip: string): Promise<LimitState | null> {
    try {
      return await this.deps.rateLimits.consume(this.limits.account, account);
    } catch (err) {
      if (!user || !(await this.signedInFrom(user.id, ip))) throw err;
      return null;
    }
  }

  /**
   * How long this attempt waits: by the account's attempts in the window before it (successes are
   * given back), unless it comes from an address the user signed in from lately, so the owner's
   * usual address is never slowed by someone else's guessing. Unknown accounts wait alike.
   */
  private async delayFor(spent: LimitState | null, user: UserRow | undefined, ip: string): Promise<number> {
    if (!spent) return 0; // past the ceiling from a known address
    const ms = loginDelayMs(this.limits.account.points - spent.remaining - 1, this.deps.settings.limits);
    if (ms && user && (await this.signedInFrom(user.id, ip))) return 0;
    return ms;
  }

  private async signedInFrom(userId: string, ip: string): Promise<boolean> {
    const since = new Date(this.deps.clock.now().getTime() - KNOWN_ADDRESS_DAYS * DAY).toISOString();
    return Boolean(await this.deps.db('auth_sessions').where({ user_id: userId, ip }).where('created_at', '>', since).first('id'));
  }

  /** Refuses suspended users and users of suspended tenants (only after the password proved who they are). */
  async assertActive(user: UserRow, meta: RequestMeta): Promise<void> {
    const tenant = await this.deps.db('auth_tenants').where('id', user.tenant_id).first('status');
    if (user.status !== 'active' || tenant?.status !== 'active') {
      await this.deps.audit.record({
        action: 'auth.login_refused_suspended',
        actorLabel: user.email ?? user.id,
        tenantId: user.tenant_id,
        target: { type: 'user', id: user.id },
        meta,
      });
      throw AuthErrors.accountSuspendedAtSignIn();
    }
  }

  /**
   * An account that registered under `registration: 'verify'` signs in with a password only once
   * its address is verified (a magic link verifies it too: it proves the same mailbox).
   */
  async assertVerified(user: UserRow, meta: RequestMeta): Promise<void> {
    // A superadmin was made by the operator (bootstrap, create-admin, promotion): vouched for.
    if (!user.must_verify_email || user.email_verified_at || user.is_superadmin || registrationMode(this.deps.settings) !== 'verify') return;
    await this.deps.audit.record({
      action: 'auth.login_refused_unverified',
      actorLabel: user.email ?? user.id,
      tenantId: user.tenant_id,
      target: { type: 'user', id: user.id },
      meta,
    });
    throw AuthErrors.emailNotVerified();
  }

  /**
   * A sign-in's first step passed (password, magic link, SMS code): the session for a user without
   * a second factor, a challenge for one with (mfa-challenges.ts). Every way in goes through here.
   */
  signIn(step: CompletedStep): Promise<SignInResult> {
    return this.deps.secondStep(step);
  }

  /**
   * Opens a session for a user who has proven who they are, with every factor they have: call it
   * only once a sign-in is complete (a passkey; or through secondStep, which asks for the code).
   * `details.second_factor` (or method 'passkey') says how the second step was met.
   */
  async startSession(user: UserRow, meta: RequestMeta, kind: 'api' | 'ui', method: string, details: Record<string, unknown> = {}): Promise<LoginResult> {
    const now = this.deps.clock.now();
    const sessionId = randomUUID();
    const lifetime = kind === 'ui' ? this.deps.settings.uiSessionTtlHours * 3_600_000 : this.deps.settings.sessionMaxDays * DAY;
    const pair = await this.deps.db.transaction(async (trx) => {
      await trx('auth_sessions').insert({
        id: sessionId,
        user_id: user.id,
        kind,
        ip: meta.ip,
        user_agent: meta.userAgent.slice(0, 512),
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + lifetime).toISOString(),
        second_factor: method === 'passkey' ? 'passkey' : typeof details.second_factor === 'string' ? details.second_factor : null,
      });
      await trx('auth_users').where('id', user.id).update({ last_login_at: now.toISOString() });
      await this.deps.audit.record(
        {
          action: 'auth.login',
          actor: { kind: 'user', id: user.id, tenantId: user.tenant_id, roles: [user.role], scopes: [], name: user.email ?? user.id },
          meta,
          details: { method, session: kind, ...details },
        },
        trx,
      );
      await this.deps.events.emit(trx, 'auth.login', { user_id: user.id, method }, { tenantId: user.tenant_id });
      return this.rotation.issuePair(trx, user, sessionId, kind);
    });
    this.deps.onSignIn(user, sessionId, meta);
    return {
      ...pair,
      user: { id: user.id, email: user.email, full_name: user.full_name, role: user.role, tenant_id: user.tenant_id },
    };
  }

  async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.deps
      .db('auth_sessions')
      .where('id', sessionId)
      .whereNull('revoked_at')
      .update({ revoked_at: this.deps.clock.now().toISOString(), revoked_reason: reason });
    await this.deps.cache.invalidate('session', sessionId);
  }

  /** Ends every session of a user (optionally keeping one): password reset, password change. */
  async revokeAllSessions(trx: Db, userId: string, reason: string, keep?: string): Promise<string[]> {
    const q = trx('auth_sessions').where('user_id', userId).whereNull('revoked_at');
    if (keep) q.whereNot('id', keep);
    const ids = (await q.clone().pluck('id')) as string[];
    if (ids.length) await trx('auth_sessions').whereIn('id', ids).update({ revoked_at: this.deps.clock.now().toISOString(), revoked_reason: reason });
    return ids;
  }

  async invalidateSessions(ids: string[]): Promise<void> {
    for (const id of ids) await this.deps.cache.invalidate('session', id);
  }

  /** Ends the caller's session, or the one a refresh token of theirs belongs to. */
  async logout(principal: Principal, refreshToken: string | undefined, meta: RequestMeta): Promise<void> {
    let sessionId = principal.attributes?.sessionId as string | undefined;
    if (refreshToken) {
      const row = await this.deps
        .db('auth_refresh_tokens as r')
        .join('auth_sessions as s', 's.id', 'r.session_id')
        .where('r.token_hash', sha256(refreshToken))
        .first('s.id', 's.user_id');
      if (row && row.user_id === principal.id) sessionId = row.id;
    }
    if (sessionId) await this.revokeSession(sessionId, 'logout');
    await this.deps.audit.record({ action: 'auth.logout', actor: principal, target: sessionId ? { type: 'session', id: sessionId } : undefined, meta });
  }

  /**
   * The login response for a user another plugin has authenticated (e.g. by SMS code). A user with
   * a second factor is not signed in by that alone: 403 `mfa_required`, the challenge in the error's
   * details, answered at POST /api/v2/auth/mfa/verify (whose tokens the other face accepts too).
   */
  async issueForUser(userId: string, meta: RequestMeta, method: string): Promise<LoginResult> {
    const user = await this.deps.users.byId(userId);
    if (!user) throw AppError.notFound('user not found');
    await this.assertActive(user, meta);
    const result = await this.signIn({ user, meta, kind: 'api', method });
    if (isChallenge(result)) throw AuthErrors.mfaRequired(result, 'POST /api/v2/auth/mfa/verify');
    return result;
  }
}
