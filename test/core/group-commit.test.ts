// core/db/group-commit.ts: writes that arrive together share one transaction, each resolves with
// its own result once its transaction has committed, in the order submitted, and one bad item
// fails alone.
import assert from 'node:assert/strict';
import { GroupCommit } from '../../core/db/group-commit.js';
import { insertRowsReturningIds } from '../../core/db/direct-query.js';
import type { Knex } from '../../core/db/connection.js';
import { AppError } from '../../core/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const TABLE = 'group_commit_probe';

describe('group commit', () => {
  let t: TestApp;
  /** Transactions each batch ran in, by batch. */
  let batches: string[][];
  let notes: GroupCommit<string, number>;

  before(async () => {
    t = await createTestApp();
    await t.app.db.schema.createTable(TABLE, (table) => {
      table.increments('id').primary();
      table.string('title', 64).notNullable().unique();
    });
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(TABLE);
    await t?.close();
  });
  beforeEach(async () => {
    await t.app.db(TABLE).delete();
    batches = [];
    notes = new GroupCommit({
      db: t.app.db,
      logger: t.app.logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        batches.push(titles);
        if (titles.includes('refused')) throw new AppError(422, 'refused', 'this one is refused');
        return insertRowsReturningIds(
          trx,
          TABLE,
          titles.map((title) => ({ title })),
        );
      },
      maxBatch: 50,
      name: 'probe',
    });
  });

  it('items submitted together share transactions; each resolves with its own row, stored in the order submitted', async () => {
    const titles = Array.from({ length: 120 }, (_, i) => `note ${i}`);
    const ids = await Promise.all(titles.map((title) => notes.submit(title)));
    const rows = await t.app.db(TABLE).orderBy('id').select('id', 'title');
    assert.deepEqual(
      rows.map((r) => r.title),
      titles,
      'in the order submitted',
    );
    assert.deepEqual(
      ids,
      rows.map((r) => Number(r.id)),
      'each got its own row',
    );
    assert.ok(batches.length < titles.length / 2, `${batches.length} transactions for ${titles.length} items`);
    assert.ok(
      batches.every((b) => b.length <= 50),
      'never more than maxBatch in one',
    );
  });

  it('one bad item fails alone: the others of its batch are stored', async () => {
    const results = await Promise.allSettled(['a', 'b', 'refused', 'c'].map((title) => notes.submit(title)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(((results[2] as PromiseRejectedResult).reason as AppError).code, 'refused');
    assert.deepEqual((await t.app.db(TABLE).orderBy('id').pluck('title')).sort(), ['a', 'b', 'c']);
  });

  it('settled() resolves once everything submitted is written', async () => {
    const pending = ['x', 'y', 'z'].map((title) => notes.submit(title));
    await notes.settled();
    assert.equal(
      await t.app
        .db(TABLE)
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      3,
    );
    await Promise.all(pending);
  });
});
