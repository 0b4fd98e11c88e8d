import type { Cradle } from '../../../core/container.js';
import type { AuthSettings } from '../config.js';
import { Accounts } from './accounts.js';
import { ApiKeys } from './api-keys.js';
import { AuditLog } from './audit.js';
import { Customers } from './customers.js';
import { Bootstrap } from './bootstrap.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { Passwords } from './passwords.js';
import { PrincipalCache } from './principal-cache.js';
import { RoleScopes } from './scopes.js';
import { Sessions } from './sessions.js';
import { HttpSmsProvider, LogSmsProvider, SmsCodes } from './sms-codes.js';
import { Stats } from './stats.js';
import { Principals } from './strategies.js';
import { Tenants } from './tenants.js';
import { JwtSigner } from './jwt-signer.js';
import { Users } from './users.js';

export type AuthDeps = Pick<
  Cradle,
  'db' | 'clock' | 'logger' | 'config' | 'events' | 'mailer' | 'pubsub' | 'rateLimits' | 'scopes' | 'usage' | 'entitlements' | 'features'
>;

export type AuthServices = ReturnType<typeof createAuthServices>;

/** Wires the auth plugin's services; each is small and knows only what it is given. */
export function createAuthServices(d: AuthDeps, settings: AuthSettings) {
  const audit = new AuditLog(d.db, d.clock);
  const cache = new PrincipalCache(d.db, d.pubsub, d.logger);
  const signer = new JwtSigner(d.db, d.clock, settings.jwtSecret);
  const roleScopes = new RoleScopes(d.scopes);
  const passwords = new Passwords(settings.hash, { min: settings.passwordMinLength, max: settings.passwordMaxLength });
  const tenants = new Tenants(d.db, d.clock, audit, d.events, cache);
  const users = new Users(d.db, d.clock, audit, d.events, cache, tenants);
  const sessions = new Sessions(d.db, d.clock, settings, signer, passwords, users, audit, d.events, cache, d.rateLimits);
  const oneTimeTokens = new OneTimeTokens(d.db, d.clock, settings.mailsPerHour);
  const accounts = new Accounts(d.db, d.logger, d.config, settings, users, sessions, passwords, oneTimeTokens, d.mailer, audit);
  const apiKeys = new ApiKeys(d.db, d.clock, settings.apiKeyPrefix, roleScopes, audit, d.events, cache, d.usage);
  const smsProvider =
    settings.sms.provider === 'http' && settings.sms.http.url
      ? new HttpSmsProvider(settings.sms.http.url, settings.sms.http.token)
      : new LogSmsProvider(d.logger);
  const smsCodes = new SmsCodes(d.db, d.clock, settings.sms, smsProvider, d.rateLimits);
  const principals = new Principals(d.db, d.clock, d.logger, cache, roleScopes, () => ({ entitlements: d.entitlements, features: d.features }));
  const bootstrap = new Bootstrap(d.db, d.logger, users, tenants, passwords);
  const stats = new Stats(d.db, d.clock);
  const customers = new Customers(d.db, users, tenants, passwords, accounts, audit);
  return {
    audit,
    cache,
    signer,
    roleScopes,
    passwords,
    tenants,
    users,
    sessions,
    oneTimeTokens,
    accounts,
    apiKeys,
    smsCodes,
    principals,
    bootstrap,
    stats,
    customers,
  };
}
