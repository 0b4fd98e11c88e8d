// Actions plugins declare in their manifests: listed with their schemas, input validated before
// the action runs, and every event the action emits carries the caller's meta (a workflow chain);
// handlers of such an event run inside that meta, so what they emit carries it too.
import assert from 'node:assert/strict';
import { control, splitControl, type Actions } from '../../core/actions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** An event's causes (its workflow chain), without the trace it also carries (core/observability/trace-context.ts). */
function causesOf(meta: string | null): Record<string, unknown> | null {
  if (!meta) return null;
  const { traceparent: _traceparent, tracestate: _tracestate, ...causes } = JSON.parse(meta) as Record<string, unknown>;
  return Object.keys(causes).length ? causes : null;
}

describe('runtime: actions', () => {
  let t: TestApp;
  let actions: Actions;
  before(async () => {
    t = await createTestApp();
    actions = t.app.container.resolve<Actions>('actions');
  });
  after(async () => t?.close());

  it('lists the declared actions with their plugin and schemas', () => {
    const action = actions.list().find((a) => a.name === 'example.create_note');
    assert.ok(action);
    assert.equal(action.plugin, 'example');
    assert.deepEqual(action.input.required, ['title']);
    assert.deepEqual(action.output.required, ['id']);
  });

  it('refuses input its schema refuses (400, naming the field) and runs nothing', async () => {
    const call = { tenantId: 't-actions', meta: {}, logger: t.app.logger };
    await assert.rejects(actions.run('example.create_note', { title: '' }, call), (err: { status: number; fields: Array<{ path: string }> }) => {
      assert.equal(err.status, 400);
      assert.deepEqual(
        err.fields.map((f) => f.path),
        ['input.title'],
      );
      return true;
    });
    await assert.rejects(actions.run('example.create_note', { title: 'x', extra: 1 }, call), /input.extra is not allowed/);
    await assert.rejects(actions.run('nope.nothing', {}, call), /unknown action "nope.nothing"/);
    assert.equal((await t.app.db('example_notes').where('tenant_id', 't-actions')).length, 0);
  });

  it('an integer without its own bound is held to 32 bits, as on every face, and the listed schema says so', async () => {
    const ran: unknown[] = [];
    actions.add('runtime', 'runtime.count', {
      description: 'counts',
      input: { type: 'object', properties: { n: { type: 'integer' }, small: { type: 'integer', maximum: 10 } } },
      output: { type: 'object' },
      run: async (input) => void ran.push(input),
    });
    const call = { tenantId: 't-actions', meta: {}, logger: t.app.logger };
    await assert.rejects(actions.run('runtime.count', { n: 2 ** 31 }, call), /input\.n must be <= 2147483647/);
    await assert.rejects(actions.run('runtime.count', { n: -(2 ** 31) - 1 }, call), /input\.n must be >= -2147483648/);
    assert.deepEqual(ran, []);
    await actions.run('runtime.count', { n: 2 ** 31 - 1, small: 10 }, call);
    assert.deepEqual(ran, [{ n: 2 ** 31 - 1, small: 10 }]);
    const listed = actions.get('runtime.count')!.input as { properties: Record<string, Record<string, number>> };
    assert.deepEqual(listed.properties.n, { type: 'integer', maximum: 2147483647, minimum: -2147483648 });
    assert.deepEqual(listed.properties.small, { type: 'integer', maximum: 10, minimum: -2147483648 });
  });

  it('runs with the caller’s meta: the event it emits carries it, and so do events emitted by that event’s handlers', async () => {
    // A handler of the action's event emitting an event of its own: the meta follows.
    t.app.events.subscribe('example.note.created', 'runtime:follow-up', async (e) => {
      await t.app.events.emit(t.app.db, 'runtime.follow_up', { of: e.id });
    });
    const meta = { workflow: { chain: ['wf_1'], depth: 1 } };
    const out = await actions.run<{ id: number }>('example.create_note', { title: 'from a workflow' }, { tenantId: 't-actions', meta, logger: t.app.logger });
    const note = await t.app.db('example_notes').where('id', out.id).first();
    assert.equal(note.tenant_id, 't-actions');
    const event = await t.app.db('core_events').where('name', 'example.note.created').orderBy('id', 'desc').first();
    assert.deepEqual(JSON.parse(event.payload), { id: out.id, title: 'from a workflow' });
    assert.deepEqual(causesOf(event.meta), meta);

    await t.app.events.flush();
    const followUp = await t.app.db('core_events').where('name', 'runtime.follow_up').first();
    assert.deepEqual(JSON.parse(followUp.payload), { of: Number(event.id) });
    assert.deepEqual(causesOf(followUp.meta), meta);

    // Outside any action, events carry no meta.
    await t.app.events.emit(t.app.db, 'runtime.plain', {});
    assert.equal(causesOf((await t.app.db('core_events').where('name', 'runtime.plain').first()).meta), null);
  });

  it('the dispatcher never lends one event’s meta to another: an event without meta is handled without it', async () => {
    // Delivery kicked from inside a workflow's action must not run later, unrelated handlers in that chain.
    t.app.events.subscribe('runtime.unrelated', 'runtime:unrelated', async () => {
      await t.app.events.emit(t.app.db, 'runtime.unrelated_follow_up', {});
    });
    await t.app.events.flush(); // nothing in flight: the next emit starts the dispatcher
    await t.app.events.withMeta({ workflow: { chain: ['wf_2'], depth: 1 } }, () => t.app.events.emit(t.app.db, 'runtime.caused', {}));
    await t.app.events.emit(t.app.db, 'runtime.unrelated', {});
    await t.app.events.flush();
    assert.deepEqual(causesOf((await t.app.db('core_events').where('name', 'runtime.caused').first()).meta), { workflow: { chain: ['wf_2'], depth: 1 } });
    assert.equal(causesOf((await t.app.db('core_events').where('name', 'runtime.unrelated_follow_up').first()).meta), null);
  });

  it('an action steers a run by returning a control (park, stop); `run` gives only the output, `step` both', async () => {
    const until = new Date('2026-01-01T00:00:00.000Z');
    assert.deepEqual(splitControl(control.park(until, { until: until.toISOString() })), {
      output: { until: until.toISOString() },
      control: { kind: 'park', until },
    });
    assert.deepEqual(splitControl(control.stop('enough', { stop: true })), { output: { stop: true }, control: { kind: 'stop', reason: 'enough' } });
    assert.deepEqual(splitControl({ plain: 1 }), { output: { plain: 1 }, control: null });
    actions.add('test', 'test.stopper', {
      description: 'stops',
      input: { type: 'object' },
      output: { type: 'object' },
      run: async () => control.stop('matched', { stop: true }),
    });
    const call = { tenantId: 't-actions', meta: {}, logger: t.app.logger };
    assert.deepEqual(await actions.run('test.stopper', {}, call), { stop: true });
    assert.deepEqual(await actions.step('test.stopper', {}, call), { output: { stop: true }, control: { kind: 'stop', reason: 'matched' } });
  });

  it('two plugins declaring one action name stop the boot, naming both', async () => {
    await assert.rejects(
      createTestApp({ plugins: ['example', 'action-clash'], start: false }),
      /plugin "action-clash" declares action "example.create_note", already declared by "example"/,
    );
  });
});
