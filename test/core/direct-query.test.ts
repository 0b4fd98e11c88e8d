// core/db/direct-query.ts: fixed SQL run straight on a transaction's connection (the hot durable
// writes: usage, received mail, the outbox). On SQLite and PostgreSQL alike it must keep what knex
// gave: the transaction's atomicity, booleans, bytes and nulls stored as knex stores them, ids
// returned, the `query` event, a completed transaction refused, and the failing SQL named.
import assert from 'node:assert/strict';
import { insertRows, insertRowsReturning, insertRowsReturningIds, queryRows, updateWhere } from '../../core/db/direct-query.js';
import { createDatabase, type Knex } from '../../core/db/connection.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/database.js';

const TABLE = 'direct_query_probe';

describe('direct queries on a transaction’s connection', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.app.db.schema.createTable(TABLE, (table) => {
      table.increments('id').primary();
      table.string('name', 64).notNullable().unique();
      table.boolean('flag').notNullable();
      table.binary('bytes').nullable();
      table.integer('n').notNullable().defaultTo(0);
    });
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(TABLE);
    await t?.close();
  });
  beforeEach(() => t.app.db(TABLE).delete());

  it('insertRowsReturningIds: many rows in one statement, their ids in order; booleans, bytes and nulls read back as knex writes them', async () => {
    const statements: string[] = [];
    const listen = (q: { sql: string }) => statements.push(q.sql);
    t.app.db.on('query', listen);
    const ids = await t.app.db.transaction((trx) =>
      insertRowsReturningIds(trx, TABLE, [
        { name: 'a', flag: true, bytes: Buffer.from([0, 1, 255]), n: 1 },
        { name: 'b', flag: false, bytes: null, n: 2 },
        { name: 'c', flag: true, bytes: undefined, n: 3 },
      ]),
    );
    t.app.db.off('query', listen);
    assert.equal(ids.length, 3);
    assert.equal(statements.filter((s) => /insert into/i.test(s)).length, 1, 'one statement for the three rows, seen by query listeners');
    const rows = await t.app.db(TABLE).orderBy('name');
    assert.deepEqual(
      rows.map((r) => [r.name, Boolean(r.flag), r.bytes === null ? null : [...Buffer.from(r.bytes)], Number(r.n)]),
      [
        ['a', true, [0, 1, 255], 1],
        ['b', false, null, 2],
        ['c', true, null, 3],
      ],
    );
    assert.deepEqual(
      ids,
      ['a', 'b', 'c'].map((name) => Number(rows.find((r) => r.name === name).id)),
      'the returned ids are the rows’, in the order given',
    );
  });

  it('queryRows returns a RETURNING’s rows inside a transaction and through the pool alike', async () => {
    await insertRows(t.app.db, TABLE, [{ name: 'x', flag: false, n: 5 }]);
    const inside = await t.app.db.transaction((trx) => queryRows<{ n: number }>(trx, `UPDATE ${TABLE} SET n = n + ? WHERE name = ? RETURNING n`, [2, 'x']));
    assert.deepEqual(
      inside.map((r) => Number(r.n)),
      [7],
    );
    const outside = await queryRows<{ n: number }>(t.app.db, `UPDATE ${TABLE} SET n = n + ? WHERE name = ? RETURNING n`, [1, 'x']);
    assert.deepEqual(
      outside.map((r) => Number(r.n)),
      [8],
    );
    assert.deepEqual(await queryRows(t.app.db, `UPDATE ${TABLE} SET n = 0 WHERE name = ?`, ['nobody']), [], 'no RETURNING: no rows');
  });

  it('a failing statement names its SQL and rolls the whole transaction back: nothing half-written', async () => {
    await assert.rejects(
      t.app.db.transaction(async (trx) => {
        await insertRows(trx, TABLE, [{ name: 'first', flag: true }]);
        await insertRows(trx, TABLE, [{ name: 'first', flag: false }]); // the unique name again
      }),
      (err: Error) => /INSERT INTO "direct_query_probe"/.test(err.message) && /unique|duplicate/i.test(err.message),
    );
    assert.equal((await t.app.db(TABLE).select()).length, 0, 'the first insert was rolled back with the second');
  });

  it('insertRows on a conflict: ignore keeps the stored row (and returns none for it); merge sets every other column from the new row', async () => {
    await insertRows(t.app.db, TABLE, [{ name: 'kept', flag: false, n: 1 }]);
    const returned = await t.app.db.transaction((trx) =>
      insertRowsReturning<{ id: number; name: string }>(
        trx,
        TABLE,
        [
          { name: 'kept', flag: true, n: 9 },
          { name: 'new', flag: true, n: 2 },
        ],
        ['id', 'name'],
        { columns: ['name'], action: 'ignore' },
      ),
    );
    assert.deepEqual(
      returned.map((r) => r.name),
      ['new'],
      'the conflicting row is skipped, not returned',
    );
    let kept = await t.app.db(TABLE).where('name', 'kept').first();
    assert.deepEqual([Boolean(kept.flag), Number(kept.n)], [false, 1]);
    await t.app.db.transaction((trx) => insertRows(trx, TABLE, [{ name: 'kept', flag: true, n: 7 }], { columns: ['name'], action: 'merge' }));
    kept = await t.app.db(TABLE).where('name', 'kept').first();
    assert.deepEqual([Boolean(kept.flag), Number(kept.n)], [true, 7], 'merged');
    assert.equal((await t.app.db(TABLE).select()).length, 2, 'no row added by the merge');
  });

  it('updateWhere changes only the row every key matches (a fence) and returns what RETURNING names', async () => {
    await insertRows(t.app.db, TABLE, [
      { name: 'a', flag: false, n: 1 },
      { name: 'b', flag: false, n: 1 },
    ]);
    const held = await t.app.db.transaction((trx) => updateWhere<{ name: string }>(trx, TABLE, { n: 5, flag: true }, { name: 'a', n: 1 }, ['name']));
    assert.deepEqual(held, [{ name: 'a' }]);
    const lost = await t.app.db.transaction((trx) => updateWhere(trx, TABLE, { n: 6 }, { name: 'a', n: 1 }, ['name']));
    assert.deepEqual(lost, [], 'the fence no longer holds: nothing written');
    const rows = await t.app.db(TABLE).orderBy('name');
    assert.deepEqual(
      rows.map((r) => [r.name, Boolean(r.flag), Number(r.n)]),
      [
        ['a', true, 5],
        ['b', false, 1],
      ],
    );
  });

  (usingPostgres ? it : it.skip)(
    'on PostgreSQL a statement is prepared once per connection under its name; database.preparedStatements: false sends it unnamed',
    async () => {
      const prepared = (trx: Knex.Transaction) =>
        trx
          .select('name', 'statement')
          .from('pg_prepared_statements')
          .where('statement', `INSERT INTO "${TABLE}" ("name", "flag", "n") VALUES ($1, $2, $3)`)
          .then((rows: Array<{ name: string; statement: string }>) => rows);
      const seen = await t.app.db.transaction(async (trx) => {
        for (const name of ['p1', 'p2']) await insertRows(trx, TABLE, [{ name, flag: true, n: 1 }]);
        return prepared(trx);
      });
      assert.equal(seen.length, 1, 'one prepared statement for the two inserts of one shape');
      assert.match(seen[0].name, /^plinth_\d+$/);
      assert.deepEqual((await t.app.db(TABLE).orderBy('name').pluck('name')).sort(), ['p1', 'p2']);

      const unprepared = createDatabase({ ...t.app.config, database: { ...t.app.config.database, preparedStatements: false } });
      try {
        const none = await unprepared.transaction(async (trx) => {
          await insertRows(trx, TABLE, [{ name: 'p3', flag: false, n: 2 }]);
          return prepared(trx);
        });
        assert.deepEqual(none, []);
        assert.equal(
          await unprepared(TABLE)
            .where('name', 'p3')
            .first()
            .then((r: { n: number } | undefined) => r?.n),
          2,
        );
      } finally {
        await unprepared.destroy();
      }
    },
  );

  it('a completed transaction is refused, as knex refuses it', async () => {
    const trx = await t.app.db.transaction();
    await trx.commit();
    await assert.rejects(queryRows(trx, `SELECT 1 AS one`, []), /Transaction query already complete/);
  });

  it('a table or column name that is not a plain identifier is refused before any SQL runs', async () => {
    await assert.rejects(
      t.app.db.transaction((trx) => insertRows(trx, `${TABLE}; DROP TABLE ${TABLE}`, [{ name: 'a', flag: true }])),
      /not a plain SQL identifier/,
    );
    await assert.rejects(
      t.app.db.transaction((trx) => insertRows(trx, TABLE, [{ 'name") VALUES (1); --': 'a' }])),
      /not a plain SQL identifier/,
    );
    assert.ok(await t.app.db.schema.hasTable(TABLE));
  });
});
