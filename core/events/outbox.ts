// Longer than most (~450 lines): emitting, claiming, delivering (per event and in batches) and retrying share one state.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { iso, type Clock } from '../clock.js';
import { CauseChain } from './cause-chain.js';
import { afterCommit } from '../db/after-commit.js';
import { WriteSet } from '../db/direct-query.js';
import { AppError } from '../errors.js';
import { leaseEnd, Leases, type LeasedTable } from '../leases.js';
import type { Logger } from '../logger.js';
import type { CoreConfig } from '../config/schema.js';
import type { EventName, EventPayloads, PayloadOf } from './payloads.js';
import { currentTraceHeaders, inSpan, spanOf, withoutTrace } from '../observability/trace-context.js';
import type { OutboxMetrics } from '../observability/core-metrics.js';
import { CoreErrors } from '../core-errors.js';

export interface PlatformEvent<P = Record<string, unknown>> {
  id: number;
  name: string;
  version: number;
  tenantId: string | null;
  payload: P;
  /** Where the event came from (workflow chains carry their depth here). */
  meta: Record<string, unknown>;
  createdAt: string;
  attempts: number;
}

/** The event named `N`, its payload typed from the declaring plugin's schema. */
export type EventOf<N extends EventName> = PlatformEvent<EventPayloads[N]>;

export type EventHandler<P = any> = (event: PlatformEvent<P>) => Promise<void> | void;

/**
 * A handler given a claimed batch's events at once, in order (those it has not yet handled): it can
 * do for all of them in one commit what a per-event handler does in one commit each. Succeeding
 * handles them all; throwing fails them all (each retried on its own schedule). It runs outside
 * any event's meta: it reads each event's `meta` itself.
 */
export type BatchEventHandler<P = any> = (events: Array<PlatformEvent<P>>) => Promise<void>;

type Subscription = { key: string; batch: false; fn: EventHandler } | { key: string; batch: true; fn: BatchEventHandler };

export interface EmitOptions {
  tenantId?: string | null;
  version?: number;
  meta?: Record<string, unknown>;
}

/** One event to write (EventBus.emitMany), its payload typed by its name; for a union of names, one of each. */
export type EventToEmit<N extends string = string> = N extends string ? { name: N; payload: PayloadOf<N>; options?: EmitOptions } : never;

/** Where an event is: due (or being delivered), delivered to every handler, or given up after its attempts. */
type EventStatus = 'pending' | 'delivered' | 'dead';

interface EventRow {
  id: number;
  name: string;
  version: number;
  tenant_id: string | null;
  payload: string;
  meta: string | null;
  created_at: string;
  attempts: number;
}

const toEvent = (row: EventRow): PlatformEvent => ({
  id: Number(row.id),
  name: row.name,
  version: row.version,
  tenantId: row.tenant_id,
  payload: JSON.parse(row.payload),
  meta: row.meta ? JSON.parse(row.meta) : {},
  createdAt: row.created_at,
  attempts: row.attempts,
});

/**
 * The durable outbox. `emit` writes the event in the caller's transaction, so the event exists
 * if and only if the change it reports was committed. A dispatcher (one per instance, several
 * may share a database) claims batches with a lease, runs each handler until it has succeeded
 * once (a `core_event_handled` row, written with the delivery's outcome in one commit, records
 * it) and retries failures with exponential backoff. Handlers are at least once: a crash before
 * that commit runs them again.
 */
/** What one delivery came to: the handlers that succeeded, and the failure if one did not. */
interface DeliveryOutcome {
  event: PlatformEvent;
  handled: Array<{ event_id: number; handler: string; handled_at: string }>;
  failure: Error | null;
}

/** Outcomes gathered at most this long are recorded in one commit. */
const OUTCOME_WINDOW_MS = 50;

/** A batch's lease (settings.events.leaseSeconds) is renewed every third of it while the batch is delivered. */
const EVENTS: LeasedTable = { table: 'core_events', holder: 'locked_by', until: 'locked_until' };

