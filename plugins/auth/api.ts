// The auth plugin's public surface, types only: what it registers in the container, by name.
// Other plugins use these with `import type` and resolve the services from the container; they
// never import auth's files or read its tables (see test/architecture).
import type { PayloadsOf } from 'plinth/plugin';
import type { Accounts } from './services/accounts.js';
import type { Page, PageRequest } from 'plinth/plugin';
import type { AuditFilter, AuditLog } from './services/audit.js';
import type { Passwords } from './services/passwords.js';
import type { Sessions } from './services/sessions.js';
import type { SmsCodes } from './services/sms-codes.js';
import type { Tenants } from './services/tenants.js';
import type { Users } from './services/users.js';
import type { authEvents } from './events.js';

export type { AuditEntry } from './services/audit.js';
export type { SessionView } from './services/session-devices.js';
export type { PublicUser, TenantRole } from './services/types.js';

/** `authUsers`: the platform's user accounts. */
export type AuthUsers = Pick<
  Users,
  | 'get'
  | 'list'
  | 'slice'
  | 'byEmail'
  | 'create'
  | 'adminUpdate'
  | 'remove'
  | 'byUsername'
  | 'setPasswordHash'
  | 'findOrCreateByPhone'
  | 'setStatus'
  | 'numbers'
  | 'idOfNumber'
>;

/** `passwords`: the password policy and hashing (argon2id). */
export type PasswordHasher = Pick<Passwords, 'check' | 'assess' | 'hash' | 'verify'>;

/** `tenants`: tenants, the operator tenant and tenant settings. */
export type TenantDirectory = Pick<Tenants, 'get' | 'list' | 'operatorId' | 'settings' | 'exists'>;

/** `authAccounts`: accounts other plugins provision (billing: a Stripe customer's first checkout). */
export type AccountProvisioning = Pick<Accounts, 'provision'>;

/** `audit`: the platform's audit log, which every plugin writes to. */
export type AuditSink = Pick<AuditLog, 'record'>;

/** `auditReader`: one tenant's audit rows, newest first (the agents' recent tool calls); never another tenant's. */
export interface AuditReader {
  forTenant(tenantId: string, filter: Omit<AuditFilter, 'tenant_id'>, page: PageRequest): Promise<Page<Record<string, unknown>>>;
  /**
   * How many rows of `action` per UTC day since `since` (ISO-8601), of one tenant, or of every tenant
   * for a caller that already checked its viewer is a superadmin (null): the overview's charts.
   */
  perDay(action: string, tenantId: string | null, since: string): Promise<Array<{ date: string; n: number }>>;
}

/** `authSessions`: sessions issued for a user another plugin signed in (WorkBot's SMS login). */
export type SessionIssuer = Pick<Sessions, 'issueForUser'>;

/**
 * `grantPrincipals`: the principal behind an OAuth grant another plugin issued on a user's consent
 * (agents' MCP tokens), held to the user's current role, scope limit, plan and second-factor policy
 * like an API key; throws 401/403 when the user may no longer act.
 */
export type GrantPrincipals = ReturnType<typeof import('./services/grant-principals.js').grantPrincipals>;

/**
 * `apiKeyIssuer`: a key made for the signed-in user from another plugin's page (the Agents page's key
 * for an agent), under auth's own checks: never a scope the user lacks, metered, audited, announced.
 */
export type ApiKeyIssuer = Pick<import('./services/api-keys.js').ApiKeys, 'create'>;

/** `smsCodes`: one-time codes sent by SMS. */
export type SmsCodeSender = Pick<SmsCodes, 'send' | 'verify'>;

/**
 * The admin tenant view (GET and PATCH /admin/tenants/{id}) as auth builds it, before the
 * `auth.tenant.view` filters: the tenant with its settings. `plan_id` is absent unless a plugin
 * fills it (billing does); absent is its default.
 */
export type AdminTenantView = Awaited<ReturnType<Tenants['get']>> & {
  settings: Awaited<ReturnType<Tenants['settings']>>;
  plan_id?: string;
};

/** A PATCH /admin/tenants/{id} on its way in, through the `auth.tenant.update` filters. */
export interface AdminTenantUpdate {
  tenantId: string;
  /** The body's fields that a contributing plugin owns, as validated: `plan_id` (accepted only while some plugin filters updates). */
  fields: { plan_id?: string };
  /** What to run, in order, once auth has written its own changes. A filter that refuses throws instead, before anything is written. */
  after: Array<() => Promise<void>>;
}

/**
 * The filters auth applies (core hooks, `hooks.applyFilters`), by name, with the value each passes
 * on: another plugin extends auth's tenant view and update by contributing to them from its
 * manifest's `filters`, typed with `AuthFilter<name>` from here. Each value names its tenant.
 */
export interface AuthFilters {
  /** The tenant view before it is sent: a contributor adds its fields (billing: `plan_id`). */
  'auth.tenant.view': AdminTenantView;
  /** An admin tenant update before auth writes it: a contributor checks its fields (throwing to refuse) and queues its writes in `after`. */
  'auth.tenant.update': AdminTenantUpdate;
}
export type AuthFilterName = keyof AuthFilters;
export type AuthFilter<K extends AuthFilterName> = (value: AuthFilters[K]) => Promise<AuthFilters[K]>;

/**
 * The codes auth's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type AuthErrorCode =
  | 'account_suspended'
  | 'api_key_expired'
  | 'cannot_suspend_self'
  | 'email_not_verified'
  | 'email_taken'
  | 'field_taken'
  | 'invalid_api_key'
  | 'invalid_challenge'
  | 'invalid_code'
  | 'invalid_credentials'
  | 'invalid_refresh_token'
  | 'invalid_token'
  | 'key_revoked'
  | 'last_owner'
  | 'last_superadmin'
  | 'mfa_already_enabled'
  | 'mfa_enrollment_required'
  | 'mfa_not_enabled'
  | 'mfa_not_enrolling'
  | 'mfa_required'
  | 'no_email'
  | 'no_recipient'
  | 'own_tenant'
  | 'passkey_exists'
  | 'passkey_limit'
  | 'passkey_refused'
  | 'phone_taken'
  | 'registration_closed'
  | 'scope_not_held'
  | 'session_revoked'
  | 'sms_failed'
  | 'token_expired'
  | 'too_many_attempts'
  | 'username_taken'
  | 'wrong_password';

declare module 'plinth/plugin' {
  interface Cradle {
    authUsers: AuthUsers;
    passwords: PasswordHasher;
    tenants: TenantDirectory;
    authAccounts: AccountProvisioning;
    audit: AuditSink;
    auditReader: AuditReader;
    authSessions: SessionIssuer;
    smsCodes: SmsCodeSender;
    apiKeyIssuer: ApiKeyIssuer;
    grantPrincipals: GrantPrincipals;
  }
}

/** auth's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type AuthEventPayloads = PayloadsOf<typeof authEvents>;
export type AuthEventName = keyof AuthEventPayloads;

declare module 'plinth/plugin' {
  interface EventPayloads extends AuthEventPayloads {}
}
