import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { deploymentId } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { EventOf } from 'plinth/plugin';
import { assertPublicUrl, assertUrlNotInternal } from 'plinth/plugin';
import { guardedFetch } from 'plinth/plugin';
import { isSpecSecret, signWebhook } from 'plinth/plugin';

/** Callback targets go to public hosts only (the core SSRF guard), unless config allows private ones. */
const assertPublicTarget = (url: string, allowPrivate: boolean) => assertPublicUrl(url, { allowPrivate });

/** A secret shorter than this is refused (400, the seed's 参数错误); one shorter than the next is taken with advice. */
export const MIN_SECRET = 8;
/** The seed's own example secret ("your-secret-key", 15 characters) is below this: advised against, never refused. */
export const RECOMMENDED_SECRET = 16;

/** A change to a robot's callbacks: an absent field keeps its value, `null` (or `""` for a URL) clears it. */
export interface CallbackConfig {
  messageCallbackUrl?: string | null;
  resultCallbackUrl?: string | null;
  enableSignature?: boolean;
  secretKey?: string | null;
}

/** One try to deliver a callback, as the delivery log lists it. */
export interface Delivery {
  id: number;
  event_id: number;
  kind: 'message' | 'result';
  url: string;
  status: 'delivered' | 'failed' | 'refused' | 'gone';
  response_status: number | null;
  error: string | null;
  created_at: string;
}

/** An absent field stays undefined (kept); an empty URL clears like null. */
const urlChange = (url: string | null | undefined) => (url === undefined ? undefined : url || null);

const DELIVERY_TIMEOUT_MS = 10_000;

/** What Callbacks is built from, passed by name. */
export interface CallbacksDeps {
  db: Knex;
  clock: Clock;
  /** Callback targets may be private addresses (config's allowPrivateCallbacks). */
  allowPrivate: boolean;
  /** How long one delivery may take; 10 s unless given. */
  timeoutMs?: number;
  /** How a delivery is sent; the core's guarded fetch unless given. */
  fetch?: typeof fetch;
}

export class Callbacks {
  private readonly fetch: typeof fetch;
  private deployment: Promise<string> | null = null;

  constructor(private readonly deps: CallbacksDeps) {
    // The connection itself is guarded too (DNS rebinding after the check); 3xx is not followed.
    this.fetch = deps.fetch ?? guardedFetch({ allowPrivate: deps.allowPrivate, redirects: 'return' });
  }

  /** Advice on a secret too short to be safe (the seed's own example is one: taken, not refused); none for a good one. */
  static secretAdvice(secret: string | null | undefined): string | undefined {
    if (!secret || secret.length >= RECOMMENDED_SECRET) return undefined;
    return `secretKey is ${secret.length} characters; ${RECOMMENDED_SECRET} or more random characters are recommended (or a whsec_ secret)`;
  }

  /**
   * A partial update of the robot's callbacks (made on first use). URLs are checked for what they
   * are by themselves (http(s), not a literal internal address or localhost); a host that does
   * not resolve right now is accepted, since the resolved address is checked at each delivery.
   * Configuring turns a callback that 410 turned off back on.
   */
  async configure(robotPk: number, config: CallbackConfig): Promise<void> {
    const messageUrl = urlChange(config.messageCallbackUrl);
    const resultUrl = urlChange(config.resultCallbackUrl);
    if (messageUrl) assertUrlNotInternal(messageUrl, { allowPrivate: this.deps.allowPrivate, field: 'body.messageCallbackUrl' });
    if (resultUrl) assertUrlNotInternal(resultUrl, { allowPrivate: this.deps.allowPrivate, field: 'body.resultCallbackUrl' });
    const existing = await this.deps.db('robots_callbacks').where('robot_pk', robotPk).first();
    const row = {
      robot_pk: robotPk,
      message_url: messageUrl !== undefined ? messageUrl : (existing?.message_url ?? null),
      result_url: resultUrl !== undefined ? resultUrl : (existing?.result_url ?? null),
      enable_signature: config.enableSignature ?? (existing ? Boolean(existing.enable_signature) : true),
      secret: config.secretKey !== undefined ? config.secretKey : (existing?.secret ?? null),
      is_active: true,
      disabled_reason: null,
      updated_at: this.deps.clock.now().toISOString(),
    };
    // A receiver reads a whsec_ secret as base64 (the spec's format); one that is not would fail there.
    if (config.secretKey?.startsWith('whsec_') && !isSpecSecret(config.secretKey)) {
      throw AppError.validation(
        [
          {
            path: 'body.secretKey',
            message: 'starts with whsec_ but the rest is not base64 (the Standard Webhooks format); use whsec_ + base64, or a secret without that prefix',
          },
        ],
        400,
      );
    }
    if (row.enable_signature && !row.secret) throw AppError.validation([{ path: 'body.secretKey', message: 'is required when enableSignature is on' }], 400);
    if (existing) await this.deps.db('robots_callbacks').where('robot_pk', robotPk).update(row);
    else await this.deps.db('robots_callbacks').insert(row);
  }

