import type { Logger } from './logger.js';
import type { PubSub } from './pubsub.js';

/** What an admin page hears: a kind (`robot.presence`, `robot.message`, `workflow.run`…) and its facts. */
export interface LiveEvent {
  kind: string;
  data: Record<string, unknown>;
}

export interface LiveClient {
  tenantId: string | null;
  send(event: LiveEvent): void;
  /** Whether the stream's credentials still sign it in as the same person (false: the session ended). */
  stillSignedIn?(): Promise<boolean>;
  /** Ends the stream (its session ended). */
  end?(): void;
}

const CHANNEL = 'admin.live';
const RECHECK = 'admin.live.recheck';

/**
 * The admin pages' live channel: a plugin publishes what changed for a tenant, and every instance
 * hands it to the pages of that tenant connected to it (server-sent events, /admin/api/live). It
 * crosses instances through the pub/sub (Redis or PostgreSQL when configured), so a robot that
 * connects to one instance shows online on a page served by another. Not durable: a page that was
 * away reloads what it shows.
 *
 * A stream lives no longer than its session: after a sign-out (any instance) or whenever the login
 * provider says sessions or users changed (`recheckHere`), each stream asks the auth chain again
 * with its own credentials and ends when they no longer sign in the same person.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private listening: Promise<void> | null = null;
  private checking: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
  ) {}

  /** Tells the tenant's connected admin pages, on every instance. */
  async publish(tenantId: string, kind: string, data: Record<string, unknown>): Promise<void> {
    await this.pubsub.publish(CHANNEL, { tenantId, kind, data }).catch((err) => this.logger.warn({ err, kind }, 'could not publish a live admin event'));
  }

  /** A page's stream; returns its detach. Pages of the tenant only (a superadmin: the tenant they act in). */
  async attach(client: LiveClient): Promise<() => void> {
    await this.listen();
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  /** Open streams of one principal's tenant on this instance (for the per-principal cap). */
  count(match: (client: LiveClient) => boolean): number {
    let n = 0;
    for (const c of this.clients) if (match(c)) n++;
    return n;
  }

  /** Every instance checks its streams' sessions (after a sign-out). */
  async recheck(): Promise<void> {
    await this.pubsub.publish(RECHECK, {}).catch((err) => this.logger.warn({ err }, 'could not ask the instances to recheck live streams'));
  }

  /**
   * This instance checks its streams' sessions now, ending those signed out; calls that come while
   * a check runs share one more check after it (a burst of invalidations costs two rounds at most).
   */
  recheckHere(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await Promise.all([...this.clients].map((c) => checkOne(c, this.logger)));
      } while (this.again);
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private listen(): Promise<void> {
    this.listening ??= Promise.all([this.pubsub.subscribe(CHANNEL, (m) => this.deliver(m)), this.pubsub.subscribe(RECHECK, () => void this.recheckHere())])
      .then(() => undefined)
      .catch((err) => {
        this.listening = null;
        throw err;
      });
    return this.listening;
  }

  private deliver(m: Record<string, unknown>): void {
    if (typeof m.kind !== 'string' || typeof m.tenantId !== 'string') return;
    const event: LiveEvent = { kind: m.kind, data: (m.data ?? {}) as Record<string, unknown> };
    for (const client of this.clients) {
      if (client.tenantId !== m.tenantId) continue;
      try {
        client.send(event);
      } catch (err) {
        this.logger.warn({ err }, 'a live admin stream failed');
      }
    }
  }
}

/** Ends a stream whose credentials no longer sign in the same person (an error counts as signed out). */
export async function checkOne(client: LiveClient, logger: Logger): Promise<void> {
  if (!client.stillSignedIn) return;
  const ok = await client.stillSignedIn().catch((err) => {
    logger.debug({ err }, 'a live stream failed its session check');
    return false;
  });
  if (!ok) client.end?.();
}
