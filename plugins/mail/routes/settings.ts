import { AppError } from '../../../core/errors.js';
import { requireRole, requireScope } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { MailServices } from '../services/index.js';
import { scopeFrom } from './scope.js';

const address = { type: 'string', minLength: 3, maxLength: 320 } as const;
const forwardTo = { type: ['string', 'null'], anyOf: [{ type: 'string', format: 'email', maxLength: 320 }, { type: 'null' }] } as const;
const ids = { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer', minimum: 1 } } as const;
const addresses = { type: 'array', minItems: 1, maxItems: 500, items: address } as const;
const body = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', additionalProperties: false, required, properties });

/** The seed's mailbox settings: pin, favorite, forward, and their batch forms (batch = strictAdmin). */
export function settingsRoutes(r: PluginRouter, s: MailServices): void {
  const use = [requireScope('mail:use')];
  const strict = [requireRole('superadmin')];
  const one = async (ctx: Parameters<typeof scopeFrom>[0], target: { ids?: number[]; addresses?: string[] }, patch: Record<string, unknown>) => {
    const result = await s.mailboxes.update(await scopeFrom(ctx), target, patch);
    if (!result.success_count) throw AppError.notFound('mailbox not found', 'mailbox_not_found');
  };

  r.post('/api/mailboxes/pin', { summary: 'Toggle pinned', guards: use, schema: { body: body({ address }, ['address']) } }, async (ctx, { body: b }) => {
    const mailbox = await s.mailboxes.get(await scopeFrom(ctx), b.address);
    await one(ctx, { ids: [mailbox.id] }, { is_pinned: !mailbox.is_pinned });
    return { success: true, pinned: !mailbox.is_pinned };
  });

  r.post(
    '/api/mailbox/forward',
    {
      summary: 'Set (or clear, with null) the forwarding address',
      guards: use,
      schema: { body: body({ mailbox_id: { type: 'integer', minimum: 1 }, forward_to: forwardTo }, ['mailbox_id', 'forward_to']) },
    },
    async (ctx, { body: b }) => {
      await one(ctx, { ids: [b.mailbox_id] }, { forward_to: b.forward_to ? b.forward_to.toLowerCase() : null });
      return { success: true };
    },
  );

  r.post(
    '/api/mailbox/favorite',
    {
      summary: 'Set favorite',
      guards: use,
      schema: { body: body({ mailbox_id: { type: 'integer', minimum: 1 }, is_favorite: { type: 'boolean' } }, ['mailbox_id', 'is_favorite']) },
    },
    async (ctx, { body: b }) => {
      await one(ctx, { ids: [b.mailbox_id] }, { is_favorite: b.is_favorite });
      return { success: true };
    },
  );

  r.post(
    '/api/mailboxes/batch-favorite',
    {
      summary: 'Pin or unpin mailboxes by id',
      guards: strict,
      schema: { body: body({ mailbox_ids: ids, is_favorite: { type: 'boolean' } }, ['mailbox_ids', 'is_favorite']) },
    },
    async (ctx, { body: b }) => s.mailboxes.update(await scopeFrom(ctx), { ids: b.mailbox_ids }, { is_favorite: b.is_favorite }),
  );
  r.post(
    '/api/mailboxes/batch-forward',
    {
      summary: 'Set or clear forwarding of mailboxes by id',
      guards: strict,
      schema: { body: body({ mailbox_ids: ids, forward_to: forwardTo }, ['mailbox_ids', 'forward_to']) },
    },
    async (ctx, { body: b }) =>
      s.mailboxes.update(await scopeFrom(ctx), { ids: b.mailbox_ids }, { forward_to: b.forward_to ? b.forward_to.toLowerCase() : null }),
  );
  r.post(
    '/api/mailboxes/batch-favorite-by-address',
    {
      summary: 'Pin or unpin mailboxes by address',
      guards: strict,
      schema: { body: body({ addresses, is_favorite: { type: 'boolean' } }, ['addresses', 'is_favorite']) },
    },
    async (ctx, { body: b }) => s.mailboxes.update(await scopeFrom(ctx), { addresses: b.addresses }, { is_favorite: b.is_favorite }),
  );
  r.post(
    '/api/mailboxes/batch-forward-by-address',
    {
      summary: 'Set or clear forwarding of mailboxes by address',
      guards: strict,
      schema: { body: body({ addresses, forward_to: forwardTo }, ['addresses', 'forward_to']) },
    },
    async (ctx, { body: b }) =>
      s.mailboxes.update(await scopeFrom(ctx), { addresses: b.addresses }, { forward_to: b.forward_to ? b.forward_to.toLowerCase() : null }),
  );
}
