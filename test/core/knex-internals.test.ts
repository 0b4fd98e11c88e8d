// core/db/knex-internals.ts is the one seam through which the SQLite client and the direct queries
// reach knex's private internals. These tests fail, naming the seam, when a knex upgrade changes
// what they use: the pinned version, each private member, and the behaviour the SQLite client
// builds on (a transaction's promise settles only after its COMMIT ran, through `commit`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import knex from 'knex';
import {
  type ClientInternals,
  checkKnexInternals,
  KNEX_VERSION,
  KnexBetterSqlite3Client,
  KnexSqliteTransaction,
  reusableTransaction,
} from '../../core/db/knex-internals.js';
import { SqliteClient } from '../../core/db/sqlite-client.js';

const require = createRequire(import.meta.url);

describe('the knex seam (core/db/knex-internals.ts)', () => {
  it('knex is pinned in package.json to the exact version the seam was written for, and that version is installed', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies.knex, KNEX_VERSION, 'package.json must pin knex exactly (core/db/knex-internals.ts)');
    assert.equal((require('knex/package.json') as { version: string }).version, KNEX_VERSION);
  });

  it('every private member the SQLite client and direct queries use is there', () => {
    assert.doesNotThrow(() => checkKnexInternals());
  });

  it('a missing member stops the check with a message naming the seam, the file and the member', () => {
    const proto = KnexSqliteTransaction.prototype as unknown as Record<string, unknown>;
    const saved = Object.getOwnPropertyDescriptor(proto, 'commit');
    // Shadow the inherited method, as a knex release that renamed it would.
    Object.defineProperty(proto, 'commit', { value: undefined, configurable: true, writable: true });
    try {
      assert.throws(
        () => checkKnexInternals(),
        (err: Error) => {
          assert.match(err.message, /knex internals changed \(core\/db\/knex-internals\.ts was written for knex \d/);
          assert.match(err.message, /sqlite-transaction\.js lacks commit/);
          return true;
        },
      );
    } finally {
      if (saved) Object.defineProperty(proto, 'commit', saved);
      else delete proto.commit;
    }
    assert.doesNotThrow(() => checkKnexInternals());
  });

  it('the dialect runs through the overridden _query and commit: a transaction resolves after its COMMIT, a rollback leaves nothing', async () => {
    assert.ok(Object.prototype.isPrototypeOf.call(KnexBetterSqlite3Client.prototype, SqliteClient.prototype));
    const db = knex({ client: SqliteClient as never, connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    try {
      await db.schema.createTable('probe', (t) => t.integer('n'));
      const seen: string[] = [];
      db.on('query', (q: { sql: string }) => seen.push(q.sql));
      await db.transaction(async (trx) => {
        await trx('probe').insert({ n: 1 });
      });
      assert.ok(
        seen.some((sql) => /^COMMIT/i.test(sql)),
        'the COMMIT goes through the query path the client overrides',
      );
      await assert.rejects(
        db.transaction(async (trx) => {
          await trx('probe').insert({ n: 2 });
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual(await db('probe').select('n'), [{ n: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it("a reusable transaction (the group commit's): knex's builders run on the held connection, queries are heard, between transactions refused", async () => {
    const db = knex({ client: SqliteClient as never, connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    try {
      await db.schema.createTable('probe', (t) => t.integer('n'));
      const seen: string[] = [];
      db.on('query', (q: { sql: string }) => seen.push(q.sql));
      let held: object | null = null;
      const trx = reusableTransaction(db.client, () => held);
      assert.equal(trx.isTransaction, true);
      assert.equal(trx.isCompleted(), true);
      await assert.rejects(trx('probe').insert({ n: 0 }), /Transaction query already complete/);
      const client = db.client as unknown as ClientInternals;
      for (const n of [1, 2]) {
        const connection = await client.acquireConnection();
        try {
          await client.query(connection, 'BEGIN;');
          held = connection;
          assert.equal(trx.isCompleted(), false);
          await trx('probe').insert({ n });
          assert.deepEqual(await trx('probe').max({ n: 'n' }), [{ n }]);
          held = null;
          await client.query(connection, 'COMMIT;');
        } finally {
          await client.releaseConnection(connection);
        }
      }
      assert.deepEqual(await db('probe').orderBy('n').pluck('n'), [1, 2]);
      assert.ok(
        seen.some((sql) => /^insert into `probe`/i.test(sql)),
        "the transaction's statements reach the database's query listeners",
      );
      assert.throws(() => trx.transaction(() => undefined), /runs no nested transaction/);
    } finally {
      await db.destroy();
    }
  });
});
