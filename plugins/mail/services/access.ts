import { hasRole, type Principal } from 'plinth/plugin';
import { MailErrors } from './errors.js';

/**
 * The seed's roles on the platform identity: strictAdmin = superadmin (and the root token),
 * admin = tenant owner/admin, user = member; `mailbox` and `guest` are the face's own principals.
 */
export type MailRole = 'strictAdmin' | 'admin' | 'user' | 'mailbox' | 'guest';

export function mailRole(p: Principal): MailRole {
  if (p.kind === 'mailbox') return 'mailbox';
  if (p.kind === 'guest') return 'guest';
  if (p.roles.includes('superadmin')) return 'strictAdmin';
  return hasRole(p, 'admin') ? 'admin' : 'user';
}

/** Which mailboxes a principal may see: all (strictAdmin), its tenant's (admin), or its own (user). */
export interface MailboxScope {
  role: Exclude<MailRole, 'guest'>;
  tenantId: string | null;
  userId: string;
  /** A mailbox principal sees only this mailbox. */
  mailboxId?: number;
  /** Who acts, when a principal does (not a workflow): the usage meter never refuses a superadmin. */
  principal?: Principal;
}

/**
 * The scope of a principal. A tenant's admin or user acts within its tenant: the route checks it
 * with the core's tenant guard first (routes/scope.ts), so here it has one.
 */
export function scopeOf(p: Principal): MailboxScope {
  const role = mailRole(p);
  if (role === 'guest') throw MailErrors.guestSeesSamplesOnly();
  if (role === 'mailbox') return { role, tenantId: p.tenantId, userId: p.id, mailboxId: Number(p.attributes?.mailboxId), principal: p };
  return { role, tenantId: p.tenantId, userId: p.id, principal: p };
}
