// The auth plugin's public surface, types only: what it registers in the container, by name.
// Other plugins use these with `import type` and resolve the services from the container; they
// never import auth's files or read its tables (see test/architecture).
import type { Accounts } from './services/accounts.js';
import type { AuditLog } from './services/audit.js';
import type { AuthServices } from './services/index.js';
import type { Passwords } from './services/passwords.js';
import type { Sessions } from './services/sessions.js';
import type { SmsCodes } from './services/sms-codes.js';
import type { Tenants } from './services/tenants.js';
import type { Users } from './services/users.js';

export type { AuditEntry } from './services/audit.js';
export type { PublicUser, TenantRole } from './services/types.js';

/** `authUsers`: the platform's user accounts. */
export type AuthUsers = Pick<
  Users,
  'get' | 'list' | 'slice' | 'byEmail' | 'create' | 'adminUpdate' | 'remove' | 'byUsername' | 'setPasswordHash' | 'findOrCreateByPhone' | 'setStatus'
>;

/** `passwords`: the password policy and hashing (argon2id). */
export type PasswordHasher = Pick<Passwords, 'check' | 'hash' | 'verify'>;

/** `tenants`: tenants, the operator tenant and tenant settings. */
export type TenantDirectory = Pick<Tenants, 'get' | 'list' | 'operatorId' | 'settings' | 'exists'>;

/** `authAccounts`: accounts other plugins provision (billing: a Stripe customer's first checkout). */
export type AccountProvisioning = Pick<Accounts, 'provision'>;

/** `audit`: the platform's audit log, which every plugin writes to. */
export type AuditSink = Pick<AuditLog, 'record'>;

/** `authSessions`: sessions issued for a user another plugin signed in (WorkBot's SMS login). */
export type SessionIssuer = Pick<Sessions, 'issueForUser'>;

/** `smsCodes`: one-time codes sent by SMS. */
export type SmsCodeSender = Pick<SmsCodes, 'send' | 'verify'>;

declare module '../../core/container.js' {
  interface Cradle {
    /** auth's own services (its routes and jobs); other plugins use the names below. */
    authServices: AuthServices;
    authUsers: AuthUsers;
    passwords: PasswordHasher;
    tenants: TenantDirectory;
    authAccounts: AccountProvisioning;
    audit: AuditSink;
    authSessions: SessionIssuer;
    smsCodes: SmsCodeSender;
  }
}
