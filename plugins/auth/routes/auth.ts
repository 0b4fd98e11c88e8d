import type { PluginRouter } from '../../../core/http/router.js';
import { requireAuth } from '../../../core/http/guards.js';
import type { AuthServices } from '../services/index.js';
import { toPublicUser } from '../services/types.js';
import { body, email, meta, password, principalOf, token } from './shared.js';
import type { AuthSettings } from '../config.js';

export function authRoutes(r: PluginRouter, s: AuthServices, settings: AuthSettings): void {
  const mailLimit = { bucket: 'auth.mail.ip', points: settings.limits.mailRequestsPerIpPerHour, durationSeconds: 3600 };

  r.post(
    '/auth/register',
    {
      summary: 'Create a tenant and its owner',
      rateLimit: mailLimit,
      schema: {
        body: body({ email, password, full_name: { type: 'string', maxLength: 200 }, tenant_name: { type: 'string', minLength: 1, maxLength: 200 } }, [
          'email',
          'password',
        ]),
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
      summary: 'Log in with email and password',
      schema: { body: body({ email: { type: 'string', minLength: 1, maxLength: 320 }, password }, ['email', 'password']) },
    },
    (ctx, { body: b }) => s.sessions.login(b.email, b.password, meta(ctx)),
  );

  r.post(
    '/auth/refresh',
    { summary: 'Rotate a refresh token for a new token pair', schema: { body: body({ refresh_token: token }, ['refresh_token']) } },
    (ctx, { body: b }) => s.sessions.rotation.rotate(b.refresh_token, meta(ctx)),
  );

  r.get('/auth/me', { summary: 'The current principal', guards: [requireAuth()] }, async (ctx) => {
    const p = await principalOf(ctx);
    const auth = { kind: p.kind, scopes: p.scopes, ...(p.attributes?.apiKeyId ? { api_key_id: p.attributes.apiKeyId } : {}) };
    if (p.kind === 'root') return { id: p.id, email: null, full_name: 'root token', role: 'superadmin', tenant_id: null, is_superadmin: true, auth };
    const user = await s.principals.activeUser(p.id);
    return { ...toPublicUser({ ...user, password_hash: null }), auth };
  });

  r.post(
    '/auth/logout',
    { summary: 'End this session', guards: [requireAuth()], schema: { body: body({ refresh_token: token }) } },
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
      schema: { body: body({ email: { type: 'string', minLength: 1, maxLength: 320 } }, ['email']) },
    },
    (_ctx, { body: b }) => s.accounts.requestPasswordReset(b.email),
  );

  r.post(
    '/auth/reset-password',
    { summary: 'Set a new password with a reset token', schema: { body: body({ token, new_password: password }, ['token', 'new_password']) } },
    (ctx, { body: b }) => s.accounts.resetPassword(b.token, b.new_password, meta(ctx)),
  );

  r.post('/auth/verify-email', { summary: 'Confirm an email address', schema: { body: body({ token }, ['token']) } }, (ctx, { body: b }) =>
    s.accounts.verifyEmail(b.token, meta(ctx)),
  );

  r.post('/auth/verify-email/request', { summary: 'Send a new verification link', guards: [requireAuth()], rateLimit: mailLimit }, async (ctx) =>
    s.accounts.requestVerification(await principalOf(ctx)),
  );

  r.post(
    '/auth/magic-link/request',
    { summary: 'Email a sign-in link', rateLimit: mailLimit, schema: { body: body({ email: { type: 'string', minLength: 1, maxLength: 320 } }, ['email']) } },
    (_ctx, { body: b }) => s.accounts.requestMagicLink(b.email),
  );

  r.post('/auth/magic-link/verify', { summary: 'Sign in with a magic link token', schema: { body: body({ token }, ['token']) } }, (ctx, { body: b }) =>
    s.accounts.verifyMagicLink(b.token, meta(ctx)),
  );

  // Limited per principal: a stolen access token must not become a password-guessing oracle.
  r.post(
    '/auth/set-password',
    {
      summary: 'Set or change your password',
      guards: [requireAuth()],
      rateLimit: { bucket: 'auth.set-password', points: 10, durationSeconds: 3600, by: 'principal' },
      schema: { body: body({ password, current_password: password }, ['password']) },
    },
    async (ctx, { body: b }) => s.accounts.setPassword(await principalOf(ctx), b.password, b.current_password, meta(ctx)),
  );
}
