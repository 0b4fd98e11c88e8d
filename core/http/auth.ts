import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../errors.js';

/** Who is making a request. Plugins add kinds (robot, mailbox, guest) by adding strategies. */
export interface Principal {
  kind: 'user' | 'api_key' | 'root' | (string & {});
  /** The user (or robot, mailbox…) id; for an API key, the key's owner. */
  id: string;
  tenantId: string | null;
  /** Platform and tenant roles: superadmin, owner, admin, member, or a plugin's own. */
  roles: readonly string[];
  /** `resource:action` scopes, or '*' for all. */
  scopes: readonly string[] | '*';
  name?: string;
  /** The language they chose to read (core/languages.ts), when their kind has such a setting: the admin UI speaks it. */
  language?: string;
  /** Strategy-specific facts (the API key id, the token id…). */
  attributes?: Record<string, unknown>;
}

/** A principal that acts within a tenant (what core/http/guards.ts actingTenant gives). */
export type TenantPrincipal = Principal & { tenantId: string };

/** What a strategy may look at: no Koa types, so strategies live in plugin services. */
export interface AuthRequest {
  headers: IncomingHttpHeaders;
  query: Record<string, unknown>;
  cookie(name: string): string | undefined;
  ip: string;
  path: string;
}

/**
 * Returns a principal, or null when its kind of credential is absent. When the credential is
 * present but wrong it throws (401), so a bad key never falls through to a weaker strategy.
 */
export interface AuthStrategy {
  name: string;
  authenticate(req: AuthRequest): Promise<Principal | null> | Principal | null;
}

export class AuthChain {
  private readonly strategies: AuthStrategy[] = [];

  add(strategy: AuthStrategy): void {
    if (this.strategies.some((s) => s.name === strategy.name)) throw new Error(`auth strategy "${strategy.name}" is already registered`);
    this.strategies.push(strategy);
  }

  names(): string[] {
    return this.strategies.map((s) => s.name);
  }

  async authenticate(req: AuthRequest): Promise<Principal | null> {
    for (const strategy of this.strategies) {
      // Most strategies answer null at once (their kind of credential is absent): no await, no tick, for those.
      const answer = strategy.authenticate(req);
      const principal = answer instanceof Promise ? await answer : answer;
      if (principal) return principal;
    }
    return null;
  }
}

/** Tenant roles are ranked; a higher one passes a check for a lower one. Other roles match exactly. */
const RANK: Record<string, number> = { member: 1, admin: 2, owner: 3 };

/** Takes anything with roles, so the admin UI shell can apply the same rule to its nav. */
export function hasRole(principal: Pick<Principal, 'roles'>, wanted: string): boolean {
  if (principal.roles.includes('superadmin')) return true;
  if (principal.roles.includes(wanted)) return true;
  const need = RANK[wanted];
  return need !== undefined && principal.roles.some((r) => (RANK[r] ?? 0) >= need);
}

/**
 * `licenses:manage` is granted by itself, by `licenses:*` and by `*`; a resource's `:read` and
 * `:use` are also granted by its `:manage` (who may change a thing may see and use it).
 */
export function hasScope(principal: Principal, wanted: string): boolean {
  if (principal.roles.includes('superadmin') || principal.scopes === '*') return true;
  const [resource, action] = wanted.split(':');
  const granted = principal.scopes;
  return granted.includes(wanted) || granted.includes(`${resource}:*`) || ((action === 'read' || action === 'use') && granted.includes(`${resource}:manage`));
}

export function assertRole(principal: Principal | null, ...anyOf: string[]): Principal {
  if (!principal) throw AppError.unauthorized();
  if (!anyOf.some((role) => hasRole(principal, role))) throw AppError.forbidden(`requires role ${anyOf.join(' or ')}`);
  return principal;
}

export function assertScope(principal: Principal | null, ...allOf: string[]): Principal {
  if (!principal) throw AppError.unauthorized();
  const missing = allOf.filter((s) => !hasScope(principal, s));
  if (missing.length) throw AppError.forbidden(`missing scope ${missing.join(', ')}`);
  return principal;
}

/** The admin UI's HttpOnly session cookie (set by core, read by the auth plugin's strategy). */
export const SESSION_COOKIE = 'plinth_session';

/** A signed-in admin UI session: the token the HttpOnly cookie carries. */
export interface AdminSession {
  token: string;
  expiresInSeconds: number;
}

/** A sign-in whose first step passed for a user with a second factor: answered with `completeChallenge`. */
export interface AdminChallenge {
  challengeToken: string;
  methods: string[];
  expiresInSeconds: number;
}

export type AdminSignIn = AdminSession | AdminChallenge;

/**
 * What the auth plugin (or a test fixture) registers as `adminLogin` so the admin UI can sign in.
 * The core only sets and clears the HttpOnly cookie; the token's meaning belongs to the provider.
 */
export interface AdminLoginProvider {
  /** A sign-in that must end in a session (another face's login): a user with a second factor is refused (403 `mfa_required`). */
  login(input: { email: string; password: string; ip: string; userAgent: string }): Promise<AdminSession>;
  /** The admin UI's password sign-in (POST /admin/api/login `{ email, password }`): a session, or a second-factor challenge. Without it, `login`. */
  beginLogin?(input: { email: string; password: string; ip: string; userAgent: string }): Promise<AdminSignIn>;
  /** Signs in with the single-use token of an emailed link (POST /admin/api/login `{ magic_token }`): a session, or a challenge. */
  loginWithMagicLink?(token: string, meta: { ip: string; userAgent: string }): Promise<AdminSignIn>;
  /** Answers a challenge (POST /admin/api/login `{ challenge_token, code | recovery_code }`): the session it stood before. */
  completeChallenge?(input: { challengeToken: string; code?: string; recoveryCode?: string; ip: string; userAgent: string }): Promise<AdminSession>;
  /** Signs in with a passkey: the authenticator's answer to the provider's challenge (POST /admin/api/login `{ passkey }`), checked by the provider. */
  loginWithPasskey?(response: unknown, meta: { ip: string; userAgent: string }): Promise<{ token: string; expiresInSeconds: number }>;
  logout?(token: string): Promise<void>;
}
