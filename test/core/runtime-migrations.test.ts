import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { openDatabase, runPlinth, writeConfig, writePlugins } from '../helpers/processes.js';

/** The core's own migrations, in the order they run. */
const CORE = fs
  .readdirSync(new URL('../../core/db/migrations/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `core/${f.replace(/\.ts$/, '')}`);
const EXAMPLE = 'example/20261121130000_example_tables';
const BAD = 'badmig/20261121150000_bad_things';

const applied = (db: Knex) => db('core_migrations').orderBy('id').pluck('name') as Promise<string[]>;

/** A plugin whose migration creates a table and then throws. */
function badPluginDir(): string {
  return writePlugins(fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugins-')), {
    badmig: {
      'index.js': `export default { name: 'badmig', migrations: 'migrations' };\n`,
      'migrations/20261121150000_bad_things.js': [
        'export async function up(knex) {',
        "  await knex.schema.createTable('badmig_things', (t) => { t.increments('id'); t.string('name'); });",
        "  await knex('badmig_things').insert({ name: 'half' });",
        "  throw new Error('bad migration exploded');",
        '}',
        '',
      ].join('\n'),
    },
  });
}

describe('runtime: migrations', () => {
  let database: TestDatabase;
  let t: TestApp | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await database.drop();
  });

  it('a fresh database gets the core then the example migrations, recorded as <owner>/<file>; a second boot applies nothing', async () => {
    t = await createTestApp({ database });
    assert.deepEqual(t.app.migrationsApplied, [...CORE, EXAMPLE]);
    assert.deepEqual(await applied(t.app.db), [...CORE, EXAMPLE]);
    for (const table of ['core_events', 'core_event_handled', 'core_jobs', 'core_job_runs', 'core_mail_outbox', 'example_notes', 'example_note_log']) {
      assert.ok(await t.app.db.schema.hasTable(table), `${table} exists`);
    }
    await t.close();

    t = await createTestApp({ database });
    assert.deepEqual(t.app.migrationsApplied, []);
    assert.deepEqual(await applied(t.app.db), [...CORE, EXAMPLE]);
  });

  it('disabling a plugin later does not break the boot (its applied migrations are not corruption); enabling it again applies nothing', async () => {
    t = await createTestApp({ database });
    assert.equal((await t.request('POST', '/example/notes', { body: { title: 'kept' }, headers: testAuth('u1', 't1') })).status, 201);
    await t.close();

    t = await createTestApp({ database, plugins: [] });
    assert.deepEqual(t.app.migrationsApplied, []);
    assert.deepEqual(await applied(t.app.db), [...CORE, EXAMPLE], "the disabled plugin's record stays");
    assert.equal((await t.request('GET', '/example/hello')).status, 404, 'its routes are gone');
    assert.equal((await t.request('GET', '/health')).status, 200);
    assert.deepEqual(
      t.app.scheduler
        .list()
        .map((j) => j.name)
        .sort(),
      ['core.backup', 'core.retention'],
      'its jobs are gone (the core’s own stay)',
    );
    await t.close();

    t = await createTestApp({ database });
    assert.deepEqual(t.app.migrationsApplied, []);
    const notes = await t.request('GET', '/example/notes', { headers: testAuth('u1', 't1') });
    assert.equal(notes.status, 200);
    assert.deepEqual(
      notes.body.map((n: { title: string }) => n.title),
      ['kept'],
    );
  });

  it('a migration that throws fails the boot with its error and leaves no half-applied table; the lock is freed', async () => {
    const dir = badPluginDir();
    const db = openDatabase(database);
    try {
      // On a fresh database: the whole batch is one transaction, so nothing of it stays.
      await assert.rejects(
        createTestApp({ database, plugins: ['example', 'badmig'], overrides: { pluginDirs: ['plugins', 'test/fixtures/plugins', dir] } }),
        /bad migration exploded/,
      );
      assert.equal(await db.schema.hasTable('badmig_things'), false, 'no half-applied table');
      assert.deepEqual(await applied(db), []);
      assert.equal(await db.schema.hasTable('example_notes'), false, 'the batch was rolled back as a whole');
      assert.deepEqual(await db('core_migrations_lock').pluck('is_locked'), [0], 'the migration lock was released');

      // Without the broken plugin the same database boots at once (no stale lock to wait for).
      t = await createTestApp({ database });
      assert.deepEqual(t.app.migrationsApplied, [...CORE, EXAMPLE]);
      await t.close();
      t = undefined;

      // Enabled later, on a migrated database: the boot fails again, the others' tables and records stay.
      await assert.rejects(
        createTestApp({ database, plugins: ['example', 'badmig'], overrides: { pluginDirs: ['plugins', 'test/fixtures/plugins', dir] } }),
        /bad migration exploded/,
      );
      assert.equal(await db.schema.hasTable('badmig_things'), false);
      assert.deepEqual(await applied(db), [...CORE, EXAMPLE]);
      assert.ok(!(await applied(db)).includes(BAD));
      assert.deepEqual(await db('core_migrations_lock').pluck('is_locked'), [0]);

      // And through the CLI: exit 1 with the migration's error.
      const cli = await runPlinth(
        ['migrate'],
        writeConfig(database, { plugins: ['example', 'badmig'], pluginDirs: ['plugins', 'test/fixtures/plugins', dir], log: { level: 'warn' } }),
      );
      assert.equal(cli.code, 1, cli.output);
      assert.match(cli.output, /bad migration exploded/);
      assert.equal(await db.schema.hasTable('badmig_things'), false);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runtime: migrating one fresh database from two places at once', function () {
  this.timeout(60_000);
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(dialect, () => {
      let database: TestDatabase;
      beforeEach(async () => {
        database = await createTestDatabase({ dialect });
      });
      afterEach(async () => database.drop());

      const check = async () => {
        const db = openDatabase(database);
        try {
          assert.deepEqual(await applied(db), [...CORE, EXAMPLE], 'each migration recorded once');
          assert.deepEqual(await db('core_migrations_lock').pluck('is_locked'), [0], 'one lock row, free');
          assert.ok(await db.schema.hasTable('example_notes'));
        } finally {
          await db.destroy();
        }
      };

      it('two `plinth migrate` processes both exit 0 and the migrations run once', async () => {
        const config = writeConfig(database, { log: { level: 'warn' } });
        const [one, two] = await Promise.all([runPlinth(['migrate'], config), runPlinth(['migrate'], config)]);
        assert.equal(one.code, 0, one.output);
        assert.equal(two.code, 0, two.output);
        const outputs = [one.output, two.output];
        assert.equal(outputs.filter((o) => o.includes(`applied:\n  ${[...CORE, EXAMPLE].join('\n  ')}`)).length, 1, outputs.join('\n---\n'));
        assert.equal(outputs.filter((o) => o.includes('nothing to migrate')).length, 1, outputs.join('\n---\n'));
        await check();

        const again = await runPlinth(['migrate'], config);
        assert.equal(again.code, 0, again.output);
        assert.match(again.output, /nothing to migrate/);
      });

      it('two app instances booting at once both start; one applied the migrations', async () => {
        const apps = await Promise.all([createTestApp({ database }), createTestApp({ database })]);
        try {
          assert.deepEqual(apps.map((a) => a.app.migrationsApplied.length).sort(), [0, CORE.length + 1]);
          for (const a of apps) assert.equal((await a.request('GET', '/ready')).status, 200);
        } finally {
          await Promise.all(apps.map((a) => a.close()));
        }
        await check();
      });
    });
  }
});
