import { AppError } from '../../../core/errors.js';
import { hasRole, type Principal } from '../../../core/http/auth.js';

/** The seed's roles on the platform identity: strictAdmin = superadmin, admin = tenant owner/admin, user = member. */
export type MailRole = 'strictAdmin' | 'admin' | 'user';

export function mailRole(p: Principal): MailRole {
  if (p.roles.includes('superadmin')) return 'strictAdmin';
  return hasRole(p, 'admin') ? 'admin' : 'user';
}

/** Which mailboxes a principal may see: all (strictAdmin), its tenant's (admin), or its own (user). */
export interface MailboxScope {
  role: MailRole;
  tenantId: string | null;
  userId: string;
}

export function scopeOf(p: Principal): MailboxScope {
  const role = mailRole(p);
  if (role !== 'strictAdmin' && !p.tenantId) throw AppError.forbidden('mail acts within a tenant; sign in as a user of one');
  return { role, tenantId: p.tenantId, userId: p.id };
}
