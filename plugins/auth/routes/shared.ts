import { AppError } from '../../../core/errors.js';
import type { Principal } from '../../../core/http/auth.js';
import type { HttpContext } from '../../../core/http/context.js';
import { actingTenant } from '../../../core/http/guards.js';
import type { RequestMeta } from '../services/types.js';

export const meta = (ctx: HttpContext): RequestMeta => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') });

/** The authenticated principal (guards have already run; this only narrows the type). */
export async function principalOf(ctx: HttpContext): Promise<Principal> {
  const principal = await ctx.authenticate();
  if (!principal) throw AppError.unauthorized();
  return principal;
}

/** A tenant-scoped principal: root and platform-less principals have no tenant to act in. */
export const tenantPrincipal = actingTenant;
