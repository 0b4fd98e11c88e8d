import { AppError } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { requireScope } from 'plinth/plugin';
import type { AuthServices } from '../services/index.js';
import { meta, principalOf } from './shared.js';
import { profilePatch, userReply } from './schemas.js';
import type { AuthErrorCode } from '../api.js';

export function userRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices): void {
  const self = async (ctx: Parameters<typeof principalOf>[0]) => {
    const p = await principalOf(ctx);
    if (p.kind === 'root') throw AppError.forbidden('the root token has no profile');
    return p;
  };

  r.get(
    '/users/me',
    {
      errors: { 401: ['account_suspended', 'api_key_expired', 'invalid_api_key', 'invalid_token', 'session_revoked'] },
      summary: 'My profile',
      guards: [requireScope('account:read')],
      schema: { responses: { 200: { description: 'Your profile', schema: userReply } } },
    },
    async (ctx) => s.users.get((await self(ctx)).id),
  );

  r.patch(
    '/users/me',
    {
      errors: { 409: ['email_taken', 'phone_taken', 'username_taken'] },
      summary: 'Update my profile',
      guards: [requireScope('account:manage')],
      schema: {
        body: profilePatch,
        responses: { 200: { description: 'The profile as saved (a new email address is sent a verification link)', schema: userReply } },
      },
    },
    async (ctx, { body: b }) => {
      const p = await self(ctx);
      const before = await s.users.get(p.id);
      const user = await s.users.updateProfile(p, b, meta(ctx));
      if (b.email && user.email !== before.email) await s.accounts.requestVerification(p);
      return user;
    },
  );

  r.delete(
    '/users/me',
    {
      errors: { 409: ['last_owner', 'last_superadmin'] },
      summary: 'Delete my account',
      guards: [requireScope('account:manage')],
      schema: { responses: { 204: { description: 'Deleted' } } },
    },
    async (ctx) => {
      const p = await self(ctx);
      await s.users.removeSelf(p, meta(ctx));
      ctx.status = 204;
    },
  );
}
