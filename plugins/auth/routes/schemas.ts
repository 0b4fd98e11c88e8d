/**
 * The auth face's route schemas (seeds 000 + 001, MoltFlow, under /api/v2): the request bodies,
 * queries and params the routes accept, and the replies /openapi.json documents (and
 * `server.checkReplies` holds every reply to). Replies are what the routes return; the face's
 * plain envelope needs nothing around them.
 */
import { BACKUP_NAME } from 'plinth/plugin';
import { LANGUAGES } from 'plinth/plugin';
import { paginationQuery } from 'plinth/plugin';
import { anyObject, arrayOf, bool, body, int, isoTime, nullable, pageOf, reply, str } from 'plinth/plugin';

// --- Request fields ----------------------------------------------------------------------------

export const email = { type: 'string', format: 'email', maxLength: 320 } as const;
/** An address as typed at sign-in (or a username): matched, not validated. */
const typedEmail = { type: 'string', minLength: 1, maxLength: 320 } as const;
export const password = { type: 'string', minLength: 1, maxLength: 4096 } as const;
export const token = { type: 'string', minLength: 1, maxLength: 512 } as const;
const fullName = { type: 'string', maxLength: 200 } as const;
const roleField = { enum: ['owner', 'admin', 'member'] } as const;
const scopeField = { type: 'string', pattern: '^[a-z0-9-]+:[a-z0-9*_-]+$' } as const;
const tenantName = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } as const;

export const uuidParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

/** What a user changes of their own profile (and the operator of any user's). */
const profileFields = {
  full_name: fullName,
  email,
  phone: { type: ['string', 'null'], pattern: '^\\+?[1-9]\\d{6,14}$' },
  username: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_.-]{3,64}$' },
  /** The language the admin UI and mails speak to the user; null: the browser's (UI) and the server's default (mail). */
  language: { enum: [...LANGUAGES, null], description: 'The language of the admin UI and of mails to this user; null: not chosen' },
};

/** A tenant's settings (seed 001), as the owner and the operator (PATCH /admin/tenants/:id) change them. */
const settingsFields = {
  allowed_numbers: { type: 'array', maxItems: 1000, items: { type: 'string', pattern: '^\\+?[1-9]\\d{6,14}$' } },
  require_approval: { type: 'boolean' },
  ai_consent_enabled: { type: 'boolean' },
};

/** null lifts the limit; a list holds the user to those scopes (and their own account). */
const scopeLimit = { type: ['array', 'null'], maxItems: 100, items: scopeField };

const pagedQuery = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties: { ...paginationQuery, ...properties },
});

// --- Request bodies and queries ----------------------------------------------------------------

/** `tenant_name` (the organisation, optional) names the new tenant; without it, the full name or the address does. */
export const registerBody = body({ email, password, full_name: fullName, tenant_name: tenantName }, ['email', 'password']);
export const loginBody = body({ email: typedEmail, password }, ['email', 'password']);
export const refreshBody = body({ refresh_token: token }, ['refresh_token']);
export const logoutBody = body({ refresh_token: token });
/** forgot-password and magic-link/request: the same answer whether or not the address has an account. */
export const addressBody = body({ email: typedEmail }, ['email']);
export const resetPasswordBody = body({ token, new_password: password }, ['token', 'new_password']);
export const tokenBody = body({ token }, ['token']);
export const setPasswordBody = body({ password, current_password: password }, ['password']);

export const profilePatch = { ...body(profileFields), minProperties: 1 };
export const settingsPatch = { ...body(settingsFields), minProperties: 1 };

export const apiKeyBody = body(
  {
    name: { type: 'string', minLength: 1, maxLength: 120 },
    scopes: { type: 'array', minItems: 1, maxItems: 100, items: scopeField },
    expires_in_days: { type: 'integer', minimum: 1, maximum: 3650 },
  },
  // Seed 001 requires scopes, seed 000's example has none: without, the key holds its creator's (routes/api-keys.ts).
  ['name'],
);

export const adminUsersQuery = pagedQuery({
  search: { type: 'string', maxLength: 200 },
  status: { enum: ['active', 'suspended'] },
  tenant_id: { type: 'string', format: 'uuid' },
  role: roleField,
});
/** GET /tenant/users: the operator's user filters, within the caller's own tenant. */
export const tenantUsersQuery = pagedQuery({ search: { type: 'string', maxLength: 200 }, status: { enum: ['active', 'suspended'] }, role: roleField });
export const adminUserPatch = {
  ...body({ ...profileFields, role: roleField, is_superadmin: { type: 'boolean' }, scope_limit: scopeLimit }),
  minProperties: 1,
};

