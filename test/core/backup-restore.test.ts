// plinth backup and plinth restore: the archive a backup writes, and every refusal of restore (each
// leaves the target as it was), on the database the suite runs on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { type BackupManifest, extractArchive, writeArchive } from '../../core/backup/archive.js';
import { Backups } from '../../core/backup/backups.js';
import { RestoreRefused, restoreBackup } from '../../core/backup/restore.js';
import { Hooks } from '../../core/hooks/hooks.js';
import type { CoreConfig } from '../../core/config/schema.js';
import { sha256OfFile } from '../../core/secrets.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase, usingPostgres } from '../helpers/database.js';
import { openDatabase, runPlinth, writeConfig } from '../helpers/processes.js';

const dialect = usingPostgres ? 'postgres' : 'sqlite';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-backup-'));

/** Rewrites a backup with `change` applied to its manifest, and `damage` to its database copy (the manifest's checksum kept). */
async function altered(file: string, change: (m: BackupManifest) => void, damage?: (f: string) => void): Promise<string> {
  const dir = tmp();
  const manifest = await extractArchive(file, dir);
  change(manifest);
  damage?.(path.join(dir, manifest.payload.file));
  const out = path.join(tmp(), 'altered.tar.gz');
  await writeArchive(dir, manifest, out);
  return out;
}

const deploymentOf = async (database: TestDatabase) => {
  const db = openDatabase(database);
  try {
    return (await db('core_kv').where('key', 'deployment_id').first('value'))?.value as string | undefined;
  } finally {
    await db.destroy();
  }
};

