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
}

const CHANNEL = 'admin.live';

/**
 * The admin pages' live channel: a plugin publishes what changed for a tenant, and every instance
 * hands it to the pages of that tenant connected to it (server-sent events, /admin/api/live). It
 * crosses instances through the pub/sub (Redis or PostgreSQL when configured), so a robot that
 * connects to one instance shows online on a page served by another. Not durable: a page that was
 * away reloads what it shows.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private listening: Promise<void> | null = null;

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

  private listen(): Promise<void> {
    this.listening ??= this.pubsub
      .subscribe(CHANNEL, (m) => this.deliver(m))
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
