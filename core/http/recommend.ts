import type { HttpContext } from './context.js';

/**
 * Accepts what a seed document's own example needs, but says what would be safer: a
 * `Warning: 299 - "…"` header (RFC 7234's persistent warning, as the Kubernetes API sends its
 * deprecations), so the reply's body stays the document's. Never a refusal.
 */
export function recommend(ctx: Pick<HttpContext, 'append'>, advice: string): void {
  // A quoted-string: no quotes, backslashes or control characters inside; ASCII only in a header.
  const text = advice.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  ctx.append('Warning', `299 - "${text}"`);
}
