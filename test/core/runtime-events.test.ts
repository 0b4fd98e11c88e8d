// Longer than most (~410 lines): delivery, retries, dead events, batches and leases of one outbox, each against a real database.
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import type { NoteService } from '../fixtures/plugins/example/service.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, kill, openDatabase, startServer, waitFor, writeConfig } from '../helpers/processes.js';

const HANDLER = 'example:example.note.created';
const count = async (t: TestApp, table: string, where: Record<string, unknown> = {}) =>
  Number(((await t.app.db(table).where(where).count({ n: '*' }).first()) as { n: number | string }).n);

describe('runtime: durable events (outbox)', () => {
  describe('emit and deliver', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await createTestApp();
    });
    afterEach(async () => t.close());

    it('an event emitted in a transaction that rolls back is never written and its handler never runs', async () => {
      const seen: number[] = [];
      t.app.events.subscribe('runtime.probe', 'runtime:probe', (e) => {
        seen.push(e.id);
      });
      await assert.rejects(
        t.app.db.transaction(async (trx) => {
          await trx('example_notes').insert({ tenant_id: 't1', title: 'doomed', created_at: new Date().toISOString() });
          await t.app.events.emit(trx, 'example.note.created', { id: 1, title: 'doomed' }, { tenantId: 't1' });
          await t.app.events.emit(trx, 'runtime.probe', { n: 1 });
          throw new Error('roll it back');
        }),
        /roll it back/,
      );
      await t.app.events.flush();
      assert.equal(await count(t, 'core_events'), 0);
      assert.equal(await count(t, 'example_notes'), 0);
      assert.equal(await count(t, 'example_note_log'), 0);
      assert.deepEqual(seen, []);
    });

    it('a committed event is delivered once: one log row, status delivered, one handled row', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'once' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      await t.app.events.flush();
      await t.app.events.flush();

      const log = await t.app.db('example_note_log').select('event_id', 'title');
      assert.equal(log.length, 1);
      assert.equal(log[0].title, 'once');
      const event = await t.app.db('core_events').where('id', log[0].event_id).first();
      assert.equal(event.name, 'example.note.created');
      assert.equal(event.status, 'delivered');
      assert.equal(event.tenant_id, 't1');
      assert.deepEqual(JSON.parse(event.payload), { id: res.body.id, title: 'once' });
      assert.equal(event.attempts, 1);
      assert.equal(event.last_error, null);
      assert.equal(event.locked_by, null);
      assert.ok(event.delivered_at);
      const handled = await t.app.db('core_event_handled').where('event_id', event.id).select('handler');
      assert.deepEqual(
        handled.map((h) => h.handler),
        [HANDLER],
      );
      assert.deepEqual(await t.app.events.backlog(), { pending: 0, dead: 0, delivered: 1 });
    });

    it('a handler that succeeded is not run again when another handler of the event fails and is retried', async () => {
      let flaky = 1;
      t.app.events.subscribe('example.note.created', 'runtime:flaky', () => {
        if (flaky-- > 0) throw new Error('flaky once');
      });
      const res = await t.request('POST', '/example/notes', { body: { title: 'two handlers' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      await waitFor('the retry of the flaky handler', async () => {
        await t.app.events.flush();
        return (await t.app.db('core_events').first('status')).status === 'delivered';
      });
      assert.equal(await count(t, 'example_note_log'), 1, 'the example handler ran once although the event was attempted twice');
      const handled = await t.app.db('core_event_handled').orderBy('handler').pluck('handler');
      assert.deepEqual(handled, [HANDLER, 'runtime:flaky']);
      assert.equal((await t.app.db('core_events').first('attempts')).attempts, 2);
    });

    it('a batch handler gets a claimed batch at once, in order; failing, it is retried for each event and the per-event handler is not rerun', async () => {
      const calls: number[][] = [];
      let failures = 1;
      t.app.events.subscribeBatch('runtime.batch', 'runtime:batch', async (events) => {
        calls.push(events.map((e) => Number(e.payload.n)));
        if (failures-- > 0) throw new Error('the batch failed once');
      });
      const single: number[] = [];
      t.app.events.subscribe('runtime.batch', 'runtime:single', (e) => {
        single.push(Number(e.payload.n));
      });
      await t.app.db.transaction(async (trx) => {
        for (let n = 1; n <= 5; n++) await t.app.events.emit(trx, 'runtime.batch', { n });
      });
      await waitFor('the batch handler retried', async () => {
        await t.app.events.flush();
        return (await count(t, 'core_events', { status: 'delivered' })) === 5;
      });
      assert.deepEqual(calls[0], [1, 2, 3, 4, 5], 'one call with the whole batch, in order');
      assert.deepEqual(calls.slice(1).flat().sort(), [1, 2, 3, 4, 5], 'each event given to it again after the failure');
      assert.deepEqual(single, [1, 2, 3, 4, 5], 'the per-event handler ran once for each event');
      assert.equal(await count(t, 'core_event_handled', { handler: 'runtime:batch' }), 5);
      assert.equal(await count(t, 'core_event_handled', { handler: 'runtime:single' }), 5);
      assert.deepEqual(await t.app.db('core_events').distinct('attempts').pluck('attempts'), [2]);
    });

    it('concurrent flushes in one instance never deliver one event twice', async () => {
      const clock = new ManualClock('2026-03-01T10:00:00.000Z');
      const u = await createTestApp({ clock, start: false, overrides: { events: { batchSize: 2 } } });
      try {
        const notes = u.app.container.resolve<NoteService>('exampleNotes');
        for (let i = 0; i < 12; i++) await notes.create('t1', { title: `n${i}` });
        await Promise.all([u.app.events.flush(), u.app.events.flush(), u.app.events.flush()]);
        assert.equal(await count(u, 'example_note_log'), 12);
        assert.equal(await count(u, 'core_event_handled'), 12);
        assert.equal(await count(u, 'core_events', { status: 'delivered' }), 12);
      } finally {
        await u.close();
      }
    });
  });

  describe('events emitted here are leased to this instance', () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase();
    });
    after(async () => database.drop());

    it('the emitting instance delivers an event under the lease it was inserted with; stuck there, another takes it once the lease runs out', async () => {
      const a = await createTestApp({ database });
      const clock = new ManualClock(new Date().toISOString());
      const b = await createTestApp({ database, clock, start: false });
      try {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const ranOn: string[] = [];
        a.app.events.subscribe('runtime.adopt', 'runtime:adopt', async () => {
          ranOn.push('a');
          await gate; // a handler that hangs, as in an instance about to die
        });
        b.app.events.subscribe('runtime.adopt', 'runtime:adopt', () => {
          ranOn.push('b');
        });
        const inserted = await a.app.db.transaction(async (trx) => {
          const id = await a.app.events.emit(trx, 'runtime.adopt', { n: 1 });
          return trx('core_events').where('id', id).first();
        });
        // Leased as it is written: no claim needed (a claim happens only after the commit).
        assert.ok(String(inserted.locked_by).startsWith(`${a.app.events.instanceId}/`), `leased to instance a, not ${inserted.locked_by}`);
        await waitFor('instance a delivering it', async () => ranOn.includes('a'));
        const row = await a.app.db('core_events').where('id', inserted.id).first();
        assert.equal(row.locked_by, inserted.locked_by, 'delivered under the lease it was inserted with');
        assert.equal(row.status, 'pending');

        await b.app.events.flush();
        assert.deepEqual(ranOn, ['a'], 'b does not take an event while a holds its lease');
        clock.advance(31_000); // past settings.events.leaseSeconds (30)
        await b.app.events.flush();
        assert.deepEqual(ranOn, ['a', 'b']);
        const delivered = await b.app.db('core_events').where('id', row.id).first();
        assert.equal(delivered.status, 'delivered');
        assert.equal(delivered.locked_by, null);
        release();
      } finally {
        await b.close();
        await a.close();
      }
    });
  });

  describe('retries and giving up', () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('an event claimed by a dispatcher that died is taken over once its claim expires', async () => {
      const clock = new ManualClock('2026-03-01T10:00:00.000Z');
      t = await createTestApp({ clock, start: false });
      await t.app.container.resolve<NoteService>('exampleNotes').create('t1', { title: 'orphan' });
      // What a dispatcher leaves behind when its process is killed mid-delivery.
      await t.app.db('core_events').update({ locked_by: 'dead-instance/1', locked_until: '2026-03-01T10:01:00.000Z' });
      await t.app.events.flush();
      assert.equal((await t.app.db('core_events').first()).status, 'pending', 'not taken while the claim holds');
      clock.set('2026-03-01T10:01:00.001Z');
      await t.app.events.flush();
      const row = await t.app.db('core_events').first();
      assert.equal(row.status, 'delivered');
      assert.equal(row.locked_by, null);
      assert.deepEqual(await t.app.db('example_note_log').pluck('title'), ['orphan']);
    });

    it('an event nobody handles is written delivered (no lease, no second write); one left pending from before is marked delivered', async () => {
      t = await createTestApp();
      const id = await t.app.events.emit(t.app.db, 'runtime.unheard', { x: 1 });
      const written = await t.app.db('core_events').where('id', id).first();
      assert.deepEqual([written.status, written.locked_by, written.locked_until, Number(written.attempts)], ['delivered', null, null, 0]);
      assert.ok(written.delivered_at, 'delivered_at set when written');
      // Written pending by an older version (or before a plugin was turned off): the dispatcher finishes it.
      const [old] = await t.app
        .db('core_events')
        .insert({
          name: 'runtime.unheard',
          version: 1,
          payload: '{}',
          status: 'pending',
          attempts: 0,
          available_at: written.created_at,
          created_at: written.created_at,
        })
        .returning('id');
      const oldId = Number(typeof old === 'object' ? old.id : old);
      await t.app.events.flush();
      assert.equal((await t.app.db('core_events').where('id', oldId).first()).status, 'delivered');
      assert.equal((await t.app.db('core_events').where('id', id).first()).delivered_at, written.delivered_at, 'not written again');
      assert.equal(await count(t, 'core_event_handled'), 0);
    });

    it('a handler failing twice is retried with exponential backoff and delivered on the 3rd attempt', async () => {
      const clock = new ManualClock('2026-03-01T10:00:00.000Z');
      t = await createTestApp({
        clock,
        settings: { example: { failHandlerTimes: 2 } },
        overrides: { events: { backoffBaseMs: 60_000, backoffMaxMs: 3_600_000, jitterRatio: 0 } },
      });
      const res = await t.request('POST', '/example/notes', { body: { title: 'retry me' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      const event = () => t.app.db('core_events').first();

      await t.app.events.flush();
      let row = await event();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error, /planned failure 1/);
      assert.equal(row.available_at, '2026-03-01T10:01:00.000Z', 'first retry after backoffBaseMs');
      assert.equal(await count(t, 'example_note_log'), 0);
      assert.equal(await count(t, 'core_event_handled'), 0);

      clock.advance(59_999);
      await t.app.events.flush();
      assert.equal((await event()).attempts, 1, 'not retried before its time');

      clock.advance(1);
      await t.app.events.flush();
      row = await event();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 2);
      assert.match(row.last_error, /planned failure 2/);
      assert.equal(row.available_at, '2026-03-01T10:03:00.000Z', 'the backoff doubles');

      clock.set('2026-03-01T10:03:00.000Z');
      await t.app.events.flush();
      row = await event();
      assert.equal(row.status, 'delivered');
      assert.equal(row.attempts, 3, 'delivered on the third attempt');
      assert.equal(row.delivered_at, '2026-03-01T10:03:00.000Z');
      const log = await t.app.db('example_note_log').select('title', 'event_id');
      assert.deepEqual(log, [{ title: 'retry me', event_id: row.id }]);
      assert.equal(await count(t, 'core_event_handled'), 1);
    });

    it('a handler that always fails ends dead after events.maxAttempts, keeping the last error', async () => {
      const clock = new ManualClock('2026-03-01T10:00:00.000Z');
      t = await createTestApp({
        clock,
        settings: { example: { failHandlerTimes: 1_000_000 } },
        overrides: { events: { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 1000, jitterRatio: 0 } },
      });
      const res = await t.request('POST', '/example/notes', { body: { title: 'hopeless' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      for (let i = 1; i <= 3; i++) {
        await t.app.events.flush();
        const row = await t.app.db('core_events').first();
        assert.equal(row.attempts, i);
        assert.equal(row.status, i < 3 ? 'pending' : 'dead');
        clock.advance(1000);
      }
      clock.advance(24 * 3600_000);
      await t.app.events.flush();
      const row = await t.app.db('core_events').first();
      assert.equal(row.status, 'dead');
      assert.equal(row.attempts, 3, 'a dead event is not attempted again');
      assert.match(row.last_error, /planned failure 3/);
      assert.equal(row.delivered_at, null);
      assert.equal(await count(t, 'example_note_log'), 0);
      assert.deepEqual(await t.app.events.backlog(), { pending: 0, dead: 1, delivered: 0 });
      // The note itself stays: the event reports it, its handler's failure does not undo it.
      assert.equal(await count(t, 'example_notes'), 1);
    });
  });

  describe('two dispatchers on one database', () => {
    let first: TestApp;
    let second: TestApp;
    afterEach(async () => {
      await second?.close();
      await first?.close();
    });

    it('never deliver one event twice while both run (notes posted to both instances)', async () => {
      first = await createTestApp();
      second = await createTestApp({ database: first.database });
      const N = 40;
      const replies = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          (i % 2 ? first : second).request('POST', '/example/notes', { body: { title: `note ${i}` }, headers: testAuth('u1', 't1') }),
        ),
      );
      assert.deepEqual(
        replies.map((r) => r.status),
        Array(N).fill(201),
      );
      await Promise.all([first.app.events.flush(), second.app.events.flush()]);
      await Promise.all([first.app.events.flush(), second.app.events.flush()]);
      assert.equal(await count(first, 'example_note_log'), N);
      const perEvent = await first.app.db('example_note_log').select('event_id').count({ n: '*' }).groupBy('event_id');
      assert.equal(perEvent.length, N);
      assert.ok(perEvent.every((r) => Number(r.n) === 1));
      assert.equal(await count(first, 'core_event_handled'), N);
      assert.equal(await count(first, 'core_events', { status: 'delivered' }), N);
    });

    it('never deliver one event twice when both drain the same backlog at once', async () => {
      first = await createTestApp({ start: false, overrides: { events: { batchSize: 3 } } });
      second = await createTestApp({ database: first.database, start: false, overrides: { events: { batchSize: 3 } } });
      const notes = first.app.container.resolve<NoteService>('exampleNotes');
      const N = 60;
      for (let i = 0; i < N; i++) await notes.create('t1', { title: `backlog ${i}` });
      assert.equal(await count(first, 'core_events', { status: 'pending' }), N);

      await Promise.all([first.app.events.flush(), second.app.events.flush(), first.app.events.flush(), second.app.events.flush()]);
      assert.equal(await count(first, 'example_note_log'), N);
      const perEvent = await first.app.db('example_note_log').select('event_id').count({ n: '*' }).groupBy('event_id');
      assert.equal(perEvent.length, N);
      assert.ok(perEvent.every((r) => Number(r.n) === 1));
      assert.equal(await count(first, 'core_events', { status: 'delivered' }), N);
    });
  });

  describe('durability across a crash (a real server process)', function () {
    this.timeout(120_000);
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase();
    });
    after(async () => database.drop());

    it('an event pending when the process is SIGKILLed is delivered exactly once after a restart', async () => {
      const port = await freePort();
      // Delivery keeps failing and is retried every 2 s, so the event is pending when the process dies.
      const failing = writeConfig(database, {
        server: { port },
        settings: { example: { failHandlerTimes: 1_000_000 } },
        events: { backoffBaseMs: 2000, backoffMaxMs: 2000, pollIntervalMs: 100 },
      });
      const db = openDatabase(database);
      try {
        const crashing = await startServer(failing, port);
        const res = await fetch(`http://127.0.0.1:${port}/example/notes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Test u1;t1;member;*' },
          body: JSON.stringify({ title: 'survives a crash' }),
        });
        assert.equal(res.status, 201);
        const note = (await res.json()) as { id: number };
        await waitFor('the first failed delivery', async () => (await db('core_events').first())?.attempts >= 1);
        const { signal } = await kill(crashing, 'SIGKILL');
        assert.equal(signal, 'SIGKILL');

        const pending = await db('core_events').first();
        assert.equal(pending.status, 'pending');
        assert.equal(pending.name, 'example.note.created');
        assert.deepEqual(JSON.parse(pending.payload), { id: note.id, title: 'survives a crash' });
        assert.match(pending.last_error, /planned failure/);
        assert.equal(
          await db('example_note_log')
            .count({ n: '*' })
            .first()
            .then((r) => Number(r!.n)),
          0,
        );
        const lifecycle = await db('example_lifecycle').orderBy('id').pluck('what');
        assert.deepEqual(lifecycle, ['start'], 'a killed process never ran its stop hooks');

        const healthy = writeConfig(database, {
          server: { port },
          settings: { example: { failHandlerTimes: 0 } },
          events: { backoffBaseMs: 2000, backoffMaxMs: 2000, pollIntervalMs: 100 },
        });
        const restarted = await startServer(healthy, port);
        try {
          const delivered = await waitFor(
            'delivery after the restart',
            async () => {
              const row = await db('core_events').where('id', pending.id).first();
              return row.status === 'delivered' ? row : null;
            },
            { timeoutMs: 90_000 },
          );
          assert.ok(delivered.attempts > pending.attempts);
          const log = await db('example_note_log').select('event_id', 'title');
          assert.deepEqual(log, [{ event_id: pending.id, title: 'survives a crash' }]);
          assert.deepEqual(await db('core_event_handled').pluck('handler'), [HANDLER]);
        } finally {
          const { code } = await kill(restarted, 'SIGTERM');
          assert.equal(code, 0, restarted.output());
        }
        assert.equal(
          await db('example_note_log')
            .count({ n: '*' })
            .first()
            .then((r) => Number(r!.n)),
          1,
          'still exactly once after a clean stop',
        );
      } finally {
        await db.destroy();
      }
    });
  });
});
