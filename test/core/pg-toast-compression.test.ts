// core/db/connection.ts on PostgreSQL: every pooled connection compresses large values with lz4
// (where the server has it), so a received message's raw bytes are stored lz4-compressed.
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/database.js';

(usingPostgres ? describe : describe.skip)('PostgreSQL: large values compressed with lz4', () => {
  let t: TestApp;
  before(async function () {
    t = await createTestApp({ plugins: [] });
    const supported = await t.app.db.raw("select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'");
    // A server built without lz4 is left at its default: nothing to check there.
    if (supported.rows[0]?.lz4 !== true) this.skip();
  });
  after(() => t?.close());

  it('each connection of the pool defaults to lz4, and a large value written is lz4-compressed', async () => {
    const settings = await Promise.all(
      Array.from({ length: 3 }, () => t.app.db.transaction(async (trx) => (await trx.raw('show default_toast_compression')).rows[0].default_toast_compression)),
    );
    assert.deepEqual(settings, ['lz4', 'lz4', 'lz4']);
    await t.app.db.raw('create table toast_probe (id int primary key, body text)');
    try {
      await t.app.db('toast_probe').insert({ id: 1, body: 'A received message, line after line. '.repeat(200) });
      const row = await t.app.db.raw('select pg_column_compression(body) as method, pg_column_size(body) < octet_length(body) as smaller from toast_probe');
      assert.deepEqual(row.rows[0], { method: 'lz4', smaller: true });
    } finally {
      await t.app.db.raw('drop table toast_probe');
    }
  });
});
