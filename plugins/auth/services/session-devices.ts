import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import { deviceLabel, deviceParts } from './devices.js';
import type { PrincipalCache } from './principal-cache.js';
import type { RequestMeta } from './types.js';

export type { SessionView } from '../api.js';
import type { SessionView } from '../api.js';

/** What SessionDevices is built from, passed by name. */
export interface SessionDevicesDeps {
  db: Knex;
  clock: Clock;
  cache: PrincipalCache;
  audit: AuditLog;
}

/** At most this many sessions are listed (the newest): more is a script signing in in a loop. */
const LISTED = 200;
/** Sessions revoked per UPDATE (well under SQLite's and PostgreSQL's bound parameters). */
const CHUNK = 500;

/**
 * A user's signed-in sessions, and ending them: one, every other, or all; the operator's view of
 * any user's. Ending one revokes it in the database and drops it from the principal cache on every
 * instance, so its access token, refresh token and UI cookie stop working at the next request.
 */
export class SessionDevices {
  constructor(private readonly deps: SessionDevicesDeps) {}

  /** Live sessions only: not ended, not past their lifetime; the most recently used first. */
  async list(userId: string, currentId: string | null = null): Promise<SessionView[]> {
    const rows = await this.live(this.deps.db, userId)
      .orderBy('created_at', 'desc')
      .limit(LISTED)
      .select('id', 'kind', 'ip', 'user_agent', 'created_at', 'last_used_at', 'expires_at');
    return rows
      .map((r: Record<string, string | null>) => ({
        id: r.id as string,
        kind: r.kind as 'api' | 'ui',
        device: deviceLabel(r.user_agent),
        device_parts: deviceParts(r.user_agent),
        ip: r.ip,
        user_agent: r.user_agent,
        created_at: r.created_at as string,
        last_used_at: (r.last_used_at ?? r.created_at) as string,
        expires_at: r.expires_at as string,
        current: r.id === currentId,
      }))
      .sort((a, b) => (a.last_used_at < b.last_used_at ? 1 : a.last_used_at > b.last_used_at ? -1 : 0));
  }

  /** Ends one of the caller's own sessions (the current one too: that is signing out). Another user's is not found. */
  async endOwn(principal: Principal, sessionId: string, meta: RequestMeta): Promise<void> {
    const ended = await this.end(principal.id, [sessionId], 'ended_by_user', async (trx, ids) => {
      if (ids.length)
        await this.deps.audit.record(
          {
            action: 'auth.session_ended',
            actor: principal,
            target: { type: 'session', id: sessionId },
            meta,
            details: { current: ids[0] === current(principal) },
          },
          trx,
        );
    });
    if (!ended.length) throw AppError.notFound('session not found');
  }

  /** Ends every session of the caller but the one this request uses (`includeCurrent`: that one too). */
  async endAllOwn(principal: Principal, includeCurrent: boolean, meta: RequestMeta): Promise<number> {
    const keep = includeCurrent ? null : current(principal);
    const ended = await this.end(
      principal.id,
      null,
      'ended_by_user',
      async (trx, ids) => {
        if (ids.length)
          await this.deps.audit.record(
            { action: 'auth.sessions_ended', actor: principal, target: { type: 'user', id: principal.id }, meta, details: { ...listed(ids), kept: keep } },
            trx,
          );
      },
      keep,
    );
    return ended.length;
  }

  /** The operator's view of a user's sessions (404 for no such user). */
  async listForUser(userId: string): Promise<SessionView[]> {
    await this.tenantOf(userId);
    return this.list(userId);
  }

  /** A superadmin ends one (`sessionId`) or every session of a user. */
  async endForUser(actor: Principal, userId: string, sessionId: string | null, meta: RequestMeta): Promise<number> {
    const tenantId = await this.tenantOf(userId);
    const ended = await this.end(userId, sessionId ? [sessionId] : null, 'ended_by_admin', async (trx, ids) => {
      if (ids.length)
        await this.deps.audit.record(
          { action: 'admin.user.sessions_ended', actor, tenantId, target: { type: 'user', id: userId }, meta, details: listed(ids) },
          trx,
        );
    });
    if (sessionId && !ended.length) throw AppError.notFound('session not found');
    return ended.length;
  }

  /**
   * A user's sessions that can still be used: not ended, within their lifetime, and holding a
   * refresh token that is neither spent nor expired (an API session left unused past
   * refreshTokenTtlDays can no longer get an access token, whose own lifetime is shorter).
   */
  private live(db: Knex | Knex.Transaction, userId: string) {
    const now = this.deps.clock.now().toISOString();
    return db('auth_sessions')
      .where('user_id', userId)
      .whereNull('revoked_at')
      .where('expires_at', '>', now)
      .whereExists((q) =>
        q.select(1).from('auth_refresh_tokens as r').whereRaw('r.session_id = auth_sessions.id').whereNull('r.used_at').where('r.expires_at', '>', now),
      );
  }

  private async tenantOf(userId: string): Promise<string> {
    const user = await this.deps.db('auth_users').where('id', userId).first('tenant_id');
    if (!user) throw AppError.notFound('user not found');
    return user.tenant_id as string;
  }

  /**
   * Revokes the user's live sessions (`ids`, or all of them but `keep`) with the audit row in one
   * transaction, then drops them from every instance's cache. Returns the ids it ended.
   */
  private async end(
    userId: string,
    ids: string[] | null,
    reason: string,
    audit: (trx: Knex.Transaction, ended: string[]) => Promise<void>,
    keep: string | null = null,
  ): Promise<string[]> {
    const ended = await this.deps.db.transaction(async (trx) => {
      const q = this.live(trx, userId);
      if (ids) q.whereIn('id', ids);
      if (keep) q.whereNot('id', keep);
      const found = (await q.pluck('id')) as string[];
      const revoked = { revoked_at: this.deps.clock.now().toISOString(), revoked_reason: reason };
      for (let i = 0; i < found.length; i += CHUNK)
        await trx('auth_sessions')
          .whereIn('id', found.slice(i, i + CHUNK))
          .update(revoked);
      await audit(trx, found);
      return found;
    });
    for (const id of ended) await this.deps.cache.invalidate('session', id);
    return ended;
  }
}

/** An audit row names at most this many sessions (and says how many there were). */
const listed = (ids: string[]) => ({ count: ids.length, sessions: ids.slice(0, 50) });

const current = (p: Principal): string | null => (p.attributes?.sessionId as string | undefined) ?? null;
