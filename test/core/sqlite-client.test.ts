// The SQLite client (core/db/sqlite-client.ts). A write resolves only once the write-ahead log has
// been fsynced after its commit (the connection runs synchronous=NORMAL and syncs off the main
// thread), and reads never sync. While another
// connection holds the write lock, a write through the app waits for it without blocking the event
// loop, and goes through once the lock is released. With SQLite's own busy_timeout on a
// synchronous driver the wait would sleep the whole process: here the test's own connection, in the
// same process, could then never release the lock (the write would fail "database is locked" after
// 5 s, and nothing else would run meanwhile).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import knex, { type Knex } from 'knex';
import { committedTransaction } from '../../core/db/committed-transaction.js';
import { SqliteClient, walCheckpointer, walSyncCount } from '../../core/db/sqlite-client.js';
import type { WalCheckpointOptions } from '../../core/db/wal-checkpointer.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/database.js';

(usingPostgres ? describe.skip : describe)('SQLite client: durable commits and a locked database waited for, not slept on', () => {
  let t: TestApp;
  let other: Database.Database;
  before(async () => {
    // The scheduler's lease renewals and jobs write in the background; a sync of theirs ending
    // inside a counted span would be taken for the test's own.
    t = await createTestApp({ overrides: { scheduler: { enabled: false } } });
    other = new Database(path.join(t.database.dataDir, 'plinth.sqlite'));
  });
  after(async () => {
    other?.close();
    await t?.close();
  });

  /** The syncs of the app's one pooled connection (read without taking it from the pool). */
  async function syncs(): Promise<number> {
    if (!connection) {
      connection = await t.app.db.client.acquireConnection();
      await t.app.db.client.releaseConnection(connection);
    }
    return walSyncCount(connection as Parameters<typeof walSyncCount>[0]);
  }
  let connection: Parameters<typeof walSyncCount>[0] | undefined;

  it('a write resolves after its WAL fsync; a read does not sync; a transaction syncs once, at COMMIT', async () => {
    const before = await syncs();
    await t.app.db('example_notes').insert({ tenant_id: 't1', title: 'one', created_at: new Date().toISOString() });
    const afterWrite = await syncs();
    assert.equal(afterWrite, before + 1, 'one fsync before the insert resolved');
    await t.app.db('example_notes').select();
    await t.app.db.transaction(async (trx) => {
      await trx('example_notes').select();
      await trx('example_notes').insert({ tenant_id: 't1', title: 'two', created_at: new Date().toISOString() });
      assert.equal(await syncs(), afterWrite, 'nothing synced inside the transaction');
    });
    assert.equal(await syncs(), afterWrite + 1, 'reads did not sync; the transaction synced once, at COMMIT');
  });

  it('an autocommit write that changed no row does not sync (the outbox’s idle polls); one that did, does', async () => {
    const before = await syncs();
    assert.equal(await t.app.db('example_notes').where('title', 'no such note').update({ title: 'x' }), 0);
    await t.app.db('example_notes').where('title', 'no such note').delete();
    assert.equal(await syncs(), before, 'nothing written, nothing synced');
    assert.equal(await t.app.db('example_notes').where('title', 'one').update({ title: 'one' }), 1);
    assert.equal(await syncs(), before + 1);
  });

  /** Runs `fn` with the disk flush held until it calls `release` (the one part of a commit the test controls). */
  async function withSyncHeld(fn: (sync: { requested: () => number; release: () => void }) => Promise<void>): Promise<void> {
    const fdatasync = fs.fdatasync;
    let requested = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    (fs as { fdatasync: typeof fs.fdatasync }).fdatasync = ((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      requested++;
      void held.then(() => fdatasync(fd, done));
    }) as typeof fs.fdatasync;
    try {
      await fn({ requested: () => requested, release });
    } finally {
      (fs as { fdatasync: typeof fs.fdatasync }).fdatasync = fdatasync;
      release();
    }
  }

  const note = (title: string) => ({ tenant_id: 't1', title, created_at: new Date().toISOString() });

  it('while a commit’s log sync runs, the connection serves the next statement; the commit’s caller waits for the sync', async () => {
    await withSyncHeld(async (sync) => {
      let acknowledged = false;
      const write = t.app.db
        .transaction((trx) => trx('example_notes').insert(note('held')))
        .then(() => {
          acknowledged = true;
        });
      while (sync.requested() === 0) await new Promise((resolve) => setImmediate(resolve));
      const rows = await t.app.db('example_notes').where('title', 'held').select('title');
      assert.equal(rows.length, 1, 'a read ran while the sync was held');
      assert.equal(acknowledged, false, 'the transaction has not resolved before its sync');
      sync.release();
      await write;
      assert.equal(acknowledged, true);
    });
  });

  it('a committedTransaction answers at its COMMIT, while the sync is held; the next durable commit waits for it', async () => {
    await withSyncHeld(async (sync) => {
      const id = await committedTransaction(t.app.db, async (trx) => {
        const [row] = await trx('example_notes').insert(note('counted')).returning('id');
        return row.id;
      });
      assert.ok(id, 'answered with the sync held');
      assert.ok(sync.requested() >= 1, 'its sync was asked for');
      let durable = false;
      const write = t.app.db
        .transaction((trx) => trx('example_notes').insert(note('durable')))
        .then(() => {
          durable = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(durable, false, 'a durable transaction still waits for the disk');
      sync.release();
      await write;
      assert.deepEqual(
        (await t.app.db('example_notes').whereIn('title', ['counted', 'durable']).orderBy('id')).map((r) => r.title),
        ['counted', 'durable'],
      );
    });
  });

  it('a transaction holds the write lock from its BEGIN: no other connection commits between its read and its write', async () => {
    // Begun DEFERRED, the read took no write lock, the other connection committed, and the insert
    // failed with SQLITE_BUSY_SNAPSHOT (the WAL checkpointer's log restart did this to a robot activation).
    const timeout = other.pragma('busy_timeout', { simple: true });
    other.pragma('busy_timeout = 0');
    let otherGot = '';
    try {
      await t.app.db.transaction(async (trx) => {
        await trx('example_notes').select();
        try {
          other.exec('BEGIN IMMEDIATE');
          other.pragma(`user_version = ${Number(other.pragma('user_version', { simple: true }))}`);
          other.exec('COMMIT');
          otherGot = 'the write lock';
        } catch (err) {
          otherGot = String((err as { code?: unknown }).code);
        }
        await trx('example_notes').insert({ tenant_id: 't1', title: 'read, then written', created_at: new Date().toISOString() });
      });
    } finally {
      other.pragma(`busy_timeout = ${Number(timeout)}`);
    }
    assert.equal(otherGot, 'SQLITE_BUSY');
    assert.equal((await t.app.db('example_notes').where('title', 'read, then written')).length, 1);
  });

  it('a write behind another connection’s write lock waits while the app keeps answering, then is stored', async () => {
    const before = Number((await t.app.db('example_notes').count({ n: '*' }).first())?.n);
    other.exec('BEGIN IMMEDIATE');
    let settled = false;
    const write = t.request('POST', '/example/notes', { body: { title: 'behind the lock' }, headers: testAuth('u1', 't1') }).finally(() => {
      settled = true;
    });
    // The app still answers (the event loop is free) while its write waits for the lock.
    for (let i = 0; i < 5; i++) {
      assert.equal((await t.request('GET', '/health')).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(settled, false, 'the write waits for the lock');
    other.exec('COMMIT');
    const reply = await write;
    assert.equal(reply.status, 201, reply.text);
    assert.equal(Number((await t.app.db('example_notes').count({ n: '*' }).first())?.n), before + 1);
  });
});

/**
 * A database file of its own with one table (id, body), opened through the SQLite client with these
 * checkpoint settings, for the calling describe (its before and after hooks).
 */
function ownDatabase(table: string, walCheckpoint: Partial<WalCheckpointOptions>): { dir: string; db: Knex } {
  const own = { dir: '', db: undefined as unknown as Knex };
  before(async () => {
    own.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-wal-'));
    own.db = knex({
      client: SqliteClient as unknown as typeof knex.Client,
      connection: { filename: path.join(own.dir, 'db.sqlite') },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
      walCheckpoint,
    } as Knex.Config);
    await own.db.schema.createTable(table, (t) => {
      t.increments('id');
      t.text('body');
    });
  });
  after(async () => {
    await own.db?.destroy();
    if (own.dir) fs.rmSync(own.dir, { recursive: true, force: true });
  });
  return own;
}

/** The database's one pooled connection, read without keeping it from the pool. */
async function pooledConnection(db: Knex): Promise<Parameters<typeof walCheckpointer>[0]> {
  const connection = (await db.client.acquireConnection()) as Parameters<typeof walCheckpointer>[0];
  await db.client.releaseConnection(connection);
  return connection;
}

(usingPostgres ? describe.skip : describe)('SQLite client: checkpoints on a worker thread once the database is written often', () => {
  const own = ownDatabase('pages', { startAfterWrites: 20, everyWrites: 10, maxDelayMs: 50 });

  /** The one pooled connection, and what it and its checkpointer say. */
  async function state() {
    const connection = await pooledConnection(own.db);
    const checkpointer = walCheckpointer(connection)!;
    return { checkpointer, autoCheckpointPages: connection.pragma('wal_autocheckpoint', { simple: true }) };
  }
  const write = (n: number) => own.db('pages').insert(Array.from({ length: n }, () => ({ body: 'x'.repeat(3000) })));
  const until = async (what: () => Promise<boolean>) => {
    while (!(await what())) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('a lightly written database checkpoints for itself: no thread started', async () => {
    for (let i = 0; i < 3; i++) await write(1);
    const { checkpointer, autoCheckpointPages } = await state();
    assert.equal(checkpointer.started, false, 'no worker thread');
    assert.equal(checkpointer.autoCheckpoint, true);
    assert.equal(autoCheckpointPages, 1000, "SQLite's own auto-checkpoint, unchanged");
  });

  it('past the writes it waits for, the worker checkpoints and the connection stops checkpointing in its COMMITs', async () => {
    for (let i = 0; i < 20; i++) await write(1);
    await until(async () => !(await state()).checkpointer.autoCheckpoint);
    await write(1); // the next commit follows the worker
    assert.equal((await state()).autoCheckpointPages, 0);
    for (let i = 0; i < 50; i++) await write(10);
    await until(async () => (await state()).checkpointer.done.pages > 0);
    assert.equal(Number((await own.db('pages').count({ n: '*' }).first())?.n), 524);
  });

  it('if the worker dies, the connection checkpoints for itself again', async () => {
    const { checkpointer } = await state();
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    assert.equal(checkpointer.started, false);
    assert.equal(checkpointer.autoCheckpoint, true);
    await write(1);
    assert.equal((await state()).autoCheckpointPages, 1000);
  });
});

(usingPostgres ? describe.skip : describe)('SQLite client: the checkpointer restarts a fully checkpointed log', () => {
  // A checkpoint only after a quiet spell, so the test's two commits fall between two of them.
  const own = ownDatabase('notes', { startAfterWrites: 0, everyWrites: 1_000, maxDelayMs: 500 });

  it("after a checkpoint that copied the whole log, the server's next COMMIT appends: the restart (header rewrite, fsync) was the worker's", async () => {
    const connection = await pooledConnection(own.db);
    const checkpointer = walCheckpointer(connection)!;
    const walHeader = () => fs.readFileSync(path.join(own.dir, 'db.sqlite-wal')).subarray(0, 32).toString('hex');
    while (checkpointer.autoCheckpoint) await new Promise((resolve) => setTimeout(resolve, 5)); // the worker is up
    await own.db('notes').insert({ body: 'first' });
    // Nothing else writes: the worker copies the whole log, then restarts it (new salts in its header).
    while (checkpointer.done.restarts === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const header = walHeader();
    await own.db('notes').insert({ body: 'second' });
    assert.equal(walHeader(), header, 'the commit appended to the log the worker restarted');
    assert.deepEqual(await own.db('notes').orderBy('id').pluck('body'), ['first', 'second']);
  });
});

(usingPostgres ? describe.skip : describe)('SQLite client: under writes that never pause, the log stays bounded', () => {
  const MAX_LOG_PAGES = 200;
  const own = ownDatabase('pages', { startAfterWrites: 0, everyWrites: 20, maxDelayMs: 100, maxLogPages: MAX_LOG_PAGES });

  it('keeps statement journals in memory: a multi-row insert in a transaction opens no temporary file', async () => {
    const connection = await pooledConnection(own.db);
    assert.equal(connection.pragma('temp_store', { simple: true }), 2);
  });

  it('writers that always have a transaction open still see the log restarted, and it shrinks back to its limit', async () => {
    const connection = await pooledConnection(own.db);
    const checkpointer = walCheckpointer(connection)!;
    const walBytes = () => fs.statSync(path.join(own.dir, 'db.sqlite-wal')).size;
    while (checkpointer.autoCheckpoint) await new Promise((resolve) => setTimeout(resolve, 5)); // the worker is up
    // Eight writers, each a transaction that spans turns of the event loop: one of them nearly always
    // holds the write lock, so the worker can never restart the log between two of them for free.
    let largest = 0;
    const writer = async (w: number) => {
      for (let i = 0; i < 250; i++) {
        await own.db.transaction(async (trx) => {
          await trx('pages').insert({ body: `${w}:${i}:`.padEnd(3000, 'x') });
          await trx('pages').where('id', '<', 0).update({ body: '' });
        });
        largest = Math.max(largest, walBytes());
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    const frameBytes = 4096 + 24; // a page and its frame header
    const { restarts } = checkpointer.done;
    // 2,000 commits wrote ~6,000 frames: never restarted, the log would hold them all (~25 MB).
    assert.ok(restarts >= 3, `the log was restarted while the writers wrote (${JSON.stringify(checkpointer.done)})`);
    assert.ok(largest < 10 * MAX_LOG_PAGES * frameBytes, `the log peaked at ${largest} bytes`);
    // Once quiet, the next restart cuts the file back to the limit (journal_size_limit); where the last
    // restart came after the last write, there is no next one to wait for (the checkpointer waits for writes).
    while (checkpointer.done.restarts === restarts && walBytes() > MAX_LOG_PAGES * 4096) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(walBytes() <= MAX_LOG_PAGES * 4096, `the log is ${walBytes()} bytes after its restart`);
    assert.equal(Number((await own.db('pages').count({ n: '*' }).first())?.n), 2000);
  });
});
