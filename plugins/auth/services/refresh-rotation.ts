import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { affected } from 'plinth/plugin';
import { addressKey, type LimitSpec, type RateLimits } from 'plinth/plugin';
import { randomToken, sha256 } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import type { AuditLog } from './audit.js';
import type { JwtSigner } from './jwt-signer.js';
import type { Db, RequestMeta, UserRow } from './types.js';
import type { Users } from './users.js';
import { AuthErrors } from './errors.js';

const DAY = 86_400_000;

export type { TokenPair } from '../api.js';
import type { TokenPair } from '../api.js';

/** What rotation needs of the sessions it belongs to. */
export interface SessionControl {
  revokeSession(sessionId: string, reason: string): Promise<void>;
  assertActive(user: UserRow, meta: RequestMeta): Promise<void>;
}

/**
 * Access tokens with their refresh tokens, and refresh-token rotation: every refresh token is used
 * once and replaced by a successor in the same session (its family). A token presented again
 * within the grace window (a client retrying, two tabs racing) gets the same successor, so one
 * session never grows a second live chain; after the window, reuse means theft and revokes the
 * session, so a stolen token dies the moment either party uses it twice.
 */
export class RefreshRotation {
  private readonly limit: LimitSpec;

  constructor(
    private readonly deps: {
      db: Knex;
      clock: Clock;
      settings: AuthSettings;
      signer: JwtSigner;
      users: Users;
      audit: AuditLog;
      rateLimits: RateLimits;
      sessions: SessionControl;
    },
  ) {
    this.limit = { bucket: 'auth.refresh.ip', points: deps.settings.limits.refreshPerIpPerMinute, durationSeconds: 60 };
  }

  /**
   * A new access token and a refresh token: a random one, or `refresh` (a rotated token's derived
   * successor), stored once however often it is issued.
   */
  async issuePair(trx: Db, user: Pick<UserRow, 'id' | 'tenant_id'>, sessionId: string, kind: 'api' | 'ui', refresh = randomToken()): Promise<TokenPair> {
    const { clock, settings } = this.deps;
    const ttl = kind === 'ui' ? settings.uiSessionTtlHours * 3600 : settings.accessTokenTtlSeconds;
    const { token } = await this.deps.signer.sign({ userId: user.id, tenantId: user.tenant_id, sessionId, type: kind === 'ui' ? 'ui' : 'access' }, ttl);
    const session = await trx('auth_sessions').where('id', sessionId).first('expires_at');
    const idle = new Date(clock.now().getTime() + settings.refreshTokenTtlDays * DAY).toISOString();
    await trx('auth_refresh_tokens')
      .insert({
        session_id: sessionId,
        token_hash: sha256(refresh),
        expires_at: idle < session.expires_at ? idle : session.expires_at,
        created_at: clock.now().toISOString(),
      })
      .onConflict('token_hash')
      .ignore();
    return { access_token: token, refresh_token: refresh, token_type: 'bearer', expires_in: ttl };
  }

  /** Redeems a refresh token for a new pair (see the class comment for reuse and the grace window). */
  async rotate(refreshToken: string, meta: RequestMeta): Promise<TokenPair> {
    const { db, clock, settings, users, audit, sessions } = this.deps;
    await this.deps.rateLimits.consume(this.limit, addressKey(meta.ip));
    const now = clock.now();
    const nowIso = now.toISOString();
    const row = await db('auth_refresh_tokens as r')
      .join('auth_sessions as s', 's.id', 'r.session_id')
      .where('r.token_hash', sha256(refreshToken))
      .first('r.id', 'r.used_at', 'r.expires_at', 's.id as session_id', 's.user_id', 's.kind', 's.revoked_at', 's.expires_at as session_expires_at');
    if (!row || row.revoked_at || row.expires_at <= nowIso || row.session_expires_at <= nowIso) throw AuthErrors.refreshTokenInvalid();

    const claimed = affected(await db('auth_refresh_tokens').where('id', row.id).whereNull('used_at').update({ used_at: nowIso }));
    if (claimed === 0) {
      const usedAt = (await db('auth_refresh_tokens').where('id', row.id).first('used_at'))?.used_at ?? row.used_at;
      const withinGrace = usedAt && now.getTime() - new Date(usedAt).getTime() <= settings.refreshReuseGraceSeconds * 1000;
      if (!withinGrace) {
        await sessions.revokeSession(row.session_id, 'refresh_token_reuse');
        await audit.record({
          action: 'auth.refresh_token_reuse',
          actorLabel: row.user_id,
          tenantId: (await users.byId(row.user_id))?.tenant_id ?? null,
          target: { type: 'session', id: row.session_id },
          meta,
        });
        throw AuthErrors.refreshTokenInvalid();
      }
    }
    const user = await users.byId(row.user_id);
    if (!user) throw AuthErrors.refreshTokenInvalid();
    await sessions.assertActive(user, meta);
    // Redeemed again within the grace window: the same successor as the first time.
    const successor = this.deps.signer.derive('refresh-successor', refreshToken);
    return db.transaction(async (trx) => {
      await trx('auth_sessions').where('id', row.session_id).update({ last_used_at: nowIso });
      return this.issuePair(trx, user, row.session_id, row.kind, successor);
    });
  }
}
