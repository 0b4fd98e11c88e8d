// The auth plugin's public surface, types only: what it registers in the container, by name, and
// the shapes those speak in. Other plugins use these with `import type` and resolve the services
// from the container; they never import auth's files or read its tables (see test/architecture).
// Nothing here comes from auth's services/: they implement these (users.ts `implements AuthUsers`, …).
import type { Knex } from 'knex';
import type { Page, PageRequest, PayloadsOf, Principal, TenantPrincipal } from 'plinth/plugin';
import type { authEvents } from './events.js';

/** A database handle or a transaction: where a call that takes one writes. */
type Db = Knex | Knex.Transaction;

/** Where a request came from, for audit rows, sessions and consent records. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export type TenantRole = 'owner' | 'admin' | 'member';

export interface UserRow {
  id: string;
  tenant_id: string;
  email: string | null;
  phone: string | null;
  username: string | null;
  full_name: string;
  password_hash: string | null;
  role: TenantRole;
  is_superadmin: boolean | number;
  status: 'active' | 'suspended';
  email_verified_at: string | null;
  /** Registered under `registration: 'verify'`: password sign-in waits for the emailed link. */
  must_verify_email?: boolean | number;
  /** JSON array of the only scopes this user may hold (within their role's); null = all of the role's. */
  scope_limit?: string | null;
  /** Signs in with a password they did not choose (the first start's generated one): the admin UI asks for their own first. */
  must_change_password?: boolean | number;
  /** Has a confirmed second factor (TOTP); kept beside the factor's own row for the policy's hot path. */
  mfa_enabled?: boolean | number;
  /** The language they read (core/languages.ts); null: the browser's in the UI, the server's default in mails. */
  language?: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A user as the API shows it (never the hash). */
