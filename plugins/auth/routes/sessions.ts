import { AppError } from 'plinth/plugin';
import { requireRole, requireScope } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuthServices } from '../services/index.js';
import { uuidParam } from './schemas.js';
import { endAllQuery, sessionListReply, sessionParams, sessionsEndedReply, userSessionParams } from './session-schemas.js';
import { meta, principalOf } from './shared.js';
import type { AuthErrorCode } from '../api.js';

/** A user's signed-in sessions (their devices), ended one at a time or all at once; a superadmin's view of anyone's. */
export function sessionRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices): void {
  const self = async (ctx: HttpContext) => {
    const p = await principalOf(ctx);
    if (p.kind === 'root') throw AppError.forbidden('the root token has no sessions');
    return p;
  };
  const ended = (n: number) => ({ detail: n === 1 ? '1 session ended.' : `${n} sessions ended.`, ended: n });

  r.get(
    '/auth/sessions',
    {
      summary: 'My signed-in sessions and devices',
      guards: [requireScope('account:read')],
      schema: { responses: { 200: { description: 'Live sessions, the most recently used first; `current` marks this one', schema: sessionListReply } } },
    },
    async (ctx) => {
      const p = await self(ctx);
      return s.sessionDevices.list(p.id, (p.attributes?.sessionId as string | undefined) ?? null);
    },
  );

  r.delete(
    '/auth/sessions/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'End one of my sessions',
      guards: [requireScope('account:manage')],
      schema: { params: sessionParams, responses: { 204: { description: 'Ended: its tokens stop working at once, on every instance' } } },
    },
    async (ctx, { params }) => {
      await s.sessionDevices.endOwn(await self(ctx), params.id, meta(ctx));
      ctx.status = 204;
    },
  );

  r.delete(
    '/auth/sessions',
    {
      summary: 'End all my other sessions (or all of them)',
      guards: [requireScope('account:manage')],
      schema: { query: endAllQuery, responses: { 200: { description: 'How many sessions were ended', schema: sessionsEndedReply } } },
    },
    async (ctx, { query }) => ended(await s.sessionDevices.endAllOwn(await self(ctx), query.include_current === true, meta(ctx))),
  );

  const superadmin = [requireRole('superadmin')];
  r.get(
    '/admin/users/:id/sessions',
    {
      errors: { 404: ['not_found'] },
      summary: "A user's signed-in sessions",
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'Live sessions, the most recently used first', schema: sessionListReply } } },
    },
    (_ctx, { params }) => s.sessionDevices.listForUser(params.id),
  );
  r.delete(
    '/admin/users/:id/sessions',
    {
      errors: { 404: ['not_found'] },
      summary: 'End every session of a user (they must sign in again; API keys are not touched)',
      guards: superadmin,
      schema: { params: uuidParam, responses: { 200: { description: 'How many sessions were ended', schema: sessionsEndedReply } } },
    },
    async (ctx, { params }) => ended(await s.sessionDevices.endForUser(await principalOf(ctx), params.id, null, meta(ctx))),
  );
  r.delete(
    '/admin/users/:id/sessions/:session_id',
    {
      errors: { 404: ['not_found'] },
      summary: 'End one session of a user',
      guards: superadmin,
      schema: { params: userSessionParams, responses: { 204: { description: 'Ended' } } },
    },
    async (ctx, { params }) => {
      await s.sessionDevices.endForUser(await principalOf(ctx), params.id, params.session_id, meta(ctx));
      ctx.status = 204;
    },
  );
}
