import { asValue } from 'awilix';
import { AppError } from '../errors.js';
import { assertEntitled, beyondPlans } from '../entitlements.js';
import { assertRole, assertScope, type TenantPrincipal } from './auth.js';
import type { HttpContext } from './context.js';
import type { Guard } from './router.js';
import { CoreErrors } from '../core-errors.js';

/** Any authenticated principal. */
export const requireAuth = (): Guard =>
  Object.assign(
    async (ctx: HttpContext) => {
      if (!(await ctx.authenticate())) throw AppError.unauthorized();
    },
    { errors: { 401: ['unauthorized'] } },
  );

/** At least one of the roles (tenant roles are ranked: owner > admin > member; superadmin passes all). */
export const requireRole = (...anyOf: string[]): Guard =>
  Object.assign(
    async (ctx: HttpContext) => {
      assertRole(await ctx.authenticate(), ...anyOf);
    },
    { errors: { 401: ['unauthorized'], 403: ['forbidden'] } },
  );

/**
 * Every one of the scopes, within the tenant's plan: a scope that a feature gates needs that
 * feature in the plan (403 feature_not_in_plan naming both). The plan is checked first, so a
 * principal whose scopes were already cut to the plan learns why, not just "missing scope".
 */
export const requireScope = (...allOf: string[]): Guard =>
  Object.assign(
    async (ctx: HttpContext) => {
      const principal = await ctx.authenticate();
      if (principal && !beyondPlans(principal)) {
        const { container } = ctx.state;
        await assertEntitled(container.resolve('entitlements'), container.resolve('features'), principal, allOf);
      }
      assertScope(principal, ...allOf);
    },
    { errors: { 401: ['unauthorized'], 403: ['forbidden', 'feature_not_in_plan'] } },
  );

export type { TenantPrincipal } from './auth.js';

/**
 * The tenant a request acts in: its principal's own. Every tenant-scoped endpoint gets its tenant
 * here, so each face refuses a credential without one (root, a platform-only key) the same way,
 * and the request scope holds it (`tenantId`) for services resolved there.
 */
export async function actingTenant(ctx: HttpContext): Promise<TenantPrincipal> {
  const principal = await ctx.authenticate();
  if (!principal) throw AppError.unauthorized();
  if (!principal.tenantId) throw CoreErrors.tenantRequired();
  if (!ctx.state.container.hasRegistration('tenantId')) ctx.state.container.register({ tenantId: asValue(principal.tenantId) });
  return principal as TenantPrincipal;
}

/** The guard form of actingTenant, for routes that check nothing else. */
export const requireTenant = (): Guard =>
  Object.assign(
    async (ctx: HttpContext) => {
      await actingTenant(ctx);
    },
    { errors: { 401: ['unauthorized'], 403: ['tenant_required'] } },
  );
