import { AppError, type CoreErrorCode } from './errors.js';

/** A core error: its code one of `CoreErrorCode`, so no other code compiles. */
export type CoreError = AppError<CoreErrorCode>;

/**
 * Every coded error the core throws, by what happened: the core's catalogue, as each plugin has
 * its `services/errors.ts` (test/architecture/error-catalogues.test.ts holds both). A throw site
 * reads `throw CoreErrors.tenantRequired()`; the static helpers without a code
 * (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const CoreErrors = {
  // The HTTP layer: a request body it cannot take, and anything thrown that is not an AppError.
  payloadTooLarge: () => new AppError(413, 'payload_too_large', 'request body is too large'),
  malformedJson: () => new AppError(400, 'malformed_json', 'request body is not valid JSON'),
  prototypeKeys: () => new AppError(400, 'malformed_json', 'request body must not have __proto__ or constructor.prototype keys'),
  malformedBody: (contentEncoding: string) =>
    new AppError(400, 'malformed_body', `request body is not valid ${contentEncoding || 'compressed data'} (Content-Encoding)`),
  bodyUnreadable: () => new AppError(400, 'malformed_body', 'request body could not be read'),
  unsupportedMediaType: (message = 'unsupported encoding') => new AppError(415, 'unsupported_media_type', message),
  /** A client error a Koa middleware exposes with its own status (400–499). */
  exposedClientError: (status: number, message = 'bad request') => new AppError(status, 'bad_request', message),
  internal: () => new AppError(500, 'internal_error', 'internal error'),

  // Who may call.
  tenantRequired: () => new AppError(403, 'tenant_required', 'this endpoint acts within a tenant: sign in as a user of one, or use a tenant’s API key'),
  featureNotInPlan: (plan: string, feature: string, scope: string) =>
    new AppError(403, 'feature_not_in_plan', `plan "${plan}" does not include feature "${feature}" (needed for ${scope})`, {
      details: { plan_id: plan, feature, scope },
    }),
  metricsCredentialRequired: (scope: string) =>
    new AppError(401, 'unauthorized', `the metrics token (Authorization: Bearer …) or an API key with ${scope} is required`, {
      headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    }),

  // The admin UI's sign-in and pages.
  loginUnavailable: () => new AppError(503, 'login_unavailable', 'no enabled plugin provides admin login'),
  mfaUnavailable: () => new AppError(400, 'mfa_unavailable', 'the login provider has no second-factor step'),
  magicLinkUnavailable: () => new AppError(400, 'magic_link_unavailable', 'the login provider does not support sign-in links'),
  passkeyUnavailable: () => new AppError(400, 'passkey_unavailable', 'the login provider does not support passkeys'),
  tooManyStreams: (most: number) => new AppError(429, 'too_many_streams', `at most ${most} live pages at once; close another tab`),
  uiNotBuilt: () => new AppError(503, 'ui_not_built', 'the admin UI is not built: run `npm run build`'),

  // Outgoing mail.
  noRelay: () =>
    new AppError(
      409,
      'no_relay',
      'no SMTP relay is configured (mailer.smtpUrl or PLINTH_MAILER_SMTP_URL): outgoing mail stays in the outbox; ' +
        'a superadmin can set one on Settings → Outgoing mail relay',
    ),
  relayFailed: (error: string | undefined, outboxId: number) =>
    new AppError(422, 'relay_failed', `the relay did not take the test mail: ${error ?? 'no reason given'}`, { details: { outbox_id: outboxId } }),
  /** Settings the file or the environment fixes; `message` names the fields and where they are set. */
  settingLocked: (message: string, details: { fields: string[]; source: string }) => new AppError(409, 'setting_locked', message, { details }),

  // Actions, hooks, events, backups, outbound requests.
  unknownAction: (name: string) => new AppError(400, 'unknown_action', `unknown action "${name}"`),
  filterReturnedNothing: (name: string, owner: string) =>
    new AppError(500, 'filter_returned_nothing', `filter "${name}" of plugin "${owner}" returned nothing`),
  eventNotDead: (eventId: number, status: string) => new AppError(409, 'event_not_dead', `event ${eventId} is ${status}; only a dead event can be replayed`),
  backupInProgress: () => new AppError(409, 'backup_in_progress', 'a backup is already being taken; wait for it to finish'),
  toolMissing: (tool: string) =>
    new AppError(
      503,
      'tool_missing',
      `${tool} was not found on the PATH: install PostgreSQL's client tools of the server's major version (Debian: apt install postgresql-client), ` +
        'or back up with your own pg_dump',
    ),
  /** An outbound URL whose host is internal (or does not resolve); `message` says which. */
  targetRefused: (message: string) => new AppError(400, 'target_refused', message),
} satisfies Record<string, (...args: never[]) => CoreError>;
