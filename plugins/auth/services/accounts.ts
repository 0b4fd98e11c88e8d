import type { Knex } from 'knex';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Mailer } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import { mailLanguage, renderMail } from 'plinth/plugin';
import { MAILS } from './mail-texts.js';
import { registrationMode, type AuthSettings } from '../config.js';
import type { AuditLog } from './audit.js';
import type { OneTimeTokens, Purpose } from './one-time-tokens.js';
import type { Passwords } from './passwords.js';
import type { SignInResult } from './mfa-challenges.js';
import type { Sessions } from './sessions.js';
import { normalizeEmail, type Users } from './users.js';
import type { RequestMeta, UserRow } from './types.js';
import { AuthErrors } from './errors.js';
import type { AccountProvisioning } from '../api.js';

export const SENT_IF_EXISTS = 'If an account exists for this address, we have sent it an email.';

/** What Accounts is built from, passed by name. */
export interface AccountsDeps {
  db: Knex;
  logger: Logger;
  config: CoreConfig;
  settings: AuthSettings;
  users: Users;
  sessions: Sessions;
  passwords: Passwords;
  tokens: OneTimeTokens;
  mailer: Mailer;
  audit: AuditLog;
}

/**
 * Self-service account flows: register, password reset, magic links, email verification and
 * setting a password. Answers never depend on whether an account exists; mail goes out after
 * the reply (not awaited), so timing does not tell either.
 */
export class Accounts implements AccountProvisioning {
  constructor(private readonly deps: AccountsDeps) {}

