// The digest of a tool call's arguments: what a confirmation token is bound to and what the audit row
// records. It must not depend on the order the client wrote the keys in, and must stay the same
// across instances and releases (a token issued by one instance is spent on another).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { argsDigest } from '../services/confirmations.js';

/** The digest as first defined: sha256 of the JSON with every object's keys sorted by code unit. */
function reference(args: Record<string, unknown>): string {
  const sorted = (_key: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v;
  return createHash('sha256').update(JSON.stringify(args, sorted)).digest('hex');
}

describe('agents: the digest of a call’s arguments', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a verify’s flat arguments', { activation_code: 'ABCD-EFGH', email: 'buyer@example.com', device_id: 'd-1', device_name: 'Laptop' }],
    ['none', {}],
    ['numbers, booleans, null, NaN', { b: null, a: true, c: 1.5, d: Number.NaN, e: -0 }],
    ['keys that look like array indexes (always first, in numeric order)', { '10': 1, '9': 2, a: 3, '01': 4 }],
    ['nested objects and arrays', { z: { b: 1, a: 2 }, a: [{ y: 1, x: 2 }, 'q'] }],
    ['an undefined value (left out, as JSON leaves it)', { u: undefined, a: 'x' }],
    ['keys and values to escape, non-ASCII keys', { é: 1, e: 2, E: 3, '\u2028': 'q"\\\n', '': 'empty key' }],
  ];
  for (const [what, args] of cases) {
    it(`${what}: the same digest as first defined`, () => {
      assert.equal(argsDigest(args), reference(args));
    });
  }

  it('the order the keys came in does not change it; a value does', () => {
    const a = argsDigest({ email: 'x@example.com', activation_code: 'C', device_id: 'd' });
    assert.equal(argsDigest({ device_id: 'd', activation_code: 'C', email: 'x@example.com' }), a);
    assert.notEqual(argsDigest({ device_id: 'e', activation_code: 'C', email: 'x@example.com' }), a);
    assert.notEqual(argsDigest({ device_id: 'd', activation_code: 'C', email: 'x@example.com', extra: null }), a);
  });
});
