import { requireRole, requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { MailServices } from '../services/index.js';
import { scopeFrom } from './scope.js';
import {
  addressEither,
  addressOf,
  batchFavoriteBody,
  batchFavoriteByAddressBody,
  batchForwardBody,
  batchForwardByAddressBody,
  byAddressReply,
  byIdReply,
  done,
  favoriteBody,
  forwardBody,
  pinReply,
} from './schemas.js';
import { MailErrors } from '../services/errors.js';
import type { MailErrorCode } from '../api.js';

/** The seed's mailbox settings: pin, favorite, forward, and their batch forms (batch = strictAdmin). */
export function settingsRoutes(r: PluginRouter<MailErrorCode>, s: MailServices): void {
  const use = [requireScope('mail:use')];
  const strict = [requireRole('superadmin')];
  const one = async (ctx: Parameters<typeof scopeFrom>[0], target: { ids?: number[]; addresses?: string[] }, patch: Record<string, unknown>) => {
    const result = await s.mailboxes.update(await scopeFrom(ctx), target, patch);
    if (!result.success_count) throw MailErrors.mailboxNotFound();
  };

  r.post(
    '/api/mailboxes/pin',
    {
      summary: 'Toggle pinned',
      guards: use,
      schema: { ...addressEither, responses: { 200: { description: 'Whether it is pinned now', schema: pinReply } } },
    },
    async (ctx, input) => {
      const mailbox = await s.mailboxes.get(await scopeFrom(ctx), addressOf(input));
      await one(ctx, { ids: [mailbox.id] }, { is_pinned: !mailbox.is_pinned });
      return { success: true, pinned: !mailbox.is_pinned };
    },
  );

  r.post(
    '/api/mailbox/forward',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'Set (or clear, with null) the forwarding address',
      guards: use,
      schema: { body: forwardBody, responses: { 200: { description: 'Set', schema: done } } },
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
      schema: { body: favoriteBody, responses: { 200: { description: 'Set', schema: done } } },
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
      schema: { body: batchFavoriteBody, responses: { 200: { description: 'One result per id', schema: byIdReply } } },
    },
    async (ctx, { body: b }) => s.mailboxes.update(await scopeFrom(ctx), { ids: b.mailbox_ids }, { is_favorite: b.is_favorite }),
  );
  r.post(
    '/api/mailboxes/batch-forward',
    {
      summary: 'Set or clear forwarding of mailboxes by id',
      guards: strict,
      schema: { body: batchForwardBody, responses: { 200: { description: 'One result per id', schema: byIdReply } } },
    },
    async (ctx, { body: b }) =>
      s.mailboxes.update(await scopeFrom(ctx), { ids: b.mailbox_ids }, { forward_to: b.forward_to ? b.forward_to.toLowerCase() : null }),
  );
  r.post(
    '/api/mailboxes/batch-favorite-by-address',
    {
      summary: 'Pin or unpin mailboxes by address',
      guards: strict,
      schema: { body: batchFavoriteByAddressBody, responses: { 200: { description: 'One result per address', schema: byAddressReply } } },
    },
    async (ctx, { body: b }) => s.mailboxes.update(await scopeFrom(ctx), { addresses: b.addresses }, { is_favorite: b.is_favorite }),
  );
  r.post(
    '/api/mailboxes/batch-forward-by-address',
    {
      summary: 'Set or clear forwarding of mailboxes by address',
      guards: strict,
      schema: { body: batchForwardByAddressBody, responses: { 200: { description: 'One result per address', schema: byAddressReply } } },
    },
    async (ctx, { body: b }) =>
      s.mailboxes.update(await scopeFrom(ctx), { addresses: b.addresses }, { forward_to: b.forward_to ? b.forward_to.toLowerCase() : null }),
  );
}
