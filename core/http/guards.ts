import { AppError } from '../errors.js';
import { assertEntitled, beyondPlans, type Entitlements, type FeatureInfo } from '../entitlements.js';
import { assertRole, assertScope } from './auth.js';
import type { Guard } from './router.js';

/** Any authenticated principal. */
export const requireAuth = (): Guard => async (ctx) => {
  if (!(await ctx.authenticate())) throw AppError.unauthorized();
};

/** At least one of the roles (tenant roles are ranked: owner > admin > member; superadmin passes all). */
export const requireRole = (...anyOf: string[]): Guard => async (ctx) => {
  assertRole(await ctx.authenticate(), ...anyOf);
};

/**
 * Every one of the scopes, within the tenant's plan: a scope that a feature gates needs that
 * feature in the plan (403 feature_not_in_plan naming both). The plan is checked first, so a
 * principal whose scopes were already cut to the plan learns why, not just "missing scope".
 */
export const requireScope = (...allOf: string[]): Guard => async (ctx) => {
  const principal = await ctx.authenticate();
  if (principal && !beyondPlans(principal)) {
    const { container } = ctx.state;
    await assertEntitled(container.resolve<Entitlements>('entitlements'), container.resolve<Map<string, FeatureInfo>>('features'), principal, allOf);
  }
  assertScope(principal, ...allOf);
};
