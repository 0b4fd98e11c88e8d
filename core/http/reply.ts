import type { ServerResponse } from 'node:http';

/**
 * A successful result for the router to wrap in the face's success envelope (`{ code: 0, message,
 * data }` on WorkBot's face, `{ success: true, … }` on the license server's, as is elsewhere), so
 * routes say what they answer and never which envelope their face uses. A handler that returns a
 * plain value is answered with it as is (a face whose seed has no envelope, a stream, a redirect).
 */
export class SuccessReply {
  constructor(private readonly body: { data: unknown; message?: string }) {}

  get data(): unknown {
    return this.body.data;
  }
  get message(): string | undefined {
    return this.body.message;
  }
}

/** `return ok(data)` / `ok(data, 'created')`: answered in the face's success envelope. */
export const ok = (data: unknown = null, message?: string): SuccessReply => new SuccessReply({ data, message });

/** What Koa answers as JSON: a plain object or an array (not a Buffer, a stream, a string or null). */
const isJsonBody = (body: unknown): body is object =>
  typeof body === 'object' && body !== null && (Array.isArray(body) || Object.getPrototypeOf(body) === Object.prototype);

/** The Content-Type Koa gives a JSON body (mime-types' `json`, with its charset). */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `ctx.body = body`, with a JSON body's Content-Type set first when nothing set one: Koa would look
 * `json` up in mime-types on every reply (~1 µs) for this same header, and keeps a JSON type it finds.
 */
export function setReplyBody(ctx: { res: ServerResponse; headerSent: boolean; body: unknown }, body: unknown): void {
  if (isJsonBody(body) && !ctx.headerSent && !ctx.res.hasHeader('Content-Type')) ctx.res.setHeader('Content-Type', JSON_TYPE);
  ctx.body = body;
}
