// The post-boot collection (core/heap-settle.ts): V8's gc reachable without --expose-gc, run once
// the event loop has been quiet, not while it is busy, and never after the server gave up waiting.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { gcFunction, settleHeapWhenQuiet, type GcFunction } from '../../core/heap-settle.js';
import { capturingLogger } from '../helpers/logs.js';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('heap settle (core/heap-settle.ts)', () => {
  it("reaches V8's gc without --expose-gc, and leaves no gc global behind", () => {
    const had = 'gc' in globalThis;
    const gc = gcFunction();
    assert.equal(typeof gc, 'function');
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    assert.equal('gc' in globalThis, had);
  });

  it('collects once, after the event loop has been quiet', async () => {
    const { logger, lines } = capturingLogger('debug');
    const calls: unknown[] = [];
    settleHeapWhenQuiet(logger, { quietMs: 30, quietUtilization: 0.5, giveUpMs: 1_000 }, () => ((o) => calls.push(o)) as GcFunction);
    await sleep(150);
    assert.deepEqual(calls, [{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    assert.ok(lines.some((l) => l.msg === 'heap settled after boot'));
  });

  it('waits while the event loop is busy, and gives up past giveUpMs', async () => {
    const { logger } = capturingLogger('debug');
    let calls = 0;
    settleHeapWhenQuiet(logger, { quietMs: 20, quietUtilization: 0.5, giveUpMs: 60 }, () => (() => calls++) as GcFunction);
    for (let i = 0; i < 8; i++) {
      spin(18);
      await sleep(1);
    }
    await sleep(100);
    assert.equal(calls, 0);
  });

  it('can be cancelled (a stop before the server was quiet)', async () => {
    const { logger } = capturingLogger('debug');
    let calls = 0;
    const cancel = settleHeapWhenQuiet(logger, { quietMs: 20, quietUtilization: 0.5, giveUpMs: 1_000 }, () => (() => calls++) as GcFunction);
    cancel();
    await sleep(80);
    assert.equal(calls, 0);
  });
});
