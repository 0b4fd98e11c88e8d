import { randomToken, sameSecret, sha256 } from 'plinth/plugin';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { AuthStrategy, Principal } from 'plinth/plugin';
import type { AdminLoginProvider } from 'plinth/plugin';
import { addressKey, type RateLimits } from 'plinth/plugin';

import type { AuthUsers, PasswordHasher } from '../../auth/api.js';
import { MailErrors } from './errors.js';

export type { PasswordHasher };

/** What the mail face needs of the auth plugin's users (resolved through the container). */
export type UserDirectory = Pick<AuthUsers, 'byEmail' | 'byUsername'>;

export const MAIL_SESSION_COOKIE = 'plinth_mail_session';
const SESSION_HOURS = 12;

export type LoginResult =
  | { kind: 'platform'; token: string; expiresInSeconds: number; userId: string; role: 'strictAdmin' | 'admin' | 'user' }
  | { kind: 'mailbox' | 'guest'; token: string; expiresInSeconds: number; mailboxAddress?: string };

/** What MailAuth is built from, passed by name. */
export interface MailAuthDeps {
  db: Knex;
  clock: Clock;
  rateLimits: RateLimits;
  guestPassword: string | null;
  passwords: () => PasswordHasher;
  platform: () => AdminLoginProvider;
  users: () => UserDirectory;
}

/**
 * The temp-mail face's /api/login: `guest` (when a guest password is configured), a mailbox
 * address whose `can_login` is on (its own password), or a platform user by email or username
 * (through the auth plugin, the same session as the admin UI). Mailbox and guest sessions are
 * random tokens stored hashed; a strategy turns their cookie into a principal.
 */
export class MailAuth {
  constructor(private readonly deps: MailAuthDeps) {}

  async login(username: string, password: string, meta: { ip: string; userAgent: string }): Promise<LoginResult> {
    const name = username.trim().toLowerCase();
    if (name === 'guest') {
      await this.deps.rateLimits.consume({ bucket: 'mail.login.guest', points: 30, durationSeconds: 60 }, addressKey(meta.ip));
      if (!this.deps.guestPassword || !(await this.passwordsMatch(this.deps.guestPassword, password))) throw MailErrors.credentialsWrong();
      return { kind: 'guest', ...(await this.open('guest', null)) };
    }
    if (name.includes('@')) {
      const mailbox = await this.deps.db('mail_mailboxes').where('address', name).first('id', 'address', 'password_hash', 'can_login');
      if (mailbox) {
        await this.deps.rateLimits.consume({ bucket: 'mail.login.mailbox', points: 10, durationSeconds: 900 }, name);
        const ok = await this.deps.passwords().verify(mailbox.can_login ? mailbox.password_hash : null, password);
        if (!ok) throw MailErrors.credentialsWrong();
        return { kind: 'mailbox', mailboxAddress: mailbox.address, ...(await this.open('mailbox', Number(mailbox.id))) };
      }
    }
    // One message for every failure (unknown user, wrong password, mailbox without login): it must
    // not tell which names exist.
    const session = await this.deps
      .platform()
      .login({ email: name, password, ip: meta.ip, userAgent: meta.userAgent })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.status === 401) throw MailErrors.credentialsWrong();
        throw err;
      });
    const user = (name.includes('@') ? await this.deps.users().byEmail(name) : await this.deps.users().byUsername(name))!;
    const role = user.is_superadmin ? 'strictAdmin' : user.role === 'member' ? 'user' : 'admin';
    return { kind: 'platform', token: session.token, expiresInSeconds: session.expiresInSeconds, userId: user.id, role };
  }

  private async passwordsMatch(expected: string, given: string): Promise<boolean> {
    return sameSecret(expected, given);
  }

  private async open(kind: 'mailbox' | 'guest', mailboxId: number | null) {
    const token = randomToken();
    const now = this.deps.clock.now();
    await this.deps.db('mail_sessions').insert({
      token_hash: sha256(token),
      kind,
      mailbox_id: mailboxId,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
      created_at: now.toISOString(),
    });
    return { token, expiresInSeconds: SESSION_HOURS * 3600 };
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.deps.db('mail_sessions').where('token_hash', sha256(token)).delete();
  }

  /** Ends a platform session opened by /api/login (its cookie alone would otherwise stay valid until it expires). */
  async logoutPlatform(token: string | undefined): Promise<void> {
    if (token) await this.deps.platform().logout?.(token);
  }

  /** Mailbox and guest principals from the mail session cookie. */
  strategy(): AuthStrategy {
    return {
      name: 'mail.session-cookie',
      authenticate: async (req): Promise<Principal | null> => {
        const token = req.cookie(MAIL_SESSION_COOKIE);
        if (!token) return null;
        const row = await this.deps
          .db('mail_sessions as s')
          .leftJoin('mail_mailboxes as m', 'm.id', 's.mailbox_id')
          .where('s.token_hash', sha256(token))
          .where('s.expires_at', '>', this.deps.clock.now().toISOString())
          .first('s.kind', 's.mailbox_id', 'm.address', 'm.tenant_id', 'm.can_login');
        if (!row || (row.kind === 'mailbox' && !row.can_login)) return null;
        if (row.kind === 'guest') return { kind: 'guest', id: 'guest', tenantId: null, roles: ['guest'], scopes: ['mail:read'], name: 'guest' };
        return {
          kind: 'mailbox',
          id: `mailbox:${row.mailbox_id}`,
          tenantId: row.tenant_id,
          roles: ['mailbox'],
          scopes: ['mail:use'],
          name: row.address,
          attributes: { mailboxId: Number(row.mailbox_id) },
        };
      },
    };
  }

  /**
   * A mailbox signed in with its password changes it (the current one is required). Seed 003's
   * statuses: a password out of length is 400; a common one (the document's own examples are) is
   * taken, and the advice against it returned.
   */
  async changeOwnPassword(mailboxId: number, current: string, next: string): Promise<string | undefined> {
    const row = await this.deps.db('mail_mailboxes').where('id', mailboxId).first('password_hash');
    if (!row || !(await this.deps.passwords().verify(row.password_hash, current))) throw MailErrors.passwordWrong();
    const advice = this.deps.passwords().assess(next, 'newPassword', 400);
    await this.deps
      .db('mail_mailboxes')
      .where('id', mailboxId)
      .update({ password_hash: await this.deps.passwords().hash(next) });
    return advice;
  }

  /** strictAdmin: set a mailbox's password (and so allow its login once can_login is on); the advice as changeOwnPassword's. */
  async setPassword(address: string, next: string | null): Promise<{ found: boolean; advice?: string }> {
    const advice = next === null ? undefined : this.deps.passwords().assess(next, 'new_password', 400);
    const hash = next === null ? null : await this.deps.passwords().hash(next);
    const changed = await this.deps
      .db('mail_mailboxes')
      .where('address', address.trim().toLowerCase())
      .update({ password_hash: hash, ...(next === null ? { can_login: false } : {}) });
    // A cleared or changed password ends every session opened with the old one.
    await this.deps
      .db('mail_sessions')
      .whereIn('mailbox_id', this.deps.db('mail_mailboxes').select('id').where('address', address.trim().toLowerCase()))
      .delete();
    return { found: changed > 0, advice };
  }
}