describe('core: backup and restore', function () {
  this.timeout(120_000);
  let source: TestApp;
  let backup: string;
  let knownMigrations: string[];
  const targets: TestDatabase[] = [];
  const target = async () => {
    const t = await createTestDatabase();
    targets.push(t);
    return t;
  };
  const configOf = (t: TestDatabase) => ({ ...source.app.config, dataDir: t.dataDir, database: { url: t.url, poolMax: 2 } }) as CoreConfig;
  const restore = (t: TestDatabase, file: string, options: { force?: boolean; sameDeployment?: boolean } = {}) =>
    restoreBackup(configOf(t), file, { force: false, sameDeployment: false, knownMigrations, ...options });

  before(async () => {
    source = await createTestApp({ plugins: ['example'] });
    await source.app.db('core_kv').insert({ key: 'drill.marker', value: 'before the backup', created_at: new Date().toISOString() });
    knownMigrations = (await source.app.db('core_migrations').orderBy('id').pluck('name')) as string[];
    backup = (await source.app.container.resolve('backups').create({ trigger: 'manual' })).file;
  });
  after(async () => {
    await source?.close();
    for (const t of targets) await t.drop();
  });

  it('writes one archive, readable by its owner only, with a manifest that tells what it holds', async () => {
    assert.equal(fs.statSync(backup).mode & 0o777, 0o600);
    assert.equal(path.dirname(backup), path.join(source.app.config.dataDir, 'backups'));
    const entries: string[] = [];
    await tar.t({ file: backup, onReadEntry: (e) => void entries.push(e.path) });
    const payloadFile = dialect === 'sqlite' ? 'plinth.sqlite' : 'plinth.pgdump';
    assert.deepEqual(entries, ['manifest.json', payloadFile]);
    const dir = tmp();
    const manifest = await extractArchive(backup, dir);
    assert.equal(manifest.database, dialect);
    assert.equal(manifest.plinthVersion, JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
    assert.deepEqual(manifest.migrations, knownMigrations);
    assert.equal(
      manifest.deploymentId,
      await source.app
        .db('core_kv')
        .where('key', 'deployment_id')
        .first('value')
        .then((r) => r.value),
    );
    assert.equal(manifest.payload.sha256, await sha256OfFile(path.join(dir, payloadFile)));
    assert.deepEqual(
      (await source.app.container.resolve('backups').list()).map((b) => [b.name, b.location, b.database]),
      [[path.basename(backup), 'local', dialect]],
    );
  });

  it('restores into an empty target with a new deployment id, and keeps the id with sameDeployment (and --force)', async () => {
    const t = await target();
    const report = await restore(t, backup);
    assert.equal(report.replaced, false);
    const original = await source.app.db('core_kv').where('key', 'deployment_id').first('value');
    assert.notEqual(await deploymentOf(t), original.value, 'a copy gets its own deployment id');
    const db = openDatabase(t);
    try {
      assert.equal((await db('core_kv').where('key', 'drill.marker').first('value'))?.value, 'before the backup');
      assert.equal(Number((await db('core_instances').count({ n: '*' }))[0].n), 0, "the original's heartbeats are not this copy's servers");
    } finally {
      await db.destroy();
    }
    const again = await restore(t, backup, { force: true, sameDeployment: true });
    assert.equal(again.replaced, true);
    assert.equal(await deploymentOf(t), original.value);
  });

  it('the CLI restores, then applies the migrations an older backup lacks', async () => {
    // A backup from before core_instances existed: restored, that table and its migration removed, backed up again.
    const scratch = await target();
    await restore(scratch, backup);
    const db = openDatabase(scratch);
    await db.schema.dropTable('core_instances');
    await db('core_migrations').where('name', 'like', '%_core_instances').delete();
    const file = path.join(tmp(), 'older.tar.gz');
    const hooks = new Hooks(source.app.logger);
    await new Backups({ db, dialect, config: configOf(scratch), hooks, logger: source.app.logger, remote: null }).create({ trigger: 'cli', out: file });
    await db.destroy();
    assert.ok(!(await extractArchive(file, tmp())).migrations.some((m) => m.endsWith('_core_instances')));
    const t = await target();
    const { code, output } = await runPlinth(['restore', file], writeConfig(t));
    assert.equal(code, 0, output);
    assert.match(output, /new deployment id: [0-9a-f]{12}/);
    assert.match(output, /migrations applied:\n {2}core\/\d+_core_instances/);
    const restored = openDatabase(t);
    try {
      assert.ok(await restored.schema.hasTable('core_instances'));
      assert.ok(await restored('core_migrations').where('name', 'like', '%_core_instances').first());
    } finally {
      await restored.destroy();
    }
  });

  describe('refuses, says what to do, and changes nothing', () => {
    const refused = async (t: TestDatabase, file: string, pattern: RegExp, options: { force?: boolean } = {}) => {
      const before = await deploymentOf(t).catch(() => undefined);
      await assert.rejects(restore(t, file, options), (err: Error) => err instanceof RestoreRefused && pattern.test(err.message));
      assert.equal(await deploymentOf(t).catch(() => undefined), before, 'the target is as it was');
    };

    it('a target that holds data, unless --force (the CLI exits 1 with the reason)', async () => {
      const t = await target();
      await restore(t, backup);
      await refused(t, backup, /already holds data \(\d+ tables\).*--force/);
      const { code, output } = await runPlinth(['restore', backup], writeConfig(t));
      assert.equal(code, 1);
      assert.match(output, /plinth restore: .* already holds data/);
    });

    it('a target a server is running on, even with --force', async () => {
      await refused(source.database, backup, /a Plinth server is running on .*pid \d+.*stop every instance first/, { force: true });
    });

    it('a damaged backup (its copy does not match the checksum)', async () => {
      const damaged = await altered(
        backup,
        () => {},
        (file) => fs.appendFileSync(file, 'one byte too many'),
      );
      // writeArchive keeps the manifest's checksum: the copy no longer matches it.
      await refused(await target(), damaged, /is damaged: .*checksum/);
    });

    it('a backup from a newer Plinth, or with migrations this one does not have', async () => {
      await refused(await target(), await altered(backup, (m) => (m.plinthVersion = '99.0.0')), /made by Plinth 99\.0\.0 .*upgrade Plinth/);
      const future = await altered(backup, (m) => m.migrations.push('core/29991231000000_from_the_future'));
      await refused(await target(), future, /migrations this Plinth does not have \(core\/29991231000000_from_the_future\)/);
      await refused(await target(), await altered(backup, (m) => (m.formatVersion = 2)), /backup format 2/);
    });

    it('a backup of the other database kind', async () => {
      const other = dialect === 'sqlite' ? 'postgres' : 'sqlite';
      await refused(await target(), await altered(backup, (m) => (m.database = other)), new RegExp(`is a ${other} backup .* configured for ${dialect}`));
    });

    it('a file that is no backup, or none at all', async () => {
      const junk = path.join(tmp(), 'junk.tar.gz');
      fs.writeFileSync(junk, 'not a tar');
      await refused(await target(), junk, /not a readable Plinth backup|not a Plinth backup/);
      await refused(await target(), path.join(tmp(), 'missing.tar.gz'), /no such backup file/);
    });
  });
});
