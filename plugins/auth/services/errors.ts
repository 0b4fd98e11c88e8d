import { AppError, type CoreErrorCode } from 'plinth/plugin';
import type { AuthErrorCode } from '../api.js';
import type { MfaChallenge } from '../api.js';

/** An auth error: its code one of auth's (api.ts) or the core's, so no other code compiles. */
export type AuthError = AppError<AuthErrorCode | CoreErrorCode>;

/**
 * Every coded error the auth plugin throws, by what happened: a throw site reads
 * `throw AuthErrors.lastOwner('delete')`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const AuthErrors = {
  // Credentials: tokens, keys, sessions.
  credentialsWrong: (headers?: Record<string, string>) => new AppError(401, 'invalid_credentials', 'invalid email or password', { headers }),
  credentialsInvalid: () => new AppError(401, 'invalid_token', 'invalid credentials'),
  tokenInvalid: () => new AppError(401, 'invalid_token', 'invalid token'),
  tokenExpired: () => new AppError(401, 'token_expired', 'token expired'),
  adminTokenInvalid: () => new AppError(401, 'invalid_token', 'invalid admin token'),
  grantOfOtherTenant: () => new AppError(401, 'invalid_token', 'the grant was made in another tenant'),
  refreshTokenInvalid: () => new AppError(401, 'invalid_refresh_token', 'invalid refresh token'),
  sessionEnded: () => new AppError(401, 'session_revoked', 'session ended'),
  apiKeyInvalid: () => new AppError(401, 'invalid_api_key', 'invalid API key'),
  apiKeyExpired: () => new AppError(401, 'api_key_expired', 'API key expired'),
  accountSuspendedAtSignIn: () => new AppError(403, 'account_suspended', 'this account is suspended'),
  accountSuspended: () => new AppError(401, 'account_suspended', 'account suspended'),
  emailNotVerified: () =>
    new AppError(
      403,
      'email_not_verified',
      'verify your email address first: follow the link we emailed you (or ask for a sign-in link, which verifies it too)',
    ),
  registrationClosed: () => new AppError(403, 'registration_closed', 'registration is closed on this server; ask the operator for an account'),

  // Links and codes sent to the user.
  linkTokenInvalid: () => new AppError(400, 'invalid_token', 'invalid or expired token'),
  linkInvalid: () => new AppError(400, 'invalid_token', 'invalid or expired link'),
  setupLinkInvalid: () => new AppError(400, 'invalid_token', 'this setup link was used or has expired'),
  noEmail: () => new AppError(400, 'no_email', 'this account has no email address'),
  smsFailed: () => new AppError(502, 'sms_failed', 'the SMS could not be sent; try again later'),
  smsCodeInvalid: () => new AppError(400, 'invalid_code', 'the code is invalid or has expired; request a new one'),
  smsCodeWrong: () => new AppError(400, 'invalid_code', 'the code is wrong'),
  smsTooManyAttempts: () => new AppError(400, 'too_many_attempts', 'too many wrong codes; request a new one'),

  // Passwords and second factors.
  passwordWrong: () => new AppError(403, 'wrong_password', 'the current password is wrong'),
  /** A way in that cannot answer with a challenge (another face's login): the challenge in the details, with where to answer it. */
  mfaRequired: (challenge: MfaChallenge, verifyAt: string, instead = '') =>
    new AppError(403, 'mfa_required', `this account signs in with a second factor: ${instead}answer the challenge at ${verifyAt}`, {
      details: { ...challenge, verify_at: verifyAt },
    }),
  mfaEnrolmentRequired: (who: string) =>
    new AppError(
      403,
      'mfa_enrollment_required',
      `${who} must set up two-factor sign-in first: this server requires it of the account (My profile, or POST /api/v2/auth/mfa/totp/enroll)`,
    ),
  grantOwnerWithoutMfa: () =>
    new AppError(403, 'mfa_enrollment_required', "this grant's owner must set up two-factor sign-in first: this server requires it of the account"),
  challengeExpired: () => new AppError(401, 'invalid_challenge', 'this sign-in has expired or was already completed: sign in again'),
  totpCodeInvalid: () => new AppError(401, 'invalid_code', 'the code is not valid'),
  mfaAlreadyEnabled: (advice?: 'turn it off first to use another app') =>
    new AppError(409, 'mfa_already_enabled', `two-factor sign-in is already on${advice ? `: ${advice}` : ''}`),
  mfaNotEnrolling: () => new AppError(409, 'mfa_not_enrolling', 'start the set-up first (POST /auth/mfa/totp/enroll)'),
  mfaNotEnabled: () => new AppError(409, 'mfa_not_enabled', 'two-factor sign-in is not on'),

  // Passkeys.
  passkeyRefused: (why?: string) => new AppError(400, 'passkey_refused', `the passkey was not accepted${why === undefined ? '' : `: ${why}`}`),
  /** The one answer to every refused passkey at sign-in (unknown, someone else's, a bad signature, a counter gone back). */
  passkeySignInRefused: () => new AppError(401, 'passkey_refused', 'this passkey was not accepted'),
  passkeyChallengeRefused: () => new AppError(400, 'invalid_challenge', 'this passkey request has expired or was already used: start again'),
  passkeyExists: () => new AppError(409, 'passkey_exists', 'this passkey is already registered'),
  passkeyLimit: (max: number) => new AppError(409, 'passkey_limit', `at most ${max} passkeys per account: remove one first`),

  // API keys.
  scopesNotHeld: (lacking: string[]) => new AppError(403, 'scope_not_held', `you cannot grant scopes you do not hold: ${lacking.join(', ')}`),
  keyRevoked: () => new AppError(409, 'key_revoked', 'a revoked key cannot be rotated'),

  // Users and tenants.
  fieldTaken: (field: string | undefined) =>
    new AppError(
      409,
      field === 'email' ? 'email_taken' : field === 'phone' ? 'phone_taken' : field === 'username' ? 'username_taken' : 'field_taken',
      `${field ?? 'field'} is already in use`,
    ),
  emailInUse: () => new AppError(409, 'email_taken', 'email is already in use'),
  emailHasAccount: (field: string, email: string) => new AppError(409, 'email_taken', `${field} is already in use: ${email} has an account`),
  noRecipient: (who: string) => new AppError(404, 'no_recipient', `no active user with an email matches ${who} in this tenant`),
  lastSuperadmin: (what: 'lose superadmin rights' | 'be suspended' | 'be deleted') =>
    new AppError(409, 'last_superadmin', what === 'be suspended' ? 'the last active superadmin cannot be suspended' : `the last superadmin cannot ${what}`),
  tenantHoldsLastSuperadmin: (what: string) => new AppError(409, 'last_superadmin', `this tenant holds the last active superadmin and cannot be ${what}`),
  lastOwnerCannotChangeRole: () => new AppError(409, 'last_owner', 'the last owner of a tenant cannot change role; make another user owner first'),
  lastOwnerCannotBeDeleted: () => new AppError(409, 'last_owner', 'the last owner of a tenant with other users cannot be deleted; transfer ownership first'),
  cannotSuspendSelf: () => new AppError(409, 'cannot_suspend_self', 'you cannot suspend yourself'),
  ownTenantSuspend: () => new AppError(409, 'own_tenant', 'you cannot suspend your own tenant: you would be signed out of it'),
  ownTenantDelete: () => new AppError(409, 'own_tenant', 'you cannot delete your own tenant'),
} satisfies Record<string, (...args: never[]) => AuthError>;
