import type { Principal } from 'plinth/plugin';
import type { MfaRequire } from '../config.js';
import { underMfaPolicy } from './mfa-policy.js';
import { isPlatformScope } from './scopes.js';
import type { Principals } from './strategies.js';
import { AuthErrors } from './errors.js';
import type { GrantPrincipals } from '../api.js';

/**
 * The principal behind a delegated grant (an OAuth token another plugin issued on a user's
 * consent): held, like an API key, to the user's current role, scope limit and plan, refused when
 * the user or tenant is suspended or the user moved tenant, and under the second-factor policy as
 * a key is (its owner must have enrolled). A grant never carries platform scopes.
 */
export function grantPrincipals(principals: Principals, mfaRequire: MfaRequire): GrantPrincipals {
  return {
    async forGrant(userId: string, tenantId: string, scopes: readonly string[], attributes: Record<string, unknown>): Promise<Principal> {
      const user = await principals.activeUser(userId);
      if (user.tenant_id !== tenantId) throw AuthErrors.grantOfOtherTenant();
      if (!user.mfa_enabled && underMfaPolicy(user, mfaRequire)) {
        throw AuthErrors.grantOwnerWithoutMfa();
      }
      const held = principals.userPrincipal(user).scopes;
      const granted = scopes.filter((s) => !isPlatformScope(s) && (held === '*' || held.includes(s)));
      return principals.withinPlan({ kind: 'oauth', id: user.id, tenantId, roles: [user.role], scopes: granted, name: user.email ?? user.id, attributes });
    },
  };
}
