import type { PluginRouter } from 'plinth/plugin';
import { requireAuth } from 'plinth/plugin';
import type { AuthServices } from '../services/index.js';
import { toPublicUser } from '../services/types.js';
import { meta, principalOf } from './shared.js';
import {
  addressBody,
  detailReply,
  loginBody,
  logoutBody,
  meReply,
  refreshBody,
  registerBody,
  registerReply,
  resetPasswordBody,
  setPasswordBody,
  tokenBody,
  tokenPairReply,
  verifyEmailReply,
} from './schemas.js';
import type { AuthSettings } from '../config.js';
import { signInReply } from './mfa-schemas.js';
import type { AuthErrorCode } from '../api.js';

/** A reply that only tells the person what happened or what to do next. */
const told = (description: string) => ({ 200: { description, schema: detailReply } });

export function authRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices, settings: AuthSettings): void {
  const mailLimit = { bucket: 'auth.mail.ip', points: settings.limits.mailRequestsPerIpPerHour, durationSeconds: 3600 };

  r.post(
    '/auth/register',
    {
      errors: { 403: ['registration_closed'] },
      summary: 'Create a tenant and its owner',
      rateLimit: mailLimit,
      schema: {
        body: registerBody,
        responses: { 201: { description: 'Registered (the same reply when the address already has an account)', schema: registerReply } },
      },
    },
    async (ctx, { body: b }) => {
      ctx.status = 201;
      return s.accounts.register(b, meta(ctx));
    },
  );

  r.post(
    '/auth/login',
    {
      errors: { 401: ['invalid_credentials'], 403: ['account_suspended', 'email_not_verified'], 429: ['rate_limited'] },
      summary: 'Log in with email and password',
      description: 'A user with a second factor gets `{ mfa_required, challenge_token, methods, expires_in }` instead of tokens: POST /auth/mfa/verify.',
      schema: { body: loginBody, responses: { 200: { description: 'Tokens and the signed-in user, or a second-factor challenge', schema: signInReply } } },
    },
    (ctx, { body: b }) => s.sessions.login(b.email, b.password, meta(ctx)),
  );

  r.post(
    '/auth/refresh',
    {
      errors: { 401: ['invalid_refresh_token'], 403: ['account_suspended'], 429: ['rate_limited'] },
      summary: 'Rotate a refresh token for a new token pair',
      schema: { body: refreshBody, responses: { 200: { description: 'A new token pair (the refresh token sent is spent)', schema: tokenPairReply } } },
    },
    (ctx, { body: b }) => s.sessions.rotation.rotate(b.refresh_token, meta(ctx)),
  );

  r.get(
    '/auth/me',
    {
      errors: { 401: ['account_suspended', 'invalid_api_key', 'invalid_token', 'session_revoked', 'token_expired'], 403: ['mfa_enrollment_required'] },
      summary: 'The current principal',
      guards: [requireAuth()],
      schema: { responses: { 200: { description: 'The signed-in user (or the root token) and how the request was authenticated', schema: meReply } } },
    },
    async (ctx) => {
      const p = await principalOf(ctx);
      const auth = { kind: p.kind, scopes: p.scopes, ...(p.attributes?.apiKeyId ? { api_key_id: p.attributes.apiKeyId } : {}) };
      if (p.kind === 'root') return { id: p.id, email: null, full_name: 'root token', role: 'superadmin', tenant_id: null, is_superadmin: true, auth };
      const user = await s.principals.activeUser(p.id);
      return { ...toPublicUser(user), auth };
    },
  );

  r.post(
    '/auth/logout',
    {
      errors: { 401: ['session_revoked'] },
      summary: 'End this session',
      guards: [requireAuth()],
      schema: { body: logoutBody, responses: told('The session is over') },
    },
    async (ctx, { body: b }) => {
      await s.sessions.logout(await principalOf(ctx), b?.refresh_token, meta(ctx));
      return { detail: 'Logged out.' };
    },
  );

  r.post(
    '/auth/forgot-password',
    {
      summary: 'Email a password reset link',
      rateLimit: mailLimit,
      schema: { body: addressBody, responses: told('The same reply whether or not the address has an account') },
    },
    (_ctx, { body: b }) => s.accounts.requestPasswordReset(b.email),
  );

  r.post(
    '/auth/reset-password',
    {
      errors: { 400: ['invalid_token'] },
      summary: 'Set a new password with a reset token',
      schema: { body: resetPasswordBody, responses: told('The password is changed and every session ended') },
    },
    (ctx, { body: b }) => s.accounts.resetPassword(b.token, b.new_password, meta(ctx)),
  );

  r.post(
    '/auth/verify-email',
    {
      errors: { 400: ['invalid_token'] },
      summary: 'Confirm an email address',
      schema: { body: tokenBody, responses: { 200: { description: 'The address is verified', schema: verifyEmailReply } } },
    },
    (ctx, { body: b }) => s.accounts.verifyEmail(b.token, meta(ctx)),
  );

  r.post(
    '/auth/verify-email/request',
    {
      summary: 'Send a new verification link',
      guards: [requireAuth()],
      rateLimit: mailLimit,
      schema: { responses: told('A link is on its way, or the address is already verified') },
    },
    async (ctx) => s.accounts.requestVerification(await principalOf(ctx)),
  );

  r.post(
    '/auth/magic-link/request',
    {
      summary: 'Email a sign-in link',
      rateLimit: mailLimit,
      schema: { body: addressBody, responses: told('The same reply whether or not the address has an account') },
    },
    (_ctx, { body: b }) => s.accounts.requestMagicLink(b.email),
  );

  r.post(
    '/auth/magic-link/verify',
    {
      errors: { 400: ['invalid_token'], 403: ['account_suspended'] },
      summary: 'Sign in with a magic link token',
      schema: { body: tokenBody, responses: { 200: { description: 'As login: a token pair, or a second-factor challenge', schema: signInReply } } },
    },
    (ctx, { body: b }) => s.accounts.verifyMagicLink(b.token, meta(ctx)),
  );

  // Limited per principal: a stolen access token must not become a password-guessing oracle.
  r.post(
    '/auth/set-password',
    {
      errors: { 403: ['forbidden', 'wrong_password'] },
      summary: 'Set or change your password',
      guards: [requireAuth()],
      rateLimit: { bucket: 'auth.set-password', points: 10, durationSeconds: 3600, by: 'principal' },
      schema: { body: setPasswordBody, responses: told('The password is saved; your other sessions are ended') },
    },
    async (ctx, { body: b }) => s.accounts.setPassword(await principalOf(ctx), b.password, b.current_password, meta(ctx)),
  );
}
