import { AppError } from '../../../core/errors.js';
import type { HttpContext } from '../../../core/http/context.js';
import { scopeOf, type MailboxScope } from '../services/access.js';

/** The caller's view of mail: which mailboxes (and so which messages) it may touch. */
export async function scopeFrom(ctx: HttpContext): Promise<MailboxScope> {
  const principal = await ctx.authenticate();
  if (!principal) throw AppError.unauthorized();
  return scopeOf(principal);
}