  /** The configuration as the seed shows it; the secret is write-only and never returned. */
  async view(robot: { id: number; robot_id: string }) {
    const row = await this.deps.db('robots_callbacks').where('robot_pk', robot.id).first();
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
  async deliver(event: EventOf<'robots.message.received'> | EventOf<'robots.command.completed'>, kind: 'message' | 'result'): Promise<void> {
    // One lookup for the common case of a robot without callbacks.
    const config = await this.deps
      .db('robots_callbacks as c')
      .join('robots_robots as r', 'r.id', 'c.robot_pk')
      .where('r.robot_id', event.payload.robot_id)
      .first('c.*');
    const url = kind === 'message' ? config?.message_url : config?.result_url;
    if (!config?.is_active || !url) return;
    const robot = { id: config.robot_pk };
    const log = (status: string, extra: { response_status?: number; error?: string } = {}) =>
      this.deps.db('robots_callback_deliveries').insert({
        robot_pk: robot.id,
        event_id: event.id,
        kind,
        url,
        status,
        response_status: extra.response_status ?? null,
        error: extra.error ?? null,
        created_at: this.deps.clock.now().toISOString(),
      });
    try {
      await assertPublicTarget(url, this.deps.allowPrivate);
    } catch (err) {
      // A name that does not resolve now may later (DNS being set up), one that points inside
      // may be moved out: a failure, retried. Both read the same in the log (one message, one
      // status), so the log cannot tell a tenant which internal names exist.
      await log('failed', { error: (err as Error).message });
      throw err;
    }
    const id = `evt_${event.id}`;
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const body = JSON.stringify({ type: event.name, data: event.payload, timestamp: event.createdAt });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      // The outbox delivers at least once (a retry after a failure or a timeout, a handler run
      // again after its instance died): every try of one event carries the same key, so the
      // receiver can drop a repeat. The deployment id keeps a restored copy's events (their ids
      // counted from the same place) apart from the original's.
      'idempotency-key': `${await this.deploymentId()}.${id}`,
      'user-agent': 'Plinth-Webhooks/1',
    };
    if (config.enable_signature && config.secret) headers['webhook-signature'] = signWebhook(config.secret, id, timestamp, body);
    let status: number;
    try {
      const res = await this.fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.deps.timeoutMs ?? DELIVERY_TIMEOUT_MS) });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      await log('failed', { error: (err as Error).message });
      throw err;
    }
    if (status === 410) {
      await this.deps
        .db('robots_callbacks')
        .where('robot_pk', robot.id)
        .update({ is_active: false, disabled_reason: '410 Gone from the receiver', updated_at: this.deps.clock.now().toISOString() });
      await log('gone', { response_status: status });
      return;
    }
    if (status < 200 || status >= 300) {
      await log('failed', { response_status: status });
      throw new Error(`callback answered ${status}`);
    }
    await log('delivered', { response_status: status });
  }

  /** Read once per process (a failed read is tried again next time). */
  private deploymentId(): Promise<string> {
    this.deployment ??= deploymentId(this.deps.db).catch((err: unknown) => {
      this.deployment = null;
      throw err;
    });
    return this.deployment;
  }

  /** The robot's delivery log, newest first. */
  async deliveries(robotPk: number, limit: number): Promise<Delivery[]> {
    const rows = await this.deps
      .db('robots_callback_deliveries')
      .where('robot_pk', robotPk)
      .orderBy('id', 'desc')
      .limit(limit)
      .select('id', 'event_id', 'kind', 'url', 'status', 'response_status', 'error', 'created_at');
    return rows.map((r: Record<string, any>) => ({
      ...(r as Delivery),
      id: Number(r.id),
      event_id: Number(r.event_id),
      response_status: r.response_status === null ? null : Number(r.response_status),
    }));
  }
}