  private link(path: string, token: string): string {
    return `${this.deps.config.server.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  /** Sends in the background: the reply must not wait for (or reveal) it. */
  private later(what: string, fn: () => Promise<unknown>): void {
    fn().catch((err) => this.deps.logger.error({ err }, `could not send ${what}`));
  }

  private async sendTokenMail(user: UserRow, purpose: Purpose, email = user.email): Promise<void> {
    if (!email) return;
    const ttl = {
      magic_link: this.deps.settings.tokenTtlMinutes.magicLink,
      password_reset: this.deps.settings.tokenTtlMinutes.passwordReset,
      email_verification: this.deps.settings.tokenTtlMinutes.emailVerification,
    }[purpose];
    const token = await this.deps.tokens.issue(user.id, purpose, ttl, email);
    if (!token) return; // throttled: asked too often for this account
    const path = {
      magic_link: this.deps.settings.links.magicLink,
      password_reset: this.deps.settings.links.resetPassword,
      email_verification: this.deps.settings.links.verifyEmail,
    }[purpose];
    const url = this.link(path, token);
    const template = { magic_link: MAILS.magicLink, password_reset: MAILS.passwordReset, email_verification: MAILS.verifyEmail }[purpose];
    const mail = renderMail(template, this.languageOf(user), { url, minutes: ttl, hours: Math.round(ttl / 60) });
    await this.deps.mailer.send({ to: email, ...mail });
  }

  /** The language to write to this user in: theirs, else the server's default. */
  private languageOf(user: Pick<UserRow, 'language'>) {
    return mailLanguage(user.language, this.deps.settings.mailLanguage);
  }

  /**
   * Invites a user the operator created without a password: a link to choose one (a password
   * reset token, valid as long as a verification link, since an invitation may wait a day).
   * Awaited: the operator's request is the one asking, and it says whether the mail went out.
   */
  async sendInvitation(user: UserRow, tenantName: string): Promise<boolean> {
    if (!user.email) return false;
    const ttl = Math.max(this.deps.settings.tokenTtlMinutes.passwordReset, this.deps.settings.tokenTtlMinutes.emailVerification);
    const token = await this.deps.tokens.issue(user.id, 'password_reset', ttl, user.email);
    if (!token) return false;
    const url = this.link(this.deps.settings.links.resetPassword, token);
    const mail = renderMail(MAILS.invitation, this.languageOf(user), { tenant: tenantName, hours: Math.round(ttl / 60), email: user.email, url });
    await this.deps.mailer.send({ to: user.email, ...mail });
    return true;
  }

  /**
   * Creates a tenant and its owner. An address already in use gets a notice, and the same reply.
   * With `registration: 'verify'` the owner may sign in only after following the emailed link.
   */
  async register(
    input: { email: string; password: string; full_name?: string; tenant_name?: string },
    meta: RequestMeta,
  ): Promise<{ detail: string; email: string }> {
    const mode = registrationMode(this.deps.settings);
    if (mode === 'closed') throw AuthErrors.registrationClosed();
    this.deps.passwords.check(input.password);
    const email = normalizeEmail(input.email);
    const hash = await this.deps.passwords.hash(input.password);
    const existing = await this.deps.users.byEmail(email);
    if (existing) {
      this.later('the already-registered notice', () =>
        this.deps.mailer.send({ to: email, ...renderMail(MAILS.alreadyRegistered, this.languageOf(existing)) }),
      );
    } else {
      try {
        const user = await this.deps.db.transaction(async (trx) => {
          const created = await this.deps.users.createWithTenant(
            { email, passwordHash: hash, fullName: input.full_name ?? '', tenantName: input.tenant_name?.trim() ?? input.full_name ?? email },
            trx,
          );
          if (mode === 'verify') await trx('auth_users').where('id', created.id).update({ must_verify_email: true });
          await this.deps.audit.record(
            {
              action: 'auth.registered',
              actorLabel: email,
              tenantId: created.tenant_id,
              target: { type: 'user', id: created.id },
              meta,
              details: { registration: mode },
            },
            trx,
          );
          return created;
        });
        this.later('the verification mail', () => this.sendTokenMail(user, 'email_verification'));
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409)) throw err; // a concurrent registration won
      }
    }
    return {
      detail:
        mode === 'verify' ? 'Check your email: follow the link we sent to verify your address, then sign in.' : 'Check your email to verify your address.',
      email,
    };
  }

  /**
   * The account of someone who paid before registering (a signup checkout): found by email, or
   * created with its own tenant and no password, and sent a sign-in link.
   */
  async provision(email: string): Promise<{ tenantId: string; created: boolean }> {
    const existing = await this.deps.users.byEmail(email);
    if (existing) return { tenantId: existing.tenant_id, created: false };
    try {
      const user = await this.deps.users.createWithTenant({ email, tenantName: email, emailVerified: false });
      await this.deps.audit.record({
        action: 'auth.provisioned',
        actorLabel: user.email ?? user.id,
        tenantId: user.tenant_id,
        target: { type: 'user', id: user.id },
      });
      this.later('a sign-in link', () => this.sendTokenMail(user, 'magic_link'));
      return { tenantId: user.tenant_id, created: true };
    } catch (err) {
      const raced = await this.deps.users.byEmail(email);
      if (raced) return { tenantId: raced.tenant_id, created: false };
      throw err;
    }
  }

  async requestPasswordReset(email: string): Promise<{ detail: string }> {
    const user = await this.deps.users.byEmail(email);
    if (user?.status === 'active') this.later('a password reset', () => this.sendTokenMail(user, 'password_reset'));
    return { detail: SENT_IF_EXISTS };
  }

  /** Sets the new password and ends every session; it does not log in by itself. */
  async resetPassword(token: string, newPassword: string, meta: RequestMeta): Promise<{ detail: string }> {
    this.deps.passwords.check(newPassword, 'new_password');
    const hash = await this.deps.passwords.hash(newPassword);
    let userId = '';
    const revoked = await this.deps.db.transaction(async (trx) => {
      const used = await this.deps.tokens.consume(trx, token, 'password_reset');
      const user = used && (await this.deps.users.byId(used.user_id, trx));
      // A link mailed to an address the account no longer has must not take the account over.
      if (!used || !user || user.email !== used.email) throw AuthErrors.linkTokenInvalid();
      await this.deps.users.setPasswordHash(trx, used.user_id, hash);
      await trx('auth_users').where('id', used.user_id).update({ must_change_password: false }); // one of their own now
      userId = used.user_id;
      // The link went to the address and came back: it is verified (an invited user's first password is set this way).
      if (!user.email_verified_at) await this.deps.users.markEmailVerified(trx, user.id);
      const ids = await this.deps.sessions.revokeAllSessions(trx, used.user_id, 'password_reset');
      await this.deps.audit.record(
        { action: 'auth.password_reset', actorLabel: used.email ?? used.user_id, target: { type: 'user', id: used.user_id }, meta },
        trx,
      );
      return ids;
    });
    await this.deps.sessions.invalidateSessions(revoked);
    await this.deps.users.forget(userId);
    return { detail: 'Your password has been changed. Sign in with the new one.' };
  }

  async requestMagicLink(email: string): Promise<{ detail: string }> {
    const user = await this.deps.users.byEmail(email);
    if (user?.status === 'active') this.later('a magic link', () => this.sendTokenMail(user, 'magic_link'));
    return { detail: SENT_IF_EXISTS };
  }

  /**
   * `kind: 'ui'` opens an admin UI session (its token goes in the HttpOnly cookie) instead of an API
   * one. The link is a first step only: a user with a second factor gets its challenge.
   */
  async verifyMagicLink(token: string, meta: RequestMeta, kind: 'api' | 'ui' = 'api'): Promise<SignInResult> {
    const user = await this.deps.db.transaction(async (trx) => {
      const used = await this.deps.tokens.consume(trx, token, 'magic_link');
      if (!used) throw AuthErrors.linkInvalid();
      const row = await this.deps.users.byId(used.user_id, trx);
      // The link proves control of the address it went to; if the account has moved on, it proves nothing.
      if (!row || row.email !== used.email) throw AuthErrors.linkInvalid();
      if (!row.email_verified_at) await this.deps.users.markEmailVerified(trx, row.id);
      return row;
    });
    await this.deps.sessions.assertActive(user, meta);
    return this.deps.sessions.signIn({ user, meta, kind, method: 'magic_link' });
  }

  async requestVerification(principal: Principal): Promise<{ detail: string }> {
    const user = await this.deps.users.byId(principal.id);
    if (!user?.email) throw AuthErrors.noEmail();
    if (user.email_verified_at) return { detail: 'Your email address is already verified.' };
    this.later('the verification mail', () => this.sendTokenMail(user, 'email_verification'));
    return { detail: 'We have sent you a verification link.' };
  }

  async verifyEmail(token: string, meta: RequestMeta): Promise<{ detail: string; email_verified: boolean }> {
    await this.deps.db.transaction(async (trx) => {
      const used = await this.deps.tokens.consume(trx, token, 'email_verification');
      const user = used && (await this.deps.users.byId(used.user_id, trx));
      // A link for an address the user has since changed verifies nothing.
      if (!used || !user || user.email !== used.email) throw AuthErrors.linkTokenInvalid();
      await this.deps.users.markEmailVerified(trx, user.id);
      await this.deps.audit.record(
        { action: 'auth.email_verified', actorLabel: user.email ?? user.id, tenantId: user.tenant_id, target: { type: 'user', id: user.id }, meta },
        trx,
      );
    });
    return { detail: 'Your email address is verified.', email_verified: true };
  }

  /** Sets a first password (magic-link users) or changes it, which needs the current one. */
  async setPassword(principal: Principal, password: string, currentPassword: string | undefined, meta: RequestMeta): Promise<{ detail: string }> {
    if (principal.kind !== 'user') throw AppError.forbidden('only a signed-in user can set their password');
    const user = await this.deps.users.byId(principal.id);
    if (!user) throw AppError.unauthorized();
    if (user.password_hash) {
      if (!currentPassword) throw AppError.validation([{ path: 'body.current_password', message: 'is required to change an existing password' }]);
      if (!(await this.deps.passwords.verify(user.password_hash, currentPassword))) throw AuthErrors.passwordWrong();
    }
    this.deps.passwords.check(password);
    // A generated password must give way to one of their own (the admin UI asks for it at sign-in).
    if (user.must_change_password && password === currentPassword)
      throw AppError.validation([{ path: 'body.password', message: 'must differ from the generated password' }]);
    const hash = await this.deps.passwords.hash(password);
    const revoked = await this.deps.db.transaction(async (trx) => {
      await this.deps.users.setPasswordHash(trx, user.id, hash);
      if (user.must_change_password) await trx('auth_users').where('id', user.id).update({ must_change_password: false });
      await this.deps.audit.record(
        { action: user.password_hash ? 'auth.password_changed' : 'auth.password_set', actor: principal, target: { type: 'user', id: user.id }, meta },
        trx,
      );
      return this.deps.sessions.revokeAllSessions(trx, user.id, 'password_changed', principal.attributes?.sessionId as string | undefined);
    });
    await this.deps.sessions.invalidateSessions(revoked);
    if (user.must_change_password) await this.deps.users.forget(user.id);
    return { detail: 'Your password has been saved.' };
  }
}
