// core/heap-growth.ts: the plinth command widens V8's old-generation growth unless the operator chose it.
import assert from 'node:assert/strict';
import { widenHeapGrowth } from '../../core/heap-growth.js';

describe('heap growth: the old generation’s room between full collections', () => {
  it('is set for the plinth command unless --heap-growing-percent was given on the command line or in NODE_OPTIONS', () => {
    assert.equal(widenHeapGrowth(['--heap-growing-percent=50'], ''), false);
    assert.equal(widenHeapGrowth([], '--max-old-space-size=512 --heap-growing-percent=100'), false);
    assert.equal(widenHeapGrowth(['--heap_growing_percent=100'], ''), false);
    assert.equal(widenHeapGrowth(['--enable-source-maps'], '--max-old-space-size=512'), true);
  });
});
