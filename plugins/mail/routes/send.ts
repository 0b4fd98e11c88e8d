import { AppError } from 'plinth/plugin';
import { requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { MailServices } from '../services/index.js';
import { scopeFrom } from './scope.js';
import { done } from './schemas.js';
import { seedTimes } from './seed-time.js';
import {
  rescheduleBody,
  rescheduledReply,
  sendBatchBody,
  sendBatchReply,
  sendBody,
  sendReply,
  sendStatusReply,
  sentIdParams,
  sentListReply,
  sentQuery,
  sentReply,
} from './send-schemas.js';
import { MailErrors } from '../services/errors.js';
import type { MailErrorCode } from '../api.js';

/** The seed's sending endpoints; "resend_id" is Plinth's own message id. */
export function sendRoutes(r: PluginRouter<MailErrorCode>, s: MailServices): void {
  const use = [requireScope('mail:use')];

  r.post(
    '/api/send',
    {
      errors: { 400: ['bad_recipient', 'empty_message'], 402: ['usage_limit_reached'], 403: ['cannot_send'], 404: ['mailbox_not_found'] },
      summary: 'Send (or schedule) one message from a mailbox',
      guards: use,
      schema: { body: sendBody, responses: { 200: { description: 'Sent, scheduled, or refused by the relay (`status`)', schema: sendReply } } },
    },
    async (ctx, { body }) => {
      const result = await s.sender.send(await scopeFrom(ctx), body);
      return { success: true, id: result.id, status: result.status };
    },
  );

  r.post(
    '/api/send/batch',
    {
      errors: { 403: ['cannot_send'] },
      summary: 'Send several messages',
      guards: use,
      schema: { body: sendBatchBody, responses: { 200: { description: 'One result per message (`success`: at least one went)', schema: sendBatchReply } } },
    },
    async (ctx, { body }) => {
      const scope = await scopeFrom(ctx);
      if (!(await s.sender.canSend(scope))) throw MailErrors.cannotSend();
      const result = [];
      for (const item of body) {
        try {
          const sent = await s.sender.send(scope, item);
          result.push({ id: sent.id, status: sent.status });
        } catch (err) {
          // Each item reports like a single send would: `{error, code}`; a fault of ours is logged and
          // reported as one, never with its own text (it may name internals).
          if (!(err instanceof AppError) || err.status >= 500) {
            ctx.state.container.cradle.logger.error({ err, requestId: ctx.state.requestId }, 'a batch send item failed');
            result.push({ error: `internal error (request id ${ctx.state.requestId})`, code: 'internal_error' });
          } else result.push({ error: err.message, code: err.code });
        }
      }
      return { success: result.some((x) => 'id' in x), result };
    },
  );

  r.get(
    '/api/sent',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'What a mailbox sent',
      guards: use,
      schema: { query: sentQuery, responses: { 200: { description: 'Newest first, without the bodies', schema: sentListReply } } },
    },
    async (ctx, { query }) => seedTimes(await s.sender.list(await scopeFrom(ctx), query.from, query.limit)),
  );
  r.get(
    '/api/sent/:id',
    {
      errors: { 404: ['sent_not_found'] },
      summary: 'One sent message',
      guards: use,
      schema: { params: sentIdParams, responses: { 200: { description: 'The record', schema: sentReply } } },
    },
    async (ctx, { params }) => seedTimes(await s.sender.get(await scopeFrom(ctx), params.id)),
  );
  r.delete(
    '/api/sent/:id',
    {
      errors: { 404: ['sent_not_found'] },
      summary: 'Delete a sent record',
      guards: use,
      schema: { params: sentIdParams, responses: { 200: { description: 'Deleted', schema: done } } },
    },
    async (ctx, { params }) => {
      await s.sender.remove(await scopeFrom(ctx), params.id);
      return { success: true };
    },
  );

  r.get(
    '/api/send/:id',
    {
      errors: { 404: ['sent_not_found'] },
      summary: 'Where a send stands',
      guards: use,
      schema: { params: sentIdParams, responses: { 200: { description: 'Its status (`id` is the message id)', schema: sendStatusReply } } },
    },
    async (ctx, { params }) => {
      const sent = await s.sender.get(await scopeFrom(ctx), params.id);
      return seedTimes({ id: sent.resend_id, status: sent.status, scheduled_at: sent.scheduled_at, sent_at: sent.sent_at, error: sent.error });
    },
  );
  r.patch(
    '/api/send/:id',
    {
      errors: { 400: ['bad_schedule'], 404: ['sent_not_found'], 409: ['not_scheduled'] },
      summary: 'Re-schedule or cancel a scheduled send',
      guards: use,
      schema: { params: sentIdParams, body: rescheduleBody, responses: { 200: { description: 'The record as it is now', schema: rescheduledReply } } },
    },
    async (ctx, { params, body }) => ({ success: true, ...seedTimes(await s.sender.reschedule(await scopeFrom(ctx), params.id, body)) }),
  );
  r.post(
    '/api/send/:id/cancel',
    {
      errors: { 404: ['sent_not_found'], 409: ['not_scheduled'] },
      summary: 'Cancel a scheduled send',
      guards: use,
      schema: { params: sentIdParams, responses: { 200: { description: 'Canceled', schema: done } } },
    },
    async (ctx, { params }) => {
      await s.sender.reschedule(await scopeFrom(ctx), params.id, { status: 'canceled' });
      return { success: true };
    },
  );
}
