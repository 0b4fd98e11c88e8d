import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import { AppError } from '../../../core/errors.js';
import type { RobotsSettings } from '../config.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
/** Prefixed so the auth plugin's JWT strategy leaves them to ours. */
const newToken = (prefix: 'rbt' | 'rbr') => `${prefix}_${randomBytes(32).toString('base64url')}`;

export interface RobotRow {
  id: number;
  robot_id: string;
  tenant_id: string;
  user_id: string | null;
  status: string;
}

/** Robot tokens: opaque, stored hashed, revoked when the device is unbound, the code disabled or the robot deleted. */
export class RobotTokens {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly settings: RobotsSettings,
  ) {}

  /** A new token pair; the robot's earlier tokens stop working. */
  async issue(trx: Knex | Knex.Transaction, robotPk: number) {
    const now = this.clock.now();
    await trx('robots_tokens').where('robot_pk', robotPk).whereNull('revoked_at').update({ revoked_at: now.toISOString() });
    const token = newToken('rbt');
    const refreshToken = newToken('rbr');
    const expiresAt = new Date(now.getTime() + this.settings.tokenTtlHours * 3_600_000).toISOString();
    await trx('robots_tokens').insert([
      { robot_pk: robotPk, kind: 'access', token_hash: sha256(token), expires_at: expiresAt, created_at: now.toISOString() },
      { robot_pk: robotPk, kind: 'refresh', token_hash: sha256(refreshToken), expires_at: new Date(now.getTime() + this.settings.refreshTokenTtlDays * 86_400_000).toISOString(), created_at: now.toISOString() },
    ]);
    return { token, refreshToken, expiresAt };
  }

  async revokeAll(trx: Knex | Knex.Transaction, robotPk: number): Promise<void> {
    await trx('robots_tokens').where('robot_pk', robotPk).whereNull('revoked_at').update({ revoked_at: this.clock.now().toISOString() });
  }

  /** The active robot an unexpired, unrevoked token of `kind` belongs to. */
  async robotOf(token: string, kind: 'access' | 'refresh'): Promise<RobotRow | null> {
    const row = await this.db('robots_tokens as t')
      .join('robots_robots as r', 'r.id', 't.robot_pk')
      .where({ 't.token_hash': sha256(token), 't.kind': kind })
      .whereNull('t.revoked_at')
      .where('t.expires_at', '>', this.clock.now().toISOString())
      .where('r.status', 'active')
      .first('r.id', 'r.robot_id', 'r.tenant_id', 'r.user_id', 'r.status');
    return row ? { ...row, id: Number(row.id) } : null;
  }

  /** A new access token for a refresh token (the refresh token stays valid until it expires or is revoked). */
  async refresh(refreshToken: string): Promise<{ token: string; expiresAt: string }> {
    const robot = await this.robotOf(refreshToken, 'refresh');
    if (!robot) throw AppError.unauthorized('invalid or expired refresh token', 'invalid_token');
    const now = this.clock.now();
    const token = newToken('rbt');
    const expiresAt = new Date(now.getTime() + this.settings.tokenTtlHours * 3_600_000).toISOString();
    await this.db.transaction(async (trx) => {
      await trx('robots_tokens').where({ robot_pk: robot.id, kind: 'access' }).whereNull('revoked_at').update({ revoked_at: now.toISOString() });
      await trx('robots_tokens').insert({ robot_pk: robot.id, kind: 'access', token_hash: sha256(token), expires_at: expiresAt, created_at: now.toISOString() });
    });
    return { token, expiresAt };
  }
}
