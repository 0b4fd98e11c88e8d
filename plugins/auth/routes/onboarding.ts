import type { PluginRouter } from 'plinth/plugin';
import { registrationMode, type AuthSettings } from '../config.js';
import type { AuthServices } from '../services/index.js';
import { registrationReply, setupBody, setupCheckBody, setupCheckReply, setupReply } from './onboarding-schemas.js';
import { meta } from './shared.js';
import type { AuthErrorCode } from '../api.js';

/**
 * The first steps, without a session: the first superadmin's setup link (printed at start instead
 * of a password when standard output is not a terminal), and whether and how one may sign up.
 */
export function onboardingRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices, settings: AuthSettings): void {
  // The link's token is 256 random bits; the budget only keeps a script from hammering the hash lookups.
  const setupLimit = { bucket: 'auth.setup.ip', points: 30, durationSeconds: 3600 };

  r.post(
    '/auth/setup/check',
    {
      errors: { 400: ['invalid_token'] },
      summary: 'Whom a setup link is for (it stays unused)',
      rateLimit: setupLimit,
      schema: { body: setupCheckBody, responses: { 200: { description: 'The superadmin it sets up, and until when it works', schema: setupCheckReply } } },
    },
    (_ctx, { body: b }) => s.setupLinks.check(b.token),
  );

  r.post(
    '/auth/setup',
    {
      errors: { 400: ['invalid_token'], 409: ['email_taken'] },
      summary: "Set the first superadmin's password (and address) with the setup link",
      description: 'Works once, within an hour of the start that printed it; it does not sign in. A used or expired link is 400 `invalid_token`.',
      rateLimit: setupLimit,
      schema: { body: setupBody, responses: { 200: { description: 'The superadmin can sign in with that password', schema: setupReply } } },
    },
    (ctx, { body: b }) => s.setupLinks.complete(b.token, { password: b.password, email: b.email }, meta(ctx)),
  );

  r.get(
    '/auth/registration',
    {
      summary: 'Whether one may sign up here, and the password rules',
      schema: { responses: { 200: { description: 'The registration mode and the password length bounds', schema: registrationReply } } },
    },
    () => ({ registration: registrationMode(settings), password_min_length: settings.passwordMinLength, password_max_length: settings.passwordMaxLength }),
  );
}
