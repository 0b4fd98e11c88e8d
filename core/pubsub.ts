import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { WriteSet } from './db/direct-query.js';
import type { Logger } from './logger.js';

export type Message = Record<string, unknown>;
export type Subscriber = (message: Message) => void;

/**
 * Fan-out between instances: cache invalidations, WebSocket pushes. Not durable (use events for
 * facts); a subscriber also receives its own instance's messages. Redis when configured, else
 * PostgreSQL LISTEN/NOTIFY on PostgreSQL, else in-process (one instance on SQLite).
 */
export interface PubSub {
  readonly kind: 'memory' | 'redis' | 'postgres';
  publish(channel: string, message: Message): Promise<void>;
  /**
   * Adds a publish to a batch's writes, sent when their transaction commits, where the transport
   * can: on PostgreSQL a NOTIFY inside the set's statement, which PostgreSQL delivers at that commit
   * (a NOTIFY of its own is a transaction and a WAL flush of its own). Returns false where it cannot
   * (Redis, in-process, a message over NOTIFY's 8,000 bytes): publish once the write is durable.
   * The set runs on Plinth's own database (the one the pub/sub listens on).
   */
  publishOnCommit(writes: WriteSet, channel: string, message: Message): boolean;
  subscribe(channel: string, fn: Subscriber): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z0-9_.:-]{1,60}$/;
const checkChannel = (channel: string) => {
  if (!CHANNEL.test(channel)) throw new Error(`invalid pub/sub channel "${channel}"`);
};

export class MemoryPubSub implements PubSub {
  readonly kind = 'memory' as const;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(channel: string, message: Message) {
    checkChannel(channel);
    queueMicrotask(() => this.emitter.emit(channel, message));
  }
  publishOnCommit(): boolean {
    return false;
  }
  async subscribe(channel: string, fn: Subscriber) {
    checkChannel(channel);
    this.emitter.on(channel, fn);
  }
  async close() {
    this.emitter.removeAllListeners();
  }
}

abstract class RemotePubSub {
  protected readonly handlers = new Map<string, Subscriber[]>();
  constructor(protected readonly logger: Logger) {}
  protected dispatch(channel: string, raw: string) {
    let message: Message;
    try {
      message = JSON.parse(raw);
    } catch {
      this.logger.warn({ channel }, 'dropped a malformed pub/sub message');
      return;
    }
    for (const fn of this.handlers.get(channel) ?? []) {
      try {
        fn(message);
      } catch (err) {
        this.logger.error({ err, channel }, 'pub/sub subscriber failed');
      }
    }
  }
}

export interface RedisPubSubDeps {
  pub: Redis;
  logger: Logger;
}

export class RedisPubSub extends RemotePubSub implements PubSub {
  readonly kind = 'redis' as const;
  private readonly sub: Redis;
  /** Set once the database says which deployment this is (see core/deployment.ts), before any use. */
  namespace: string | null = null;
  private name(channel: string): string {
    checkChannel(channel);
    if (!this.namespace) throw new Error('the Redis namespace is not known yet');
    return `${this.namespace}:${channel}`;
  }
  constructor(private readonly deps: RedisPubSubDeps) {
    super(deps.logger);
    this.sub = deps.pub.duplicate();
    this.sub.on('message', (channel: string, raw: string) => this.dispatch(channel, raw));
  }
  async publish(channel: string, message: Message) {
    await this.deps.pub.publish(this.name(channel), JSON.stringify(message));
  }
  publishOnCommit(): boolean {
    return false;
  }
  async subscribe(channel: string, fn: Subscriber) {
    const name = this.name(channel);
    const list = this.handlers.get(name) ?? [];
    list.push(fn);
    this.handlers.set(name, list);
    if (list.length === 1) await this.sub.subscribe(name);
  }
  async close() {
    this.sub.disconnect();
  }
}

export interface PostgresPubSubDeps {
  url: string;
  logger: Logger;
}

