import type { Middleware } from 'koa';
import { packageVersion } from '../paths.js';
import type { AppView } from '../app-view.js';
import { envelopes } from './envelopes.js';
import type { OpenApiRegistry } from './openapi.js';
import { isUnder } from './server.js';
import { metricsRoute } from './metrics-route.js';
import { MAILER_BASE, mailerRoutes, relayPatchSchema, relayReply, relayTestBody, relayTestReply } from './mailer-routes.js';
import { OUTBOX_BASE, outboxListQuery, outboxMailReply, outboxPageReply, outboxRoutes } from './outbox-routes.js';

/**
 * / (to the admin UI), /health (process up), /ready (database reachable, migrations done, not
 * stopping), /openapi.json, /metrics (Prometheus, metrics-route.ts), and for superadmins the mail outbox (/api/admin/outbox,
 * outbox-routes.ts) and the outgoing-mail relay (/api/admin/mailer, mailer-routes.ts).
 */
export function coreRoutes(app: () => AppView): Middleware {
  // Static paths, each a GET (so a HEAD too), looked up in a map: every request passes here, few
  // are the core's, and @koa/router's dispatch (host check, match, a chain composed per request)
  // was a large share of what /health cost.
  const routes: Record<string, Middleware> = {
    // Someone who opens the bare server address lands on the admin UI, not on a JSON 404.
    '/': (ctx, next) => {
      if (!app().config.ui.enabled) return next();
      ctx.redirect('/admin');
    },
    '/health': (ctx) => {
      ctx.body = { status: 'ok' };
    },
    '/ready': async (ctx) => {
      const plinth = app();
      let database = 'ok';
      try {
        await plinth.db.raw('select 1');
      } catch {
        database = 'unreachable';
      }
      const ready = database === 'ok' && plinth.state === 'running';
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'not_ready', database, migrations: 'done', state: plinth.state };
    },
    '/openapi.json': (ctx) => {
      const plinth = app();
      const registry = plinth.container.resolve('openapi');
      ctx.body = registry.document({ title: 'Plinth', version: packageVersion, serverUrl: plinth.config.server.publicUrl });
    },
    '/metrics': metricsRoute(app),
  };
  // As @koa/router had it: one trailing slash matches too (/health/); the route is the template.
  const byPath = new Map<string, { route: string; handler: Middleware }>();
  for (const [route, handler] of Object.entries(routes)) {
    byPath.set(route, { route, handler });
    byPath.set(`${route}/`.replace('//', '/'), { route, handler });
  }
  const outbox = outboxRoutes(app);
  const mailer = mailerRoutes(app);
  return (ctx, next) => {
    const requested = ctx.path; // Koa's getter checks its parsed URL on every read
    const core = byPath.get(requested);
    if (core) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
      ctx.state.route = core.route;
      return core.handler(ctx, next);
    }
    if (isUnder(OUTBOX_BASE, requested)) return outbox(ctx, next);
    if (isUnder(MAILER_BASE, requested)) return mailer(ctx, next);
    return next();
  };
}

/** The core's own operations in /openapi.json, beside the plugins' (the core envelope's errors). */
export function documentCoreRoutes(openapi: OpenApiRegistry): void {
  const core = { plugin: 'core', envelope: envelopes.plain };
  const id = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
  openapi.add({
    ...core,
    method: 'get',
    path: '/health',
    operationId: 'core_health',
    summary: 'The process is up',
    secured: false,
    schema: { responses: { 200: { description: 'Up', schema: { type: 'object', properties: { status: { const: 'ok' } } } } } },
  });
  openapi.add({
    ...core,
    method: 'get',
    path: '/ready',
    operationId: 'core_ready',
    summary: 'Ready for traffic: database reachable, migrations done, not stopping',
    secured: false,
    schema: {
      responses: {
        200: {
          description: 'Ready',
          schema: { type: 'object', properties: { status: { enum: ['ready', 'not_ready'] }, database: { type: 'string' }, state: { type: 'string' } } },
        },
        503: { description: 'Not ready' },
      },
    },
  });
  openapi.add({
    ...core,
    method: 'get',
    path: '/metrics',
    operationId: 'core_metrics',
    summary: "This instance's metrics in Prometheus' text format (the metrics token, or an API key with platform:metrics)",
    description:
      'Read with `Authorization: Bearer <metrics.token>` (env `PLINTH_METRICS_TOKEN`) or an API key with the `platform:metrics` scope. ' +
      'Without a token configured it answers 404 to anyone else. Each instance serves its own: scrape every instance.',
    secured: true,
    schema: {
      responses: {
        200: { description: 'The exposition (text/plain; version=0.0.4)', contentType: 'text/plain; version=0.0.4; charset=utf-8', schema: { type: 'string' } },
      },
    },
  });
  openapi.add({
    ...core,
    method: 'get',
    path: '/api/admin/outbox',
    operationId: 'core_list_outbox',
    summary: "The platform's sent and kept mail, newest first (superadmins)",
    secured: true,
    schema: { query: outboxListQuery, responses: { 200: { description: 'A page of mails, newest first, without their bodies', schema: outboxPageReply } } },
  });
  openapi.add({
    ...core,
    method: 'get',
    path: '/api/admin/outbox/:id',
    operationId: 'core_read_outbox_mail',
    summary: 'One outgoing mail with its text and HTML (superadmins)',
    secured: true,
    schema: { params: id, responses: { 200: { description: 'The mail with its text and HTML', schema: outboxMailReply } } },
  });
  openapi.add({
    ...core,
    method: 'post',
    path: '/api/admin/outbox/:id/resend',
    operationId: 'core_resend_outbox_mail',
    summary: 'Send a kept mail again through the relay (409 when none is configured; superadmins)',
    secured: true,
    schema: {
      params: id,
      responses: { 200: { description: "The mail as it stands now: sent, or failed with the relay's words", schema: outboxMailReply } },
    },
  });
  openapi.add({
    ...core,
    method: 'get',
    path: MAILER_BASE,
    operationId: 'core_get_mail_relay',
    summary: 'The outgoing-mail relay in effect, where each part is set, never its password (superadmins)',
    secured: true,
    schema: { responses: { 200: { description: 'The relay', schema: relayReply } } },
  });
  openapi.add({
    ...core,
    method: 'patch',
    path: MAILER_BASE,
    operationId: 'core_update_mail_relay',
    summary: 'Change the outgoing-mail relay (superadmins); a part set by config or environment is 409 setting_locked',
    description:
      'Only the fields sent change. `password`: a new one, `""` keeps the one kept, `null` removes it. ' +
      'Kept in the database: every instance relays through it from its next mail.',
    secured: true,
    schema: { body: relayPatchSchema, responses: { 200: { description: 'The relay now', schema: relayReply } } },
  });
  openapi.add({
    ...core,
    method: 'post',
    path: `${MAILER_BASE}/test`,
    operationId: 'core_test_mail_relay',
    summary: "Send a test mail through the relay (superadmins): 422 relay_failed with the relay's words, 409 no_relay without one",
    secured: true,
    schema: { body: relayTestBody, responses: { 200: { description: 'The relay took the mail', schema: relayTestReply } } },
  });
}
