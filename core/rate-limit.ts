import net from 'node:net';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterSQLite, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { AppError } from './errors.js';
import { ConfigError } from './config/load.js';
import type { Dialect } from './db/connection.js';
import type { CoreConfig } from './config/schema.js';
import type { Counter } from 'prom-client';

/**
 * What an address counts as wherever it keys a budget (per-address rate limits, login failures,
 * SMTP connections): an IPv4 address (IPv4-mapped IPv6 as IPv4), or an IPv6 /64, one subscriber's
 * usual allocation; counting single IPv6 addresses would let one host take a fresh budget per address.
 */
export function addressKey(address: string): string {
  if (!address.includes(':')) return address; // IPv4, the common case: every rate-limited request asks
  const plain = address.replace(/^::ffff:(?=\d+\.)/i, '').replace(/%.*$/, '');
  if (!net.isIPv6(plain)) return plain;
  const [head, tail = ''] = plain.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = plain.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface LimitSpec {
  /** Namespaced bucket name, e.g. `auth.login.ip`. */
  bucket: string;
  points: number;
  durationSeconds: number;
  /** Once exhausted, refuse for this long (defaults to the rest of the window). */
  blockSeconds?: number;
}

export interface LimitState {
  remaining: number;
  resetInSeconds: number;
}

/** What RateLimits is built from, passed by name. */
export interface RateLimitsDeps {
  store: CoreConfig['rateLimit']['store'];
  db: Knex;
  dialect: Dialect;
  redis: Redis | null;
  /** Refusals (429) by bucket, for the metrics. */
  refusals?: Counter<'bucket'> | null;
}

/**
 * Rate limits through rate-limiter-flexible. Memory by default (one process); the database or
 * Redis when configured, so several instances share one budget.
 */
export class RateLimits {
  private readonly limiters = new Map<string, Promise<RateLimiterAbstract>>();
  private readonly bySpec = new WeakMap<LimitSpec, Promise<RateLimiterAbstract>>();
  /** The limiters made so far, by spec: what `consume` finds without waiting. */
  private readonly ready = new WeakMap<LimitSpec, RateLimiterAbstract>();
  /** Prefixes Redis keys (set after migrations, from config or the deployment id). */
  namespace: string | null = null;

  constructor(private readonly deps: RateLimitsDeps) {
    if (deps.store === 'redis' && !deps.redis) throw new ConfigError('rateLimit.store is "redis" but redis.url is not set');
  }

  private limiter(spec: LimitSpec): Promise<RateLimiterAbstract> {
    // A spec built once (a route's, a service's) is found by identity, without building its id.
    const known = this.bySpec.get(spec);
    if (known) return known;
    const id = `${spec.bucket}:${spec.points}:${spec.durationSeconds}:${spec.blockSeconds ?? 0}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = this.create(spec);
      this.limiters.set(id, limiter);
    }
    this.bySpec.set(spec, limiter);
    return limiter;
  }

  private async readied(spec: LimitSpec): Promise<RateLimiterAbstract> {
    const limiter = await this.limiter(spec);
    this.ready.set(spec, limiter);
    return limiter;
  }

  private create(spec: LimitSpec): Promise<RateLimiterAbstract> {
    const base = { keyPrefix: spec.bucket, points: spec.points, duration: spec.durationSeconds, blockDuration: spec.blockSeconds ?? 0 };
    if (this.deps.store === 'memory') return Promise.resolve(new RateLimiterMemory(base));
    if (this.deps.store === 'redis') {
      if (!this.namespace) throw new Error('the Redis namespace is not known yet');
      return Promise.resolve(new RateLimiterRedis({ ...base, keyPrefix: `${this.namespace}:${spec.bucket}`, storeClient: this.deps.redis }));
    }
    return new Promise((resolve, reject) => {
      const opts = { ...base, storeClient: this.deps.db, storeType: 'knex', tableName: 'core_rate_limits', clearExpiredByTimeout: false };
      const limiter: RateLimiterAbstract =
        this.deps.dialect === 'postgres'
          ? new RateLimiterPostgres(opts, (err?: Error) => (err ? reject(err) : resolve(limiter)))
          : new RateLimiterSQLite(opts, (err?: Error) => (err ? reject(err) : resolve(limiter)));
    });
  }

  /** Takes `points` from `key`'s budget, or throws a 429 AppError carrying Retry-After. */
  async consume(spec: LimitSpec, key: string, points = 1): Promise<LimitState> {
    // A limiter already made is used as it is: waiting on its promise again costs every request a turn.
    const limiter = this.ready.get(spec) ?? (await this.readied(spec));
    try {
      const res = await limiter.consume(key, points);
      return { remaining: res.remainingPoints, resetInSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.deps.refusals?.inc({ bucket: spec.bucket });
      throw AppError.tooManyRequests(err.msBeforeNext / 1000);
    }
  }

  /** Spends without refusing: for counting failures that later block (e.g. wrong passwords). */
  async penalty(spec: LimitSpec, key: string, points = 1): Promise<void> {
    await (await this.limiter(spec)).penalty(key, points);
  }

  /** Throws 429 if `key` has no budget left, without spending any. */
  async check(spec: LimitSpec, key: string): Promise<void> {
    const res = await (await this.limiter(spec)).get(key);
    if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) {
      this.deps.refusals?.inc({ bucket: spec.bucket });
      throw AppError.tooManyRequests(res.msBeforeNext / 1000);
    }
  }

  /** Gives back points spent before it was known they should not count (a login that succeeded). */
  async refund(spec: LimitSpec, key: string, points = 1): Promise<void> {
    await (await this.limiter(spec)).reward(key, points);
  }

  async reset(spec: LimitSpec, key: string): Promise<void> {
    await (await this.limiter(spec)).delete(key);
  }
}
