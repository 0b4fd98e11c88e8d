import { AppError } from '../../../core/errors.js';
import { hasRole } from '../../../core/http/auth.js';
import type { HttpContext } from '../../../core/http/context.js';
import { actingTenant } from '../../../core/http/guards.js';
import { envelopes } from '../../../core/http/envelopes.js';

export const ok = (data: unknown, message?: string) => envelopes['code-message-data'].ok(data, message);

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

export const pageQuery = {
  page: { type: 'integer', minimum: 1, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
};
