import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { SESSION_COOKIE, type AuthRequest, type AuthStrategy, type Principal } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { beyondPlans, cutScopes, type Entitlements, type FeatureInfo } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { CachedKey, CachedUser, PrincipalCache } from './principal-cache.js';
import { limitScopes, PLATFORM_SCOPE, type RoleScopes } from './scopes.js';
import { sameSecret, sha256 } from 'plinth/plugin';
import { parseScopeLimit } from './types.js';
import type { JwtSigner, TokenType } from './jwt-signer.js';
import { AuthErrors } from './errors.js';

export const ROOT_ID = '__root__';
/** Where a user signed in with a generated password chooses their own (plugins/auth/ui/change-password.tsx). */
export const CHANGE_PASSWORD_PAGE = '/admin/auth/change-password';
const LAST_USED_EVERY_MS = 60_000;

const bearerOf = (req: AuthRequest): string | null => {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1].trim() : null;
};

const metaOf = (req: AuthRequest) => ({ ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });

/** What Principals is built from, passed by name. */
export interface PrincipalsDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  cache: PrincipalCache;
  roleScopes: RoleScopes;
  /** Resolved per call: billing replaces the core's allow-all entitlements after auth registers. */
  plans: () => { entitlements: Entitlements; features: Map<string, FeatureInfo> };
}

/** Builds principals from cached state and refuses anything suspended, revoked or expired. */
export class Principals {
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly sessionWrites = new Map<string, number>();

  constructor(private readonly deps: PrincipalsDeps) {}

  /**
   * The principal's scopes cut to its tenant's plan, so every check (requireScope, a plugin's own
   * hasScope, an API key's grant) and every listing of scopes sees the same cut set.
   */
  async withinPlan(principal: Principal): Promise<Principal> {
    const { entitlements, features } = this.deps.plans();
    if (beyondPlans(principal) || !features.size) return principal;
    const grant = await entitlements.grant(principal.tenantId!);
    return grant.features === null ? principal : { ...principal, scopes: cutScopes(features, grant, principal.scopes) };
  }

  userPrincipal(user: CachedUser, sessionId?: string): Principal {
    const superadmin = Boolean(user.is_superadmin);
    return {
      kind: 'user',
      id: user.id,
      tenantId: user.tenant_id,
      roles: superadmin ? [user.role, 'superadmin'] : [user.role],
      scopes: limitScopes(this.deps.roleScopes.forRole(user.role, superadmin), parseScopeLimit(user.scope_limit)),
      name: user.email ?? user.phone ?? user.username ?? user.id,
      ...(user.language ? { language: user.language } : {}),
      attributes: {
        ...(sessionId ? { sessionId } : {}),
        // The admin UI's shell sends them here before any other page (core/http/admin-ui.ts `required_step`).
        ...(user.must_change_password ? { requiredStep: { href: CHANGE_PASSWORD_PAGE, reason: 'password_change_required' } } : {}),
      },
    };
  }

  /** The user behind a credential must be active in an active tenant. */
  async activeUser(userId: string): Promise<CachedUser> {
    const user = await this.deps.cache.user(userId);
    if (!user) throw AuthErrors.credentialsInvalid();
    if (user.status !== 'active' || user.tenant_status !== 'active') throw AuthErrors.accountSuspended();
    return user;
  }

  async fromToken(token: string, type: TokenType, signer: JwtSigner): Promise<Principal> {
    // One reading of the clock for the whole check (every authenticated request passes here).
    const now = this.deps.clock.now();
    // Most requests carry a token seen before: no promise for those.
    const claims = signer.known(token, type, now) ?? (await signer.verify(token, type));
    const session = await this.deps.cache.session(claims.sessionId);
    if (!session || session.revoked_at || session.user_id !== claims.userId || session.expires_at <= now.toISOString()) {
      throw AuthErrors.sessionEnded();
    }
    this.touchSession(claims.sessionId, now.getTime());
    return this.withinPlan(this.userPrincipal(await this.activeUser(claims.userId), claims.sessionId));
  }

  async fromApiKey(raw: string): Promise<Principal> {
    const key = await this.deps.cache.key(sha256(raw));
    if (!key?.is_active) throw AuthErrors.apiKeyInvalid();
    const now = this.deps.clock.now();
    if (key.expires_at && key.expires_at <= now.toISOString()) throw AuthErrors.apiKeyExpired();
    const user = await this.activeUser(key.user_id);
    this.touch(key, now);
    return this.withinPlan(this.keyPrincipal(key, user));
  }

