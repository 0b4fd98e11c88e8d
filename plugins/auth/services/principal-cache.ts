import type { Knex } from 'knex';
import type { PubSub } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { UserRow } from './types.js';

export type CachedUser = Omit<UserRow, 'password_hash'> & { tenant_status: string };

export interface CachedSession {
  id: string;
  user_id: string;
  kind: string;
  expires_at: string;
  revoked_at: string | null;
  /** How the session's second step was met (totp, recovery_code, passkey); null without one. */
  second_factor: string | null;
}

export interface CachedKey {
  id: string;
  tenant_id: string;
  user_id: string;
  name: string;
  scopes: string[];
  is_active: boolean;
  expires_at: string | null;
  last_used_at: string | null;
}

type Kind = 'user' | 'session' | 'key' | 'all';

export interface PrincipalCacheDeps {
  db: Knex;
  pubsub: PubSub;
  logger: Logger;
  /** Told after every drop, here or from another instance (what authenticated may no longer). */
  changed: () => void;
}

/**
 * The authentication hot path: users, sessions and API keys by id/hash, read from the database
 * once and kept until a change drops them (core's SharedCache: after commit, on every instance,
 * a 30 s TTL bounding a lost message). Every write that affects authentication calls
 * `invalidate` after its commit.
 */
export class PrincipalCache {
  private readonly users: SharedCache<CachedUser>;
  private readonly sessions: SharedCache<CachedSession>;
  private readonly keys: SharedCache<CachedKey>;

  constructor(private readonly deps: PrincipalCacheDeps) {
    const cache = <V extends {}>(kind: string, max: number, keepMisses = true) =>
      new SharedCache<V>({ name: `auth.${kind}`, pubsub: deps.pubsub, logger: deps.logger, max, ttlMs: 30_000, onDrop: deps.changed, keepMisses });
    this.users = cache('users', 10_000);
    this.sessions = cache('sessions', 20_000);
    // A key that matches nothing is not kept: anyone can send made-up keys, and they must not push real ones out.
    this.keys = cache('keys', 10_000, false);
  }

  async init(): Promise<void> {
    await Promise.all([this.users.start(), this.sessions.start(), this.keys.start()]);
  }

  user(id: string): Promise<CachedUser | null> {
    return this.users.get(id, async () => {
      const row = await this.deps
        .db('auth_users as u')
        .join('auth_tenants as t', 't.id', 'u.tenant_id')
        .where('u.id', id)
        .first('u.*', 't.status as tenant_status');
      if (!row) return null;
      // A rest copy, not `delete`: a deleted property leaves the object in V8's slow dictionary
      // mode, and every authenticated request reads this one.
      const { password_hash: _hash, ...user } = row;
      return user as CachedUser;
    });
  }

  session(id: string): Promise<CachedSession | null> {
    return this.sessions.get(id, () =>
      this.deps.db('auth_sessions').where('id', id).first('id', 'user_id', 'kind', 'expires_at', 'revoked_at', 'second_factor'),
    );
  }

  key(hash: string): Promise<CachedKey | null> {
    return this.keys.get(hash, async () => {
      const row = await this.deps
        .db('auth_api_keys')
        .where('key_hash', hash)
        .first('id', 'tenant_id', 'user_id', 'name', 'scopes', 'is_active', 'expires_at', 'last_used_at');
      return row ? { ...row, is_active: Boolean(row.is_active), scopes: JSON.parse(row.scopes) } : null;
    });
  }

  /** Call after the change has committed: drops the entry (`all`: every entry) here and on every instance. */
  async invalidate(kind: Kind, id = ''): Promise<void> {
    if (kind === 'all') await Promise.all([this.users, this.sessions, this.keys].map((cache) => cache.invalidate()));
    else await { user: this.users, session: this.sessions, key: this.keys }[kind].invalidate(id);
  }
}
