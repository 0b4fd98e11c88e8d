import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';
import type { Db } from './types.js';

export type Purpose = 'magic_link' | 'password_reset' | 'email_verification';
/** Every purpose a stored token may have: the mailed ones, and the first superadmin's setup link (setup-links.ts). */
export type TokenPurpose = Purpose | 'admin_setup';

export interface UsedToken {
  user_id: string;
  email: string | null;
}

export interface OneTimeTokensDeps {
  db: Knex;
  clock: Clock;
  perHour: number;
}

/**
 * Single-use, short-lived tokens (256 random bits, stored as SHA-256). Issuing one retires the
 * previous unused one of the same purpose; issuing is throttled per account in the database.
 */
export class OneTimeTokens {
  constructor(private readonly deps: OneTimeTokensDeps) {}

  /** The raw token, or null when this account asked too often (the caller answers the same). */
  async issue(userId: string, purpose: Purpose, ttlMinutes: number, email: string | null = null): Promise<string | null> {
    const now = this.deps.clock.now();
    const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
    return this.deps.db.transaction(async (trx) => {
      const [{ n }] = await trx('auth_one_time_tokens').where({ user_id: userId, purpose }).where('created_at', '>', hourAgo).count({ n: '*' });
      if (Number(n) >= this.deps.perHour) return null;
      await trx('auth_one_time_tokens').where({ user_id: userId, purpose }).whereNull('used_at').update({ used_at: now.toISOString() });
      const token = randomToken();
      await trx('auth_one_time_tokens').insert({
        user_id: userId,
        purpose,
        token_hash: sha256(token),
        email,
        expires_at: new Date(now.getTime() + ttlMinutes * 60_000).toISOString(),
        created_at: now.toISOString(),
      });
      return token;
    });
  }

  /** Marks the token used and returns whom it was for; null if unknown, used, expired or for another purpose. */
  async consume(trx: Db, token: string, purpose: TokenPurpose): Promise<UsedToken | null> {
    if (token.length < 20 || token.length > 200) return null;
    const now = this.deps.clock.now().toISOString();
    const hash = sha256(token);
    const claimed = affected(
      await trx('auth_one_time_tokens').where({ token_hash: hash, purpose }).whereNull('used_at').where('expires_at', '>', now).update({ used_at: now }),
    );
    if (claimed !== 1) return null;
    return (await trx('auth_one_time_tokens').where('token_hash', hash).first('user_id', 'email')) as UsedToken;
  }
}
