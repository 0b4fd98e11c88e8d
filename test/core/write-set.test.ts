// core/db/direct-query.ts WriteSet and reserveIds: a batch's writes to several tables go to the
// database together (one statement on PostgreSQL, in turn on SQLite), rows referring to each other
// by ids taken beforehand. What must hold on both: every row written with the ids given, ids
// returned in order, a failing part leaving nothing written, and no id ever given twice.
import assert from 'node:assert/strict';
import pg from 'pg';
import { reserveIds, WriteSet } from '../../core/db/direct-query.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { usingPostgres } from '../helpers/database.js';

const PARENT = 'write_set_parent';
const CHILD = 'write_set_child';
const LOG = 'write_set_log';

describe('WriteSet and reserveIds: a batch’s writes together', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.app.db.schema.createTable(PARENT, (table) => {
      table.increments('id').primary();
      table.string('name', 64).notNullable().unique();
      table.string('touched_at', 24);
    });
    await t.app.db.schema.createTable(CHILD, (table) => {
      table.integer('parent_id').primary().references('id').inTable(PARENT).onDelete('CASCADE');
      table.binary('bytes').notNullable();
    });
    await t.app.db.schema.createTable(LOG, (table) => {
      table.increments('id').primary();
      table.string('what', 64).notNullable();
    });
  });
  after(async () => {
    await t?.app.db.schema.dropTableIfExists(CHILD);
    await t?.app.db.schema.dropTableIfExists(PARENT);
    await t?.app.db.schema.dropTableIfExists(LOG);
    await t?.close();
  });
  beforeEach(async () => {
    await t.app.db(CHILD).delete();
    await t.app.db(PARENT).delete();
    await t.app.db(LOG).delete();
  });

  /** The SQL statements `fn` sends, as query listeners see them. */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql);
    t.app.db.on('query', listen);
    try {
      await fn();
    } finally {
      t.app.db.off('query', listen);
    }
    return seen.filter((sql) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(sql.trim()));
  }

  it('writes rows that refer to each other by reserved ids, returns the ids it was asked for in order, and is one statement on PostgreSQL', async () => {
    await t.app.db(PARENT).insert({ name: 'already-there' });
    let logIds: number[] = [];
    let parentIds: number[] = [];
    const statements = await statementsOf(() =>
      t.app.db.transaction(async (trx) => {
        parentIds = await reserveIds(trx, PARENT, 3);
        const writes = new WriteSet();
        writes.insert(
          PARENT,
          parentIds.map((id, i) => ({ id, name: `p${i}` })),
        );
        writes.insert(
          CHILD,
          parentIds.map((id, i) => ({ parent_id: id, bytes: Buffer.from([i, 255]) })),
        );
        writes.query(`UPDATE ${PARENT} SET touched_at = ? WHERE name = ?`, ['2026-11-27T00:00:00.000Z', 'already-there']);
        writes.insertReturningIds(LOG, [{ what: 'first' }, { what: 'second' }], (ids) => (logIds = ids));
        await writes.run(trx);
      }),
    );
    // The platform's own background statements (the outbox's claims) are not the set's.
    const writesSent = statements.filter((sql) => sql.includes('write_set_') && !/nextval|pg_get_serial_sequence|sqlite_sequence/i.test(sql));
    assert.equal(writesSent.length, usingPostgres ? 1 : 4, `statements sent: ${writesSent.join('\n')}`);

    const existing = await t.app.db(PARENT).where({ name: 'already-there' }).first();
    assert.ok(
      parentIds.every((id) => id > Number(existing.id)),
      'reserved ids follow the ones in use',
    );
    assert.deepEqual(
      [...parentIds].sort((a, b) => a - b),
      parentIds,
      'ascending',
    );
    const parents = await t.app.db(PARENT).whereIn('id', parentIds).orderBy('id');
    assert.deepEqual(
      parents.map((p) => [Number(p.id), p.name]),
      parentIds.map((id, i) => [id, `p${i}`]),
    );
    const children = await t.app.db(CHILD).orderBy('parent_id');
    assert.deepEqual(
      children.map((c) => [Number(c.parent_id), [...Buffer.from(c.bytes)]]),
      parentIds.map((id, i) => [id, [i, 255]]),
    );
    assert.equal(existing.touched_at, '2026-11-27T00:00:00.000Z', 'the UPDATE ran with the inserts');
    const log = await t.app.db(LOG).orderBy('id');
    assert.deepEqual(
      logIds,
      ['first', 'second'].map((what) => Number(log.find((r) => r.what === what).id)),
      'insertReturningIds gives the rows’ ids in the rows’ order',
    );
  });

  it('a part that fails leaves nothing of the set written, and names its SQL', async () => {
    await t.app.db(PARENT).insert({ name: 'taken' });
    await assert.rejects(
      t.app.db.transaction(async (trx) => {
        const ids = await reserveIds(trx, PARENT, 2);
        const writes = new WriteSet();
        writes.insert(PARENT, [
          { id: ids[0], name: 'new' },
          { id: ids[1], name: 'taken' },
        ]);
        writes.insert(
          CHILD,
          ids.map((id) => ({ parent_id: id, bytes: Buffer.from('x') })),
        );
        writes.insertReturningIds(LOG, [{ what: 'never' }], () => assert.fail('no ids for a set that failed'));
        await writes.run(trx);
      }),
      (err: Error) => new RegExp(`INSERT INTO "${PARENT}"`).test(err.message),
    );
    assert.deepEqual(
      (await t.app.db(PARENT).select('name')).map((r) => r.name),
      ['taken'],
    );
    assert.equal((await t.app.db(CHILD)).length, 0);
    assert.equal((await t.app.db(LOG)).length, 0);
  });

  it('runAtomically: one statement and no transaction on PostgreSQL, a transaction on SQLite; all or nothing either way', async () => {
    const sent: string[] = [];
    const listen = (q: { sql: string }) => sent.push(q.sql.trim());
    t.app.db.on('query', listen);
    try {
      const writes = new WriteSet();
      writes.insert(PARENT, [{ name: 'one' }]);
      writes.insert(LOG, [{ what: 'logged' }]);
      await writes.runAtomically(t.app.db);
    } finally {
      t.app.db.off('query', listen);
    }
    const ours = sent.filter((sql) => sql.includes('write_set_') || /^(BEGIN|COMMIT)/i.test(sql));
    assert.equal(ours.length, usingPostgres ? 1 : 4, `statements sent: ${ours.join('\n')}`);
    assert.equal((await t.app.db(PARENT).where({ name: 'one' })).length, 1);

    const failing = new WriteSet();
    failing.insert(LOG, [{ what: 'never' }]);
    failing.insert(PARENT, [{ name: 'one' }]);
    let told = false;
    failing.afterCommit(() => (told = true));
    await assert.rejects(failing.runAtomically(t.app.db), /unique|UNIQUE/);
    assert.equal((await t.app.db(LOG).where({ what: 'never' })).length, 0, 'the write beside the failing one is not kept');
    assert.equal(told, false, 'afterCommit is not called for a set that failed');
  });

  it('afterCommit: called once the transaction the set ran in commits, not when the set has run; never after a rollback', async () => {
    const calls: string[] = [];
    await t.app.db.transaction(async (trx) => {
      const writes = new WriteSet();
      writes.insert(LOG, [{ what: 'committed' }]);
      writes.afterCommit(() => calls.push('committed'));
      await writes.run(trx);
      assert.deepEqual(calls, [], 'not before the commit');
    });
    assert.deepEqual(calls, ['committed']);
    await assert.rejects(
      t.app.db.transaction(async (trx) => {
        const writes = new WriteSet();
        writes.insert(LOG, [{ what: 'rolled back' }]);
        writes.afterCommit(() => calls.push('rolled back'));
        await writes.run(trx);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['committed']);
    assert.equal((await t.app.db(LOG).where({ what: 'rolled back' })).length, 0);
  });

  it('never gives an id twice: not one a deleted row had, nor one another reservation took', async () => {
    const first = await t.app.db.transaction(async (trx) => {
      const ids = await reserveIds(trx, PARENT, 2);
      const writes = new WriteSet();
      writes.insert(
        PARENT,
        ids.map((id) => ({ id, name: `n${id}` })),
      );
      await writes.run(trx);
      return ids;
    });
    await t.app.db(PARENT).whereIn('id', first).delete();
    const [second] = await t.app.db.transaction((trx) => reserveIds(trx, PARENT, 1));
    assert.ok(second > first[1], `${second} after ${first[1]}, the largest id the table had`);
    // A row inserted the usual way after explicit ids takes the next one.
    await t.app.db.transaction(async (trx) => {
      const writes = new WriteSet();
      writes.insert(PARENT, [{ id: second, name: 'explicit' }]);
      await writes.run(trx);
    });
    const [usual] = await t.app.db(PARENT).insert({ name: 'usual' }).returning('id');
    assert.ok(Number(usual.id ?? usual) > second);
  });

  it('ids taken with rows locked first commit in order within those rows: a second reservation waits for the first’s commit (PostgreSQL)', async function () {
    if (!usingPostgres) this.skip();
    const [group, other] = await t.app
      .db(PARENT)
      .insert([{ name: 'group' }, { name: 'other' }])
      .returning('id');
    const groupId = Number(group.id ?? group);
    const otherId = Number(other.id ?? other);
    /** Whether a backend waits on a lock in the reservation's statement (pg_stat_activity, no timing). */
    const waitingOnLock = async () =>
      (
        await t.app.db.raw(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%' AND pid <> pg_backend_pid()",
        )
      ).rows[0].n > 0;
    const first = await t.app.db.transaction();
    const second = await t.app.db.transaction();
    try {
      const firstIds = await reserveIds(first, LOG, 2, { table: PARENT, ids: [groupId] });
      // Another group is not held up.
      const elsewhere = await t.app.db.transaction();
      assert.equal((await reserveIds(elsewhere, LOG, 1, { table: PARENT, ids: [otherId] })).length, 1);
      await elsewhere.commit();
      let secondIds: number[] | undefined;
      const reserving = reserveIds(second, LOG, 1, { table: PARENT, ids: [otherId, groupId] }).then((ids) => (secondIds = ids));
      for (let tries = 0; !(await waitingOnLock()); tries++) {
        assert.ok(tries < 200, 'the second reservation never waited on the first’s lock');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(secondIds, undefined, 'no id before the first transaction ends');
      await first.table(LOG).insert(firstIds.map((id) => ({ id, what: 'first' })));
      await first.commit();
      await reserving;
      assert.ok(secondIds![0] > firstIds[1], `${secondIds![0]} after ${firstIds[1]}`);
      await second.table(LOG).insert({ id: secondIds![0], what: 'second' });
      await second.commit();
    } finally {
      for (const trx of [first, second]) if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
    }
    assert.deepEqual(
      (await t.app.db(LOG).orderBy('id')).map((r) => r.what),
      ['first', 'first', 'second'],
    );
  });

  it('on SQLite a reservation outside a transaction is refused (another writer could take the ids)', async function () {
    if (usingPostgres) this.skip();
    await assert.rejects(reserveIds(t.app.db, PARENT, 1), /runs in the transaction/);
  });

  it('a set over PostgreSQL’s 65,535 bound values still writes everything, in turn', async () => {
    const many = 22_000; // 3 values a row with the ids: 66,000
    const rows = Array.from({ length: many }, (_, i) => ({ name: `bulk${i}` }));
    await t.app.db.transaction(async (trx) => {
      const ids = await reserveIds(trx, PARENT, many);
      const writes = new WriteSet();
      for (let i = 0; i < many; i += 5_000)
        writes.insert(
          PARENT,
          rows.slice(i, i + 5_000).map((row, j) => ({ id: ids[i + j], ...row, touched_at: null })),
        );
      await writes.run(trx);
    });
    assert.equal(Number((await t.app.db(PARENT).count({ n: '*' }))[0].n), many);
  });

  it('a call (pg_notify) runs once with the writes, in their one statement, and is heard only if they commit (PostgreSQL)', async function () {
    if (!usingPostgres) this.skip();
    const listener = new pg.Client({ connectionString: t.database.url! }); // NOTIFY reaches listeners of its own database
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('LISTEN write_set_test');
    try {
      /** A set with a call, and an insert that returns ids (the call is then a branch of the final select) or not (it is the select). */
      const set = (name: string, logged?: (ids: number[]) => void) => {
        const writes = new WriteSet();
        writes.call('pg_notify(?, ?)', ['write_set_test', `for ${name}`]);
        writes.insert(PARENT, [{ name }]);
        if (logged) writes.insertReturningIds(LOG, [{ what: name }], logged);
        else writes.insert(LOG, [{ what: name }]);
        return writes;
      };
      let ids: number[] = [];
      const statements = await statementsOf(() => set('called', (got) => (ids = got)).run(t.app.db));
      assert.equal(statements.filter((sql) => sql.includes('pg_notify')).length, 1, statements.join('\n'));
      assert.match(statements.find((sql) => sql.includes('pg_notify'))!, /^WITH .*INSERT INTO "write_set_parent"/s);
      assert.equal(ids.length, 1, 'the ids still come back beside the call');
      await set('plain').run(t.app.db);
      await t.app.db(PARENT).insert({ name: 'taken' });
      await assert.rejects(set('taken').run(t.app.db), /unique|duplicate/i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(heard, ['for called', 'for plain'], 'the failed set’s notification was never sent');
      assert.deepEqual(
        (await t.app.db(LOG).orderBy('id')).map((r) => r.what),
        ['called', 'plain'],
      );
    } finally {
      await listener.end();
    }
  });
});
