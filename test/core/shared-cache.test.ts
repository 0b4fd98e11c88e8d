// SharedCache: rows read on hot paths (tenant settings, a robot's AI settings, a tenant's AI
// providers) kept in memory until a change drops them — after the change commits, and on every
// instance. What is checked: one load per key (misses too), a drop waits for the commit and a
// rollback drops nothing, a load that raced with a drop is not kept, and a change made through one
// instance's API is what another instance's API answers next (two instances, one database, Redis).
import assert from 'node:assert/strict';
import { MemoryPubSub } from '../../core/pubsub.js';
import { SharedCache } from '../../core/shared-cache.js';
import { createLogger } from '../../core/logger.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { registerOwner } from '../helpers/actors.js';
import { sleep } from '../helpers/robots.js';

const logger = createLogger('silent');

describe('SharedCache', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ plugins: ['auth'] });
    await t.app.db.schema.createTable('cache_test', (table) => {
      table.string('id').primary();
      table.string('value').notNullable();
    });
  });
  after(() => t.close());

  const cacheOf = (pubsub = new MemoryPubSub()) => new SharedCache<{ value: string }>({ name: 'test.rows', pubsub, logger, max: 100, ttlMs: 60_000 });
  let loads = 0;
  const load = (id: string) => async () => {
    loads++;
    return (await t.app.db('cache_test').where('id', id).first('value')) ?? null;
  };

  it('loads a key once, a missing row too, until it is dropped', async () => {
    const cache = cacheOf();
    await cache.start();
    await t.app.db('cache_test').insert({ id: 'a', value: 'one' });
    loads = 0;
    assert.deepEqual(await cache.get('a', load('a')), { value: 'one' });
    assert.deepEqual(await cache.get('a', load('a')), { value: 'one' });
    assert.equal(await cache.get('nobody', load('nobody')), null);
    assert.equal(await cache.get('nobody', load('nobody')), null);
    assert.equal(loads, 2, 'one load per key, the miss included');
    await t.app.db('cache_test').where('id', 'a').update({ value: 'two' });
    await cache.invalidate('a');
    assert.deepEqual(await cache.get('a', load('a')), { value: 'two' });
    assert.equal(loads, 3);
  });

  it('a drop inside a transaction waits for its commit; a rollback drops nothing', async () => {
    const cache = cacheOf();
    await cache.start();
    await t.app.db('cache_test').insert({ id: 'b', value: 'before' });
    assert.deepEqual(await cache.get('b', load('b')), { value: 'before' });
    loads = 0;
    await t.app.db
      .transaction(async (trx) => {
        await trx('cache_test').where('id', 'b').update({ value: 'rolled back' });
        cache.invalidateAfter(trx, 'b');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    assert.deepEqual(await cache.get('b', load('b')), { value: 'before' });
    assert.equal(loads, 0, 'still cached: nothing changed');
    await t.app.db.transaction(async (trx) => {
      await trx('cache_test').where('id', 'b').update({ value: 'after' });
      cache.invalidateAfter(trx, 'b');
      assert.deepEqual(await cache.get('b', load('b')), { value: 'before' }, 'not dropped before the commit');
    });
    assert.deepEqual(await cache.get('b', load('b')), { value: 'after' });
    assert.equal(loads, 1);
  });

  it('a load that raced with a drop answers its caller but is not kept', async () => {
    const cache = cacheOf();
    await cache.start();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = cache.get('c', async () => {
      await gate;
      return { value: 'read before the change' };
    });
    void cache.invalidate('c');
    release();
    assert.deepEqual(await slow, { value: 'read before the change' });
    assert.deepEqual(await cache.get('c', async () => ({ value: 'read after' })), { value: 'read after' });
  });

  it('a drop reaches every cache on the pub/sub (another instance); no key drops them all', async () => {
    const pubsub = new MemoryPubSub();
    const [here, there] = [cacheOf(pubsub), cacheOf(pubsub)];
    await Promise.all([here.start(), there.start()]);
    await there.get('d', async () => ({ value: 'old' }));
    await there.get('e', async () => ({ value: 'old' }));
    await here.invalidate('d');
    await sleep(0);
    assert.deepEqual(await there.get('d', async () => ({ value: 'new' })), { value: 'new' });
    assert.deepEqual(await there.get('e', async () => ({ value: 'new' })), { value: 'old' }, 'only the key named');
    await here.invalidate();
    await sleep(0);
    assert.deepEqual(await there.get('e', async () => ({ value: 'new' })), { value: 'new' });
  });
});

describe('SharedCache across two instances (one database, Redis pub/sub)', () => {
  const withRedis = { redis: { url: 'redis://127.0.0.1:6379' } } as never;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    a = await createTestApp({ plugins: ['auth'], overrides: withRedis });
    b = await createTestApp({ plugins: ['auth'], overrides: withRedis, database: a.database });
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  /** What `t` answers for the tenant's settings, once it answers `expected` (the drop crosses Redis). */
  async function settingsOn(t: TestApp, headers: Record<string, string>, expected: boolean) {
    for (let i = 0; i < 200; i++) {
      const res = await t.request('GET', '/api/v2/tenant/settings', { headers });
      assert.equal(res.status, 200, res.text);
      if (res.body.ai_consent_enabled === expected) return res.body;
      await sleep(10);
    }
    assert.fail(`the other instance still answers ai_consent_enabled=${!expected}`);
  }

  it('a tenant settings change through one instance is what the other answers next (AI consent, both ways)', async () => {
    const owner = await registerOwner(a, 'shared-cache');
    assert.equal((await settingsOn(b, owner.headers, false)).ai_consent_enabled, false, 'b has read (and cached) the settings');
    const on = await a.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: true }, headers: owner.headers });
    assert.equal(on.status, 200, on.text);
    await settingsOn(b, owner.headers, true);
    const off = await a.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: false }, headers: owner.headers });
    assert.equal(off.status, 200, off.text);
    await settingsOn(b, owner.headers, false);
    assert.equal((await a.app.db('auth_tenant_settings').where('tenant_id', owner.tenantId).first()).ai_consent_enabled ? 1 : 0, 0);
  });
});
