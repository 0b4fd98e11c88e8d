import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { Hooks } from '../../core/hooks/hooks.js';
import { createLogger } from '../../core/logger.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { capturingLogger } from '../helpers/logs.js';

const count = async (t: TestApp, table: string) => Number(((await t.app.db(table).count({ n: '*' }).first()) as { n: number | string }).n);

describe('runtime: hooks', () => {
  describe('filters on a real app (example.note.beforeCreate)', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await createTestApp();
    });
    afterEach(async () => t.close());

    it('a filter veto is the reply (422 with its message) and nothing is written, no event emitted', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'a forbidden word' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { detail: 'titles may not contain "forbidden"', code: 'vetoed' });
      await t.app.events.flush();
      assert.equal(await count(t, 'example_notes'), 0);
      assert.equal(await count(t, 'core_events'), 0);
      assert.equal(await count(t, 'example_note_log'), 0);
    });

    it('a filter may change the value: "shout:hi" is stored, emitted and delivered as "HI"', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'shout:hi' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      assert.equal(res.body.title, 'HI');
      const stored = await t.app.db('example_notes').where('id', res.body.id).first();
      assert.equal(stored.title, 'HI');
      await t.app.events.flush();
      const event = await t.app.db('core_events').first();
      assert.deepEqual(JSON.parse(event.payload), { id: res.body.id, title: 'HI' });
      assert.deepEqual(await t.app.db('example_note_log').pluck('title'), ['HI']);
    });

    it('a value the filter lets through is stored unchanged', async () => {
      const res = await t.request('POST', '/example/notes', { body: { title: 'plain' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 201);
      assert.deepEqual(await t.app.db('example_notes').pluck('title'), ['plain']);
    });

    it('a filter that forgets to return fails the request loudly (500) instead of saving or silently cancelling', async () => {
      const hooks = t.app.container.resolve<Hooks>('hooks');
      hooks.addFilter('example.note.beforeCreate', 'forgetful', () => undefined as never);
      const res = await t.request('POST', '/example/notes', { body: { title: 'lost?' }, headers: testAuth('u1', 't1') });
      assert.equal(res.status, 500);
      assert.equal(res.body.code, 'filter_returned_nothing');
      assert.match(res.body.detail, /^internal error \(request id /, 'the internals are not shown to the client');
      assert.equal(await count(t, 'example_notes'), 0);
      assert.equal(await count(t, 'core_events'), 0);
    });
  });

  describe('Hooks (unit)', () => {
    it('filters run in registration order, each receiving the previous result and the context', async () => {
      const hooks = new Hooks(createLogger('silent'));
      const seen: unknown[] = [];
      hooks.addFilter<number>('calc', 'a', (v, ctx) => {
        seen.push(['a', v, ctx.tenantId]);
        return v + 1;
      });
      hooks.addFilter<number>('calc', 'b', async (v) => {
        seen.push(['b', v]);
        return v * 10;
      });
      assert.equal(await hooks.applyFilters('calc', 1, { tenantId: 't1' }), 20);
      assert.deepEqual(seen, [
        ['a', 1, 't1'],
        ['b', 2],
      ]);
      assert.equal(await hooks.applyFilters('nobody.listens', 'same'), 'same');
    });

    it('a filter returning undefined raises a clear error naming the filter and the plugin', async () => {
      const hooks = new Hooks(createLogger('silent'));
      let laterRan = false;
      hooks.addFilter('billing.invoice.beforeSave', 'good', (v) => v);
      hooks.addFilter('billing.invoice.beforeSave', 'careless', () => undefined);
      hooks.addFilter('billing.invoice.beforeSave', 'after', (v) => {
        laterRan = true;
        return v;
      });
      await assert.rejects(hooks.applyFilters('billing.invoice.beforeSave', { total: 1 }), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.status, 500);
        assert.equal(err.code, 'filter_returned_nothing');
        assert.match(err.message, /"billing\.invoice\.beforeSave"/);
        assert.match(err.message, /plugin "careless"/);
        return true;
      });
      assert.equal(laterRan, false, 'the chain stops at the broken filter');
    });

    it('a falsy value that is not undefined (0, "", false, null) is a valid result', async () => {
      const hooks = new Hooks(createLogger('silent'));
      for (const value of [0, '', false, null]) {
        hooks.removeOwner('p');
        hooks.addFilter('f', 'p', () => value);
        assert.equal(await hooks.applyFilters<unknown>('f', 'x'), value);
      }
    });

    it('a veto (a thrown error) stops the chain and reaches the caller as it was thrown', async () => {
      const hooks = new Hooks(createLogger('silent'));
      let laterRan = false;
      hooks.addFilter('f', 'guard', () => {
        throw new AppError(409, 'taken', 'already taken');
      });
      hooks.addFilter('f', 'after', (v) => {
        laterRan = true;
        return v;
      });
      await assert.rejects(hooks.applyFilters('f', 1), { status: 409, code: 'taken', message: 'already taken' });
      assert.equal(laterRan, false);
    });

    it('listeners (on/notify) are isolated: one failing is logged with its plugin and the others still run', async () => {
      const { logger, lines } = capturingLogger();
      const hooks = new Hooks(logger);
      const got: string[] = [];
      hooks.on('mail.received', 'broken', () => {
        throw new Error('listener blew up');
      });
      hooks.on('mail.received', 'rejecting', async () => {
        await Promise.resolve();
        throw new Error('async listener blew up');
      });
      hooks.on<{ id: number }>('mail.received', 'good', (p) => {
        got.push(`good:${p.id}`);
      });
      hooks.on<{ id: number }>('*', 'wildcard', (p) => {
        got.push(`wildcard:${p.id}`);
      });
      hooks.on('other.thing', 'other', () => {
        got.push('other');
      });
      await hooks.notify('mail.received', { id: 7 });
      assert.deepEqual(got.sort(), ['good:7', 'wildcard:7']);
      const failures = lines.filter((l) => l.msg === 'hook listener failed');
      assert.deepEqual(failures.map((l) => l.plugin).sort(), ['broken', 'rejecting']);
      assert.ok(failures.every((l) => l.hook === 'mail.received'));
      assert.match(failures.find((l) => l.plugin === 'broken')!.err.message, /listener blew up/);
    });

    it("removeOwner drops a plugin's filters and listeners only", async () => {
      const hooks = new Hooks(createLogger('silent'));
      const got: string[] = [];
      hooks.addFilter<string>('f', 'gone', (v) => `${v}+gone`);
      hooks.addFilter<string>('f', 'kept', (v) => `${v}+kept`);
      hooks.on('n', 'gone', () => {
        got.push('gone');
      });
      hooks.on('n', 'kept', () => {
        got.push('kept');
      });
      hooks.removeOwner('gone');
      assert.equal(await hooks.applyFilters('f', 'v'), 'v+kept');
      await hooks.notify('n', {});
      assert.deepEqual(got, ['kept']);
    });
  });
});
