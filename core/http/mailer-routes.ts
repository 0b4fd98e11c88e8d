import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { AppView } from '../app-view.js';
import { AppError } from '../errors.js';
import {
  applyRelayPatch,
  CONNECTION_FIELDS,
  LOCK_NAMES,
  readStoredRelay,
  relayPatchSchema,
  relayView,
  writeStoredRelay,
  type RelayPatch,
} from '../mailer-relay.js';
import { toFieldErrors, validatorOnFirstUse } from '../validation.js';
import { assertRole, type Principal } from './auth.js';
import type { HttpContext } from './context.js';
import { int, nullable, reply, str } from './schemas.js';
import { CoreErrors } from '../core-errors.js';

/**
 * Hook names (core/hooks): the relay changed or was tried, for whoever keeps an audit log. Payload:
 * `actor`, `meta` (ip, userAgent), and `changed` (field names; a password never by value) or `to`, `ok`, `error`.
 */
export const MAILER_RELAY_CHANGED = 'core.mailer.relay.changed';
export const MAILER_RELAY_TESTED = 'core.mailer.relay.tested';

export interface RelayChanged {
  actor: Principal;
  meta: { ip: string; userAgent: string };
  changed: string[];
}
export interface RelayTested {
  actor: Principal;
  meta: { ip: string; userAgent: string };
  to: string;
  ok: boolean;
  error: string | null;
}

const source = { type: 'string', nullable: true, enum: ['config', 'environment', null] };
/** The relay in effect: where each part comes from, the password only as set or not. */
export const relayReply = reply({
  /** Where new mail goes now: through the relay, or kept in the outbox. */
  transport: { enum: ['outbox', 'smtp'] },
  host: nullable(str),
  port: int,
  tls: { enum: ['none', 'starttls', 'tls'] },
  user: nullable(str),
  password_set: { type: 'boolean' },
  from: str,
  /** Set by the config or the environment, and so not changeable here (null: it can be). */
  locked: reply({ connection: source, from: source }),
});
export const relayTestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: { to: { type: 'string', format: 'email', maxLength: 320 } },
} as const;
export const relayTestReply = reply({ ok: { type: 'boolean' }, to: str, outbox_id: int, message_id: nullable(str) });
export { relayPatchSchema };

const validatePatch = validatorOnFirstUse<RelayPatch>(relayPatchSchema);
const validateTest = validatorOnFirstUse<{ to: string }>(relayTestBody);

/**
 * The outgoing-mail relay for superadmins (core envelope), the Settings page's API:
 *   GET   /api/admin/mailer        the relay in effect (never the password)
 *   PATCH /api/admin/mailer        change the fields sent; a part set by config or environment is 409 setting_locked
 *   POST  /api/admin/mailer/test   a test mail through it: 200, or 422 relay_failed in the relay's words
 * Kept in the database, so every instance's mailer uses it from its next mail.
 */
export const MAILER_BASE = '/api/admin/mailer';

export function mailerRoutes(app: () => AppView): Middleware {
  const router = new Router({ prefix: MAILER_BASE });
  const superadmin = async (ctx: unknown) => assertRole(await (ctx as HttpContext).authenticate(), 'superadmin');
  const meta = (ctx: HttpContext) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') });

  router.get('/', async (ctx) => {
    await superadmin(ctx);
    const plinth = app();
    ctx.body = relayView(plinth.config, await readStoredRelay(plinth.db));
  });

  router.patch('/', async (ctx) => {
    const actor = await superadmin(ctx);
    const plinth = app();
    const body = (ctx.request as { body?: unknown }).body ?? {};
    if (!validatePatch(body)) throw AppError.validation(toFieldErrors(validatePatch.errors, 'body'));
    const view = relayView(plinth.config, await readStoredRelay(plinth.db));
    const refuse = (part: 'connection' | 'from', fields: string[]) => {
      const where = view.locked[part];
      if (!where || !fields.length) return;
      throw CoreErrors.settingLocked(
        `${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} set by ${LOCK_NAMES[part][where]}: change ${fields.length === 1 ? 'it' : 'them'} there`,
        { fields, source: where },
      );
    };
    refuse(
      'connection',
      CONNECTION_FIELDS.filter((f) => body[f] !== undefined),
    );
    refuse('from', body.from !== undefined ? ['from'] : []);
    const { next, changed } = applyRelayPatch(await readStoredRelay(plinth.db), body);
    if (changed.length) {
      await writeStoredRelay(plinth.db, plinth.container.resolve('clock'), next);
      await plinth.container.resolve('hooks').notify<RelayChanged>(MAILER_RELAY_CHANGED, { actor, meta: meta(ctx as unknown as HttpContext), changed });
    }
    ctx.body = relayView(plinth.config, next);
  });

  router.post('/test', async (ctx) => {
    const actor = await superadmin(ctx);
    const plinth = app();
    const body = (ctx.request as { body?: unknown }).body ?? {};
    if (!validateTest(body)) throw AppError.validation(toFieldErrors(validateTest.errors, 'body'));
    const hooks = plinth.container.resolve('hooks');
    const told = (ok: boolean, error: string | null) =>
      hooks.notify<RelayTested>(MAILER_RELAY_TESTED, { actor, meta: meta(ctx as unknown as HttpContext), to: body.to, ok, error });
    try {
      const sent = await plinth.container.resolve('mailer').sendTest(body.to);
      await told(true, null);
      ctx.body = { ok: true, to: body.to, outbox_id: sent.id, message_id: sent.messageId };
    } catch (err) {
      if (err instanceof AppError && err.code === 'relay_failed') await told(false, err.message);
      throw err;
    }
  });

  return router.routes() as Middleware;
}
