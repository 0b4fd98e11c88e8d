import type { Logger } from './logger.js';
import type { PubSub } from './pubsub.js';

/**
 * What an admin page hears: a kind its plugin declares (the manifest's `live`), and its facts. On
 * the wire every event is one generic frame, `event: change` with `{ kind, data }` as its data, so
 * the page's end needs no list of kinds and a plugin adds kinds without touching the core.
 */
export interface LiveEvent {
  kind: string;
  data: Record<string, unknown>;
}

export interface LiveClient {
  tenantId: string | null;
  /**
   * A superadmin's stream: besides its own tenant's events it hears, at most once a second, that
   * something changed in other tenants (`platform`, with the kinds), so the platform overview can
   * reload; never the other tenants' events themselves.
   */
  everyTenant?: boolean;
  send(event: LiveEvent): void;
  /** Whether the stream's credentials still sign it in as the same person (false: the session ended). */
  stillSignedIn?(): Promise<boolean>;
  /** Ends the stream (its session ended). */
  end?(): void;
}

/** The core's own kind: a row of the mailer's outbox (Outgoing mail) was written or changed. */
export const OUTBOX_LIVE_KIND = 'outbox.changed';

const CHANNEL = 'admin.live';
const RECHECK = 'admin.live.recheck';
/** The least time between two `platform` events to one stream, and between two nudges of one tenant and kind. */
const COALESCE_MS = 1000;
/**
 * Events published within this long of the last message go out together in the next. On PostgreSQL
 * a message is a NOTIFY, a transaction with a WAL flush of its own: one per ended workflow run or
 * reported robot message was about as many transactions as the run's or the message's own writes.
 */
const GATHER_MS = 50;
/** A message's events take at most this many bytes of JSON (PostgreSQL refuses a NOTIFY of 8,000). */
const MESSAGE_BYTES = 6000;

/** An event as it crosses instances: its tenant (null: none's, heard as `platform`) with it. */
interface LiveMessage extends LiveEvent {
  tenantId: string | null;
}

