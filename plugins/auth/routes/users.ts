import { AppError } from '../../../core/errors.js';
import type { PluginRouter } from '../../../core/http/router.js';
import { requireScope } from '../../../core/http/guards.js';
import type { AuthServices } from '../services/index.js';
import { body, meta, principalOf } from './shared.js';

export const profileFields = {
  full_name: { type: 'string', maxLength: 200 },
  email: { type: 'string', format: 'email', maxLength: 320 },
  phone: { type: ['string', 'null'], pattern: '^\\+?[1-9]\\d{6,14}$' },
  username: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_.-]{3,64}$' },
};

export function userRoutes(r: PluginRouter, s: AuthServices): void {
  const self = async (ctx: Parameters<typeof principalOf>[0]) => {
    const p = await principalOf(ctx);
    if (p.kind === 'root') throw AppError.forbidden('the root token has no profile');
    return p;
  };

  r.get('/users/me', { summary: 'My profile', guards: [requireScope('account:read')] }, async (ctx) => s.users.get((await self(ctx)).id));

  r.patch(
    '/users/me',
    { summary: 'Update my profile', guards: [requireScope('account:manage')], schema: { body: { ...body(profileFields), minProperties: 1 } } },
    async (ctx, { body: b }) => {
      const p = await self(ctx);
      const before = await s.users.get(p.id);
      const user = await s.users.updateProfile(p, b, meta(ctx));
      if (b.email && user.email !== before.email) await s.accounts.requestVerification(p);
      return user;
    },
  );

  r.delete('/users/me', { summary: 'Delete my account', guards: [requireScope('account:manage')] }, async (ctx) => {
    const p = await self(ctx);
    await s.users.removeSelf(p, meta(ctx));
    ctx.status = 204;
  });
}
