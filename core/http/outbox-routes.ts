import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import { toFieldErrors, validatorOnFirstUse } from '../validation.js';
import type { AppView } from '../app-view.js';
import { assertRole } from './auth.js';
import type { HttpContext } from './context.js';
import { paginationQuery, type PageRequest } from './pagination.js';
import { arrayOf, int, isoTime, nullable, reply, str } from './schemas.js';

export const outboxListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...paginationQuery, to: { type: 'string', minLength: 1, maxLength: 320 } },
};
/** A mail of the outbox as listed: who it went to, and what became of it (never the bodies). */
const outboxMailFields = {
  id: int,
  message_id: nullable(str),
  from: str,
  to: arrayOf(str),
  subject: str,
  /** Kept in the outbox table (no relay configured) or handed to the SMTP relay. */
  transport: { enum: ['outbox', 'smtp'] },
  status: { enum: ['stored', 'sent', 'failed'] },
  /** The relay's refusal, when it failed. */
  error: nullable(str),
  created_at: isoTime,
};

/** The core pager's page of mails, and the transport new mail takes now. */
export const outboxPageReply = reply({
  items: arrayOf(reply(outboxMailFields)),
  total: int,
  page: int,
  page_size: int,
  pages: int,
  transport: { enum: ['outbox', 'smtp'] },
});
/** One mail with its bodies. */
export const outboxMailReply = reply({ ...outboxMailFields, text: nullable(str), html: nullable(str) });

// Query strings are text: coerce `?page=2` to a number before the schema checks it.
const validateList = validatorOnFirstUse<PageRequest & { to?: string }>(outboxListQuery, { coerceTypes: true });

/**
 * The core mailer's outbox for superadmins (core envelope): what the platform sent or kept, so an
 * operator without an SMTP relay can still read the reset link a customer asked for.
 *   GET  /api/admin/outbox?page=&page_size=&to=   a page, newest first, without bodies
 *   GET  /api/admin/outbox/:id                    one mail with its text and HTML
 *   POST /api/admin/outbox/:id/resend             through the relay (409 when none is configured)
 */
export const OUTBOX_BASE = '/api/admin/outbox';

export function outboxRoutes(app: () => AppView): Middleware {
  const router = new Router({ prefix: OUTBOX_BASE });
  const mailer = () => app().container.resolve('mailer');
  const superadmin = async (ctx: unknown) => assertRole(await (ctx as HttpContext).authenticate(), 'superadmin');

  router.get('/', async (ctx) => {
    await superadmin(ctx);
    const query = { ...ctx.query };
    if (!validateList(query)) throw AppError.validation(toFieldErrors(validateList.errors, 'query'));
    ctx.body = { ...(await mailer().list(query, { to: query.to })), transport: await mailer().transportNow() };
  });

  router.get('/:id', async (ctx) => {
    await superadmin(ctx);
    ctx.body = await mailer().read(ctx.params.id);
  });

  router.post('/:id/resend', async (ctx) => {
    await superadmin(ctx);
    ctx.body = await mailer().resend(ctx.params.id);
  });

  return router.routes() as Middleware;
}
