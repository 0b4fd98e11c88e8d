// PostgreSQL's LISTEN/NOTIFY as the instances' pub/sub: publishes made while one is in flight go
// together in one statement, arrive in order, and one message PostgreSQL refuses fails only itself.
import assert from 'node:assert/strict';
import type pg from 'pg';
import { PostgresPubSub, type Message } from '../../core/pubsub.js';
import { createLogger } from '../../core/logger.js';
import { usingPostgres } from '../helpers/database.js';

const url = process.env.DATABASE_URL ?? '';

(usingPostgres ? describe : describe.skip)('pub/sub on PostgreSQL: a burst of publishes is one statement', () => {
  const logger = createLogger('silent');
  let publisher: PostgresPubSub;
  let subscriber: PostgresPubSub;
  /** The statements the publisher's connection sent. */
  let statements: string[];

  beforeEach(async () => {
    [publisher, subscriber] = [new PostgresPubSub({ url, logger }), new PostgresPubSub({ url, logger })];
    statements = [];
    await publisher.subscribe('test.warm', () => {}); // connects, so the spy below sees every statement after
    const client = (publisher as unknown as { client: pg.Client }).client;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (typeof args[0] === 'string') statements.push(args[0]);
      return query(...args);
    };
  });

  afterEach(async () => {
    await Promise.all([publisher.close(), subscriber.close()]);
  });

  /** Once subscribed: `all` resolves with the first `count` messages of `channel` the subscriber gets. */
  async function receive(channel: string, count: number): Promise<{ all: Promise<Message[]> }> {
    const got: Message[] = [];
    let done!: (messages: Message[]) => void;
    const all = new Promise<Message[]>((resolve) => (done = resolve));
    await subscriber.subscribe(channel, (m) => {
      got.push(m);
      if (got.length === count) done(got);
    });
    return { all };
  }

  it('300 publishes at once: every one delivered, in order, in two statements (256 a statement at most)', async () => {
    const arriving = await receive('test.burst', 300);
    await Promise.all(Array.from({ length: 300 }, (_, i) => publisher.publish('test.burst', { i })));
    assert.deepEqual(
      (await arriving.all).map((m) => m.i),
      Array.from({ length: 300 }, (_, i) => i),
    );
    assert.deepEqual(
      statements.map((sql) => (sql.match(/pg_notify/g) ?? []).length),
      [256, 44],
    );
  });

  it('a message over PostgreSQL’s 8,000-byte payload fails its own publish; the others sent with it arrive', async () => {
    const arriving = await receive('test.mixed', 2);
    const outcomes = await Promise.allSettled([
      publisher.publish('test.mixed', { n: 1 }),
      publisher.publish('test.mixed', { big: 'x'.repeat(9000) }),
      publisher.publish('test.mixed', { n: 3 }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason.message), /payload string too long/);
    assert.deepEqual(await arriving.all, [{ n: 1 }, { n: 3 }]);
  });

  it('publishes made while a statement is in flight wait for it and go together in the next', async () => {
    const arriving = await receive('test.queued', 4);
    const first = publisher.publish('test.queued', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve)); // the first statement is sent
    const rest = [2, 3, 4].map((n) => publisher.publish('test.queued', { n }));
    await Promise.all([first, ...rest]);
    assert.deepEqual(
      (await arriving.all).map((m) => m.n),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      statements.map((sql) => (sql.match(/pg_notify/g) ?? []).length),
      [1, 3],
    );
  });
});
