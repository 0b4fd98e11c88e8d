// core/idle-heap.ts: an idle server gives back the heap boot or a burst of load grew, once per idle
// period, never while its event loop is busy; and the `gc` it uses reaches no context made afterwards.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { IdleHeapReducer, IdlePeriods, reduceHeap } from '../../core/idle-heap.js';
import { createTestApp } from '../helpers/app.js';

const youngGeneration = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Objects that survive several scavenges make V8 grow the young generation, as loading modules does. */
function grow(): number {
  const kept: Array<{ i: number; s: string }> = [];
  for (let i = 0; i < 400_000; i++) kept.push({ i, s: `row ${i}` });
  assert.equal(kept.length, 400_000);
  const grown = youngGeneration();
  assert.ok(grown >= 8 * 1024 * 1024, `the young generation grew to ${grown} bytes`);
  return grown;
}

/** Keeps the event loop about a quarter busy (5 ms of work every 20 ms) until stopped. */
function keepBusy(): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + 5;
    while (performance.now() < until);
  }, 20);
  return () => clearInterval(timer);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (check()) return true;
  return check();
}

describe('idle heap: an idle server’s memory given back', () => {
  const reducers: IdleHeapReducer[] = [];
  const reducer = (afterSeconds: number) => {
    const r = new IdleHeapReducer({ afterSeconds });
    reducers.push(r);
    r.start();
    return r;
  };
  afterEach(() => {
    for (const r of reducers.splice(0)) r.stop();
  });

  it('reduceHeap shrinks a grown young generation, and leaves no gc function behind', () => {
    const grown = grow();
    reduceHeap();
    const after = youngGeneration();
    assert.ok(after <= grown / 4, `${grown} → ${after} bytes`);
    assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
  });

  it('the rule: once an idle period has lasted the time, once per period; a busy step starts a new one', () => {
    const periods = new IdlePeriods(1000);
    const steps = (utilizations: number[]) => utilizations.map((u) => periods.observe(u, 250));
    assert.deepEqual(steps([0.01, 0.01, 0.01]), [false, false, false], 'three quarters of the period');
    assert.deepEqual(steps([0.01, 0.01, 0.04, 0.0]), [true, false, false, false], 'due at the fourth step, then not again');
    assert.deepEqual(steps([0.3, 0.01, 0.01, 0.01]), [false, false, false, false], 'busy: the period starts over');
    assert.deepEqual(steps([0.01, 0.01]), [true, false], 'a new period, a new reduction');
    assert.deepEqual(steps([0.01, 0.01, 0.06, 0.02, 0.02, 0.02]), [false, false, false, false, false, false], 'just over 5 % is busy');
  });

  it('a reducer whose loop sits idle reduces the grown heap', async () => {
    const grown = grow();
    const r = reducer(1);
    assert.ok(await until(() => r.reductions >= 1, 5000), 'reduced after a second of idleness');
    assert.ok(youngGeneration() <= grown / 4, `${grown} → ${youngGeneration()} bytes`);
  });

  it('never while the loop is busy, nor when turned off (0)', async () => {
    const busy = reducer(1);
    const off = reducer(0);
    const stop = keepBusy();
    try {
      await sleep(2500);
    } finally {
      stop();
    }
    assert.equal(busy.reductions, 0);
    assert.ok(await until(() => busy.reductions >= 1, 5000), 'the busy one reduces once its loop is idle');
    assert.equal(off.reductions, 0);
  });

  it('a server started with server.reduceHeapAfterIdleSeconds gives its heap back once idle', async () => {
    const grown = grow();
    // The outbox polls as often as a production server's (every second, not the harness's 50 ms), so
    // the loop's own timers stay idle under 5 % even on a machine busy with other test processes.
    const t = await createTestApp({ env: { PLINTH_REDUCE_HEAP_AFTER_IDLE: '1' }, overrides: { events: { pollIntervalMs: 1000 } } });
    try {
      assert.ok(await until(() => youngGeneration() <= grown / 4, 10_000), `${grown} → ${youngGeneration()} bytes`);
    } finally {
      await t.close();
    }
  });
});
