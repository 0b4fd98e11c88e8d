// The core.backup job: a backup to the local folder and to an S3-compatible server (s3rver, through the
// official AWS SDK), each keeping the newest `backup.keep`; a failed one is a failed job run and the
// backups' last failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { S3BackupStore } from '../../core/backup/s3-store.js';
import { sha256, sha256OfFile } from '../../core/secrets.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';

const streamBytes = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
};

describe('core: scheduled backups', function () {
  this.timeout(120_000);
  let s3: S3Server;
  const apps: TestApp[] = [];
  const app = async (backup: Record<string, unknown>) => {
    const t = await createTestApp({ plugins: ['example'], overrides: { backup } as never });
    apps.push(t);
    return t;
  };

  before(async () => {
    s3 = await startS3Server();
  });
  after(async () => {
    for (const t of apps) await t.close();
    await s3?.close();
  });

  it('each run backs up to the folder and to S3; each keeps the newest backup.keep', async () => {
    const t = await app({ keep: 2, s3: s3.destination('plinth/') });
    const backups = t.app.container.resolve('backups');
    for (let i = 0; i < 3; i++) assert.equal(await t.app.scheduler.runNow('core.backup'), 'succeeded');
    const listed = await backups.list();
    const local = listed.filter((b) => b.location === 'local').map((b) => b.name);
    const remote = listed.filter((b) => b.location === 's3').map((b) => b.name);
    assert.equal(local.length, 2, 'the folder keeps 2');
    assert.deepEqual(remote, local, 'S3 keeps the same newest 2');
    assert.deepEqual(fs.readdirSync(backups.local.where).sort(), [...local].sort(), 'nothing else is left in the folder (no staging, no partial)');
    // What S3 holds is the very archive written here.
    const store = new S3BackupStore({ destination: s3.destination('plinth/') });
    const { stream } = await store.read(local[0]);
    assert.equal(sha256(await streamBytes(stream)), await sha256OfFile(`${backups.local.where}/${local[0]}`));
    store.close();
    const status = await backups.status();
    assert.equal(status.lastSuccess?.trigger, 'schedule');
    assert.equal(status.lastSuccess?.name, local[0]);
    assert.equal(status.lastFailure, null);
    const run = (await t.app.scheduler.lastRuns()).find((j) => j.job === 'core.backup');
    assert.equal(run?.last?.status, 'succeeded');
  });

  it('a backup S3 refuses is a failed run, with the reason in the backups status', async () => {
    const t = await app({ s3: s3.destination('plinth/', { secretAccessKey: 'not-the-secret' }) });
    assert.equal(await t.app.scheduler.runNow('core.backup'), 'failed');
    const status = await t.app.container.resolve('backups').status();
    assert.equal(status.lastSuccess, null);
    assert.equal(status.lastFailure?.trigger, 'schedule');
    assert.match(status.lastFailure?.error ?? '', /s3:\/\/plinth-backups\/plinth\/.*SignatureDoesNotMatch/);
    const run = (await t.app.scheduler.lastRuns()).find((j) => j.job === 'core.backup');
    assert.equal(run?.last?.status, 'failed');
    assert.match(String(run?.last?.error), /SignatureDoesNotMatch/);
  });

  it('is not scheduled when backup.schedule is off; a backup can still be taken by hand', async () => {
    const t = await app({ schedule: 'off' });
    assert.ok(!t.app.scheduler.list().some((j) => j.name === 'core.backup'));
    const taken = await t.app.container.resolve('backups').create({ trigger: 'manual' });
    assert.deepEqual(taken.locations, ['local']);
  });

  it('one backup at a time per instance: a second while one runs is refused (409)', async () => {
    const t = await app({});
    const backups = t.app.container.resolve('backups');
    const first = backups.create({ trigger: 'manual' });
    assert.throws(
      () => backups.create({ trigger: 'manual' }),
      (err: Error & { status?: number; code?: string }) => err.status === 409 && err.code === 'backup_in_progress',
    );
    await first;
  });
});
