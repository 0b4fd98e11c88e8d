import type { Cradle } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import { Accounts } from './accounts.js';
import { ApiKeys } from './api-keys.js';
import { AuditLog } from './audit.js';
import { Customers } from './customers.js';
import { Bootstrap } from './bootstrap.js';
import { SetupLinks } from './setup-links.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { PasskeyChallenges } from './passkey-challenges.js';
import { PasskeySignIn } from './passkey-sign-in.js';
import { Passkeys } from './passkeys.js';
import { Passwords } from './passwords.js';
import { PrincipalCache } from './principal-cache.js';
import { RoleScopes } from './scopes.js';
import { Sessions } from './sessions.js';
import { SecondFactors } from './second-factor.js';
import { MfaChallenges, type SignInResult } from './mfa-challenges.js';
import { SessionDevices } from './session-devices.js';
import { NewDeviceMail } from './new-device-mail.js';
import { HttpSmsProvider, LogSmsProvider, SmsCodes } from './sms-codes.js';
import { Stats } from './stats.js';
import { Principals } from './strategies.js';
import { Tenants } from './tenants.js';
import { JwtSigner } from './jwt-signer.js';
import { Users } from './users.js';

export type AuthDeps = Pick<
  Cradle,
  'db' | 'clock' | 'logger' | 'config' | 'events' | 'mailer' | 'pubsub' | 'rateLimits' | 'scopes' | 'usage' | 'entitlements' | 'features' | 'live'
> & { tenantParts: Cradle['tenantParts'] };

export type AuthServices = ReturnType<typeof createAuthServices>;

/** Wires the auth plugin's services; each is small and knows only what it is given. */
export function createAuthServices(d: AuthDeps, settings: AuthSettings) {
  // Rows come in bursts (sign-ins, agent calls): the pages hear at most one nudge a second per tenant.
  const audit = new AuditLog({ db: d.db, clock: d.clock, logger: d.logger, written: (tenantId) => d.live.nudge(tenantId, 'audit.written') });
  // A session, user or key that changed (here or, through the pub/sub, on another instance) may end
  // admin pages' live streams: the hub checks the streams open on this instance.
  const cache = new PrincipalCache({ db: d.db, pubsub: d.pubsub, logger: d.logger, changed: () => void d.live.recheckHere() });
  const signer = new JwtSigner({ db: d.db, clock: d.clock, configured: settings.jwtSecret });
  const roleScopes = new RoleScopes(d.scopes);
  const passwords = new Passwords({ params: settings.hash, policy: { min: settings.passwordMinLength, max: settings.passwordMaxLength } });
  const tenants = new Tenants({ db: d.db, clock: d.clock, audit, events: d.events, cache, pubsub: d.pubsub, logger: d.logger, parts: d.tenantParts });
  const users = new Users({ db: d.db, clock: d.clock, audit, events: d.events, cache, tenants });
  // Sessions as their users see and end them, and the mail about a sign-in from a new device.
  const sessionDevices = new SessionDevices({ db: d.db, clock: d.clock, cache, audit });
  const newDeviceMail = new NewDeviceMail({ db: d.db, clock: d.clock, logger: d.logger, config: d.config, settings, mailer: d.mailer });
  const sessions: Sessions = new Sessions({
    db: d.db,
    clock: d.clock,
    settings,
    signer,
    passwords,
    users,
    audit,
    events: d.events,
    cache,
    rateLimits: d.rateLimits,
    onSignIn: (user, sessionId, meta) => newDeviceMail.noticeSignIn(user, sessionId, meta),
    // Every sign-in's first step ends here: a session, or the second-factor challenge before it.
    secondStep: (step): Promise<SignInResult> => mfaChallenges.afterFirstStep(step),
  });
  // The second factor (TOTP, recovery codes) and the challenge a sign-in answers with it.
  const secondFactors = new SecondFactors({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    settings,
    users,
    sessions,
    audit,
    cache,
    mailer: d.mailer,
    rateLimits: d.rateLimits,
  });
  const mfaChallenges = new MfaChallenges({
    db: d.db,
    clock: d.clock,
    settings,
    users,
    factors: secondFactors,
    audit,
    // The account may have been suspended while the code was being typed.
    open: async (user, meta, kind, method, details) => {
      await sessions.assertActive(user, meta);
      return sessions.startSession(user, meta, kind, method, details);
    },
  });
  const oneTimeTokens = new OneTimeTokens({ db: d.db, clock: d.clock, perHour: settings.mailsPerHour });
  const accounts = new Accounts({
    db: d.db,
    logger: d.logger,
    config: d.config,
    settings,
    users,
    sessions,
    passwords,
    tokens: oneTimeTokens,
    mailer: d.mailer,
    audit,
  });
  const apiKeys = new ApiKeys({
    db: d.db,
    clock: d.clock,
    prefix: settings.apiKeyPrefix,
    roleScopes,
    audit,
    events: d.events,
    cache,
    usage: d.usage,
  });
  const smsProvider =
    settings.sms.provider === 'http' && settings.sms.http.url
      ? new HttpSmsProvider({ url: settings.sms.http.url, token: settings.sms.http.token })
      : new LogSmsProvider(d.logger);
  const smsCodes = new SmsCodes({ db: d.db, clock: d.clock, settings: settings.sms, provider: smsProvider, rateLimits: d.rateLimits });
  const principals = new Principals({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    cache,
    roleScopes,
    plans: () => ({ entitlements: d.entitlements, features: d.features }),
  });
  // The first superadmin; without a password, its one-time setup link.
  const setupLinks = new SetupLinks({ db: d.db, clock: d.clock, users, passwords, tokens: oneTimeTokens, audit });
  const bootstrap = new Bootstrap({ db: d.db, clock: d.clock, logger: d.logger, config: d.config, users, tenants, passwords, setupLinks });
  const stats = new Stats({ db: d.db, clock: d.clock });
  const customers = new Customers({ db: d.db, users, tenants, passwords, accounts, audit });
  // Passkeys (WebAuthn): registered by a signed-in user, then a sign-in of their own.
  const passkeyChallenges = new PasskeyChallenges({ db: d.db, clock: d.clock });
  const passkeys = new Passkeys({ db: d.db, clock: d.clock, config: d.config, users, audit, challenges: passkeyChallenges });
  const passkeySignIn = new PasskeySignIn({ db: d.db, clock: d.clock, config: d.config, users, sessions, audit, signer, challenges: passkeyChallenges });
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
    setupLinks,
    stats,
    customers,
    secondFactors,
    mfaChallenges,
    sessionDevices,
    newDeviceMail,
    passkeys,
    passkeySignIn,
  };
}