  /** A key holds at most its creator's current scopes; superadmin power needs platform:admin. */
  private keyPrincipal(key: CachedKey, user: CachedUser): Principal {
    const superadmin = Boolean(user.is_superadmin) && key.scopes.includes(PLATFORM_SCOPE);
    const creator = limitScopes(this.deps.roleScopes.forRole(user.role, Boolean(user.is_superadmin)), parseScopeLimit(user.scope_limit));
    const scopes = creator === '*' ? key.scopes : key.scopes.filter((s) => creator.includes(s));
    return {
      kind: 'api_key',
      id: user.id,
      tenantId: key.tenant_id,
      roles: superadmin ? [user.role, 'superadmin'] : [user.role],
      scopes,
      name: key.name,
      attributes: { apiKeyId: key.id },
    };
  }

  /** A session's last_used_at, like a key's: at most once a minute (per instance), off the request path. */
  private touchSession(id: string, now: number): void {
    if (now - (this.sessionWrites.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
    if (this.sessionWrites.size >= 50_000) this.sessionWrites.clear(); // a bound, not an eviction policy: a write a minute early is harmless
    this.sessionWrites.set(id, now);
    this.deps
      .db('auth_sessions')
      .where('id', id)
      .update({ last_used_at: new Date(now).toISOString() })
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not record session use'));
  }

  /** last_used_at is written at most once a minute per key, off the request path. */
  private touch(key: CachedKey, now: Date): void {
    const last = this.lastUsedWrites.get(key.id) ?? 0;
    if (now.getTime() - last < LAST_USED_EVERY_MS) return;
    this.lastUsedWrites.set(key.id, now.getTime());
    key.last_used_at = now.toISOString();
    this.deps
      .db('auth_api_keys')
      .where('id', key.id)
      .update({ last_used_at: key.last_used_at })
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not record API key use'));
  }
}

export interface StrategyDeps {
  principals: Principals;
  signer: JwtSigner;
  audit: AuditLog;
  rootToken: string | null;
  rootTokenInQuery: boolean;
  /** The API keys' prefix (`mf_`): a Bearer token carrying it is an API key, not a JWT. */
  apiKeyPrefix: string;
}

const rootPrincipal: Principal = { kind: 'root', id: ROOT_ID, tenantId: null, roles: ['superadmin'], scopes: '*', name: ROOT_ID };

/** In chain order: root token, Bearer JWT, API key (`X-API-Key`, or Bearer with the key prefix), then the admin UI's session cookie. */
export function authStrategies(d: StrategyDeps): AuthStrategy[] {
  // The root token's check: a promise only when a root token is configured.
  const rootOf = async (req: AuthRequest, rootToken: string): Promise<Principal | null> => {
    const header = req.headers['x-admin-token'];
    const query = d.rootTokenInQuery ? req.query.admin_token : undefined;
    const candidates = [bearerOf(req), typeof header === 'string' ? header : null, typeof query === 'string' ? query : null];
    const presented = candidates.find((c): c is string => !!c && sameSecret(c, rootToken));
    if (!presented) {
      if (typeof header === 'string') throw AuthErrors.adminTokenInvalid();
      return null;
    }
    await d.audit.record({ action: 'auth.root_token.used', actor: rootPrincipal, meta: metaOf(req), details: { path: req.path } });
    return rootPrincipal;
  };
  const root: AuthStrategy = {
    name: 'auth.root-token',
    authenticate(req) {
      // Without a root token configured (the usual case) the answer is null at once, not a promise.
      if (!d.rootToken) return null;
      return rootOf(req, d.rootToken);
    },
  };
  const bearer: AuthStrategy = {
    name: 'auth.bearer',
    authenticate(req) {
      const token = bearerOf(req);
      if (!token) return null;
      // Prefixed opaque tokens (API keys `mf_…`, robots' `rbt_…`) belong to strategies later in the chain.
      if (token.startsWith(d.apiKeyPrefix) || /^[a-z]{2,8}_[A-Za-z0-9_-]+$/.test(token)) return null;
      return d.principals.fromToken(token, 'access', d.signer);
    },
  };
  const apiKey: AuthStrategy = {
    name: 'auth.api-key',
    authenticate(req) {
      // `Authorization: Bearer mf_…` is what MCP clients and most HTTP tools send; X-API-Key wins when both are present.
      const bearer = bearerOf(req);
      const raw = req.headers['x-api-key'] ?? (bearer?.startsWith(d.apiKeyPrefix) ? bearer : undefined);
      if (raw === undefined) return null;
      if (typeof raw !== 'string' || raw.length < 8 || raw.length > 200) throw AuthErrors.apiKeyInvalid();
      return d.principals.fromApiKey(raw);
    },
  };
  const cookie: AuthStrategy = {
    name: 'auth.session-cookie',
    async authenticate(req) {
      const token = req.cookie(SESSION_COOKIE);
      if (!token) return null;
      try {
        return await d.principals.fromToken(token, 'ui', d.signer);
      } catch {
        return null; // a stale cookie is the same as none: the UI shows its login screen
      }
    },
  };
  return [root, bearer, apiKey, cookie];
}
