// The causes events inherit (a workflow chain): carried across awaits and timers, one run's never
// seen by another's, and gone once no run is in progress (the storage is off then: before Node 24
// an enabled AsyncLocalStorage makes every promise of every request pay a hook).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CauseChain } from '../../core/events/cause-chain.js';

describe('core: the cause chain', () => {
  it('a run sees its causes after awaits and timers; concurrent runs see their own; exit sees none', async () => {
    const chain = new CauseChain();
    const seen = await Promise.all(
      ['a', 'b'].map((id) =>
        chain.run({ id }, async () => {
          await sleep(5);
          const afterTimer = chain.current();
          await Promise.resolve();
          const inside = await chain.run({ ...chain.current(), depth: 2 }, async () => chain.current());
          const outside = chain.exit(() => chain.current());
          return { afterTimer, inside, outside, after: chain.current() };
        }),
      ),
    );
    assert.deepEqual(seen, [
      { afterTimer: { id: 'a' }, inside: { id: 'a', depth: 2 }, outside: undefined, after: { id: 'a' } },
      { afterTimer: { id: 'b' }, inside: { id: 'b', depth: 2 }, outside: undefined, after: { id: 'b' } },
    ]);
  });

  // What a continuation a run left behind sees once every run ended depends on the engine (before
  // Node 24 nothing; since, the causes it was started with, as AsyncContextFrame keeps them): work
  // that must not inherit a chain is started through `exit`, which the first test covers.
  it('when the last run ends, new work carries no causes; a new run works again', async () => {
    const chain = new CauseChain();
    await chain.run({ id: 'x' }, async () => {
      await sleep(1);
    });
    assert.equal(chain.current(), undefined);
    assert.equal(await sleep(5).then(() => chain.current()), undefined);
    const again = await chain.run({ id: 'y' }, async () => {
      await sleep(1);
      return chain.current();
    });
    assert.deepEqual(again, { id: 'y' });
  });

  it('a run that throws ends too: its causes are gone and the error reaches the caller', async () => {
    const chain = new CauseChain();
    await assert.rejects(
      chain.run({ id: 'z' }, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await Promise.resolve().then(() => chain.current()), undefined);
  });
});
