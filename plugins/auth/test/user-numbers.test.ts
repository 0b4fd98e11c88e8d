// Issue 39: every user has a number, the integer id seeds 003 and 004 show. The migration numbers
// the users an installation already has in the order they were made; new users get the next
// numbers; a number is never given twice.
import assert from 'node:assert/strict';
import { up as numberUsers } from '../migrations/20261129120000_user_numbers.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { count, startAuthApp, type AuthApp } from './admin-helpers.js';

describe('auth: user numbers (the seed faces’ integer ids)', () => {
  let t: AuthApp;
  before(async () => {
    t = await startAuthApp();
  });
  after(() => t?.close());

  const numbers = async () =>
    (await t.db('auth_user_numbers as n').join('auth_users as u', 'u.id', 'n.user_id').orderBy('n.number').select('n.number', 'u.email')).map(
      (r: { number: unknown; email: string }) => [Number(r.number), r.email],
    );

  it('the upgrade numbers existing users by creation time; users made after it take the next numbers', async () => {
    for (const label of ['b', 'c', 'a']) await registerOwner(t, label, { email: `${label}@numbers.test` });
    // Made out of order on purpose: numbers follow created_at, not the id or the email.
    await t.db('auth_users').where('email', 'a@numbers.test').update({ created_at: '2020-01-01T00:00:00.000Z' });
    await t.db.schema.dropTable('auth_user_numbers');
    await numberUsers(t.db);
    const users = await count(t.db('auth_users'));
    const after = await numbers();
    assert.equal(after.length, users);
    assert.deepEqual(
      after.map(([n]) => n),
      Array.from({ length: users }, (_, i) => i + 1),
    );
    assert.deepEqual(after[0], [1, 'a@numbers.test'], 'the oldest user is 1');
    assert.deepEqual(
      after.slice(-2).map(([, email]) => email),
      ['b@numbers.test', 'c@numbers.test'],
    );

    // The next user continues the sequence (on PostgreSQL too, where the backfill moved it).
    await registerOwner(t, 'd', { email: 'd@numbers.test' });
    assert.deepEqual((await numbers()).at(-1), [users + 1, 'd@numbers.test']);
  });
});
