import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { OneTimeTokens } from './one-time-tokens.js';
import type { Passwords } from './passwords.js';
import type { Db, RequestMeta } from './types.js';
import { normalizeEmail, type Users } from './users.js';
import { AuthErrors } from './errors.js';

/** A setup link works once, within this many minutes (PocketBase's installer link: an hour too). */
export const SETUP_LINK_MINUTES = 60;
/** Where the link opens: the admin UI's public setup page. */
export const SETUP_PATH = '/admin/auth/setup';

const PURPOSE = 'admin_setup';

/** What SetupLinks is built from, passed by name. */
export interface SetupLinksDeps {
  db: Knex;
  clock: Clock;
  users: Users;
  passwords: Passwords;
  tokens: OneTimeTokens;
  audit: AuditLog;
}

/**
 * The first superadmin's one-time setup link, printed instead of a password when the server's
 * output is not a terminal (a container's logs keep what is printed; a link that worked once and
 * expires in an hour is worth nothing there afterwards). Whoever opens it chooses the superadmin's
 * password (and may change its address); stored as SHA-256 like every single-use token.
 */
export class SetupLinks {
  constructor(private readonly deps: SetupLinksDeps) {}

  /** A new link's token for `userId` (the links issued before stay valid until used or expired). */
  async issue(trx: Db, userId: string, email: string | null): Promise<string> {
    const now = this.deps.clock.now();
    const token = randomToken();
    await trx('auth_one_time_tokens').insert({
      user_id: userId,
      purpose: PURPOSE,
      token_hash: sha256(token),
      email,
      expires_at: new Date(now.getTime() + SETUP_LINK_MINUTES * 60_000).toISOString(),
      created_at: now.toISOString(),
    });
    return token;
  }

  /** The superadmin still waiting for its setup (no password, flagged), with its newest link's issue time; null when none waits. */
  async pending(): Promise<{ id: string; email: string | null; lastIssuedAt: string | null } | null> {
    const user = await this.deps
      .db('auth_users')
      .where({ is_superadmin: true, must_change_password: true })
      .whereNull('password_hash')
      .orderBy('created_at')
      .first('id', 'email');
    if (!user) return null;
    const last = await this.deps.db('auth_one_time_tokens').where({ user_id: user.id, purpose: PURPOSE }).max({ at: 'created_at' }).first();
    return { id: user.id, email: user.email, lastIssuedAt: (last?.at as string | null) ?? null };
  }

  /** Whom a link is for, without spending it (the page shows the address before the password is chosen). */
  async check(token: string): Promise<{ email: string | null; expires_at: string }> {
    const row = await this.deps
      .db('auth_one_time_tokens as t')
      .join('auth_users as u', 'u.id', 't.user_id')
      .where({ 't.token_hash': sha256(token), 't.purpose': PURPOSE })
      .whereNull('t.used_at')
      .where('t.expires_at', '>', this.deps.clock.now().toISOString())
      .first('u.email', 't.expires_at');
    if (!row) throw AuthErrors.setupLinkInvalid();
    return { email: row.email, expires_at: row.expires_at };
  }

  /**
   * Spends the link: sets the superadmin's password (and address, when given), clears the
   * must-change flag and spends every other setup link of the account. It does not sign in.
   */
  async complete(token: string, input: { password: string; email?: string }, meta: RequestMeta): Promise<{ detail: string; email: string }> {
    this.deps.passwords.check(input.password);
    const hash = await this.deps.passwords.hash(input.password);
    const now = this.deps.clock.now().toISOString();
    const done = await this.deps.db
      .transaction(async (trx) => {
        const used = await this.deps.tokens.consume(trx, token, PURPOSE);
        const user = used && (await this.deps.users.byId(used.user_id, trx));
        if (!used || !user?.is_superadmin) throw AuthErrors.setupLinkInvalid();
        const email = input.email ? normalizeEmail(input.email) : user.email;
        if (!email) throw AppError.validation([{ path: 'body.email', message: 'is required: this account has no address yet' }]);
        const moved = email !== user.email;
        await trx('auth_users')
          .where('id', user.id)
          .update({
            password_hash: hash,
            must_change_password: false,
            updated_at: now,
            ...(moved ? { email, email_verified_at: now } : {}),
          });
        await trx('auth_one_time_tokens').where({ user_id: user.id, purpose: PURPOSE }).whereNull('used_at').update({ used_at: now });
        await this.deps.audit.record(
          {
            action: 'auth.setup_completed',
            actorLabel: email,
            tenantId: user.tenant_id,
            target: { type: 'user', id: user.id },
            meta,
            details: moved ? { email_changed: true } : {},
          },
          trx,
        );
        return { id: user.id, email };
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw AuthErrors.emailInUse();
        throw err;
      });
    await this.deps.users.forget(done.id);
    return { detail: `The superadmin is ready: sign in as ${done.email} with the password you chose.`, email: done.email };
  }
}
