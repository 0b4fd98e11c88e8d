// core/leases.ts claim and claimRows on the real database: free rows are taken in order up to the
// limit, each by one claimer only; claimRows hands the rows back as the claim wrote them (holder,
// lease end and `set` columns), in id order; a row whose lease ran out is anyone's again.
import assert from 'node:assert/strict';
import { Leases, type LeasedTable } from '../../core/leases.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const TABLE = 'leases_claim_probe';
const T: LeasedTable = { table: TABLE, holder: 'holder', until: 'until' };

describe('Leases.claim and claimRows', () => {
  let t: TestApp;
  let now = new Date('2026-11-27T12:00:00.000Z');
  let leases: Leases;

  before(async () => {
    t = await createTestApp();
    await t.app.db.schema.createTable(TABLE, (table) => {
      table.increments('id').primary();
      table.string('name', 32).notNullable();
      table.integer('due').notNullable();
      table.string('state', 16).notNullable().defaultTo('waiting');
      table.string('holder', 80).nullable();
      table.string('until', 24).nullable();
    });
    leases = new Leases({ db: t.app.db, clock: { now: () => now }, logger: t.app.logger });
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(TABLE);
    await t?.close();
  });

  const options = (holder: string, limit: number) => ({
    holder,
    seconds: 30,
    limit,
    orderBy: 'due',
    where: (q: import('knex').Knex.QueryBuilder) => q.where('state', 'waiting'),
    set: { state: 'taken' },
  });

  it('claimRows returns the rows it took as written, in id order; claim the ids of the rest; then nothing is left', async () => {
    // Inserted out of their due order: the claim takes the first due, and answers in id order.
    await t.app.db(TABLE).insert(['e', 'd', 'c', 'b', 'a'].map((name, i) => ({ name, due: 5 - i })));
    const rows = await leases.claimRows<{ name: string; state: string; holder: string; until: string }>(T, options('first', 3));
    assert.deepEqual(
      rows.map((r) => [r.name, r.state, r.holder]),
      [
        ['c', 'taken', 'first'],
        ['b', 'taken', 'first'],
        ['a', 'taken', 'first'],
      ],
    );
    assert.ok(rows.every((r) => typeof r.id === 'number' && r.until === '2026-11-27T12:00:30.000Z'));
    assert.deepEqual(
      rows.map((r) => r.id),
      [...rows.map((r) => r.id)].sort((a, b) => a - b),
    );

    const ids = await leases.claim(T, { ...options('second', 10), where: (q) => q.whereIn('state', ['waiting', 'taken']) });
    assert.deepEqual((await t.app.db(TABLE).whereIn('id', ids).orderBy('id').pluck('name')).sort(), ['d', 'e'], 'the held rows are not taken again');
    assert.deepEqual(await leases.claimRows(T, options('third', 10)), []);
  });

  it('a row whose lease ran out is taken by the next claimer', async () => {
    now = new Date(now.getTime() + 31_000);
    const rows = await leases.claimRows<{ holder: string }>(T, { ...options('late', 10), where: (q) => q.where('state', 'taken') });
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.holder === 'late'));
  });
});
