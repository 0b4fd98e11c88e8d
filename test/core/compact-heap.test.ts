// core/compact-heap.ts: what a start with server.compactHeapAfterBoot does before it listens. The young
// generation boot grew is given back, and the `gc` it uses reaches no context made afterwards.
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { compactHeap } from '../../core/compact-heap.js';
import { createTestApp } from '../helpers/app.js';

const youngGeneration = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('compactHeap: boot’s heap given back', () => {
  /** Objects that survive several scavenges make V8 grow the young generation, as loading modules does. */
  const grow = () => {
    const kept: Array<{ i: number; s: string }> = [];
    for (let i = 0; i < 400_000; i++) kept.push({ i, s: `row ${i}` });
    assert.equal(kept.length, 400_000);
    const grown = youngGeneration();
    assert.ok(grown >= 8 * 1024 * 1024, `the young generation grew to ${grown} bytes`);
    return grown;
  };

  it('shrinks a grown young generation, and leaves no gc function behind', () => {
    const grown = grow();
    compactHeap();
    const after = youngGeneration();
    assert.ok(after <= grown / 4, `${grown} → ${after} bytes`);
    assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
  });

  it('a start with PLINTH_COMPACT_HEAP=true ends with it; without, the young generation is left as it was', async () => {
    for (const compact of [false, true]) {
      const grown = grow();
      const t = await createTestApp(compact ? { env: { PLINTH_COMPACT_HEAP: 'true' } } : {});
      const after = youngGeneration();
      await t.close();
      if (compact) assert.ok(after <= grown / 4, `compacted: ${grown} → ${after} bytes`);
      else assert.ok(after >= grown, `left alone: ${grown} → ${after} bytes`);
    }
  });
});
