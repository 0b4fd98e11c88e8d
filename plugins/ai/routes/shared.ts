import { AppError } from 'plinth/plugin';
import { hasRole } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { actingTenant, requireScope } from 'plinth/plugin';
import type { Guard } from 'plinth/plugin';
import { ok } from 'plinth/plugin';

export { ok };

/** Reading the knowledge base, providers, settings and call log (members have it). */
export const READ = 'ai:read';
/** Changing the tenant's AI setup and trying replies (owners and admins; includes ai:read). */
export const MANAGE = 'ai:manage';

export interface TenantUser {
  tenantId: string;
  userId: string;
  admin: boolean;
}

/** A signed-in user of a tenant (robot tokens are not users here). */
export async function tenantUser(ctx: HttpContext): Promise<TenantUser> {
  const caller = await ctx.authenticate();
  if (!caller || caller.kind === 'robot') throw AppError.unauthorized('a user token is required');
  const principal = await actingTenant(ctx);
  return { tenantId: principal.tenantId, userId: principal.id, admin: hasRole(principal, 'admin') };
}

/** A tenant owner or admin: what changing the tenant's AI setup needs. */
export async function tenantAdmin(ctx: HttpContext): Promise<TenantUser> {
  const user = await tenantUser(ctx);
  if (!user.admin) throw AppError.forbidden("only the tenant's owners and admins change its AI setup");
  return user;
}

const userGuard: Guard = async (ctx) => {
  await tenantUser(ctx);
};
const adminGuard: Guard = async (ctx) => {
  await tenantAdmin(ctx);
};

// Who first (401 for robots and strangers; a member's write is refused for its role), then the
// scope within the plan: an admin's key without ai:manage is 403 missing scope, and a plan without
// the ai_replies feature is 403 naming the plan and the feature.
export const read: Guard[] = [userGuard, requireScope(READ)];
export const adminRead: Guard[] = [adminGuard, requireScope(READ)];
export const manage: Guard[] = [adminGuard, requireScope(MANAGE)];