/** A publish waiting to be sent as a NOTIFY, and its caller's answer. */
interface Notice {
  channel: string;
  payload: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more (and with it the statement it is in). */
const MAX_NOTIFY_PAYLOAD_BYTES = 8000;

/** Two bound values a notice: far below PostgreSQL's limit, and a statement that stays short. */
const MAX_NOTICES_A_STATEMENT = 256;

/**
 * Sends the notices in one statement; if it fails (a payload over PostgreSQL's 8,000 bytes), each
 * is sent alone, so one bad message fails only its own publish.
 */
async function notifyAll(client: pg.Client, notices: Notice[]): Promise<void> {
  const calls = notices.map((_, i) => `pg_notify($${2 * i + 1}, $${2 * i + 2})`).join(', ');
  try {
    await client.query(
      `SELECT ${calls}`,
      notices.flatMap((n) => [n.channel, n.payload]),
    );
    for (const n of notices) n.resolve();
    return;
  } catch (err) {
    if (notices.length === 1) {
      notices[0].reject(err);
      return;
    }
  }
  for (const n of notices) await notifyAll(client, [n]);
}

export class PostgresPubSub extends RemotePubSub implements PubSub {
  readonly kind = 'postgres' as const;
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  constructor(private readonly deps: PostgresPubSubDeps) {
    super(deps.logger);
  }
  private connection(): Promise<pg.Client> {
    this.connecting ??= (async () => {
      const { default: pgModule } = await import('pg');
      const client = new pgModule.Client({ connectionString: this.deps.url });
      client.on('notification', (n) => n.payload !== undefined && this.dispatch(n.channel, n.payload));
      client.on('error', (err) => this.logger.error({ err }, 'pub/sub connection failed'));
      await client.connect();
      this.client = client;
      return client;
    })();
    return this.connecting;
  }
  private static channelName(channel: string) {
    return `plinth_${channel.replace(/[^a-z0-9_]/g, '_')}`;
  }
  /** One pg client carries LISTEN and NOTIFY; its queries are queued, never overlapped. */
  private chain: Promise<unknown> = Promise.resolve();
  private run<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => work(await this.connection()));
    this.chain = run.catch(() => undefined);
    return run;
  }
  /** Notices published since the statement in flight began: they go together in the next one. */
  private waiting: Notice[] | null = null;

  /**
   * Publishes made while a statement is in flight go together in the next one (a `pg_notify` each,
   * one transaction): a burst — a batch of received mail announcing itself — costs one round trip,
   * where a statement a message would queue behind each other on the one connection. PostgreSQL
   * folds identical notifications of one transaction into one.
   */
  publish(channel: string, message: Message): Promise<void> {
    checkChannel(channel);
    return new Promise<void>((resolve, reject) => {
      const notice = { channel: PostgresPubSub.channelName(channel), payload: JSON.stringify(message), resolve, reject };
      if (this.waiting && this.waiting.length < MAX_NOTICES_A_STATEMENT) {
        this.waiting.push(notice);
        return;
      }
      const notices: Notice[] = (this.waiting = [notice]);
      void this.run(async (client) => {
        if (this.waiting === notices) this.waiting = null;
        await notifyAll(client, notices);
      }).catch((err: unknown) => {
        for (const n of notices) n.reject(err); // no connection: none was sent
      });
    });
  }
  publishOnCommit(writes: WriteSet, channel: string, message: Message): boolean {
    checkChannel(channel);
    const payload = JSON.stringify(message);
    if (Buffer.byteLength(payload) >= MAX_NOTIFY_PAYLOAD_BYTES) return false;
    writes.call('pg_notify(?, ?)', [PostgresPubSub.channelName(channel), payload]);
    return true;
  }
  async subscribe(channel: string, fn: Subscriber) {
    checkChannel(channel);
    const name = PostgresPubSub.channelName(channel);
    const list = this.handlers.get(name) ?? [];
    list.push(fn);
    this.handlers.set(name, list);
    if (list.length === 1) await this.run((client) => client.query(`LISTEN ${name}`));
  }
  async close() {
    await this.client?.end().catch(() => undefined);
  }
}

/** Picks the transport for this deployment; drivers are imported only when used. */
export async function createPubSub(options: { redis: Redis | null; postgresUrl: string | null; logger: Logger }): Promise<PubSub> {
  if (options.redis) return new RedisPubSub({ pub: options.redis, logger: options.logger });
  if (options.postgresUrl) return new PostgresPubSub({ url: options.postgresUrl, logger: options.logger });
  return new MemoryPubSub();
}
