import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import { AppError } from '../../../core/errors.js';
import type { PlatformEvent } from '../../../core/events/outbox.js';

/** Loopback, private, link-local (incl. cloud metadata), unspecified and unique-local ranges. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) INTERNAL.addSubnet(net, prefix, 'ipv6');

/**
 * Refuses a callback URL whose host resolves to an internal address (checked after DNS, on every
 * delivery too, so a name that later points inside is refused then), unless config allows it.
 */
export async function assertPublicTarget(url: string, allowPrivate: boolean): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw AppError.validation([{ path: 'body.url', message: 'is not a URL' }], 400);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw AppError.validation([{ path: 'body.url', message: 'must be http or https' }], 400);
  if (allowPrivate) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  if (!addresses.length) throw AppError.badRequest(`${parsed.hostname} does not resolve`, 'callback_unresolvable');
  for (const a of addresses) {
    const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a.address)?.[1];
    const [address, family] = v4mapped ? [v4mapped, 'ipv4'] : [a.address, a.family === 6 ? 'ipv6' : 'ipv4'];
    if (INTERNAL.check(address, family as 'ipv4' | 'ipv6')) throw AppError.badRequest(`${parsed.hostname} points at an internal address; callbacks go to public hosts`, 'callback_target_refused');
  }
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface CallbackConfig {
  messageCallbackUrl?: string | null;
  resultCallbackUrl?: string | null;
  enableSignature?: boolean;
  secretKey?: string;
}

export class Callbacks {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly allowPrivate: boolean,
    private readonly timeoutMs = 10_000,
  ) {}

  async configure(robotPk: number, config: CallbackConfig): Promise<void> {
    for (const url of [config.messageCallbackUrl, config.resultCallbackUrl]) if (url) await assertPublicTarget(url, this.allowPrivate);
    const row = {
      robot_pk: robotPk,
      message_url: config.messageCallbackUrl ?? null,
      result_url: config.resultCallbackUrl ?? null,
      enable_signature: config.enableSignature ?? true,
      ...(config.secretKey !== undefined ? { secret: config.secretKey } : {}),
      is_active: true,
      disabled_reason: null,
      updated_at: this.clock.now().toISOString(),
    };
    const existing = await this.db('robots_callbacks').where('robot_pk', robotPk).first('robot_pk', 'secret');
    if ((row.enable_signature && !config.secretKey && !existing?.secret)) throw AppError.validation([{ path: 'body.secretKey', message: 'is required when enableSignature is on' }], 400);
    if (existing) await this.db('robots_callbacks').where('robot_pk', robotPk).update(row);
    else await this.db('robots_callbacks').insert(row);
  }

  /** The configuration as the seed shows it; the secret is write-only and never returned. */
  async view(robot: { id: number; robot_id: string }) {
    const row = await this.db('robots_callbacks').where('robot_pk', robot.id).first();
    return {
      robotId: robot.robot_id,
      messageCallbackUrl: row?.message_url ?? null,
      resultCallbackUrl: row?.result_url ?? null,
      enableSignature: row ? Boolean(row.enable_signature) : false,
      isActive: row ? Boolean(row.is_active) : false,
      hasSecret: Boolean(row?.secret),
    };
  }

  /**
   * Delivers one event to the robot's callback. Throws on failure so the outbox retries it with
   * backoff; 3xx is a failure (redirects are not followed); 410 Gone turns the callback off.
   */
  async deliver(event: PlatformEvent, kind: 'message' | 'result'): Promise<void> {
    const robot = await this.db('robots_robots').where('robot_id', String(event.payload.robot_id)).first('id');
    if (!robot) return;
    const config = await this.db('robots_callbacks').where('robot_pk', robot.id).first();
    const url = kind === 'message' ? config?.message_url : config?.result_url;
    if (!config || !config.is_active || !url) return;
    const log = (status: string, extra: { response_status?: number; error?: string } = {}) =>
      this.db('robots_callback_deliveries').insert({ robot_pk: robot.id, event_id: event.id, kind, url, status, response_status: extra.response_status ?? null, error: extra.error ?? null, created_at: this.clock.now().toISOString() });
    try {
      await assertPublicTarget(url, this.allowPrivate);
    } catch (err) {
      await log('refused', { error: (err as Error).message });
      return; // not retried: the target is not allowed
    }
    const id = `evt_${event.id}`;
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const body = JSON.stringify({ type: event.name, data: event.payload, timestamp: event.createdAt });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'user-agent': 'Plinth-Webhooks/1' };
    if (config.enable_signature && config.secret) headers['webhook-signature'] = signature(config.secret, id, timestamp, body);
    let status: number;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      await log('failed', { error: (err as Error).message });
      throw err;
    }
    if (status === 410) {
      await this.db('robots_callbacks').where('robot_pk', robot.id).update({ is_active: false, disabled_reason: '410 Gone from the receiver', updated_at: this.clock.now().toISOString() });
      await log('gone', { response_status: status });
      return;
    }
    if (status < 200 || status >= 300) {
      await log('failed', { response_status: status });
      throw new Error(`callback answered ${status}`);
    }
    await log('delivered', { response_status: status });
  }

  async deliveries(robotPk: number, limit: number) {
    return this.db('robots_callback_deliveries').where('robot_pk', robotPk).orderBy('id', 'desc').limit(limit);
  }
}
