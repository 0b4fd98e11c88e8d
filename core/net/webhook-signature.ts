import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Webhook signatures by the Standard Webhooks spec's own library (`standardwebhooks`):
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">` (several space-separated signatures allowed, so a receiver can rotate secrets).
 *
 * How a secret becomes the HMAC key:
 * - the spec's format, `whsec_` + base64: the decoded bytes (the library's default mode);
 * - any other string (a robot `secretKey` a customer chose, `wfsec_…` secrets stored before
 *   Plinth generated spec secrets): the string's UTF-8 bytes (the library's `{ format: 'raw' }`),
 *   so stored secrets keep verifying.
 */
const SPEC_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True for a secret in the spec's format (`whsec_` + non-empty standard base64). */
export function isSpecSecret(secret: string): boolean {
  const encoded = secret.slice(SPEC_PREFIX.length);
  return secret.startsWith(SPEC_PREFIX) && encoded.length > 0 && BASE64.test(encoded);
}

/** A new signing secret in the spec's format: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SPEC_PREFIX + randomBytes(32).toString('base64');
}

/** The library's signer for a secret, keyed as described above. */
function webhookFor(secret: string): Webhook {
  return isSpecSecret(secret) ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
}

/** The `webhook-signature` value for one delivery. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return webhookFor(secret).sign(id, new Date(timestamp * 1000), body);
}

/** The three headers for one signed delivery. */
export function webhookHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
}

export type WebhookCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a delivery's signature over its raw body; a timestamp outside `toleranceSeconds` of `now`
 * is refused, so a captured delivery cannot be replayed later. The timestamp is checked here rather
 * than by `Webhook.verify`, which reads the system clock with a fixed 5-minute window: Plinth's
 * window is a setting and its clock is injected. The signature is the library's, compared in
 * constant time against each `v1` candidate.
 */
export function verifyWebhook(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  rawBody: string,
  now: Date,
  toleranceSeconds: number,
): WebhookCheck {
  const { id, signature } = headers;
  const timestamp = /^\d{1,12}$/.test(headers.timestamp ?? '') ? Number(headers.timestamp) : NaN;
  if (!id || !signature || !Number.isInteger(timestamp))
    return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature headers are required' };
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'webhook-timestamp is too far from now' };
  const expected = Buffer.from(signWebhook(secret, id, timestamp, rawBody));
  const match = signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'webhook-signature does not match' };
}
