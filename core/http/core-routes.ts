import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { packageVersion } from '../paths.js';
import type { Plinth } from '../app.js';
import { outboxRoutes } from './outbox-routes.js';

/**
 * / (to the admin UI), /health (process up), /ready (database reachable, migrations done, not
 * stopping), /openapi.json, and the mail outbox for superadmins (/api/admin/outbox, outbox-routes.ts).
 */
export function coreRoutes(app: () => Plinth): Middleware {
  const router = new Router();
  // Someone who opens the bare server address lands on the admin UI, not on a JSON 404.
  router.get('/', (ctx, next) => {
    if (!app().config.ui.enabled) return next();
    ctx.redirect('/admin');
  });
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
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
  });
  router.get('/openapi.json', (ctx) => {
    const plinth = app();
    const registry = plinth.container.resolve('openapi');
    ctx.body = registry.document({ title: 'Plinth', version: packageVersion, serverUrl: plinth.config.server.publicUrl });
  });
  const outbox = outboxRoutes(app);
  const routes = router.routes() as Middleware;
  return (ctx, next) => routes(ctx, () => outbox(ctx, next));
}