/** The events in order, cut into runs of at most MESSAGE_BYTES of JSON (an event larger than that alone). */
function inMessages(events: LiveMessage[]): LiveMessage[][] {
  const messages: LiveMessage[][] = [];
  let current: LiveMessage[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (current.length && bytes + size > MESSAGE_BYTES) {
      messages.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size + 1;
  }
  if (current.length) messages.push(current);
  return messages;
}

interface CoalescerDeps {
  send: (kinds: string[]) => void;
  /** Told when a wait ends with nothing to send (the owner may forget this coalescer). */
  onIdle?: () => void;
}

/** Calls `send` with what was added, at once and then at most once per COALESCE_MS while more comes (the last always sent). */
class Coalescer {
  private readonly kinds = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CoalescerDeps) {}

  add(kind: string): void {
    this.kinds.add(kind);
    if (!this.timer) this.flush();
  }

  /** Sends what is pending and waits; a quiet period ends the wait (the next add sends at once). */
  private flush(): void {
    this.timer = null;
    if (!this.kinds.size) {
      this.deps.onIdle?.();
      return;
    }
    const kinds = [...this.kinds];
    this.kinds.clear();
    try {
      this.deps.send(kinds);
    } catch {
      // a stream that failed is ended by its own close handler, which stops this
    }
    this.timer = setTimeout(() => this.flush(), COALESCE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export interface LiveHubDeps {
  pubsub: PubSub;
  logger: Logger;
}

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
  /** Superadmin streams' `platform` events, coalesced per stream. */
  private readonly platform = new Map<LiveClient, Coalescer>();
  /** nudge()s waiting for their turn, per tenant and kind. */
  private readonly nudges = new Map<string, Coalescer>();
  /** Kinds the plugins declare (manifest `live`), kind → plugin; publishing another is logged once. */
  private readonly kinds = new Map<string, string>();
  private readonly warned = new Set<string>();
  private listening: Promise<void> | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  /** Published events not sent yet (see GATHER_MS). */
  private outgoing: LiveMessage[] = [];
  /** Cancels the send that will take them (null: none is due). */
  private cancelSend: (() => void) | null = null;
  private lastSent = -Infinity;
  private closed = false;

  constructor(private readonly deps: LiveHubDeps) {}

  /** A plugin's kinds (its manifest's `live`); a kind is one plugin's. */
  declare(plugin: string, kinds: Iterable<string>): void {
    for (const kind of kinds) {
      const owner = this.kinds.get(kind);
      if (owner && owner !== plugin) throw new Error(`plugin "${plugin}" declares the live kind "${kind}", already declared by "${owner}"`);
      this.kinds.set(kind, plugin);
    }
  }

  /** The declared kinds, kind → plugin. */
  declared(): ReadonlyMap<string, string> {
    return this.kinds;
  }

  /**
   * Tells the tenant's connected admin pages, on every instance. `null`: a change of no tenant's
   * (a system audit row), which only superadmins' streams hear, as `platform`. Call it after the
   * change has committed (core/db/after-commit.ts), or a page reloads before it can see it.
   * Resolves at once: the event goes out with the others of its turn of the event loop, or within
   * GATHER_MS of the last message, never failing its caller (a failed send is logged).
   */
  async publish(tenantId: string | null, kind: string, data: Record<string, unknown>): Promise<void> {
    if (this.kinds.size && !this.kinds.has(kind) && !this.warned.has(kind)) {
      this.warned.add(kind);
      this.deps.logger.warn({ kind }, "a live event of a kind no plugin declares (add it to the manifest's `live`)");
    }
    if (this.closed) return;
    this.outgoing.push({ tenantId, kind, data });
    if (this.cancelSend) return;
    const wait = this.lastSent + GATHER_MS - performance.now();
    if (wait > 0) {
      const timer = setTimeout(() => void this.send(), wait).unref();
      this.cancelSend = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => void this.send());
      this.cancelSend = () => clearImmediate(immediate);
    }
  }

  /** Sends the events gathered, as few messages as their size allows; resolves once they are sent (or failed). */
  private send(): Promise<void> {
    this.cancelSend = null;
    this.lastSent = performance.now();
    const sends = inMessages(this.outgoing.splice(0)).map((events) =>
      this.deps.pubsub.publish(CHANNEL, { events }).catch((err) => this.deps.logger.warn({ err }, 'could not publish live admin events')),
    );
    return Promise.all(sends).then(() => undefined);
  }

  /** Sends what is gathered at once and stops: the instance is stopping (before its pub/sub closes). */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.cancelSend) return;
    this.cancelSend();
    await this.send();
  }

  /**
   * Tells the tenant's pages that `kind` changed, for changes that come in bursts (mail received):
   * at most once a second per tenant and kind from this instance, the last of a burst always told.
   */
  nudge(tenantId: string | null, kind: string): void {
    const key = `${tenantId ?? ''}\n${kind}`;
    let coalescer = this.nudges.get(key);
    if (!coalescer) {
      coalescer = new Coalescer({ send: () => void this.publish(tenantId, kind, {}), onIdle: () => this.nudges.delete(key) });
      this.nudges.set(key, coalescer);
    }
    coalescer.add(kind);
  }

  /** A page's stream; returns its detach. Pages of the tenant only (a superadmin: the tenant they act in, and `platform` events). */
  async attach(client: LiveClient): Promise<() => void> {
    await this.listen();
    this.clients.add(client);
    if (client.everyTenant) this.platform.set(client, new Coalescer({ send: (kinds) => client.send({ kind: 'platform', data: { kinds } }) }));
    return () => {
      this.clients.delete(client);
      this.platform.get(client)?.stop();
      this.platform.delete(client);
    };
  }

  /** Open streams of one principal's tenant on this instance (for the per-principal cap). */
  count(match: (client: LiveClient) => boolean): number {
    let n = 0;
    for (const c of this.clients) if (match(c)) n++;
    return n;
  }

  /** Every instance checks its streams' sessions (after a sign-out). */
  async recheck(): Promise<void> {
    await this.deps.pubsub.publish(RECHECK, {}).catch((err) => this.deps.logger.warn({ err }, 'could not ask the instances to recheck live streams'));
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
        await Promise.all([...this.clients].map((c) => checkOne(c, this.deps.logger)));
      } while (this.again);
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private listen(): Promise<void> {
    this.listening ??= Promise.all([
      this.deps.pubsub.subscribe(CHANNEL, (m) => this.deliverAll(m)),
      this.deps.pubsub.subscribe(RECHECK, () => void this.recheckHere()),
    ])
      .then(() => undefined)
      .catch((err) => {
        this.listening = null;
        throw err;
      });
    return this.listening;
  }

  /** A message of events (`{ events }`), or of one as instances before 2026-11-29 send it. */
  private deliverAll(m: Record<string, unknown>): void {
    if (!Array.isArray(m.events)) this.deliver(m);
    else for (const event of m.events as unknown[]) if (event && typeof event === 'object') this.deliver(event as Record<string, unknown>);
  }

  private deliver(m: Record<string, unknown>): void {
    if (typeof m.kind !== 'string' || (typeof m.tenantId !== 'string' && m.tenantId !== null)) return;
    const event: LiveEvent = { kind: m.kind, data: (m.data ?? {}) as Record<string, unknown> };
    for (const client of this.clients) {
      try {
        if (m.tenantId !== null && client.tenantId === m.tenantId) client.send(event);
        else this.platform.get(client)?.add(event.kind);
      } catch (err) {
        this.deps.logger.warn({ err }, 'a live admin stream failed');
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
