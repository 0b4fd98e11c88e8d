import { randomToken, sha256 } from 'plinth/plugin';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { afterCommit } from 'plinth/plugin';
import { LRUCache } from 'lru-cache';
import type { PubSub } from 'plinth/plugin';
import type { RobotsSettings } from '../config.js';
import { RobotsErrors } from './errors.js';

/** Prefixed so the auth plugin's JWT strategy leaves them to ours: `rbt_`/`rbr_` and 32 random bytes (base64url, 43 characters). */
const newToken = (prefix: 'rbt' | 'rbr') => `${prefix}_${randomToken(32)}`;

export interface RobotRow {
  id: number;
  robot_id: string;
  tenant_id: string;
  user_id: string | null;
  status: string;
}

const CHANNEL = 'robots.tokens';

export interface RobotTokensDeps {
  db: Knex;
  clock: Clock;
  settings: RobotsSettings;
  pubsub: PubSub;
}

/**
 * Robot tokens: opaque, stored hashed, revoked when the device is unbound, the code disabled or
 * the robot deleted. Access tokens are checked on every robot request, so known ones are cached;
 * a revocation drops the robot's entries here and, over pub/sub, on every instance (the short
 * TTL bounds a lost message).
 */
export class RobotTokens {
  private readonly cache = new LRUCache<string, RobotRow & { expires_at: string }>({ max: 20_000, ttl: 60_000 });
  /** Bumped by every drop: a lookup that raced with a revocation does not cache what it read before it. */
  private generation = 0;

  constructor(private readonly deps: RobotTokensDeps) {}

  async start(): Promise<void> {
    await this.deps.pubsub.subscribe(CHANNEL, (m) => this.forget(Number(m.robotPk)));
  }

  private forget(robotPk: number): void {
    this.generation++;
    for (const [hash, row] of this.cache.entries()) if (row.id === robotPk) this.cache.delete(hash);
  }

  /** Every instance drops the robot's cached tokens (after the revocation's commit, when given one). */
  private revoked(trx: Knex | Knex.Transaction, robotPk: number): void {
    const tell = () => {
      this.forget(robotPk);
      void this.deps.pubsub.publish(CHANNEL, { robotPk }).catch(() => undefined);
    };
    this.forget(robotPk);
    afterCommit(trx, tell);
  }

  /** A new token pair; the robot's earlier tokens stop working. */
  async issue(trx: Knex | Knex.Transaction, robotPk: number) {
    const now = this.deps.clock.now();
    await trx('robots_tokens').where('robot_pk', robotPk).whereNull('revoked_at').update({ revoked_at: now.toISOString() });
    this.revoked(trx, robotPk);
    const token = newToken('rbt');
    const refreshToken = newToken('rbr');
    const expiresAt = new Date(now.getTime() + this.deps.settings.tokenTtlHours * 3_600_000).toISOString();
    await trx('robots_tokens').insert([
      { robot_pk: robotPk, kind: 'access', token_hash: sha256(token), expires_at: expiresAt, created_at: now.toISOString() },
      {
        robot_pk: robotPk,
        kind: 'refresh',
        token_hash: sha256(refreshToken),
        expires_at: new Date(now.getTime() + this.deps.settings.refreshTokenTtlDays * 86_400_000).toISOString(),
        created_at: now.toISOString(),
      },
    ]);
    return { token, refreshToken, expiresAt };
  }

  async revokeAll(trx: Knex | Knex.Transaction, robotPk: number): Promise<void> {
    await trx('robots_tokens').where('robot_pk', robotPk).whereNull('revoked_at').update({ revoked_at: this.deps.clock.now().toISOString() });
    this.revoked(trx, robotPk);
  }

  /** The active robot an unexpired, unrevoked token of `kind` belongs to. */
  async robotOf(token: string, kind: 'access' | 'refresh'): Promise<RobotRow | null> {
    const hash = sha256(token);
    const nowIso = this.deps.clock.now().toISOString();
    const cached = kind === 'access' ? this.cache.get(hash) : undefined;
    if (cached && cached.expires_at > nowIso)
      return { id: cached.id, robot_id: cached.robot_id, tenant_id: cached.tenant_id, user_id: cached.user_id, status: cached.status };
    const generation = this.generation;
    const row = await this.deps
      .db('robots_tokens as t')
      .join('robots_robots as r', 'r.id', 't.robot_pk')
      .where({ 't.token_hash': hash, 't.kind': kind })
      .whereNull('t.revoked_at')
      .where('t.expires_at', '>', nowIso)
      .where('r.status', 'active')
      .first('r.id', 'r.robot_id', 'r.tenant_id', 'r.user_id', 'r.status', 't.expires_at');
    if (!row) return null;
    const robot = { id: Number(row.id), robot_id: row.robot_id, tenant_id: row.tenant_id, user_id: row.user_id, status: row.status };
    if (kind === 'access' && generation === this.generation) this.cache.set(hash, { ...robot, expires_at: row.expires_at });
    return robot;
  }

  /** A new access token for a refresh token (the refresh token stays valid until it expires or is revoked). */
  async refresh(refreshToken: string): Promise<{ token: string; expiresAt: string }> {
    const robot = await this.robotOf(refreshToken, 'refresh');
    if (!robot) throw RobotsErrors.refreshTokenInvalid();
    const now = this.deps.clock.now();
    const token = newToken('rbt');
    const expiresAt = new Date(now.getTime() + this.deps.settings.tokenTtlHours * 3_600_000).toISOString();
    await this.deps.db.transaction(async (trx) => {
      await trx('robots_tokens').where({ robot_pk: robot.id, kind: 'access' }).whereNull('revoked_at').update({ revoked_at: now.toISOString() });
      this.revoked(trx, robot.id);
      await trx('robots_tokens').insert({
        robot_pk: robot.id,
        kind: 'access',
        token_hash: sha256(token),
        expires_at: expiresAt,
        created_at: now.toISOString(),
      });
    });
    return { token, expiresAt };
  }
}
