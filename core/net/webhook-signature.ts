import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures the Standard Webhooks way: `webhook-id`, `webhook-timestamp` (Unix seconds)
 * and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several space-separated
 * signatures allowed, so a receiver can rotate secrets). The secret is used as a UTF-8 key.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers for one signed delivery. */
export function webhookHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
}

export type WebhookCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a delivery's signature over its raw body; a timestamp outside `toleranceSeconds` of `now`
 * is refused, so a captured delivery cannot be replayed later.
 */
export function verifyWebhook(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  rawBody: string,
  now: Date,
  toleranceSeconds: number,
): WebhookCheck {
  const { id, signature } = headers;
  const timestamp = Number(headers.timestamp);
  if (!id || !signature || !Number.isInteger(timestamp)) return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature headers are required' };
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'webhook-timestamp is too far from now' };
  const expected = Buffer.from(signWebhook(secret, id, timestamp, rawBody));
  const match = signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'webhook-signature does not match' };
}
