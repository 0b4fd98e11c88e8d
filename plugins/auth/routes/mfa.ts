import { requireRole, requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuthServices } from '../services/index.js';
import { toPublicUser } from '../services/types.js';
import { loginReply, userReply, uuidParam } from './schemas.js';
import { answerBody, codeBody, enrollReply, mfaStatusReply, recoveryCodesReply, verifyBody } from './mfa-schemas.js';
import { meta, principalOf } from './shared.js';
import type { AuthErrorCode } from '../api.js';

const SHOWN_ONCE = 'Keep these recovery codes somewhere safe: each signs you in once if you lose your authenticator. They are not shown again.';

/**
 * Two-factor sign-in (TOTP): a signed-in user sets it up for themselves (enrol → confirm with a
 * code → ten recovery codes), turns it off or replaces the recovery codes with a fresh code; a
 * sign-in that answered `mfa_required` is completed with a code; the operator resets a user's.
 */
export function mfaRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices): void {
  const read = [requireScope('account:read')];
  const manage = [requireScope('account:manage')];

  r.get(
    '/auth/mfa',
    {
      summary: 'My second factor',
      guards: read,
      schema: {
        responses: {
          200: { description: 'Whether two-factor sign-in is on, the recovery codes left, and whether the policy requires it', schema: mfaStatusReply },
        },
      },
    },
    async (ctx) => s.secondFactors.status((await principalOf(ctx)).id),
  );

  r.post(
    '/auth/mfa/totp/enroll',
    {
      errors: { 409: ['mfa_already_enabled'] },
      summary: 'Start setting up an authenticator app',
      description:
        'A new secret (shown this once) as a QR code, an otpauth:// URI and base32 text. Two-factor sign-in is on only once POST /auth/mfa/totp/confirm ' +
        'gets a code from the app. Only from a signed-in session (not an API key).',
      guards: manage,
      schema: { responses: { 200: { description: 'The secret to add to the app', schema: enrollReply } } },
    },
    async (ctx) => s.secondFactors.enroll(await principalOf(ctx)),
  );

  r.post(
    '/auth/mfa/totp/confirm',
    {
      errors: { 401: ['invalid_code'], 409: ['mfa_not_enrolling'] },
      summary: 'Turn two-factor sign-in on with the first code from the app',
      description: 'Answers the ten recovery codes, shown this once. Your other sessions end (they were opened without the second factor).',
      guards: manage,
      schema: { body: codeBody, responses: { 200: { description: 'On; the recovery codes', schema: recoveryCodesReply } } },
    },
    async (ctx, { body: b }) => ({ ...(await s.secondFactors.confirm(await principalOf(ctx), b.code, meta(ctx))), detail: SHOWN_ONCE }),
  );

  r.post(
    '/auth/mfa/totp/disable',
    {
      errors: { 401: ['invalid_code'] },
      summary: 'Turn two-factor sign-in off',
      description: 'With a current code from the app or a recovery code. You are mailed. Under the policy you are then asked to set it up again.',
      guards: manage,
      schema: { body: answerBody, responses: { 200: { description: 'Off', schema: mfaStatusReply } } },
    },
    async (ctx, { body: b }) => s.secondFactors.disable(await principalOf(ctx), b, meta(ctx)),
  );

  r.post(
    '/auth/mfa/recovery-codes',
    {
      errors: { 401: ['invalid_code'] },
      summary: 'Replace my recovery codes',
      description: 'With a current code from the app (or a recovery code): ten new codes, shown this once; the old ones stop working.',
      guards: manage,
      schema: { body: answerBody, responses: { 200: { description: 'The new recovery codes', schema: recoveryCodesReply } } },
    },
    async (ctx, { body: b }) => ({ ...(await s.secondFactors.regenerate(await principalOf(ctx), b, meta(ctx))), detail: SHOWN_ONCE }),
  );

  r.post(
    '/auth/mfa/verify',
    {
      errors: { 401: ['invalid_challenge', 'invalid_code'], 429: ['rate_limited'] },
      summary: 'Complete a sign-in with the second factor',
      description:
        'The `challenge_token` that /auth/login (or /auth/magic-link/verify, or another face’s sign-in) answered with `mfa_required`, and a code from ' +
        'the app or a recovery code. The challenge is valid 5 minutes (settings.auth.mfa.challengeTtlMinutes), once; wrong codes spend it and the ' +
        "account's sign-in budget.",
      schema: { body: verifyBody, responses: { 200: { description: 'A token pair and the signed-in user (as login)', schema: loginReply } } },
    },
    (ctx, { body: b }) => s.mfaChallenges.complete(b.challenge_token, { code: b.code, recovery_code: b.recovery_code }, meta(ctx), 'api'),
  );

  r.post(
    '/admin/users/:id/mfa/reset',
    {
      errors: { 403: ['mfa_enrollment_required'], 404: ['not_found'] },
      summary: "Reset a user's second factor",
      description: 'For a user who lost their authenticator: the factor and recovery codes are removed, their sessions end, they are mailed. Audited.',
      guards: [requireRole('superadmin')],
      schema: { params: uuidParam, responses: { 200: { description: 'The user, without a second factor', schema: userReply } } },
    },
    async (ctx, { params }) => toPublicUser(await s.secondFactors.reset(await principalOf(ctx), params.id, meta(ctx))),
  );
}