/** What EventBus is built from, passed by name. */
export interface EventBusDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  settings: CoreConfig['events'];
  /** Delivery lag, handler failures and dead letters (core/observability). */
  metrics?: OutboxMetrics | null;
}

export class EventBus {
  private readonly handlers = new Map<string, Subscription[]>();
  readonly instanceId = randomUUID();
  /** Numbers each claim, so concurrent drains in one instance (a flush beside the poller) never share a batch. */
  private claims = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** The meta of the work in progress: emitted events carry it (a workflow chain, its depth). */
  private readonly causes = new CauseChain();
  private readonly leases: Leases;
  /**
   * Batches of events this instance emitted, inserted already leased to it (see emitMany): delivered
   * without a claim, one UPDATE and one SELECT fewer a batch. A dead instance's lease runs out as any.
   */
  private readonly adopted: Array<{ token: string; events: PlatformEvent[] }> = [];
  private adoptedEvents = 0;
  private lastClaim = 0;

  constructor(private readonly deps: EventBusDeps) {
    this.leases = new Leases({ db: deps.db, clock: deps.clock, logger: deps.logger });
  }

  /** Subscribes a durable handler; `key` must be stable across restarts (it records delivery). */
  subscribe(name: string, key: string, fn: EventHandler): void {
    this.add(name, { key, batch: false, fn });
  }

  /** Subscribes a durable handler that takes a batch's events at once (see BatchEventHandler). */
  subscribeBatch(name: string, key: string, fn: BatchEventHandler): void {
    this.add(name, { key, batch: true, fn });
  }

  private add(name: string, subscription: Subscription): void {
    const list = this.handlers.get(name) ?? [];
    if (list.some((h) => h.key === subscription.key)) throw new Error(`event handler "${subscription.key}" is already subscribed to "${name}"`);
    list.push(subscription);
    this.handlers.set(name, list);
  }

  unsubscribeOwner(prefix: string): void {
    for (const [name, list] of this.handlers)
      this.handlers.set(
        name,
        list.filter((h) => !h.key.startsWith(`${prefix}:`)),
      );
  }

  /**
   * Runs `fn` so that every event it emits (directly or through services it calls) carries
   * `meta`; handlers of an event run inside its meta, so a chain of causes is never lost.
   */
  withMeta<T>(meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    return this.causes.run({ ...this.causes.current(), ...meta }, fn);
  }

  /**
   * Runs `fn` outside any meta. Background loops (this dispatcher, a plugin's runner) are often
   * kicked from inside an action or a handler; without this, everything the loop does afterwards
   * (other events' handlers, other runs) would inherit that one piece of work's chain.
   */
  detached<T>(fn: () => T): T {
    return this.causes.exit(() => withoutTrace(fn));
  }

  /** Writes an event in `trx` (or directly); delivery starts once that transaction commits. */
  async emit<N extends string>(trx: Knex | Knex.Transaction, name: N, payload: PayloadOf<N>, options: EmitOptions = {}): Promise<number> {
    const [id] = await this.emitMany(trx, [{ name, payload, options } as EventToEmit<N>]);
    return id;
  }

  /**
   * Writes several events with one statement (a batch's worth: group-committed mail, for one);
   * returns their ids in the order given.
   */
  async emitMany<N extends string>(trx: Knex | Knex.Transaction, events: Array<EventToEmit<N> & { name: N }>): Promise<number[]> {
    const writes = new WriteSet();
    let ids: number[] = [];
    this.stageMany(writes, events, (written) => (ids = written));
    await writes.run(trx);
    return ids;
  }

