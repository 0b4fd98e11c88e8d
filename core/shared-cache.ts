import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { afterCommit } from './db/after-commit.js';
import type { Logger } from './logger.js';
import type { PubSub } from './pubsub.js';

export interface SharedCacheOptions {
  /** Names the pub/sub channel (`cache.<name>`): one per kind of thing cached. */
  name: string;
  pubsub: PubSub;
  logger: Logger;
  max: number;
  /** How long a lost cross-instance message can leave a stale entry. */
  ttlMs: number;
  /**
   * Keep a miss (`null`) too (default). Off where the key comes from anyone on the internet (a
   * license code): a flood of made-up keys must not push the real entries out.
   */
  keepMisses?: boolean;
  /** Told after every drop, here or from another instance (e.g. to recheck what relied on the entry). */
  onDrop?: () => void;
}

/**
 * A read-through cache for rows read on hot paths and changed rarely (settings, configuration):
 * an entry is kept until a change drops it, here and — over pub/sub — on every other instance.
 * Writers drop an entry after their change commits (`invalidate`, or `invalidateAfter` from
 * inside the transaction): an earlier drop could be refilled from the old row. A generation counter keeps a
 * load that raced with a drop from caching what it read before; the TTL bounds the damage of a
 * lost message.
 */
export class SharedCache<V extends {}> {
  private generation = 0;
  /**
   * Made at the first store: an LRUCache allocates its slots up front (~30 bytes each, 0.7 MB for
   * 20,000 with a TTL), and a cache whose feature is never used here (a plugin's licences, robots)
   * then costs nothing (idle RSS: npm run bench -- idle-rss).
   */
  private entries: LRUCache<string, { value: V | null }> | null = null;
  private readonly channel: string;

  constructor(private readonly options: SharedCacheOptions) {
    this.channel = `cache.${options.name}`;
  }

  /** Listens for other instances' drops; call before serving. */
  async start(): Promise<void> {
    await this.options.pubsub.subscribe(this.channel, (m) => this.drop(typeof m.key === 'string' ? m.key : null));
  }

  async get(key: string, load: () => Promise<V | null | undefined>): Promise<V | null> {
    const hit = this.entries?.get(key);
    if (hit) return hit.value;
    const generation = this.generation;
    const value = (await load()) ?? null;
    if (generation === this.generation && (value !== null || this.options.keepMisses !== false)) {
      this.entries ??= new LRUCache({ max: this.options.max, ttl: this.options.ttlMs });
      this.entries.set(key, { value });
    }
    return value;
  }

  /**
   * After a change has committed: drops `key` (every key when omitted) here at once, and resolves
   * once the other instances are told (a short-lived process, `plinth create-admin`, must not
   * exit before). A failure to tell them is logged, not thrown: the change is made; the TTL bounds it.
   */
  async invalidate(key?: string): Promise<void> {
    this.drop(key ?? null);
    await this.options.pubsub
      .publish(this.channel, key === undefined ? { all: true } : { key })
      .catch((err) => this.options.logger.error({ err, cache: this.options.name }, 'could not tell other instances to drop a cached entry'));
  }

  /** For a writer inside a transaction: `invalidate` once `trx` has committed (nothing if it rolls back). */
  invalidateAfter(trx: Knex | Knex.Transaction, key?: string): void {
    afterCommit(trx, () => void this.invalidate(key));
  }

  /** `null`: every entry. */
  private drop(key: string | null): void {
    this.generation++;
    if (key === null) this.entries?.clear();
    else this.entries?.delete(key);
    this.options.onDrop?.();
  }
}