export interface PublicUser {
  id: string;
  email: string | null;
  full_name: string;
  role: TenantRole;
  tenant_id: string;
  is_superadmin: boolean;
  phone: string | null;
  username: string | null;
  status: 'active' | 'suspended';
  email_verified: boolean;
  /** The only scopes this user may hold; null = every scope of their role. */
  scope_limit: string[] | null;
  /** Their password was generated, not chosen: the admin UI asks them for one of their own before anything else. */
  must_change_password: boolean;
  /** Signs in with a second factor (TOTP). */
  mfa_enabled: boolean;
  /** The language the admin UI speaks to them and their mails are written in; null: not chosen. */
  language: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewUser {
  tenantId: string;
  email?: string | null;
  phone?: string | null;
  username?: string | null;
  fullName?: string;
  passwordHash?: string | null;
  role: TenantRole;
  superadmin?: boolean;
  emailVerified?: boolean;
  /** Hold the user to these scopes (besides their own account's); see services/scopes.ts. */
  scopeLimit?: readonly string[];
}

export interface ProfilePatch {
  full_name?: string;
  email?: string;
  phone?: string | null;
  username?: string | null;
  /** null: no choice (the browser's language in the UI, the server's default in mails). */
  language?: string | null;
}

export interface AdminUserPatch extends ProfilePatch {
  role?: TenantRole;
  is_superadmin?: boolean;
  /** null lifts the limit; promoting a user to owner or admin lifts it too. */
  scope_limit?: string[] | null;
}

export interface TenantSettings {
  allowed_numbers: string[];
  require_approval: boolean;
  ai_consent_enabled: boolean;
}

export interface AuditEntry {
  action: string;
  tenantId?: string | null;
  actor?: Principal | null;
  /** For events without a principal (a failed login names the email tried). */
  actorLabel?: string;
  target?: { type: string; id: string | null };
  meta?: RequestMeta;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  actor_id?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
  tenant_id?: string;
  since?: string;
  until?: string;
}

/** A signed-in session as its user (or the operator) sees it. */
export interface SessionView {
  id: string;
  /** `ui`: the admin UI's cookie; `api`: a token pair from /auth/login (or a magic link, an SMS code). */
  kind: 'api' | 'ui';
  device: string;
  /** The names `device` is made of, for a UI that says it in another language. */
  device_parts: DeviceParts;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  /** Written at most once a minute (and at every refresh), so up to a minute behind. */
  last_used_at: string;
  expires_at: string;
  /** The session this request is made with. */
  current: boolean;
}

/** The names a device label is made of, for a UI to put together in its own language: all null is an unknown device. */
export interface DeviceParts {
  browser: string | null;
  system: string | null;
  /** A program's name ("curl", "node") when the user agent is no browser's. */
  program: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface LoginResult extends TokenPair {
  user: { id: string; email: string | null; full_name: string; role: string; tenant_id: string };
  /** Signed in, but the policy wants a second factor first: everything but enrolment answers 403 until then. */
  mfa_enrollment_required?: boolean;
}

export interface ApiKeyView {
  id: string;
  name: string;
  key_prefix: string;
  scopes: string[];
  user_id: string;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  is_active: boolean;
}

/** The first step's answer for a user with a second factor: no tokens yet, a challenge to answer. */
export interface MfaChallenge {
  mfa_required: true;
  /** Single use, valid `expires_in` seconds; answered at POST /api/v2/auth/mfa/verify (or /admin/api/login for the admin UI). */
  challenge_token: string;
  methods: Array<'totp' | 'recovery_code'>;
  expires_in: number;
}

/** A tenant as auth's admin pages show it (`user_count` where it was counted). */
export interface AuthTenant {
  id: string;
  name: string;
  status: string;
  /** The operator tenant: the first superadmin's, exactly one. */
  is_operator: boolean;
  created_at: string;
  updated_at: string;
  user_count?: number;
}

/** `authUsers`: the platform's user accounts (services/users.ts). */
export interface AuthUsers {
  get(id: string, scope?: { tenantId: string | null }): Promise<PublicUser>;
  list(filter: { search?: string; status?: string; tenant_id?: string; role?: string }, page: PageRequest): Promise<Page<PublicUser>>;
  slice(range: { limit: number; offset: number; order: 'asc' | 'desc' }): Promise<PublicUser[]>;
  byEmail(email: string): Promise<UserRow | undefined>;
  byUsername(username: string): Promise<UserRow | undefined>;
  create(trx: Db, input: NewUser): Promise<UserRow>;
  adminUpdate(actor: Principal, id: string, patch: AdminUserPatch, meta: RequestMeta): Promise<PublicUser>;
  remove(actor: Principal, id: string, meta: RequestMeta, action?: string): Promise<void>;
  setPasswordHash(trx: Db, id: string, hash: string): Promise<void>;
  findOrCreateByPhone(phone: string, join: { tenantId: string; role?: TenantRole; scopeLimit?: readonly string[] }): Promise<UserRow>;
  setStatus(actor: Principal, id: string, status: 'active' | 'suspended', meta: RequestMeta): Promise<PublicUser>;
  /** Each user's short number (WorkBot's user numbers), by id. */
  numbers(ids: readonly string[]): Promise<Map<string, number>>;
  idOfNumber(n: number): Promise<string | undefined>;
}

/** `passwords`: the password policy and hashing (argon2id). */
export interface PasswordHasher {
  /** Throws a 400 naming `field` when the password breaks the policy. */
  check(password: string, field?: string): void;
  /** Why the password breaks the policy (undefined: it does not). */
  assess(password: string, field: string, status: number): string | undefined;
  hash(password: string): Promise<string>;
  verify(hash: string | null, password: string): Promise<boolean>;
}

/** `tenants`: tenants, the operator tenant and tenant settings. */
export interface TenantDirectory {
  get(id: string): Promise<AuthTenant>;
  list(search: string | undefined, page: PageRequest): Promise<Page<AuthTenant>>;
  operatorId(trx?: Db): Promise<string | null>;
  settings(tenantId: string, trx?: Db): Promise<TenantSettings>;
  exists(id: string, trx?: Db): Promise<boolean>;
}

/** `authAccounts`: accounts other plugins provision (billing: a Stripe customer's first checkout). */
export interface AccountProvisioning {
  provision(email: string): Promise<{ tenantId: string; created: boolean }>;
}

/** `audit`: the platform's audit log, which every plugin writes to. */
export interface AuditSink {
  record(entry: AuditEntry, trx?: Db): Promise<void>;
}

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
export interface SessionIssuer {
  issueForUser(userId: string, meta: RequestMeta, method: string): Promise<LoginResult>;
}

/**
 * `grantPrincipals`: the principal behind an OAuth grant another plugin issued on a user's consent
 * (agents' MCP tokens), held to the user's current role, scope limit, plan and second-factor policy
 * like an API key; throws 401/403 when the user may no longer act.
 */
export interface GrantPrincipals {
  forGrant(userId: string, tenantId: string, scopes: readonly string[], attributes: Record<string, unknown>): Promise<Principal>;
}

/**
 * `apiKeyIssuer`: a key made for the signed-in user from another plugin's page (the Agents page's key
 * for an agent), under auth's own checks: never a scope the user lacks, metered, audited, announced.
 */
export interface ApiKeyIssuer {
  create(
    principal: TenantPrincipal,
    input: { name: string; scopes: string[]; expires_in_days?: number },
    meta: RequestMeta,
  ): Promise<ApiKeyView & { raw_key: string }>;
}

/** `smsCodes`: one-time codes sent by SMS. */
export interface SmsCodeSender {
  send(phone: string, purpose: string, ip: string): Promise<{ expires_in: number }>;
  verify(phone: string, code: string, purpose: string): Promise<void>;
}

/**
 * The admin tenant view (GET and PATCH /admin/tenants/{id}) as auth builds it, before the
 * `auth.tenant.view` filters: the tenant with its settings. `plan_id` is absent unless a plugin
 * fills it (billing does); absent is its default.
 */
export type AdminTenantView = AuthTenant & {
  settings: TenantSettings;
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
/**
 * The codes a contributor to `auth.tenant.update` may refuse a PATCH with beyond a field's validation
 * (billing: a tenant paying through Stripe); auth's route documents them, the contributor throws them.
 */
export type TenantUpdateRefusal = 'managed_by_stripe';
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
