import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import type { AuditLog } from './audit.js';
import { underMfaPolicy } from './mfa-policy.js';
import type { FactorAnswer, SecondFactors } from './second-factor.js';
import type { LoginResult, MfaChallenge } from '../api.js';
import type { RequestMeta, UserRow } from './types.js';
import type { Users } from './users.js';
import { AuthErrors } from './errors.js';

export type SessionKind = 'api' | 'ui';

export type { MfaChallenge } from '../api.js';

/** A session, or a challenge standing before it. */
export type SignInResult = LoginResult | MfaChallenge;

export const isChallenge = (r: SignInResult): r is MfaChallenge => 'mfa_required' in r && r.mfa_required === true;

/** A sign-in whose first step passed: who, from where, for which kind of session, by what. */
export interface CompletedStep {
  user: UserRow;
  meta: RequestMeta;
  kind: SessionKind;
  /** The first step: password, magic_link, sms… (the session's audit row names it). */
  method: string;
  details?: Record<string, unknown>;
}

/** Opens the session: Sessions.startSession (a closure: Sessions is built with this service). */
export type OpenSession = (user: UserRow, meta: RequestMeta, kind: SessionKind, method: string, details: Record<string, unknown>) => Promise<LoginResult>;

export interface MfaChallengesDeps {
  db: Knex;
  clock: Clock;
  settings: AuthSettings;
  users: Users;
  factors: SecondFactors;
  audit: AuditLog;
  open: OpenSession;
}

/**
 * The second step of a sign-in. Every way in (password, magic link, SMS code, the admin UI's
 * login) ends in `afterFirstStep`: a user without a second factor gets their session, a user with
 * one a challenge, and only `complete` (with a code) opens the session then. A passkey is both
 * factors at once: its sign-in calls Sessions.startSession itself, with method 'passkey'.
 */
export class MfaChallenges {
  constructor(private readonly deps: MfaChallengesDeps) {}

  /** "Issue the session after a completed sign-in step": the session, or the challenge before it. */
  async afterFirstStep(step: CompletedStep): Promise<SignInResult> {
    const { user, meta, kind, method, details = {} } = step;
    if (!(await this.deps.factors.enabled(user.id))) {
      const session = await this.deps.open(user, meta, kind, method, details);
      // Under the policy without a factor: signed in, and told to enrol (everything else answers 403 until then).
      return underMfaPolicy(user, this.deps.settings.mfa.require) ? { ...session, mfa_enrollment_required: true } : session;
    }
    const token = randomToken();
    const now = this.deps.clock.now();
    const ttl = this.deps.settings.mfa.challengeTtlMinutes * 60;
    await this.deps.db('auth_mfa_challenges').insert({
      token_hash: sha256(token),
      user_id: user.id,
      kind,
      method,
      attempts: 0,
      ip: meta.ip,
      user_agent: meta.userAgent.slice(0, 512),
      expires_at: new Date(now.getTime() + ttl * 1000).toISOString(),
      used_at: null,
      created_at: now.toISOString(),
    });
    return { mfa_required: true, challenge_token: token, methods: ['totp', 'recovery_code'], expires_in: ttl };
  }

  /**
   * Answers a challenge with a code (or a recovery code) and opens the session it stood before.
   * Refused: an unknown, expired, spent or other-kind challenge (401 invalid_challenge), a wrong
   * or replayed code (401 invalid_code; the challenge dies after `challengeAttempts`), and past the
   * account's or address's budget (429), which every guess spends before it is checked.
   */
  async complete(token: string, answer: FactorAnswer, meta: RequestMeta, kind: SessionKind): Promise<LoginResult> {
    const now = this.deps.clock.now().toISOString();
    const row =
      token.length >= 20 && token.length <= 200
        ? await this.deps.db('auth_mfa_challenges').where('token_hash', sha256(token)).whereNull('used_at').where('expires_at', '>', now).first()
        : undefined;
    if (!row || row.kind !== kind) throw AuthErrors.challengeExpired();
    await this.deps.factors.spend(row.user_id, meta.ip);
    const max = this.deps.settings.mfa.challengeAttempts;
    const counted = affected(
      await this.deps.db('auth_mfa_challenges').where('id', row.id).whereNull('used_at').where('attempts', '<', max).increment('attempts', 1),
    );
    const user = await this.deps.users.byId(row.user_id);
    if (counted !== 1 || !user) throw AuthErrors.challengeExpired();
    const used = await this.deps.db
      .transaction(async (trx) => {
        const claimed = affected(await trx('auth_mfa_challenges').where('id', row.id).whereNull('used_at').update({ used_at: now }));
        if (claimed !== 1) return null;
        const result = await this.deps.factors.check(trx, user, answer, meta);
        if (!result.ok) throw new Refused(result.reason);
        return result.used;
      })
      .catch(async (err: unknown) => {
        if (!(err instanceof Refused)) throw err;
        await this.refused(user, row, err.reason, meta);
        throw AuthErrors.totpCodeInvalid();
      });
    if (!used) throw AuthErrors.challengeExpired();
    await this.deps.factors.refund(user.id);
    return this.deps.open(user, meta, kind, row.method, { second_factor: used });
  }

  private async refused(user: UserRow, row: { id: number; attempts: number; method: string }, reason: string, meta: RequestMeta): Promise<void> {
    const spent = row.attempts + 1 >= this.deps.settings.mfa.challengeAttempts;
    if (spent) await this.deps.db('auth_mfa_challenges').where('id', row.id).whereNull('used_at').update({ used_at: this.deps.clock.now().toISOString() });
    await this.deps.audit.record({
      action: 'auth.mfa.challenge_failed',
      actorLabel: user.email ?? user.username ?? user.phone ?? user.id,
      tenantId: user.tenant_id,
      target: { type: 'user', id: user.id },
      meta,
      details: { reason, first_step: row.method, challenge_spent: spent },
    });
  }
}

/** A refused answer, thrown to roll back the challenge's claim (the attempt stays counted). */
class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