  /**
   * Adds the events' insert to `writes`, to go to the database with the rest of a batch's writes
   * (one statement on PostgreSQL); delivery starts once the transaction it runs in commits.
   * `then` gets their ids, in the order given, once the set has run.
   */
  stageMany<N extends string>(writes: WriteSet, events: Array<EventToEmit<N> & { name: N }>, then?: (ids: number[]) => void): void {
    if (!events.length) {
      then?.([]);
      return;
    }
    const now = iso(this.deps.clock.now());
    const inherited = this.causes.current();
    // The trace of the work that emits (a request, a handler, a run's step): handlers continue it.
    const trace = currentTraceHeaders();
    const lease = this.leaseForNew();
    const rows = events.map(({ name, payload, options = {} }) => {
      const meta = { ...inherited, ...trace, ...options.meta };
      // An event no handler here takes is written delivered: it is leased to this instance, whose
      // dispatcher would only mark it so, in a commit of its own.
      const handled = this.hasHandlers(name);
      return {
        name,
        version: options.version ?? 1,
        tenant_id: options.tenantId ?? null,
        payload: JSON.stringify(payload),
        meta: Object.keys(meta).length ? JSON.stringify(meta) : null,
        status: handled ? 'pending' : 'delivered',
        attempts: 0,
        available_at: now,
        created_at: now,
        locked_by: handled && lease ? lease.token : null,
        locked_until: handled && lease ? lease.until : null,
        delivered_at: handled ? null : now,
      };
    });
    const ids: number[] = [];
    // 12 values a row: 500 rows stay far under either database's bound-variable limit.
    for (let i = 0; i < rows.length; i += 500) {
      writes.insertReturningIds('core_events', rows.slice(i, i + 500), (written, db) => {
        ids.push(...written);
        if (ids.length < rows.length) return;
        then?.(ids);
        const toDeliver = rows.flatMap((row, j) => (row.status === 'pending' ? [toEvent({ ...row, id: ids[j] })] : []));
        if (toDeliver.length)
          afterCommit(db, () => {
            if (lease) this.adopt(lease.token, toDeliver);
            this.kick();
          });
      });
    }
  }

  /**
   * The lease new events are inserted with, so this instance delivers them without claiming them;
   * null (inserted free, claimed as usual) when the dispatcher is stopped or already has plenty waiting.
   */
  private leaseForNew(): { token: string; until: string } | null {
    if (this.stopped || this.adoptedEvents >= this.deps.settings.batchSize * 4) return null;
    return { token: `${this.instanceId}/${++this.claims}`, until: leaseEnd(this.deps.clock, this.deps.settings.leaseSeconds) };
  }

  private adopt(token: string, events: PlatformEvent[]): void {
    this.adopted.push({ token, events });
    this.adoptedEvents += events.length;
  }

