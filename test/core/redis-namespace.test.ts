// Two deployments on one Redis must not hear each other: every channel and key is prefixed with a
// namespace, by default `plinth:<deployment id>` (made once, kept in the database, so every
// instance of one deployment shares it), or `redis.namespace` when set.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PubSub } from '../../core/pubsub.js';
import type { RateLimits } from '../../core/rate-limit.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const withRedis = (extra: Record<string, unknown> = {}) => ({ redis: { url: REDIS_URL, ...extra }, rateLimit: { store: 'redis' } }) as never;

/** Subscribes (awaited, so nothing published after is missed); the promise inside is the first message. */
async function next(pubsub: PubSub, channel: string): Promise<{ message: Promise<Record<string, unknown>> }> {
  let resolve!: (m: Record<string, unknown>) => void;
  const message = new Promise<Record<string, unknown>>((r) => (resolve = r));
  await pubsub.subscribe(channel, resolve);
  return { message };
}

describe('Redis: one namespace per deployment', () => {
  const apps: TestApp[] = [];
  /** Databases made here and shared by several apps: the apps do not drop them, so this does. */
  const databases: TestDatabase[] = [];
  let spy: Redis;
  const heard: string[] = [];
  before(async () => {
    spy = new Redis(REDIS_URL);
    spy.on('pmessage', (_pattern: string, channel: string) => heard.push(channel));
    await spy.psubscribe('plinth*', 'custom-ns*');
  });
  after(async () => {
    spy.disconnect();
    for (const t of apps) await t.close();
    for (const database of databases) await database.drop();
  });
  const start = async (options: Parameters<typeof createTestApp>[0]) => {
    const t = await createTestApp(options);
    apps.push(t);
    return t;
  };
  const pubsubOf = (t: TestApp) => t.app.container.resolve<PubSub>('pubsub');
  /** Resolves once the spy has heard `channel` (Redis delivers in publish order, so all before it too). */
  const spyHears = (channel: string) =>
    new Promise<void>((resolve) => {
      if (heard.includes(channel)) return resolve();
      const check = (_p: string, c: string) => {
        if (c !== channel) return;
        spy.off('pmessage', check);
        resolve();
      };
      spy.on('pmessage', check);
    });
  const idOf = async (t: TestApp) => (await t.app.db('core_kv').where('key', 'deployment_id').first('value')).value as string;

  it('two deployments get different namespaces; two instances of one deployment share theirs and hear each other', async () => {
    const a = await start({ overrides: withRedis() });
    const database = await createTestDatabase();
    databases.push(database);
    const b1 = await start({ overrides: withRedis(), database });
    const b2 = await start({ overrides: withRedis(), database });
    const [idA, idB] = [await idOf(a), await idOf(b1)];
    assert.match(idA, /^[0-9a-f]{12}$/);
    assert.notEqual(idA, idB);
    assert.equal(await idOf(b2), idB, 'the second instance read the id the first made');

    const received = await next(pubsubOf(b2), 'ns.test');
    await pubsubOf(b1).publish('ns.test', { from: 'b1' });
    assert.deepEqual(await received.message, { from: 'b1' }, 'instances of one deployment hear each other');
    await pubsubOf(a).publish('ns.test', { from: 'a' });
    await pubsubOf(a).publish('ns.marker', {});
    await spyHears(`plinth:${idA}:ns.marker`);
    assert.ok(heard.includes(`plinth:${idA}:ns.test`), heard.join(', '));
    assert.ok(heard.includes(`plinth:${idB}:ns.test`), heard.join(', '));
    assert.ok(!heard.includes('plinth:ns.test'), 'no channel without a namespace');
  });

  it('rate-limit keys carry the namespace; redis.namespace overrides it', async () => {
    const t = await start({ overrides: withRedis({ namespace: 'custom-ns' }) });
    const limits = t.app.container.resolve<RateLimits>('rateLimits');
    await limits.consume({ bucket: 'ns.bucket', points: 5, durationSeconds: 60 }, 'someone');
    const plain = new Redis(REDIS_URL);
    const keys = await plain.keys('custom-ns:ns.bucket*');
    plain.disconnect();
    assert.deepEqual(keys, ['custom-ns:ns.bucket:someone']);
    const received = await next(pubsubOf(t), 'ns.custom');
    await pubsubOf(t).publish('ns.custom', { ok: true });
    await received.message;
    await spyHears('custom-ns:ns.custom');
  });
});
