// Longer than most (~490 lines): core/db/group-commit.ts on both databases, its batching, failures, syncs and pipelining
// sharing one harness. Writes that arrive together share one transaction, each resolves with its own result
// once its transaction has committed, in the order submitted, and one bad item fails alone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import pg from 'pg';
import { afterCommit } from '../../core/db/after-commit.js';
import { GroupCommit } from '../../core/db/group-commit.js';
import { SqliteClient } from '../../core/db/sqlite-client.js';
import { WAL_SYNC_FAILED } from '../../core/db/wal-sync.js';
import { usingPostgres } from '../helpers/database.js';
import { insertRowsReturningIds, queryRows, WriteSet } from '../../core/db/direct-query.js';
import type { Knex } from '../../core/db/connection.js';
import { AppError } from '../../core/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { capturingLogger } from '../helpers/logs.js';

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

  /** The first word of each statement on the probe's table, and each BEGIN and COMMIT, until stop(): the platform's own background statements left out. */
  function watchStatements(): { statements: string[]; stop: () => void } {
    const statements: string[] = [];
    const seen = (q: { sql: string }) => {
      const sql = q.sql.trim();
      if (sql.includes(TABLE) || /^(BEGIN|COMMIT|ROLLBACK)/i.test(sql)) statements.push(sql.split(/[\s;]+/)[0].toUpperCase());
    };
    t.app.db.client.on('query', seen);
    return { statements, stop: () => t.app.db.client.removeListener('query', seen) };
  }

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

  it('oneStatement: a batch is its one INSERT (on PostgreSQL without BEGIN and COMMIT), stored whole or not at all', async () => {
    const single = new GroupCommit({
      db: t.app.db,
      logger: capturingLogger().logger,
      write: (trx: Knex.Transaction, titles: string[]) =>
        insertRowsReturningIds(
          trx,
          TABLE,
          titles.map((title) => ({ title })),
        ),
      maxBatch: 50,
      oneStatement: true,
      name: 'probe',
    });
    const { statements, stop } = watchStatements();
    try {
      assert.deepEqual((await Promise.all(['a', 'b'].map((title) => single.submit(title)))).length, 2);
      assert.deepEqual(statements, usingPostgres ? ['INSERT'] : ['BEGIN', 'INSERT', 'COMMIT']);
      // 'c' twice breaks the unique title: the batch's one statement stores none of it; one by one, the first 'c' and 'd' are stored.
      const results = await Promise.allSettled(['c', 'd', 'c'].map((title) => single.submit(title)));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
    } finally {
      stop();
    }
    assert.deepEqual(await t.app.db(TABLE).orderBy('id').pluck('title'), ['a', 'b', 'c', 'd']);
  });

  it('oneStatement as a function decides per batch: a batch it refuses runs in BEGIN and COMMIT', async () => {
    const asked: string[][] = [];
    const single = new GroupCommit({
      db: t.app.db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        // Two statements when the batch holds 'big': only safe in a transaction.
        const ids = await insertRowsReturningIds(
          trx,
          TABLE,
          titles.map((title) => ({ title })),
        );
        if (titles.includes('big')) await trx(TABLE).where({ title: 'big' }).update({ title: 'big, updated' });
        return ids;
      },
      maxBatch: 50,
      oneStatement: (titles) => {
        asked.push(titles);
        return !titles.includes('big');
      },
      name: 'probe',
    });
    const { statements, stop } = watchStatements();
    try {
      await single.submit('small');
      assert.deepEqual(statements.splice(0), usingPostgres ? ['INSERT'] : ['BEGIN', 'INSERT', 'COMMIT']);
      await single.submit('big');
      assert.deepEqual(statements.splice(0), ['BEGIN', 'INSERT', 'UPDATE', 'COMMIT']);
    } finally {
      stop();
    }
    assert.deepEqual(asked, usingPostgres ? [['small'], ['big']] : [], 'asked on PostgreSQL only, with each batch');
    assert.deepEqual(await t.app.db(TABLE).orderBy('id').pluck('title'), ['small', 'big, updated']);
  });

  it('runBeforeCommit: on PostgreSQL BEGIN goes with the first statement, COMMIT with the last, two round trips; a bad item fails alone', async () => {
    const marker = 'SELECT 1 AS group_commit_marker';
    /** The ids the last statement's insert handed out: on PostgreSQL once it has run, after the writer returned. */
    const handedOut: number[] = [];
    const lastWrite = new GroupCommit({
      db: t.app.db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        await queryRows(trx, marker, []);
        const writes = new WriteSet();
        writes.insertReturningIds(
          TABLE,
          titles.map((title) => ({ title })),
          (ids) => handedOut.push(...ids),
        );
        await writes.runBeforeCommit(trx);
        return titles.map(() => 0);
      },
      maxBatch: 50,
      name: 'probe',
    });
    // What node-postgres is handed for the probe: each call is a round trip, and a trip says what goes with its statement.
    const trips: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const sent = args[0] as { text?: string; deps?: { trip: { before: string[]; after: string[] } } };
      const text = typeof sent === 'string' ? sent : (sent?.text ?? '');
      if (text.includes(TABLE) || text === marker || /^(BEGIN|COMMIT|ROLLBACK)/.test(text)) {
        trips.push(
          [
            ...(sent.deps?.trip.before ?? []),
            text.includes(TABLE) ? 'INSERT' : text === marker ? 'SELECT' : text.replace(';', ''),
            ...(sent.deps?.trip.after ?? []),
          ].join(' + '),
        );
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const { statements, stop } = watchStatements();
    try {
      await Promise.all(['a', 'b'].map((title) => lastWrite.submit(title)));
      assert.deepEqual(statements.splice(0), ['BEGIN', 'INSERT', 'COMMIT'], 'each statement a query event, in order');
      if (usingPostgres) assert.deepEqual(trips.splice(0), ['BEGIN + SELECT', 'INSERT + COMMIT']);
      assert.deepEqual(handedOut, (await t.app.db(TABLE).orderBy('id').pluck('id')).map(Number), 'the rows’ ids handed out before the items are answered');
      // 'c' twice breaks the unique title in the last statement: the batch rolls back, and one by one only the second 'c' fails.
      const results = await Promise.allSettled(['c', 'd', 'c'].map((title) => lastWrite.submit(title)));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      assert.match(String((results[2] as PromiseRejectedResult).reason), /unique|UNIQUE/);
      if (usingPostgres) assert.equal(trips.filter((trip) => trip === 'ROLLBACK').length, 2, 'the failed batch rolled back, then the bad item alone');
    } finally {
      pg.Client.prototype.query = query;
      stop();
    }
    assert.deepEqual(await t.app.db(TABLE).orderBy('id').pluck('title'), ['a', 'b', 'c', 'd']);
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

(usingPostgres ? describe.skip : describe)('group commit on SQLite: its transaction waits for the sync of the log', () => {
  let dir: string;
  let db: Knex;
  let syncs: Array<() => void>;
  let failSyncs = false;
  let holdSyncs = false;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-group-commit-'));
    syncs = [];
    db = knex({
      client: SqliteClient as unknown as typeof knex.Client,
      connection: { filename: path.join(dir, 'db.sqlite') },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
      walSync: {
        // Once the table is made, each sync waits for the test to let it finish (or fail).
        sync: async () =>
          holdSyncs &&
          new Promise<void>((resolve, reject) => {
            syncs.push(() => (failSyncs ? reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })) : resolve()));
          }),
      },
    } as Knex.Config);
    await db.schema.createTable('probe', (table) => {
      table.increments('id');
      table.string('title').notNullable();
    });
    holdSyncs = true;
  });
  after(async () => {
    holdSyncs = false;
    while (syncs.length) syncs.shift()!();
    await db?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('a batch is acknowledged, and its afterCommit runs, only once the sync after its COMMIT is done; the connection is free meanwhile', async () => {
    const heard: string[] = [];
    const batches = new GroupCommit({
      db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        await trx('probe').insert(titles.map((title) => ({ title })));
        afterCommit(trx, () => heard.push(...titles));
        return titles.map(() => null);
      },
      maxBatch: 50,
      name: 'probe',
    });
    let acknowledged = false;
    const submitted = Promise.all(['a', 'b'].map((title) => batches.submit(title))).then(() => {
      acknowledged = true;
    });
    while (!syncs.length) await turns(1);
    assert.deepEqual(await db('probe').orderBy('id').pluck('title'), ['a', 'b'], 'committed, and the connection serves a read during the sync');
    await turns(5);
    assert.equal(acknowledged, false, 'not acknowledged before the sync');
    assert.deepEqual(heard, [], 'afterCommit waits for the sync');
    syncs.shift()!();
    await submitted;
    assert.deepEqual(heard, ['a', 'b']);
  });

  const probeWriter = (pipeline: boolean) =>
    new GroupCommit({
      db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        await trx('probe').insert(titles.map((title) => ({ title })));
        return titles.map(() => null);
      },
      maxBatch: 50,
      name: 'probe',
      pipeline,
    });

  it('pipelined: the next batch is written during the sync of the one before, and acknowledged only after a sync begun after its COMMIT', async () => {
    const batches = probeWriter(true);
    const acknowledged: string[] = [];
    const submit = (title: string) => batches.submit(title).then(() => acknowledged.push(title));
    const first = Promise.all(['f', 'g'].map(submit));
    while (!syncs.length) await turns(1);
    const second = submit('h');
    while (!(await db('probe').where('title', 'h').first())) await turns(1);
    assert.equal(syncs.length, 1, 'h committed while the first sync still runs; its own sync waits for that one to end');
    assert.deepEqual(acknowledged, []);
    syncs.shift()!();
    await first;
    await turns(5);
    assert.deepEqual(acknowledged, ['f', 'g'], 'h waits for a sync that began after its COMMIT');
    while (!syncs.length) await turns(1);
    syncs.shift()!();
    await second;
    await batches.settled();
    assert.deepEqual(acknowledged, ['f', 'g', 'h']);
  });

  it('not pipelined: the next batch gathers while the one before waits for its sync', async () => {
    const batches = probeWriter(false);
    const first = batches.submit('i');
    while (!syncs.length) await turns(1);
    const later = ['j', 'k'].map((title) => batches.submit(title));
    await turns(10);
    assert.equal(await db('probe').whereIn('title', ['j', 'k']).first(), undefined, 'not written during the sync');
    syncs.shift()!();
    await first;
    while (!syncs.length) await turns(1);
    assert.deepEqual(await db('probe').whereIn('title', ['j', 'k']).orderBy('id').pluck('title'), ['j', 'k'], 'then written together');
    syncs.shift()!();
    await Promise.all(later);
  });

  it("wait: 'committed' answers once the COMMIT ran, before the sync; the durable items of its batch still wait for it", async () => {
    const batches = probeWriter(false);
    const acknowledged: string[] = [];
    const submit = (title: string, wait: 'durable' | 'committed') => batches.submit(title, { wait }).then(() => acknowledged.push(title));
    const both = [submit('mark', 'committed'), submit('outcome', 'durable')];
    while (!syncs.length) await turns(1);
    while (!acknowledged.length) await turns(1);
    assert.deepEqual(acknowledged, ['mark'], 'the mark is answered during the sync');
    assert.deepEqual(await db('probe').whereIn('title', ['mark', 'outcome']).orderBy('id').pluck('title'), ['mark', 'outcome'], 'one batch, committed');
    await turns(5);
    assert.deepEqual(acknowledged, ['mark'], 'the durable item waits for the sync');
    syncs.shift()!();
    await Promise.all(both);
    assert.deepEqual(acknowledged, ['mark', 'outcome']);
  });

  it("a batch of 'committed' items only does not hold the next one back while it syncs", async () => {
    const batches = probeWriter(false);
    const first = batches.submit('early', { wait: 'committed' });
    await first;
    assert.equal(syncs.length, 1, 'answered while its sync runs');
    const next = batches.submit('after');
    while (!(await db('probe').where('title', 'after').first())) await turns(1);
    assert.ok(syncs.length >= 1, 'written during that sync: nothing waited on it');
    while (syncs.length) {
      syncs.shift()!();
      await turns(2);
    }
    await next;
    await batches.settled();
  });

  it('a batch whose sync failed is rejected whole, written once, and its afterCommit never runs', async () => {
    const writes: string[][] = [];
    const heard: string[] = [];
    const batches = new GroupCommit({
      db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        writes.push(titles);
        await trx('probe').insert(titles.map((title) => ({ title })));
        afterCommit(trx, () => heard.push(...titles));
        return titles.map(() => null);
      },
      maxBatch: 50,
      name: 'probe',
    });
    const titles = ['c', 'd', 'e'];
    const results = Promise.allSettled(titles.map((title) => batches.submit(title)));
    while (!syncs.length) await turns(1);
    failSyncs = true;
    syncs.shift()!();
    for (const result of await results) {
      assert.equal(result.status, 'rejected', 'none acknowledged');
      assert.equal((result as PromiseRejectedResult).reason.code, WAL_SYNC_FAILED);
    }
    assert.deepEqual(writes, [titles], 'written once, as one batch');
    await turns(5);
    assert.deepEqual(heard, []);
  });
});

