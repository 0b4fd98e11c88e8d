import type { PlinthContainer } from 'plinth/plugin';
import type { PageRequest } from 'plinth/plugin';
import { asValue } from 'awilix';
import { definePlugin } from 'plinth/plugin';
import { ConfigError } from 'plinth/plugin';
import { packageVersion } from 'plinth/plugin';
import type { AuditFilter } from './services/audit.js';
import { authConfigSchema, authEnv, registrationMode, type AuthSettings } from './config.js';
import { createAuthServices } from './services/index.js';
import { authStrategies } from './services/strategies.js';
import { grantPrincipals } from './services/grant-principals.js';
import { PLATFORM_SCOPE } from './services/scopes.js';
import { authEvents } from './events.js';
import { authActions, authRefs } from './actions.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { sessionRoutes } from './routes/sessions.js';
import { onboardingRoutes } from './routes/onboarding.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { mfaRoutes } from './routes/mfa.js';
import { withMfaPolicy } from './services/mfa-policy.js';
import { tenantRoutes } from './routes/tenant.js';
import { adminRoutes } from './routes/admin.js';
import { adminBackupRoutes, auditBackupOutcomes } from './routes/admin-backups.js';
import { auditRelayChanges } from './services/relay-audit.js';
import { authJobs } from './jobs.js';
import { authCommands } from './commands.js';
import { adminLoginProvider } from './services/admin-login.js';
import { operatorAlerts } from './services/operator-alerts.js';
import { authOverview } from './services/overview.js';
import { authTenantPart } from './services/tenant-part.js';
import { authServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => authServices.of(c);

export default definePlugin<AuthSettings>({
  name: 'auth',
  version: '1.0.0',
  description: 'Accounts, tenants, sign-in (passwords, magic links, SMS codes), users, scoped API keys, tenant settings and the audit log (MoltFlow admin API)',
  configSchema: authConfigSchema,
  env: authEnv,
  face: { base: '/api/v2', envelope: 'detail' },
  scopes: {
    'account:read': 'Read your own profile',
    'account:manage': 'Update or delete your own account',
    'api-keys:manage': 'Create, rotate and revoke API keys',
    'settings:read': 'Read tenant settings',
    'settings:manage': 'Change tenant settings',
    'users:read': 'List the users of your tenant',
    'audit:read': 'Read the audit log',
    [PLATFORM_SCOPE]: 'Act as the platform superadmin (only superadmins can grant it)',
  },
  features: { api_keys: { description: 'API keys for programmatic access', scopes: ['api-keys:manage'], metrics: ['max_api_keys'] } },
  events: authEvents,
  live: { 'audit.written': 'Audit rows were written for the tenant (a burst told once a second; rows of no tenant reach superadmins only)' },
  actions: authActions,
  refs: authRefs,
  metrics: { max_api_keys: { kind: 'gauge', usageKey: 'api_keys', unit: 'API keys', description: 'Active API keys' } },
  migrations: 'migrations',

  register(c) {
    const { sms } = c.settings;
    if (sms.provider === 'http' && !sms.http.url) {
      throw new ConfigError('invalid config: settings.auth.sms.http.url = null: is required when settings.auth.sms.provider is "http"');
    }
    const deps = c.container.cradle;
    const s = createAuthServices(deps, c.settings);
    // Other plugins use these by name: the audit log, users by phone, logins, SMS codes, tenant settings, password hashing.
    authServices.register(c.container, s);
    c.container.register({
      passwords: asValue(s.passwords),
      authAccounts: asValue(s.accounts),
      audit: asValue(s.audit),
      auditReader: asValue({
        forTenant: (tenantId: string, filter: AuditFilter, page: PageRequest) => s.audit.list({ ...filter, tenant_id: tenantId }, page),
        perDay: (action: string, tenantId: string | null, since: string) => s.audit.perDay(action, tenantId, since),
      }),
      authUsers: asValue(s.users),
      authSessions: asValue(s.sessions),
      smsCodes: asValue(s.smsCodes),
      apiKeyIssuer: asValue(s.apiKeys),
      tenants: asValue(s.tenants),
      adminLogin: asValue(adminLoginProvider(s)),
      grantPrincipals: asValue(grantPrincipals(s.principals, c.settings.mfa.require)),
    });
    // Scheduled and CLI backups, succeeded or failed, in the audit log (the core's backup hooks).
    auditBackupOutcomes(c.container.resolve('hooks'), s.audit);
    // Changes to the outgoing-mail relay and its test mails (the core's mailer hooks), with who made them.
    auditRelayChanges(c.container.resolve('hooks'), s.audit);
    // The core's alerts: mailed to the superadmins, emitted for the operator tenant, in the audit log.
    operatorAlerts(c.container.resolve('hooks'), { db: c.db, audit: s.audit, tenants: s.tenants });
    const chain = c.container.resolve('auth');
    for (const strategy of authStrategies({
      principals: s.principals,
      signer: s.signer,
      audit: s.audit,
      rootToken: c.settings.rootToken,
      rootTokenInQuery: c.settings.rootTokenInQuery,
      apiKeyPrefix: c.settings.apiKeyPrefix,
    })) {
      // The second-factor policy (settings.auth.mfa.require) stands in front of every user sign-in and key.
      chain.add(withMfaPolicy(strategy, { cache: s.cache, require: c.settings.mfa.require }));
    }
  },

  async start(c) {
    const s = services(c);
    await s.signer.init();
    await s.cache.init();
    await s.tenants.start();
    await s.bootstrap.ensureFirstAdmin(c.settings.admin);
  },

  routes(r, c) {
    const s = services(c);
    authRoutes(r, s, c.settings);
    userRoutes(r, s);
    sessionRoutes(r, s);
    onboardingRoutes(r, s, c.settings);
    apiKeyRoutes(r, s, c.container.resolve('scopes'));
    passkeyRoutes(r, s, c.settings);
    mfaRoutes(r, s);
    tenantRoutes(r, s);
    const dbPing = async () => void (await c.db.raw('select 1'));
    const deps = { events: c.container.resolve('events'), startedAt: new Date(), version: packageVersion, dbPing, hooks: c.container.resolve('hooks') };
    adminRoutes(r, s, { ...deps, tenantParts: c.container.resolve('tenantParts') });
    const { schedule, keep } = c.config.backup;
    adminBackupRoutes(r, { backups: c.container.resolve('backups'), audit: s.audit, schedule, keep });
  },

  jobs: authJobs,

  commands: authCommands,

  overview: authOverview,

  tenant: authTenantPart,

  ui: {
    pages: [
      { path: 'profile', title: 'My profile' },
      // Where the shell sends someone signed in with a generated password, before any other page.
      { path: 'change-password', title: 'Choose your own password', parent: 'profile' },
      { path: 'api-keys', title: 'API keys', scopes: ['api-keys:manage'] },
      { path: 'users', title: 'Users', roles: ['superadmin'] },
      { path: 'tenants', title: 'Tenants', roles: ['superadmin'] },
      { path: 'tenant', title: 'Tenant', roles: ['superadmin'], parent: 'tenants' },
      { path: 'audit', title: 'Audit log', roles: ['superadmin'] },
      { path: 'backups', title: 'Backups', roles: ['superadmin'] },
      // Opened from emails or the login screen, without a session (settings.auth.links point here).
      { path: 'forgot-password', title: 'Forgot password?', public: true, loginLink: true },
      { path: 'magic-link', title: 'Email me a sign-in link', public: true, loginLink: true },
      { path: 'passkey', title: 'Sign in with a passkey', public: true, loginLink: true },
      // Linked from the sign-in page only while customers may register; it says so when they may not.
      { path: 'register', title: 'Create an account', public: true, loginLink: (s: AuthSettings) => registrationMode(s) !== 'closed' },
      // The first superadmin's one-time setup link (printed at start instead of a password off a terminal).
      { path: 'setup', title: 'Set up Plinth', public: true },
      { path: 'reset-password', title: 'Choose a new password', public: true },
      { path: 'verify-email', title: 'Verify your email', public: true },
    ],
  },
});
