import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { actingTenant } from 'plinth/plugin';
import { mailRole, scopeOf, type MailboxScope } from '../services/access.js';

/** The caller's view of mail: which mailboxes (and so which messages) it may touch. */
export async function scopeFrom(ctx: HttpContext): Promise<MailboxScope> {
  const principal = await ctx.authenticate();
  if (!principal) throw AppError.unauthorized();
  // A tenant's admin or user acts within its tenant: the core's one tenant guard (403 tenant_required).
  const role = mailRole(principal);
  if (role === 'admin' || role === 'user') await actingTenant(ctx);
  return scopeOf(principal);
}