export const tenantsQuery = pagedQuery({ search: { type: 'string', maxLength: 200 } });
export const newTenantBody = body({ name: tenantName, owner_email: email, owner_name: fullName, password }, ['name', 'owner_email']);
export const newMemberBody = body({ email, role: roleField, full_name: fullName, password }, ['email', 'role']);

/**
 * A tenant's fields that its GET shows but a PATCH cannot change: accepted only when unchanged, so
 * a client may send back what it read.
 */
export const tenantReadOnly = {
  id: { type: 'string' },
  is_operator: { type: 'boolean' },
  created_at: { type: 'string' },
  updated_at: { type: 'string' },
  user_count: { type: 'integer' },
};
/** PATCH /admin/tenants/:id; `plan_id` (moving the tenant to that plan) only when billing is enabled. */
export const tenantPatch = (withPlan: boolean) => ({
  ...body({
    name: tenantName,
    status: { enum: ['active', 'suspended'] },
    settings: settingsPatch,
    ...(withPlan ? { plan_id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } } : {}),
    ...tenantReadOnly,
  }),
  minProperties: 1,
});

export const auditQuery = pagedQuery({
  actor_id: { type: 'string', maxLength: 64 },
  action: { type: 'string', maxLength: 80 },
  target_type: { type: 'string', maxLength: 40 },
  target_id: { type: 'string', maxLength: 64 },
  tenant_id: { type: 'string', maxLength: 64 },
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
});

/** A backup: where it is kept and its file name (only names Plinth writes: nothing outside the destination). */
export const backupParams = {
  type: 'object',
  required: ['location', 'name'],
  properties: {
    location: { enum: ['local', 's3'] },
    name: { type: 'string', maxLength: 200, pattern: BACKUP_NAME.source, description: 'plinth-backup-<UTC time>-<database>-<Plinth version>.tar.gz' },
  },
} as const;

// --- Replies -----------------------------------------------------------------------------------

const role = { enum: ['owner', 'admin', 'member'] };
const status = { enum: ['active', 'suspended'] };

/** A message for a person: what happened, or what to do next (never whether an account exists). */
export const detailReply = reply({ detail: str });

/** A user as the API shows it (PublicUser): never the password hash. */
const userFields = {
  id: str,
  email: nullable(str),
  full_name: str,
  role,
  tenant_id: str,
  is_superadmin: bool,
  phone: nullable(str),
  username: nullable(str),
  status,
  email_verified: bool,
  /** The only scopes the user may hold; null: every scope of their role. */
  scope_limit: nullable(arrayOf(str)),
  /** Signs in with a generated password (the first start's): the admin UI asks for one of their own first. */
  must_change_password: bool,
  /** Signs in with a second factor (an authenticator app's codes). */
  mfa_enabled: bool,
  /** The language the admin UI and mails speak to the user; null: not chosen. */
  language: nullable({ enum: [...LANGUAGES] }),
  last_login_at: nullable(isoTime),
  created_at: isoTime,
  updated_at: isoTime,
};
export const userReply = reply(userFields);

const tokenPairFields = { access_token: str, refresh_token: str, token_type: { const: 'bearer' }, expires_in: int };
export const tokenPairReply = reply(tokenPairFields);

/** The seed's login reply: a token pair and who signed in (and, under the second-factor policy without one, that it must be set up first). */
export const loginReply = reply(
  {
    ...tokenPairFields,
    user: reply({ id: str, email: nullable(str), full_name: str, role, tenant_id: str }),
    mfa_enrollment_required: bool,
  },
  ['mfa_enrollment_required'],
);

export const registerReply = reply({ detail: str, email: str });
export const verifyEmailReply = reply({ detail: str, email_verified: { const: true } });

