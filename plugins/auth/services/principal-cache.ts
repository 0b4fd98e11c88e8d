import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { PubSub } from '../../../core/pubsub.js';
import type { Logger } from '../../../core/logger.js';
import type { UserRow } from './types.js';

export type CachedUser = Omit<UserRow, 'password_hash'> & { tenant_status: string };

export interface CachedSession {
  id: string;
  user_id: string;
  kind: string;
  expires_at: string;
  revoked_at: string | null;
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
const CHANNEL = 'auth.invalidate';
const MISSING = Symbol('missing');

/**
 * The authentication hot path: users, sessions and API keys by id/hash, read from the database
 * once and kept until a change invalidates them. Every write that affects authentication calls
 * `invalidate` after commit; it drops the entry here and tells the other instances (pub/sub).
 * A generation counter keeps a load that raced with an invalidation from caching stale state,
 * and a short TTL bounds the damage of a lost cross-instance message.
 */
export class PrincipalCache {
  private generation = 0;
  private readonly users = new LRUCache<string, CachedUser | typeof MISSING>({ max: 10_000, ttl: 30_000 });
  private readonly sessions = new LRUCache<string, CachedSession | typeof MISSING>({ max: 20_000, ttl: 30_000 });
  private readonly keys = new LRUCache<string, CachedKey | typeof MISSING>({ max: 10_000, ttl: 30_000 });

  constructor(
    private readonly db: Knex,
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
    /** Told after every drop, here or from another instance (what authenticated may no longer). */
    private readonly changed: () => void = () => {},
  ) {}

  async init(): Promise<void> {
    await this.pubsub.subscribe(CHANNEL, (m) => this.drop(m.kind as Kind, String(m.id ?? '')));
  }

  user(id: string): Promise<CachedUser | null> {
    return this.read(this.users, id, async () => {
      const row = await this.db('auth_users as u').join('auth_tenants as t', 't.id', 'u.tenant_id').where('u.id', id).first('u.*', 't.status as tenant_status');
      if (!row) return null;
      delete row.password_hash;
      return row as CachedUser;
    });
  }

  session(id: string): Promise<CachedSession | null> {
    return this.read(this.sessions, id, () => this.db('auth_sessions').where('id', id).first('id', 'user_id', 'kind', 'expires_at', 'revoked_at'));
  }

  key(hash: string): Promise<CachedKey | null> {
    return this.read(this.keys, hash, async () => {
      const row = await this.db('auth_api_keys')
        .where('key_hash', hash)
        .first('id', 'tenant_id', 'user_id', 'name', 'scopes', 'is_active', 'expires_at', 'last_used_at');
      return row ? { ...row, is_active: Boolean(row.is_active), scopes: JSON.parse(row.scopes) } : null;
    });
  }

  /** Call after the change has committed. */
  async invalidate(kind: Kind, id = ''): Promise<void> {
    this.drop(kind, id);
    try {
      await this.pubsub.publish(CHANNEL, { kind, id });
    } catch (err) {
      this.logger.error({ err, kind, id }, 'could not broadcast an auth cache invalidation');
    }
  }

  private drop(kind: Kind, id: string): void {
    this.generation++;
    if (kind === 'all') {
      this.users.clear();
      this.sessions.clear();
      this.keys.clear();
    } else {
      (({ user: this.users, session: this.sessions, key: this.keys }) as const)[kind].delete(id);
    }
    this.changed();
  }

  private async read<T extends {}>(cache: LRUCache<string, T | typeof MISSING>, id: string, load: () => Promise<T | null | undefined>): Promise<T | null> {
    const hit = cache.get(id);
    if (hit !== undefined) return hit === MISSING ? null : hit;
    const generation = this.generation;
    const value = (await load()) ?? null;
    if (generation === this.generation) cache.set(id, value ?? MISSING);
    return value;
  }
}
