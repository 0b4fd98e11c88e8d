import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import { sameSecret } from '../secrets.js';
import type { AppView } from '../app-view.js';
import { hasScope } from './auth.js';
import type { HttpContext } from './context.js';
import { CoreErrors } from '../core-errors.js';

/** The scope an API key needs to read /metrics (declared by the core, granted only by a superadmin). */
export const METRICS_SCOPE = 'platform:metrics';

const bearerOf = (header: string | undefined): string | null => /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;

/**
 * `GET /metrics`: this instance's metrics in Prometheus' text format. Read with the configured token
 * (`Authorization: Bearer <metrics.token>`, compared in constant time) or by any principal holding
 * `platform:metrics` (an API key a superadmin made with it; a superadmin). Off the public face:
 * with no token configured and no such principal it is a 404, as for a path nobody serves; with a
 * token configured a request without credentials is a 401, and a principal without the scope a 403.
 */
export function metricsRoute(app: () => AppView): Middleware {
  return async (ctx) => {
    const plinth = app();
    const token = plinth.config.metrics.token;
    const presented = bearerOf(ctx.get('Authorization'));
    if (!(token && presented && sameSecret(presented, token))) {
      const principal = await (ctx as unknown as HttpContext).authenticate();
      if (!principal) {
        if (!token) throw AppError.notFound(`no route for ${ctx.method} ${ctx.path}`);
        throw CoreErrors.metricsCredentialRequired(METRICS_SCOPE);
      }
      if (!hasScope(principal, METRICS_SCOPE)) throw AppError.forbidden(`missing scope ${METRICS_SCOPE}`);
    }
    const { contentType, text } = await plinth.container.resolve('metricsRegistry').exposition();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = text;
  };
}
