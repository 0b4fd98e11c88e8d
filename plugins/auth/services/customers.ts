import type { Knex } from 'knex';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { Accounts } from './accounts.js';
import type { AuditLog } from './audit.js';
import type { Passwords } from './passwords.js';
import type { Tenants } from './tenants.js';
import { normalizeEmail, type Users } from './users.js';
import { toPublicUser, type PublicUser, type RequestMeta, type TenantRole, type UserRow } from './types.js';
import { AuthErrors } from './errors.js';

export interface NewCustomer {
  name: string;
  owner_email: string;
  owner_name?: string;
  /** Set by the operator; without it the owner is emailed a link to choose one. */
  password?: string;
}

export interface NewMember {
  email: string;
  role: TenantRole;
  full_name?: string;
  password?: string;
}

/** What Customers is built from, passed by name. */
export interface CustomersDeps {
  db: Knex;
  users: Users;
  tenants: Tenants;
  passwords: Passwords;
  accounts: Accounts;
  audit: AuditLog;
}

/**
 * The operator's side of customers: a tenant made with its owner, and users added to a tenant by
 * email. A user given a password by the operator is taken as verified (the operator vouches); one
 * without gets an invitation mail whose link sets the password and proves the mailbox.
 */
export class Customers {
  constructor(private readonly deps: CustomersDeps) {}

  async createTenant(actor: Principal, input: NewCustomer, meta: RequestMeta) {
    const { email, hash } = await this.prepare(input.owner_email, input.password, 'owner_email');
    const owner = await this.deps.db.transaction(async (trx) => {
      const tenantId = await this.deps.tenants.create(trx, input.name.trim());
      const user = await this.createUser(trx, { tenantId, email, fullName: input.owner_name, hash, role: 'owner' }, 'owner_email');
      await this.deps.audit.record(
        {
          action: 'admin.tenant.created',
          actor,
          tenantId,
          target: { type: 'tenant', id: tenantId },
          meta,
          details: { name: input.name.trim(), owner_email: email, owner_id: user.id, password_set: Boolean(hash) },
        },
        trx,
      );
      return user;
    });
    const invitationSent = hash ? false : await this.deps.accounts.sendInvitation(owner, input.name.trim());
    return { tenant: await this.deps.tenants.get(owner.tenant_id), owner: toPublicUser(owner), invitation_sent: invitationSent };
  }

  async invite(actor: Principal, tenantId: string, input: NewMember, meta: RequestMeta): Promise<{ user: PublicUser; invitation_sent: boolean }> {
    const tenant = await this.deps.tenants.get(tenantId);
    const { email, hash } = await this.prepare(input.email, input.password, 'email');
    const user = await this.deps.db.transaction(async (trx) => {
      const created = await this.createUser(trx, { tenantId, email, fullName: input.full_name, hash, role: input.role }, 'email');
      await this.deps.audit.record(
        {
          action: 'admin.user.invited',
          actor,
          tenantId,
          target: { type: 'user', id: created.id },
          meta,
          details: { email, role: input.role, password_set: Boolean(hash) },
        },
        trx,
      );
      return created;
    });
    const invitationSent = hash ? false : await this.deps.accounts.sendInvitation(user, tenant.name);
    return { user: toPublicUser(user), invitation_sent: invitationSent };
  }

  /** Checks the address is free and the password (if any) is acceptable, before anything is written. */
  private async prepare(address: string, password: string | undefined, field: string): Promise<{ email: string; hash: string | null }> {
    const email = normalizeEmail(address);
    if (await this.deps.users.byEmail(email)) throw AuthErrors.emailHasAccount(field, email);
    if (password === undefined) return { email, hash: null };
    this.deps.passwords.check(password);
    return { email, hash: await this.deps.passwords.hash(password) };
  }

  private async createUser(
    trx: Knex.Transaction,
    u: { tenantId: string; email: string; fullName?: string; hash: string | null; role: TenantRole },
    field: string,
  ): Promise<UserRow> {
    try {
      return await this.deps.users.create(trx, {
        tenantId: u.tenantId,
        email: u.email,
        fullName: u.fullName ?? '',
        passwordHash: u.hash,
        role: u.role,
        emailVerified: Boolean(u.hash),
      });
    } catch (err) {
      // Another request took the address between the check and the insert.
      if (err instanceof AppError && err.code === 'email_taken') throw AuthErrors.emailHasAccount(field, u.email);
      throw err;
    }
  }
}
