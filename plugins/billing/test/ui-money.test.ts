import assert from 'node:assert/strict';
import { addMessages } from 'plinth/plugin/ui';
import en from '../ui/messages/en.json' with { type: 'json' };
import { toMajor, toMinor } from '../ui/shared.js';

// The plans page's price fields (no browser): major units as typed ↔ the minor units stored, exact
// (no float rounding), by the currency's own decimals.

describe('billing UI: prices in major units', () => {
  // The problems are the catalogue's words (the plugin's UI entry registers them in the browser).
  before(() => addMessages({ en }));

  it('converts typed prices to minor units exactly, by the currency’s decimals', () => {
    assert.equal(toMinor('9.99', 'usd'), 999);
    assert.equal(toMinor('0.29', 'usd'), 29); // 0.29 * 100 is 28.999… in floating point
    assert.equal(toMinor('12,5', 'eur'), 1250);
    assert.equal(toMinor('99', 'usd'), 9900);
    assert.equal(toMinor(' ', 'usd'), 0);
    assert.equal(toMinor('500', 'jpy'), 500);
    assert.equal(toMinor('1.234', 'kwd'), 1234);
  });

  it('refuses what is not an amount of the currency, saying why', () => {
    assert.deepEqual(toMinor('9.999', 'usd'), { problem: 'at most 2 decimals' });
    assert.deepEqual(toMinor('5.5', 'jpy'), { problem: 'a whole amount (this currency has no cents)' });
    for (const text of ['-1', 'ten', '1e3', '9.9.9', '$9']) assert.deepEqual(toMinor(text, 'usd'), { problem: 'enter an amount such as 9.99' }, text);
  });

  it('shows stored minor units as the operator types them', () => {
    assert.equal(toMajor(2990, 'usd'), '29.90');
    assert.equal(toMajor(5, 'usd'), '0.05');
    assert.equal(toMajor(0, 'usd'), '0.00');
    assert.equal(toMajor(500, 'jpy'), '500');
    assert.equal(toMajor(1234, 'kwd'), '1.234');
    assert.equal(toMajor(999, 'xyz'), '9.99'); // a code Intl does not know: two decimals
  });
});