  /** Adopted batches, up to a batch's worth of events (at least one batch). */
  private takeAdopted(): Array<{ token: string; events: PlatformEvent[] }> {
    const taken: Array<{ token: string; events: PlatformEvent[] }> = [];
    let n = 0;
    while (this.adopted.length && (n === 0 || n + this.adopted[0].events.length <= this.deps.settings.batchSize)) {
      const next = this.adopted.shift()!;
      taken.push(next);
      n += next.events.length;
    }
    this.adoptedEvents -= n;
    return taken;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    // Events adopted but not delivered are given back, so any instance claims them at once.
    for (const { token } of this.adopted.splice(0)) {
      await this.leases
        .release(EVENTS, token)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'adopted events not released; their lease runs out on its own'));
    }
    this.adoptedEvents = 0;
  }

  /** Asks the dispatcher to look for work now (coalesced with a run in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // On the next turn of the loop: the events of every transaction that committed meanwhile (and
    // were adopted in its callbacks) go in one batch.
    this.running = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.detached(() => this.drain()))
      .then(
        () => undefined,
        (err) => this.deps.logger.error({ err }, 'event dispatcher failed'),
      )
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.deps.settings.pollIntervalMs);
          this.timer.unref();
        }
      });
  }

  private hasHandlers(name: string): boolean {
    return Boolean(this.handlers.get(name)?.length || this.handlers.get('*')?.length);
  }

  private async drain(): Promise<boolean> {
    let any = false;
    for (;;) {
      // Events emitted here come leased already; the database is asked for the rest (retries, other
      // instances' events and leftovers) when none came, and at least every poll interval meanwhile.
      const adopted = this.takeAdopted();
      const ask = !adopted.length || performance.now() - this.lastClaim >= this.deps.settings.pollIntervalMs;
      const parts = ask ? [...adopted, await this.claim()] : adopted;
      const batch = parts.flatMap((p) => p.events);
      if (batch.length === 0) return any;
      any = true;
      const holds = parts.filter((p) => p.events.length).map((p) => this.leases.hold(EVENTS, p.token, this.deps.settings.leaseSeconds));
      try {
        // Events nobody handles are done in one statement (one commit) per batch, not one each.
        const unhandled = batch.filter((e) => !this.hasHandlers(e.name)).map((e) => e.id);
        if (unhandled.length) {
          await this.deps
            .db('core_events')
            .whereIn('id', unhandled)
            .update({ status: 'delivered', delivered_at: iso(this.deps.clock.now()), locked_by: null, locked_until: null });
        }
        // Events emitted here moments ago cannot have been handled before: no need to look.
        const fresh = new Set(adopted.flatMap((p) => p.events.map((e) => e.id)));
        await this.deliverAll(
          batch.filter((e) => this.hasHandlers(e.name)),
          fresh,
        );
      } finally {
        for (const hold of holds) hold.stop();
      }
      if (this.stopped) return any;
    }
  }

  /** Resolves once every event due now has been attempted, including a dispatch already under way. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.running) {
        await this.running.catch(() => undefined);
        continue;
      }
      if (!(await this.drain()) && !this.running) return;
    }
  }

  /** A batch of due events under a lease of its own (`token`), renewed while it is delivered. */
  private async claim(): Promise<{ token: string; events: PlatformEvent[] }> {
    this.lastClaim = performance.now();
    const token = `${this.instanceId}/${++this.claims}`;
    const now = iso(this.deps.clock.now());
    const rows = await this.leases.claimRows<EventRow>(EVENTS, {
      holder: token,
      seconds: this.deps.settings.leaseSeconds,
      limit: this.deps.settings.batchSize,
      // The pending index's order (its entries end with the id): no sort of the whole backlog per claim.
      orderBy: ['available_at', 'id'],
      where: (q) => q.where('status', 'pending').andWhere('available_at', '<=', now),
    });
    return { token, events: rows.map(toEvent) };
  }

  /**
   * Runs the batch handlers once with their events, then the other handlers one event after another,
   * in order, and records the outcomes (the handlers that succeeded, each event's new state)
   * together: one commit for the outcomes gathered over up to OUTCOME_WINDOW_MS instead of one per
   * event. A crash before they are recorded runs those handlers again — handlers are at least once,
   * as always; the window bounds how much runs twice.
   */
  private async deliverAll(events: PlatformEvent[], fresh: Set<number>): Promise<void> {
    if (!events.length) return;
    const earlier = await this.handledBefore(events.filter((e) => !fresh.has(e.id)).map((e) => e.id));
    const outcomes = new Map(events.map((event): [number, DeliveryOutcome] => [event.id, { event, handled: [], failure: null }]));
    await this.runBatchHandlers(events, earlier, outcomes);
    let pending: DeliveryOutcome[] = [];
    let since = performance.now();
    for (const event of events) {
      const outcome = outcomes.get(event.id)!;
      // In a span of the trace the event was emitted in (meta.traceparent): what its handlers do, and log, keeps it.
      await inSpan(`event ${event.name}`, spanOf(event.meta), { 'plinth.event.id': event.id }, () =>
        this.runHandlers(event, earlier.get(event.id) ?? new Set(), outcome),
      );
      pending.push(outcome);
      if (performance.now() - since >= OUTCOME_WINDOW_MS) {
        await this.record(pending);
        pending = [];
        since = performance.now();
      }
    }
    await this.record(pending);
  }

  /** Which handlers already succeeded for these events (an earlier attempt that failed elsewhere). */
  private async handledBefore(eventIds: number[]): Promise<Map<number, Set<string>>> {
    if (!eventIds.length) return new Map();
    const rows: Array<{ event_id: number | string; handler: string }> = await this.deps
      .db('core_event_handled')
      .whereIn('event_id', eventIds)
      .select('event_id', 'handler');
    const out = new Map<number, Set<string>>();
    for (const r of rows) out.set(Number(r.event_id), (out.get(Number(r.event_id)) ?? new Set()).add(r.handler));
    return out;
  }

  private targets(name: string): Subscription[] {
    return [...(this.handlers.get(name) ?? []), ...(this.handlers.get('*') ?? [])];
  }

  /** Each batch handler once, with the events it has not handled yet; its outcome counts for each of them. */
  private async runBatchHandlers(events: PlatformEvent[], earlier: Map<number, Set<string>>, outcomes: Map<number, DeliveryOutcome>): Promise<void> {
    const calls = new Map<string, { fn: BatchEventHandler; events: PlatformEvent[] }>();
    for (const event of events) {
      for (const sub of this.targets(event.name)) {
        if (!sub.batch || earlier.get(event.id)?.has(sub.key)) continue;
        const call = calls.get(sub.key) ?? { fn: sub.fn, events: [] };
        call.events.push(event);
        calls.set(sub.key, call);
      }
    }
    for (const [key, call] of calls) {
      try {
        await this.causes.exit(() => call.fn(call.events));
        const at = iso(this.deps.clock.now());
        for (const event of call.events) outcomes.get(event.id)!.handled.push({ event_id: event.id, handler: key, handled_at: at });
      } catch (err) {
        for (const event of call.events) outcomes.get(event.id)!.failure = err as Error;
        for (const event of call.events) this.deps.metrics?.handlerFailures.inc({ event: event.name, handler: key });
        this.deps.logger.warn({ err, events: call.events.length, firstEventId: call.events[0].id, handler: key }, 'batch event handler failed');
      }
    }
  }

  /** The per-event handlers of one event, in order, into its outcome. */
  private async runHandlers(event: PlatformEvent, done: Set<string>, outcome: DeliveryOutcome): Promise<void> {
    for (const sub of this.targets(event.name)) {
      if (sub.batch || done.has(sub.key)) continue;
      const { key, fn } = sub;
      try {
        await (Object.keys(event.meta).length ? this.causes.run(event.meta, () => fn(event)) : fn(event));
        outcome.handled.push({ event_id: event.id, handler: key, handled_at: iso(this.deps.clock.now()) });
      } catch (err) {
        outcome.failure = err as Error;
        this.deps.metrics?.handlerFailures.inc({ event: event.name, handler: key });
        this.deps.logger.warn({ err, event: event.name, eventId: event.id, handler: key }, 'event handler failed');
      }
    }
  }

  /** Outcomes in one transaction; if it fails, each on its own, so one cannot fail the others. */
  private async record(outcomes: DeliveryOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    let dead: PlatformEvent[] = [];
    try {
      dead = await this.deps.db.transaction((trx) => this.writeOutcomes(trx, outcomes));
    } catch (err) {
      if (outcomes.length === 1) throw err;
      for (const outcome of outcomes) dead.push(...(await this.deps.db.transaction((trx) => this.writeOutcomes(trx, [outcome]))));
    }
    for (const event of dead) {
      this.deps.logger.error({ event: event.name, eventId: event.id }, 'event gave up after max attempts');
      this.deps.metrics?.deadLettered.inc({ event: event.name });
    }
    if (this.deps.metrics) this.observeLag(outcomes);
  }

  /** Each delivered event's lag, written to delivered (the clock's: a test's clock moves it too). */
  private observeLag(outcomes: DeliveryOutcome[]): void {
    const now = this.deps.clock.now().getTime();
    for (const { event, failure } of outcomes) {
      if (!failure) this.deps.metrics!.lag.observe(Math.max(0, now - Date.parse(event.createdAt)) / 1000);
    }
  }

  /** Writes the outcomes; returns the events that gave up (dead). */
  private async writeOutcomes(trx: Knex.Transaction, outcomes: DeliveryOutcome[]): Promise<PlatformEvent[]> {
    const handled = outcomes.flatMap((o) => o.handled);
    for (let i = 0; i < handled.length; i += 200) await trx('core_event_handled').insert(handled.slice(i, i + 200));
    // Delivered events of one attempt count are marked with one statement.
    const delivered = new Map<number, number[]>();
    for (const { event } of outcomes.filter((o) => !o.failure)) delivered.set(event.attempts, [...(delivered.get(event.attempts) ?? []), event.id]);
    for (const [attempts, ids] of delivered) {
      await trx('core_events')
        .whereIn('id', ids)
        .update({ status: 'delivered', attempts: attempts + 1, delivered_at: iso(this.deps.clock.now()), locked_by: null, locked_until: null });
    }
    const dead: PlatformEvent[] = [];
    for (const o of outcomes) if (o.failure && (await this.scheduleRetry(trx, o.event, o.failure))) dead.push(o.event);
    return dead;
  }

  /** A failed delivery: due again after exponential backoff with jitter, or dead after maxAttempts. */
  private async scheduleRetry(db: Knex.Transaction, event: PlatformEvent, failure: Error): Promise<boolean> {
    const attempts = event.attempts + 1;
    const dead = attempts >= this.deps.settings.maxAttempts;
    const base = Math.min(this.deps.settings.backoffMaxMs, this.deps.settings.backoffBaseMs * 2 ** (attempts - 1));
    const delay = Math.round(base * (1 + (Math.random() * 2 - 1) * this.deps.settings.jitterRatio));
    await db('core_events')
      .where('id', event.id)
      .update({
        status: dead ? 'dead' : 'pending',
        attempts,
        last_error: String(failure.stack ?? failure.message).slice(0, 4000),
        available_at: iso(new Date(this.deps.clock.now().getTime() + delay)),
        locked_by: null,
        locked_until: null,
      });
    return dead;
  }

  /**
   * Runs one handler of an event again (a manual re-send): its success record is removed and the
   * event is made due now. Other handlers that already succeeded are not run again.
   */
  async redeliver(eventId: number, handlerKey: string): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      await trx('core_event_handled').where({ event_id: eventId, handler: handlerKey }).delete();
      await trx('core_events')
        .where('id', eventId)
        .update({ status: 'pending', attempts: 0, available_at: iso(this.deps.clock.now()), locked_by: null, locked_until: null });
    });
    this.kick();
  }

  /**
   * A dead event, tried again from scratch by an operator: due now with its attempts reset.
   * Handlers that already succeeded on it are not run again (their handled records stay).
   */
  async replay(eventId: number): Promise<void> {
    const event = await this.deps.db('core_events').where('id', eventId).first('status');
    if (!event) throw AppError.notFound(`no event ${eventId}`);
    if (event.status !== 'dead') throw CoreErrors.eventNotDead(eventId, event.status);
    await this.deps
      .db('core_events')
      .where({ id: eventId, status: 'dead' })
      .update({ status: 'pending', attempts: 0, last_error: null, available_at: iso(this.deps.clock.now()), locked_by: null, locked_until: null });
    this.kick();
  }

  /** Events waiting (pending) and given up (dead), and when the oldest waiting one was written: read by the metrics. */
  async waiting(): Promise<{ pending: number; dead: number; oldestPendingAt: string | null }> {
    const [row] = await this.deps.db.select({
      pending: this.ofStatus('pending').count('*'),
      dead: this.ofStatus('dead').count('*'),
      oldest: this.ofStatus('pending').min('created_at'),
    });
    return { pending: Number(row.pending), dead: Number(row.dead), oldestPendingAt: row.oldest ?? null };
  }

  async backlog(): Promise<{ pending: number; dead: number; delivered: number }> {
    const [row] = await this.deps.db.select({
      pending: this.ofStatus('pending').count('*'),
      dead: this.ofStatus('dead').count('*'),
      delivered: this.ofStatus('delivered').count('*'),
    });
    return { pending: Number(row.pending), dead: Number(row.dead), delivered: Number(row.delivered) };
  }

  /** The events of one status: each status has a partial index of its own (core_events_partial_indexes), read one status at a time. */
  private ofStatus(status: EventStatus) {
    return this.deps.db('core_events').where('status', status);
  }
}
