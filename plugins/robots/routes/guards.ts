import { AppError } from 'plinth/plugin';
import { hasScope, type Principal } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { Guard } from 'plinth/plugin';
import type { HomeTenant } from '../services/home.js';
import { RobotsErrors } from '../services/errors.js';

/** A principal as the home tenant's role check reads it. */
export const asRoleHolder = (p: Principal) => ({
  tenant_id: p.tenantId,
  role: p.roles.find((r) => r !== 'superadmin') ?? '',
  is_superadmin: p.roles.includes('superadmin'),
});

/**
 * Every /api/admin/* route: WorkBot's codes, users and logs belong to the operator, so only
 * superadmins and the home tenant's owners and admins pass. A customer tenant's owner is an
 * admin of their own tenant, not of WorkBot: 403 like anyone else. An API key of a home admin
 * must also carry robots:manage (a key made for other work does not administer WorkBot).
 */
export const workbotAdmin =
  (home: HomeTenant): Guard =>
  async (ctx: HttpContext) => {
    const principal = await ctx.authenticate();
    if (!principal || principal.kind === 'robot') throw AppError.unauthorized('a user token is required');
    if (!(await home.administers(asRoleHolder(principal)))) {
      throw RobotsErrors.notWorkbotAdmin();
    }
    if (!hasScope(principal, 'robots:manage')) throw RobotsErrors.manageScopeMissing();
  };

/** Whose data an admin route sees: null (every tenant) for a superadmin, else the home tenant. */
export async function adminScope(ctx: HttpContext, home: HomeTenant): Promise<{ principal: Principal; tenantId: string | null; superadmin: boolean }> {
  const principal = (await ctx.authenticate())!; // workbotAdmin ran first
  const superadmin = principal.roles.includes('superadmin');
  return { principal, tenantId: superadmin ? null : await home.id(), superadmin };
}
