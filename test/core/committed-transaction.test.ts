// core/db/committed-transaction.ts on PostgreSQL: a committedTransaction answers at its COMMIT
// without waiting for the WAL flush (synchronous_commit off for it alone, set with its BEGIN in one
// round trip); every other transaction, and the connection afterwards, stays durable.
// (SQLite's side is in sqlite-client.test.ts.)
import assert from 'node:assert/strict';
import { committedTransaction } from '../../core/db/committed-transaction.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/database.js';

const TABLE = 'committed_transaction_rows';

(usingPostgres ? describe : describe.skip)('committedTransaction on PostgreSQL: answered at COMMIT, durable everywhere else', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ overrides: { scheduler: { enabled: false } } });
    await t.app.db.schema.createTable(TABLE, (table) => {
      table.increments('id').primary();
      table.string('what', 32).notNullable().unique();
    });
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(TABLE);
    await t?.close();
  });

  const setting = async (db: typeof t.app.db) => (await db.raw('SHOW synchronous_commit')).rows[0].synchronous_commit as string;

  it('turns synchronous_commit off inside it only, with no round trip of its own; its rows are committed', async () => {
    const sent: string[] = [];
    const listen = (q: { sql: string; __knexTxId?: string }) => q.__knexTxId && sent.push(q.sql.trim());
    t.app.db.on('query', listen);
    let inside = '';
    try {
      inside = await committedTransaction(t.app.db, async (trx) => {
        await trx(TABLE).insert({ what: 'counted' });
        return setting(trx);
      });
    } finally {
      t.app.db.off('query', listen);
    }
    assert.equal(inside, 'off');
    assert.equal(sent.length, 4, `statements sent: ${sent.join(' | ')}`);
    assert.match(sent[0], /^BEGIN; SET LOCAL synchronous_commit TO OFF;$/);
    assert.equal((await t.app.db(TABLE).where({ what: 'counted' })).length, 1);
  });

  it('a plain transaction and the pooled connections afterwards stay durable', async () => {
    for (let i = 0; i < 5; i++) await committedTransaction(t.app.db, (trx) => setting(trx));
    assert.equal(await t.app.db.transaction((trx) => setting(trx)), 'on');
    const after = await Promise.all(Array.from({ length: 10 }, () => setting(t.app.db)));
    assert.deepEqual([...new Set(after)], ['on'], 'SET LOCAL ends with its transaction');
  });

  it('rolls back as any transaction does: a failing statement leaves nothing of it written', async () => {
    await t.app.db(TABLE).insert({ what: 'taken' });
    await assert.rejects(
      committedTransaction(t.app.db, async (trx) => {
        await trx(TABLE).insert({ what: 'never' });
        await trx(TABLE).insert({ what: 'taken' });
      }),
      /unique|duplicate/i,
    );
    assert.equal((await t.app.db(TABLE).where({ what: 'never' })).length, 0);
  });
});
