import type { Middleware } from 'koa';
import { isAppError } from '../errors.js';
import type { HttpContext } from './context.js';

/**
 * The language a seed face answers in: its document's (the seeds are written in Chinese), unless the
 * request's Accept-Language prefers English, the language the code speaks.
 */
export type FaceLanguage = 'zh' | 'en';

/**
 * A seed face's own wording for what its routes say in English: the document's messages, word for
 * word, and nothing the document does not show (what it does not word stays English). Error `code`s
 * never change; only the text beside them.
 */
export interface FaceCatalogue {
  /** The document's language: the face's default. */
  language: 'zh';
  /** Reply and error messages: the English the routes give → the document's wording. */
  messages: Readonly<Record<string, string>>;
  /** Errors whose English varies (a count, a delay), by `code` or `code/REASON` → the document's wording. */
  errors?: Readonly<Record<string, string>>;
  /** The reply fields that hold a message the catalogue may word (default `message`). */
  fields?: readonly string[];
}

/** What an error (or a logged one) is worded from. */
export interface ErrorWords {
  code?: string;
  reason?: string;
  message: string;
}

/** The language a request asks for: English only when Accept-Language prefers it to the document's language. */
export function languageOf(ctx: Pick<HttpContext, 'acceptsLanguages' | 'headers'>, catalogue: Pick<FaceCatalogue, 'language'>): FaceLanguage {
  // No header means the document's language: most clients send none, and negotiating costs a parse.
  if (!ctx.headers['accept-language']) return catalogue.language;
  // Negotiator: `*` gives the first language named; a header naming neither gives false.
  return ctx.acceptsLanguages(catalogue.language, 'en') === 'en' ? 'en' : catalogue.language;
}

/** A reply message in `language`: the document's wording when the catalogue has one. */
export function wordMessage(catalogue: FaceCatalogue, message: string, language: FaceLanguage): string {
  return language === catalogue.language ? (catalogue.messages[message] ?? message) : message;
}

/**
 * An error's message in `language`: the document's wording of this very message, else of its
 * `code/REASON`, else of its code; else as thrown.
 */
export function wordError(catalogue: FaceCatalogue, err: ErrorWords, language: FaceLanguage): string {
  if (language !== catalogue.language) return err.message;
  const errors = catalogue.errors ?? {};
  const byReason = err.code && err.reason ? errors[`${err.code}/${err.reason}`] : undefined;
  return catalogue.messages[err.message] ?? byReason ?? (err.code ? errors[err.code] : undefined) ?? err.message;
}

const reasonOf = (details: unknown): string | undefined => {
  const reason = (details as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
};

/**
 * `Vary: Accept-Language` and `Content-Language`, through Node's own setHeader: Koa's ctx.set builds
 * arrays for every value, and the vary package parses the header and the field on every request.
 * A Vary already there is merged by Koa.
 */
function setLanguageHeaders(ctx: HttpContext, language: string): void {
  if (ctx.headerSent) return;
  if (ctx.res.getHeader('Vary') === undefined) ctx.res.setHeader('Vary', 'Accept-Language');
  else ctx.vary('Accept-Language');
  ctx.res.setHeader('Content-Language', language);
}

/**
 * Router middleware for a seed face: the reply's message fields, and the message of a client error
 * (4xx) thrown past it, in the language the request asks for. A 5xx keeps the face's generic text.
 * The reply says which (`Content-Language`) and that it depends on the request (`Vary: Accept-Language`).
 */
export function faceLanguage(catalogue: FaceCatalogue): Middleware {
  const fields = catalogue.fields ?? ['message'];
  return async (koaCtx, next) => {
    const ctx = koaCtx as unknown as HttpContext;
    const language = languageOf(ctx, catalogue);
    setLanguageHeaders(ctx, language);
    try {
      await next();
    } catch (err) {
      if (isAppError(err) && err.status < 500) {
        // The envelope renders the message later, outside this router: it is worded in place.
        (err as { message: string }).message = wordError(catalogue, { code: err.code, reason: reasonOf(err.details), message: err.message }, language);
      }
      throw err;
    }
    const body = ctx.body as Record<string, unknown> | null | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return;
    // An error a route rendered itself (the license server's verify) is worded as a thrown one is.
    const failed = ctx.status >= 400 && ctx.status < 500;
    const code = typeof body.code === 'string' ? body.code : undefined;
    const reason = typeof body.reason === 'string' ? body.reason : undefined;
    for (const field of fields) {
      const text = body[field];
      if (typeof text === 'string')
        body[field] = failed ? wordError(catalogue, { code, reason, message: text }, language) : wordMessage(catalogue, text, language);
    }
  };
}
