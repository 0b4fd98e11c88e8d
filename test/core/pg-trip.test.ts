// core/db/pg-trip.ts against a real PostgreSQL (on both passes): several statements in one round
// trip, each its own statement in the same transaction, and a failure that says which one failed
// and leaves the connection usable.
import assert from 'node:assert/strict';
import pg from 'pg';
import { sendTrip, tripPartOf } from '../../core/db/pg-trip.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('PostgreSQL trips: statements around a main one, answered at one Sync', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let other: pg.Client;
  /** Each round trip the client starts (a query handed to node-postgres), and the query events a trip emits. */
  let trips: number;
  const events: string[] = [];
  const knexClient = { config: {}, emit: (_: 'query', obj: object) => events.push((obj as { sql: string }).sql) };

  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    [client, other] = [new pg.Client({ connectionString: database.url! }), new pg.Client({ connectionString: database.url! })];
    await Promise.all([client.connect(), other.connect()]);
    await client.query(`CREATE TABLE trip_probe (id serial PRIMARY KEY, title text NOT NULL UNIQUE)`);
    await client.query(`
      CREATE FUNCTION trip_probe_check() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF new.title = 'fails-at-commit' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER trip_probe_at_commit AFTER INSERT ON trip_probe DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION trip_probe_check();`);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      trips++;
      return query(...args);
    };
  });
  after(async () => {
    await Promise.all([client?.end(), other?.end()]);
    await database?.drop();
  });
  beforeEach(async () => {
    await client.query('TRUNCATE trip_probe');
    trips = 0;
    events.length = 0;
  });

  const insert = (title: string, name?: string) => ({ text: 'INSERT INTO trip_probe (title) VALUES ($1) RETURNING id, title', values: [title], name });
  const titles = async () => (await other.query<{ title: string }>('SELECT title FROM trip_probe ORDER BY id')).rows.map((r) => r.title);

  it('node-postgres still has the Query members a trip overrides', () => {
    for (const member of ['prepare', '_getRows', 'handleCommandComplete', 'handleError', 'handleReadyForQuery']) {
      assert.equal(typeof (pg.Query.prototype as unknown as Record<string, unknown>)[member], 'function', `pg.Query#${member}`);
    }
  });

  it('BEGIN, a statement and COMMIT in one round trip: the main statement’s rows come back, the row is committed', async () => {
    const result = await sendTrip(knexClient, client, { ...insert('one', 'trip_insert'), before: ['BEGIN'], after: ['COMMIT'] });
    assert.equal(trips, 1);
    assert.deepEqual(
      result.rows.map((r) => (r as { title: string }).title),
      ['one'],
    );
    assert.equal(result.command, 'INSERT');
    assert.deepEqual(await titles(), ['one']);
    assert.deepEqual(events, ['COMMIT'], 'the statements after the main one are query events');
    // The prepared name is kept: the next trip binds it without parsing again, and it still works.
    await sendTrip(knexClient, client, { ...insert('two', 'trip_insert'), before: ['BEGIN'], after: ['COMMIT'] });
    assert.deepEqual(await titles(), ['one', 'two']);
  });

  it('the transaction spans the trips: a row lock taken with BEGIN holds till the COMMIT sent with a later statement', async () => {
    await client.query("INSERT INTO trip_probe (title) VALUES ('locked')");
    await sendTrip(knexClient, client, { text: "SELECT id FROM trip_probe WHERE title = 'locked' FOR UPDATE", values: [], before: ['BEGIN'], after: [] });
    assert.equal((await client.query('SELECT 1')).rowCount, 1, 'the connection answers while its transaction is open');
    const waiting = other.query("UPDATE trip_probe SET title = 'changed' WHERE title = 'locked' RETURNING title");
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(done, false, 'the other connection waits for the lock');
    await sendTrip(knexClient, client, { ...insert('last'), before: [], after: ['COMMIT'] });
    assert.equal((await waiting).rows[0].title, 'changed');
    assert.deepEqual(await titles(), ['changed', 'last']);
  });

  it('a failing main statement is the main part’s: nothing after it runs, and a ROLLBACK leaves the connection usable', async () => {
    await client.query("INSERT INTO trip_probe (title) VALUES ('taken')");
    const err = await sendTrip(knexClient, client, { ...insert('taken', 'trip_insert'), before: ['BEGIN'], after: ['COMMIT'] }).catch((e: unknown) => e);
    assert.equal((err as { code?: string }).code, '23505', 'node-postgres’s own error, its code kept');
    assert.equal(tripPartOf(err), 'main');
    // The COMMIT was skipped: the transaction is open and failed until rolled back.
    await assert.rejects(client.query('SELECT 1'), /current transaction is aborted/);
    await client.query('ROLLBACK');
    await sendTrip(knexClient, client, { ...insert('after', 'trip_insert'), before: ['BEGIN'], after: ['COMMIT'] });
    assert.deepEqual(await titles(), ['taken', 'after']);
  });

  it('a COMMIT that fails is the after part’s: the main statement ran, and nothing of it is stored', async () => {
    const err = await sendTrip(knexClient, client, { ...insert('fails-at-commit'), before: ['BEGIN'], after: ['COMMIT'] }).catch((e: unknown) => e);
    assert.match(String(err), /refused at commit/);
    assert.equal(tripPartOf(err), 'after');
    assert.deepEqual(await titles(), []);
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1, 'the connection is usable');
  });

  it('a named statement that fails to parse after BEGIN is not taken as prepared: the name works once its text does', async () => {
    const broken = { text: 'INSERT INTO trip_probe_missing (title) VALUES ($1)', values: ['x'], name: 'trip_broken' };
    await assert.rejects(sendTrip(knexClient, client, { ...broken, before: ['BEGIN'], after: ['COMMIT'] }), /does not exist/);
    await client.query('ROLLBACK');
    await client.query('CREATE TABLE trip_probe_missing (title text)');
    try {
      await sendTrip(knexClient, client, { ...broken, before: ['BEGIN'], after: ['COMMIT'] });
      assert.equal((await other.query('SELECT count(*)::int AS n FROM trip_probe_missing')).rows[0].n, 1);
    } finally {
      await client.query('DROP TABLE trip_probe_missing');
    }
  });
});
