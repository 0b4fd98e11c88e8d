// validatorOnFirstUse and sharedAjv (core/validation.ts): a module's validator costs nothing at
// boot, is compiled by its first call, and then behaves as a compiled one (its errors on `.errors`).
import assert from 'node:assert/strict';
import { sharedAjv, toFieldErrors, validatorOnFirstUse } from '../../core/validation.js';

const page = {
  type: 'object',
  additionalProperties: false,
  required: ['limit'],
  properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, open: { type: 'boolean' } },
};

describe('validators compiled at first use', () => {
  it('answers and reports as a compiled validator, with the options it was given', () => {
    const strict = validatorOnFirstUse<{ limit: number }>(page);
    assert.equal(strict({ limit: 101 }), false);
    assert.deepEqual(toFieldErrors(strict.errors, 'query'), [{ path: 'query.limit', message: 'must be <= 100' }]);
    assert.equal(strict({ limit: 5 }), true);
    assert.equal(strict.errors, null, 'a valid call clears the errors of the one before');
    assert.equal(strict({ limit: '5' }), false, 'no coercion without coerceTypes');

    const coercing = validatorOnFirstUse<{ limit: number; open?: boolean }>(page, { coerceTypes: true });
    const query: Record<string, unknown> = { limit: '5', open: 'true' };
    assert.equal(coercing(query), true);
    assert.deepEqual(query, { limit: 5, open: true }, 'coerced in place, as a compiled validator does');
  });

  it('compiles at its first call, not when made: a broken schema throws there', () => {
    const broken = validatorOnFirstUse({ type: 'nonsense' });
    assert.throws(() => broken('x'), /type must be JSONType/);
  });

  it('one ajv instance per set of options', () => {
    assert.equal(sharedAjv({ coerceTypes: true }), sharedAjv({ coerceTypes: true }));
    assert.notEqual(sharedAjv({ coerceTypes: true }), sharedAjv());
  });
});