/** How the request was authenticated: the principal's kind and scopes ('*': every scope, a superadmin), and the key for an API key. */
const authInfo = reply({ kind: str, scopes: { anyOf: [arrayOf(str), { const: '*' }] }, api_key_id: str }, ['api_key_id']);
/** GET /auth/me: the signed-in user, or the root token (no tenant, no profile). */
export const meReply = {
  anyOf: [
    reply({ ...userFields, auth: authInfo }),
    reply({
      id: str,
      email: { type: 'null' },
      full_name: str,
      role: { const: 'superadmin' },
      tenant_id: { type: 'null' },
      is_superadmin: { const: true },
      auth: authInfo,
    }),
  ],
};

export const settingsReply = reply({ allowed_numbers: arrayOf(str), require_approval: bool, ai_consent_enabled: bool });

/** An API key without its secret. */
const apiKeyFields = {
  id: str,
  name: str,
  key_prefix: str,
  scopes: arrayOf(str),
  user_id: str,
  expires_at: nullable(isoTime),
  created_at: isoTime,
  last_used_at: nullable(isoTime),
  is_active: bool,
};
export const apiKeyReply = reply(apiKeyFields);
export const apiKeyListReply = arrayOf(apiKeyReply);
/** A key with its raw secret: shown this once (created or rotated), stored as SHA-256. */
export const newApiKeyReply = reply({ ...apiKeyFields, raw_key: str });
export const grantableScopesReply = arrayOf(reply({ scope: str, description: str, plugin: str }));

export const userPageReply = pageOf(userReply);

const tenantFields = {
  id: str,
  name: str,
  status,
  /** The operator's own tenant (exactly one): it can be neither suspended nor deleted. */
  is_operator: bool,
  created_at: isoTime,
  updated_at: isoTime,
  user_count: int,
};
export const tenantReply = reply(tenantFields);
export const tenantPageReply = pageOf(tenantReply);
/** One tenant with its settings, and its plan when billing is enabled. */
export const tenantDetailReply = reply({ ...tenantFields, plan_id: str, settings: settingsReply }, ['plan_id']);
export const newTenantReply = reply({ tenant: tenantReply, owner: userReply, invitation_sent: bool });
export const newMemberReply = reply({ user: userReply, invitation_sent: bool });

const count = (...names: string[]) => reply(Object.fromEntries(names.map((n) => [n, int])));
export const statsReply = reply({
  users: count('total', 'active', 'suspended'),
  tenants: count('total'),
  api_keys: count('active'),
  sessions: count('active'),
  logins_24h: count('succeeded', 'failed'),
});

export const healthReply = reply({
  status: { enum: ['ok', 'degraded'] },
  database: { enum: ['ok', 'unreachable'] },
  version: str,
  uptime_seconds: int,
  /** The durable event outbox by delivery state. */
  outbox: count('pending', 'dead', 'delivered'),
});

export const auditEntryReply = reply({
  id: int,
  tenant_id: nullable(str),
  /** user | api_key | root | system | anonymous, or a principal kind a plugin adds. */
  actor_type: str,
  actor_id: nullable(str),
  actor_label: nullable(str),
  action: str,
  target_type: nullable(str),
  target_id: nullable(str),
  ip: nullable(str),
  user_agent: nullable(str),
  details: nullable(anyObject),
  created_at: isoTime,
});
export const auditPageReply = pageOf(auditEntryReply);

// --- Backups (superadmin) ----------------------------------------------------------------------

const backupLocation = { enum: ['local', 's3'] };
/** The newest success or failure, whichever instance had it. */
const backupOutcome = nullable(
  reply({ at: isoTime, trigger: { enum: ['schedule', 'manual', 'cli'] }, name: nullable(str), bytes: nullable(int), error: nullable(str) }),
);
export const backupReply = reply({
  name: str,
  location: backupLocation,
  bytes: int,
  created_at: isoTime,
  database: { enum: ['sqlite', 'postgres'] },
  plinth_version: str,
});
export const backupListReply = reply({
  items: arrayOf(backupReply),
  /** The folder, and the bucket when there is one (`s3://bucket/prefix`). */
  destinations: arrayOf(reply({ location: backupLocation, where: str })),
  /** backup.schedule (cron, UTC); null when backups are not scheduled. */
  schedule: nullable(str),
  keep: int,
  last_success: backupOutcome,
  last_failure: backupOutcome,
  /** Why the destinations could not be listed (a folder that is not one, a bucket refusing); items is then empty. */
  list_error: nullable(str),
});
export const newBackupReply = reply({ name: str, bytes: int, locations: arrayOf(backupLocation), created_at: isoTime });
