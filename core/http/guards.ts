import { AppError } from '../errors.js';
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

/** Every one of the scopes. */
export const requireScope = (...allOf: string[]): Guard => async (ctx) => {
  assertScope(await ctx.authenticate(), ...allOf);
};
