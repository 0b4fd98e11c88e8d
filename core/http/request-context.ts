import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';
import type { Principal } from './auth.js';

/**
 * The request being served, for code that runs deep below a route and has no ctx (the usage
 * meter): which principal acts. It holds the request's state object, so a principal that is
 * authenticated after this point is seen too. Outside a request (jobs, SMTP, events) it is empty.
 */
const current = new AsyncLocalStorage<{ principal?: Principal | null }>();

export const requestContext = (): Middleware<{ principal?: Principal | null }> => (ctx, next) => current.run(ctx.state, next);

/** The principal of the request being served, if any and once authenticated. */
export const actingPrincipal = (): Principal | null => current.getStore()?.principal ?? null;

/** True while a superadmin's (or the root token's) request is being served. */
export const actingAsSuperadmin = (): boolean => actingPrincipal()?.roles.includes('superadmin') ?? false;
