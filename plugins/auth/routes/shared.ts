import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { actingTenant } from 'plinth/plugin';
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
