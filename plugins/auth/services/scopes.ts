import type { ScopeInfo } from 'plinth/plugin';
import type { TenantRole } from './types.js';

/** Only a superadmin holds it; an API key with it acts as superadmin. */
export const PLATFORM_SCOPE = 'platform:admin';

/**
 * The operator's scopes (`platform:admin`, the core's `platform:metrics`): no tenant role implies
 * one, and only a superadmin can grant one to a key.
 */
export const isPlatformScope = (scope: string): boolean => scope.startsWith('platform:');

/** Scopes every tenant member has, beside the `:read` and `:use` ones (a plugin's everyday actions). */
const MEMBER_EXTRA = ['account:manage', 'api-keys:manage'];

/** A user held to a scope limit still reads and manages their own account. */
const OWN_ACCOUNT = ['account:read', 'account:manage'];

export const withOwnAccount = (limit: readonly string[]): string[] => [...new Set([...OWN_ACCOUNT, ...limit])];

/** A role's scopes cut to a user's scope limit (null = no limit). */
export function limitScopes(scopes: readonly string[] | '*', limit: readonly string[] | null): readonly string[] | '*' {
  if (!limit) return scopes;
  const allowed = new Set(withOwnAccount(limit));
  return scopes === '*' ? scopes : scopes.filter((s) => allowed.has(s));
}

/**
 * What a role implies, from the scopes the enabled plugins registered: owners and admins get
 * every tenant scope, members every `:read` and `:use` scope plus managing their own account and keys.
 */
export class RoleScopes {
  private cache = new Map<string, readonly string[]>();
  constructor(private readonly registry: Map<string, ScopeInfo>) {}

  forRole(role: TenantRole, superadmin: boolean): readonly string[] | '*' {
    if (superadmin) return '*';
    let scopes = this.cache.get(role);
    if (!scopes) {
      const all = [...this.registry.keys()].filter((s) => !isPlatformScope(s));
      scopes = role === 'member' ? all.filter((s) => s.endsWith(':read') || s.endsWith(':use') || MEMBER_EXTRA.includes(s)) : all;
      this.cache.set(role, scopes);
    }
    return scopes;
  }

  known(scope: string): boolean {
    return this.registry.has(scope);
  }
}