(usingPostgres ? describe : describe.skip)('group commit on PostgreSQL: the next batch runs during the one before’s COMMIT', () => {
  let t: TestApp;
  const table = 'group_commit_pg_probe';
  before(async () => {
    t = await createTestApp();
    await t.app.db.schema.createTable(table, (tb) => {
      tb.increments('id').primary();
      tb.string('title', 64).notNullable();
    });
    // Checked at COMMIT: 'slow' holds its COMMIT for a while, 'fails-at-commit' makes it fail.
    await t.app.db.raw(`
      create function ${table}_check() returns trigger language plpgsql as $$
      begin
        if new.title = 'slow' then perform pg_sleep(0.4); end if;
        if new.title = 'fails-at-commit' then raise exception 'refused at commit'; end if;
        return null;
      end $$;
      create constraint trigger ${table}_at_commit after insert on ${table} deferrable initially deferred
        for each row execute function ${table}_check();`);
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(table);
    await t?.app.db.raw(`drop function if exists ${table}_check()`);
    await t?.close();
  });

  /** `last`: the rows go as the batch's last statement, with its COMMIT. */
  const probe = (writes: string[][] = [], last = false) =>
    new GroupCommit({
      db: t.app.db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        writes.push(titles);
        const rows = titles.map((title) => ({ title }));
        if (!last) return insertRowsReturningIds(trx, table, rows);
        const set = new WriteSet();
        set.insert(table, rows);
        await set.runBeforeCommit(trx);
        return titles.map(() => 0);
      },
      maxBatch: 50,
      name: 'probe',
      pipeline: true,
    });

  it('a batch written while the one before waits for its COMMIT is acknowledged first; both are stored', async () => {
    const batches = probe();
    const acknowledged: string[] = [];
    const slow = batches.submit('slow').then(() => acknowledged.push('slow'));
    await new Promise((resolve) => setTimeout(resolve, 100)); // its COMMIT is running
    await batches.submit('quick').then(() => acknowledged.push('quick'));
    await slow;
    assert.deepEqual(acknowledged, ['quick', 'slow']);
    assert.deepEqual((await t.app.db(table).orderBy('id').pluck('title')).sort(), ['quick', 'slow']);
  });

  it('a statement after the last one handed over is refused: the batch fails and nothing of it is stored', async () => {
    await t.app.db(table).delete();
    const batches = new GroupCommit({
      db: t.app.db,
      logger: capturingLogger().logger,
      write: async (trx: Knex.Transaction, titles: string[]) => {
        const set = new WriteSet();
        set.insert(
          table,
          titles.map((title) => ({ title })),
        );
        await set.runBeforeCommit(trx);
        await queryRows(trx, 'SELECT 1', []);
        return titles.map(() => 0);
      },
      maxBatch: 50,
      name: 'probe',
    });
    await assert.rejects(batches.submit('too late'), /a statement after the transaction's last/);
    assert.deepEqual(await t.app.db(table).pluck('title'), []);
  });

  for (const last of [false, true])
    it(`a COMMIT that fails rejects its whole batch, never retried item by item; nothing stored${last ? ' (with the last statement)' : ''}`, async () => {
      await t.app.db(table).delete();
      const writes: string[][] = [];
      const batches = probe(writes, last);
      const results = await Promise.allSettled(['fine', 'fails-at-commit'].map((title) => batches.submit(title)));
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'rejected'],
      );
      assert.match(String((results[0] as PromiseRejectedResult).reason), /refused at commit/);
      assert.deepEqual(writes, [['fine', 'fails-at-commit']], 'written once');
      assert.deepEqual(await t.app.db(table).pluck('title'), []);
    });
});
