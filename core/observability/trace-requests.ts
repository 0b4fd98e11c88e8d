import type { Middleware } from 'koa';
import { currentSpan, formatTraceparent, noteRoute, notingRoutes, parseTraceparent, serveInTrace } from './trace-context.js';

/**
 * The first middleware: each request runs in its trace (a child of the `traceparent` it came
 * with, `tracestate` passed along; a malformed one or none starts a new trace, never an error),
 * so its log lines, the events it emits and the calls it makes carry the trace id. The reply
 * tells the caller the trace and this hop's span in `traceresponse` (W3C Trace Context Level 2),
 * beside the `X-Request-Id` the next middleware sets. Under OpenTelemetry the request's span is
 * named after the route template that answered (`GET /api/v2/workflows/:id`), never the raw path.
 */
export function traceRequests(): Middleware {
  return function traceRequest(ctx, next) {
    // The node request's headers as they are (Koa's ctx.get and ctx.set add a layer each, on every request).
    const headers = ctx.req.headers;
    const incoming = parseTraceparent((headers.traceparent as string | undefined) || undefined, (headers.tracestate as string | undefined) || undefined);
    // The request id is chosen by the request-id middleware, after this one: read when a line is logged.
    const requestId = () => (ctx.state as { requestId?: string }).requestId;
    return serveInTrace(incoming, requestId, () => {
      const span = currentSpan();
      if (span) ctx.res.setHeader('traceresponse', formatTraceparent(span));
      if (!notingRoutes()) return next();
      // A plugin's router sets state.route; the core's (@koa/router) leaves _matchedRoute.
      return next().finally(() => noteRoute(ctx.req, (ctx.state as { route?: unknown }).route ?? (ctx as { _matchedRoute?: unknown })._matchedRoute));
    });
  };
}
