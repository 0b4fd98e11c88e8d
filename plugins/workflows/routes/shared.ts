import type { HttpContext } from 'plinth/plugin';
import { actingTenant, requireScope } from 'plinth/plugin';

export const READ = 'workflows:read';
export const MANAGE = 'workflows:manage';
export const read = [requireScope(READ)];
export const manage = [requireScope(MANAGE)];

/** Who acts, in which tenant: workflows live in a tenant, so a credential without one is refused. */
export async function tenantOf(ctx: HttpContext): Promise<{ tenantId: string; actor: string }> {
  const principal = await actingTenant(ctx);
  return { tenantId: principal.tenantId, actor: principal.id };
}
