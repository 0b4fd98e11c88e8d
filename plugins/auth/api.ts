// The auth plugin's public surface, types only: what it registers in the container, by name.
// Other plugins use these with `import type` and resolve the services from the container; they
// never import auth's files or read its tables (see test/architecture).
import type { Passwords } from './services/passwords.js';
import type { Tenants } from './services/tenants.js';
import type { Users } from './services/users.js';

export type { PublicUser, TenantRole } from './services/types.js';

/** `authUsers`: the platform's user accounts. */
export type AuthUsers = Pick<Users, 'get' | 'list' | 'slice' | 'create' | 'adminUpdate' | 'remove' | 'byUsername' | 'setPasswordHash' | 'findOrCreateByPhone'>;

/** `passwords`: the password policy and hashing (argon2id). */
export type PasswordHasher = Pick<Passwords, 'check' | 'hash' | 'verify'>;

/** `tenants`: tenants, the operator tenant and tenant settings. */
export type TenantDirectory = Pick<Tenants, 'get' | 'list' | 'operatorId' | 'settings' | 'exists'>;
