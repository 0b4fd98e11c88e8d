import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RateLimits } from '../../core/rate-limit.js';
import { createTestApp, testAuth, type Reply, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** A principal id no earlier run has used, so shared stores (Redis) start with a full budget. */
const fresh = (label: string) => `${label}-${randomUUID()}`;

const post = (t: TestApp, user: string, tenant: string, title: string) =>
  t.request('POST', '/example/notes', { body: { title }, headers: testAuth(user, tenant, ['member'], ['notes:write']) });

const countNotes = async (t: TestApp, tenant: string) => Number((await t.app.db('example_notes').where('tenant_id', tenant).count({ n: '*' }))[0].n);

function assertLimited(res: Reply, windowSeconds = 60): void {
  assert.equal(res.status, 429);
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${res.headers.get('retry-after')}`);
  assert.deepEqual(res.body, { detail: `too many requests; retry in ${retryAfter}s`, code: 'rate_limited' });
}

describe('rate limits', () => {
  describe('per principal, memory store', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ settings: { example: { notesPerMinute: 3 } } });
    });
    after(async () => t?.close());

    it('the 4th note in a minute is 429 with Retry-After, in the face envelope, and nothing is written', async () => {
      for (let i = 1; i <= 3; i++) assert.equal((await post(t, 'alice', 'rl-t1', `note ${i}`)).status, 201);
      const refused = await post(t, 'alice', 'rl-t1', 'note 4');
      assertLimited(refused);
      assert.equal(await countNotes(t, 'rl-t1'), 3);
      assert.deepEqual(
        await t.app
          .db('core_events')
          .where('name', 'example.note.created')
          .count({ n: '*' })
          .then((r) => Number(r[0].n)),
        3,
        'no event for the refused note',
      );
    });

    it('another principal still has its own budget, even in the same tenant', async () => {
      assert.equal((await post(t, 'bob', 'rl-t1', 'bob 1')).status, 201);
      assert.equal(await countNotes(t, 'rl-t1'), 4);
      assertLimited(await post(t, 'alice', 'rl-t1', 'still no'));
    });

    it('reads are not limited by the write budget', async () => {
      const res = await t.request('GET', '/example/notes', { headers: testAuth('alice', 'rl-t1') });
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 4);
    });

    it('RateLimits: check does not spend, penalty spends without refusing, reset restores', async () => {
      const limits = t.app.container.resolve<RateLimits>('rateLimits');
      const spec = { bucket: 'test.direct', points: 2, durationSeconds: 60 };
      const key = fresh('k');
      await limits.check(spec, key);
      assert.deepEqual((await limits.consume(spec, key)).remaining, 1);
      await limits.penalty(spec, key, 5);
      await assert.rejects(limits.check(spec, key), { status: 429, code: 'rate_limited' });
      await assert.rejects(
        limits.consume(spec, key),
        (err: { status: number; headers: Record<string, string> }) => err.status === 429 && Number(err.headers['Retry-After']) >= 1,
      );
      await limits.reset(spec, key);
      assert.equal((await limits.consume(spec, key)).remaining, 1);
    });
  });

  for (const store of ['database', 'redis'] as const) {
    describe(`shared by two instances, ${store} store`, () => {
      let first: TestApp;
      let second: TestApp;
      before(async () => {
        const overrides = { rateLimit: { store }, ...(store === 'redis' ? { redis: { url: REDIS_URL } } : {}) };
        first = await createTestApp({ settings: { example: { notesPerMinute: 3 } }, overrides });
        second = await createTestApp({ settings: { example: { notesPerMinute: 3 } }, overrides, database: first.database });
      });
      after(async () => {
        await second?.close();
        await first?.close();
      });

      it('one budget across both: 2 on the first, 1 on the second, then both refuse', async () => {
        const user = fresh('shared');
        const tenant = fresh('tenant').slice(0, 40);
        assert.equal((await post(first, user, tenant, 'a')).status, 201);
        assert.equal((await post(first, user, tenant, 'b')).status, 201);
        assert.equal((await post(second, user, tenant, 'c')).status, 201);
        assertLimited(await post(second, user, tenant, 'd'));
        assertLimited(await post(first, user, tenant, 'e'));
        assert.equal(await countNotes(first, tenant), 3);
      });

      it('another principal is unaffected on either instance', async () => {
        const other = fresh('other');
        const tenant = fresh('tenant').slice(0, 40);
        assert.equal((await post(second, other, tenant, 'x')).status, 201);
        assert.equal((await post(first, other, tenant, 'y')).status, 201);
        assert.equal(await countNotes(first, tenant), 2);
      });

      it('concurrent requests on both instances: exactly the budget succeeds, the rest is 429, never an error', async () => {
        const user = fresh('burst');
        const tenant = fresh('tenant').slice(0, 40);
        const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? first : second, user, tenant, `burst ${i}`)));
        const statuses = replies.map((r) => r.status).sort();
        assert.deepEqual(statuses, [201, 201, 201, ...Array(9).fill(429)], JSON.stringify(replies.filter((r) => r.status >= 500).map((r) => r.body)));
        assert.equal(await countNotes(first, tenant), 3);
      });

      if (store === 'database') {
        it('the budget lives in core_rate_limits', async () => {
          assert.ok(await first.app.db.schema.hasTable('core_rate_limits'));
          const rows = await first.app.db('core_rate_limits').select('key');
          assert.ok(
            rows.some((r: { key: string }) => r.key.startsWith('example.notes:user:shared-')),
            JSON.stringify(rows),
          );
        });
      }
    });
  }

  it('a redis store without redis.url stops the boot', async () => {
    const database = await createTestDatabase();
    try {
      await assert.rejects(createTestApp({ database, overrides: { rateLimit: { store: 'redis' } } }), {
        name: 'ConfigError',
        message: 'rateLimit.store is "redis" but redis.url is not set',
      });
    } finally {
      await database.drop();
    }
  });

  describe('by client IP and X-Forwarded-For', () => {
    const ping = (t: TestApp, forwardedFor?: string) => t.request('GET', '/example/ping', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

    it('X-Forwarded-For is ignored without server.trustProxy: every client shares the socket address', async () => {
      const t = await createTestApp({ settings: { example: { pingsPerMinute: 2 } } });
      try {
        const a = await ping(t, '203.0.113.1');
        assert.equal(a.status, 200);
        assert.deepEqual(a.body, { pong: true, ip: '127.0.0.1' });
        assert.equal((await ping(t, '203.0.113.2')).status, 200);
        assertLimited(await ping(t, '203.0.113.3'));
        assertLimited(await ping(t));
      } finally {
        await t.close();
      }
    });

    it('with server.trustProxy each forwarded client has its own budget', async () => {
      const t = await createTestApp({ settings: { example: { pingsPerMinute: 2 } }, overrides: { server: { trustProxy: true } } });
      try {
        const a = await ping(t, '203.0.113.1');
        assert.equal(a.status, 200);
        assert.equal(a.body.ip, '203.0.113.1');
        assert.equal((await ping(t, '203.0.113.1, 10.0.0.1')).status, 200, 'the left-most address is the client');
        assertLimited(await ping(t, '203.0.113.1'));

        const b = await ping(t, '203.0.113.2');
        assert.equal(b.status, 200);
        assert.equal(b.body.ip, '203.0.113.2');
        assert.equal((await ping(t)).status, 200, 'a direct client keeps its own budget');
      } finally {
        await t.close();
      }
    });

    it('a principal-limited route falls back to the IP for anonymous callers', async () => {
      const t = await createTestApp({ settings: { example: { notesPerMinute: 1 } } });
      try {
        assert.equal((await t.request('POST', '/example/notes', { body: { title: 'anon' } })).status, 401, 'spends the IP budget, then the guard refuses');
        assertLimited(await t.request('POST', '/example/notes', { body: { title: 'anon' } }));
        assert.equal((await post(t, 'carol', 'rl-ip', 'mine')).status, 201, 'an authenticated principal has its own budget');
      } finally {
        await t.close();
      }
    });
  });
});
