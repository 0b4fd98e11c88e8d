import { AppError } from '../../../core/errors.js';
import { requireScope } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { MailServices } from '../services/index.js';
import { scopeFrom } from './scope.js';

const email = { type: 'string', format: 'email', maxLength: 320 } as const;
const message = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'subject'],
  properties: {
    from: email,
    fromName: { type: 'string', maxLength: 200, pattern: '^[^\\r\\n<>"]*$' },
    to: {
      oneOf: [
        { type: 'string', minLength: 3, maxLength: 5000 },
        { type: 'array', minItems: 1, maxItems: 50, items: email },
      ],
    },
    subject: { type: 'string', maxLength: 998, pattern: '^[^\\r\\n]*$' },
    html: { type: 'string', maxLength: 1_000_000 },
    text: { type: 'string', maxLength: 1_000_000 },
    scheduledAt: { type: 'string', format: 'date-time' },
  },
} as const;
/** A sent record's number (nine digits at most: it fits a 32-bit column) or its message id. */
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^([1-9]\\d{0,8}|msg_[0-9a-f]{24})$' } } } as const;

/** The seed's sending endpoints; "resend_id" is Plinth's own message id. */
export function sendRoutes(r: PluginRouter, s: MailServices): void {
  const use = [requireScope('mail:use')];

  r.post('/api/send', { summary: 'Send (or schedule) one message from a mailbox', guards: use, schema: { body: message } }, async (ctx, { body }) => {
    const result = await s.sender.send(await scopeFrom(ctx), body);
    return { success: true, id: result.id, status: result.status };
  });

  r.post(
    '/api/send/batch',
    { summary: 'Send several messages', guards: use, schema: { body: { type: 'array', minItems: 1, maxItems: 100, items: message } } },
    async (ctx, { body }) => {
      const scope = await scopeFrom(ctx);
      if (!(await s.sender.canSend(scope))) throw AppError.forbidden('this account may not send mail (can_send is off)', 'cannot_send');
      const result = [];
      for (const item of body) {
        try {
          const sent = await s.sender.send(scope, item);
          result.push({ id: sent.id, status: sent.status });
        } catch (err) {
          // Each item reports like a single send would: `{error, code}`.
          result.push({ error: (err as Error).message, ...(err instanceof AppError ? { code: err.code } : {}) });
        }
      }
      return { success: result.some((x) => 'id' in x), result };
    },
  );

  r.get(
    '/api/sent',
    {
      summary: 'What a mailbox sent',
      guards: use,
      schema: { query: { type: 'object', required: ['from'], properties: { from: email, limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 } } } },
    },
    async (ctx, { query }) => s.sender.list(await scopeFrom(ctx), query.from, query.limit),
  );
  r.get('/api/sent/:id', { summary: 'One sent message', guards: use, schema: { params: idParams } }, async (ctx, { params }) =>
    s.sender.get(await scopeFrom(ctx), params.id),
  );
  r.delete('/api/sent/:id', { summary: 'Delete a sent record', guards: use, schema: { params: idParams } }, async (ctx, { params }) => {
    await s.sender.remove(await scopeFrom(ctx), params.id);
    return { success: true };
  });

  r.get('/api/send/:id', { summary: 'Where a send stands', guards: use, schema: { params: idParams } }, async (ctx, { params }) => {
    const sent = await s.sender.get(await scopeFrom(ctx), params.id);
    return { id: sent.resend_id, status: sent.status, scheduled_at: sent.scheduled_at, sent_at: sent.sent_at, error: sent.error };
  });
  r.patch(
    '/api/send/:id',
    {
      summary: 'Re-schedule or cancel a scheduled send',
      guards: use,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { status: { const: 'canceled' }, scheduledAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (ctx, { params, body }) => ({ success: true, ...(await s.sender.reschedule(await scopeFrom(ctx), params.id, body)) }),
  );
  r.post('/api/send/:id/cancel', { summary: 'Cancel a scheduled send', guards: use, schema: { params: idParams } }, async (ctx, { params }) => {
    await s.sender.reschedule(await scopeFrom(ctx), params.id, { status: 'canceled' });
    return { success: true };
  });
}
