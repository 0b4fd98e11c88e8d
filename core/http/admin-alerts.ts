import type { Router } from '@koa/router';
import type { AppView } from '../app-view.js';
import { AppError } from '../errors.js';
import { toFieldErrors, validatorOnFirstUse } from '../validation.js';
import { assertRole } from './auth.js';
import type { HttpContext } from './context.js';

const alertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    open: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
};

// Query strings are text: `?open=true&limit=10` coerced before the schema checks them.
const validateQuery = validatorOnFirstUse<{ open?: boolean; limit: number }>(alertsQuery, { coerceTypes: true });

/**
 * The operator's alerts in the admin UI's API, superadmins only:
 *   GET /admin/api/alerts?open=true     the open ones, critical first, then newest
 *   GET /admin/api/alerts?open=false    the cleared ones, most recently cleared first
 *   GET /admin/api/alerts               every raising, newest first
 * `limit` (1–500, default 50). Each item: id, key, severity, summary, details, raised_at, cleared_at, notified_at.
 */
export function adminAlertRoutes(router: Router, app: () => AppView): void {
  router.get('/api/alerts', async (ctx) => {
    assertRole(await (ctx as unknown as HttpContext).authenticate(), 'superadmin');
    const query = { ...ctx.query };
    if (!validateQuery(query)) throw AppError.validation(toFieldErrors(validateQuery.errors, 'query'));
    ctx.body = { items: await app().container.resolve('alerts').list(query) };
  });
}
