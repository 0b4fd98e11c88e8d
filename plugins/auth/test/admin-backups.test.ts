// Backups for the operator on the auth face (/api/v2/admin/backups): superadmin only; list, take now,
// download (the very file on disk, as an attachment), delete; names and locations checked (no path
// traversal); each action audited with its actor, and a failed scheduled backup visible in the list,
// the audit log and the System page's API. On SQLite and PostgreSQL (DATABASE_URL).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKUP_CREATED } from 'plinth/plugin';
import { packageVersion } from 'plinth/plugin';
import { sha256, sha256OfFile } from 'plinth/plugin';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { usingPostgres } from '../../../test/helpers/database.js';
import { startS3Server, type S3Server } from '../../../test/helpers/s3-server.js';
import { ADMIN, API, apiKeyHeaders, assertError, assertValidation, auditRows, createKey, loginAdmin, startAuthApp, UA, type AuthApp } from './admin-helpers.js';

/** A download as the bytes it is (the harness's request() reads text). */
async function download(app: { url: string }, where: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}${API}/admin/backups/${where}`, { headers: { 'user-agent': UA, ...headers } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('auth: backups for the operator (/admin/backups)', function () {
  this.timeout(120_000);
  let t: AuthApp;
  let root: Actor;
  let owner: Actor;
  let member: Actor;
  /** A backup the access tests aim at (it must still be there after them). */
  let kept: string;
  const dir = () => path.join(t.database.dataDir, 'backups');
  const backups = () => t.app.container.resolve('backups');

  before(async () => {
    t = await startAuthApp();
    root = await loginAdmin(t);
    owner = await registerOwner(t, 'owner', { tenantName: 'Backup-less Ltd' });
    member = await addUser(t, owner.tenantId, 'member');
    kept = (await backups().create({ trigger: 'manual' })).name;
  });
  after(() => t?.close());

  describe('access', () => {
    const endpoints = (): Array<[string, string]> => [
      ['GET', '/admin/backups'],
      ['POST', '/admin/backups'],
      ['GET', `/admin/backups/local/${kept}`],
      ['DELETE', `/admin/backups/local/${kept}`],
    ];

    it('every route is 401 without credentials', async () => {
      for (const [method, p] of endpoints()) assertError(await t.api(method, p), 401);
    });

    it('every route is 403 for a tenant owner, a member, their API keys and a superadmin’s key without platform:admin; nothing changes', async () => {
      const ownerKey = await createKey(t, owner, ['account:read', 'account:manage', 'settings:manage', 'users:read', 'audit:read', 'api-keys:manage']);
      const memberKey = await createKey(t, member, ['account:read']);
      const rootKey = await createKey(t, root, ['account:read', 'audit:read', 'users:read']);
      const before = fs.readdirSync(dir()).sort();
      for (const headers of [owner.headers, member.headers, apiKeyHeaders(ownerKey.raw), apiKeyHeaders(memberKey.raw), apiKeyHeaders(rootKey.raw)]) {
        for (const [method, p] of endpoints()) assertError(await t.api(method, p, { headers }), 403);
      }
      assert.deepEqual(fs.readdirSync(dir()).sort(), before, 'no backup taken or deleted');
      assert.equal((await auditRows(t)).filter((r) => r.action.startsWith('backup.')).length, 0, 'nothing to audit: nothing happened');
    });

    it('a superadmin’s API key with platform:admin passes', async () => {
      const key = await createKey(t, root, ['platform:admin']);
      const res = await t.api('GET', '/admin/backups', { headers: apiKeyHeaders(key.raw) });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.some((b: { name: string }) => b.name === kept));
    });
  });

  describe('as the superadmin', () => {
    let taken: { name: string; bytes: number; locations: string[]; created_at: string };

    it('POST takes a backup now (201) and GET lists it, newest first, with the schedule, keep and destinations', async () => {
      const res = await t.api('POST', '/admin/backups', { headers: root.headers });
      assert.equal(res.status, 201, res.text);
      taken = res.body;
      assert.match(taken.name, /^plinth-backup-\d{8}T\d{9}Z-(sqlite|postgres)-\d+\.\d+\.\d+.*\.tar\.gz$/);
      assert.deepEqual(taken.locations, ['local']);
      assert.equal(taken.bytes, fs.statSync(path.join(dir(), taken.name)).size);
      assert.equal((fs.statSync(path.join(dir(), taken.name)).mode & 0o777).toString(8), '600');

      const list = await t.api('GET', '/admin/backups', { headers: root.headers });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.items[0], {
        name: taken.name,
        location: 'local',
        bytes: taken.bytes,
        created_at: taken.created_at,
        database: usingPostgres ? 'postgres' : 'sqlite',
        plinth_version: packageVersion,
      });
      assert.deepEqual(
        list.body.items.map((b: { name: string }) => b.name),
        [taken.name, kept],
      );
      assert.deepEqual(list.body.destinations, [{ location: 'local', where: dir() }]);
      assert.equal(list.body.schedule, '30 2 * * *');
      assert.equal(list.body.keep, 7);
      assert.equal(list.body.last_success.name, taken.name);
      assert.equal(list.body.last_success.trigger, 'manual');
      assert.equal(list.body.last_failure, null);
      assert.equal(list.body.list_error, null);
    });

    it('GET /:location/:name downloads the archive: a gzip, the very bytes on disk, as an attachment', async () => {
      const { res, bytes } = await download(t, `local/${taken.name}`, root.headers);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/gzip');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="${taken.name}"`);
      assert.equal(res.headers.get('content-length'), String(taken.bytes));
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
      assert.equal(sha256(bytes), await sha256OfFile(path.join(dir(), taken.name)));
    });

    it('DELETE removes it (204); a second time, or a download of it, is 404 naming it', async () => {
      const res = await t.api('DELETE', `/admin/backups/local/${taken.name}`, { headers: root.headers });
      assert.equal(res.status, 204, res.text);
      assert.ok(!fs.existsSync(path.join(dir(), taken.name)));
      const list = await t.api('GET', '/admin/backups', { headers: root.headers });
      assert.deepEqual(
        list.body.items.map((b: { name: string }) => b.name),
        [kept],
      );
      assert.match(
        assertError(await t.api('DELETE', `/admin/backups/local/${taken.name}`, { headers: root.headers }), 404, 'not_found').detail,
        /plinth-backup-/,
      );
      assertError(await t.api('GET', `/admin/backups/local/${taken.name}`, { headers: root.headers }), 404, 'not_found');
    });

    it('each create, download and delete is in the audit log with its actor', async () => {
      for (const action of ['backup.created', 'backup.downloaded', 'backup.deleted']) {
        const rows = await auditRows(t, { action, target_id: taken.name });
        assert.equal(rows.length, 1, action);
        assert.equal(rows[0].actor_type, 'user', action);
        assert.equal(rows[0].actor_id, root.id, action);
        assert.equal(rows[0].target_type, 'backup', action);
        assert.equal(rows[0].user_agent, UA, action);
      }
      const created = await auditRows(t, { action: 'backup.created', target_id: taken.name });
      assert.deepEqual(JSON.parse(created[0].details), { trigger: 'manual', bytes: taken.bytes, locations: ['local'] });
      const downloaded = await auditRows(t, { action: 'backup.downloaded', target_id: taken.name });
      assert.deepEqual(JSON.parse(downloaded[0].details), { location: 'local', bytes: taken.bytes });
    });

    it('refuses a name that is not a backup’s (traversal, another file) and an unknown location, in the face’s envelope; nothing is touched', async () => {
      fs.writeFileSync(path.join(dir(), 'notes.txt'), 'keep me');
      const outside = path.join(t.database.dataDir, 'x');
      fs.writeFileSync(outside, 'keep me too');
      for (const name of ['..%2Fx', 'notes.txt', '..%2F..%2Fbackups%2Fnotes.txt', `..%2F${kept}`, `${kept}.part`, 'x'.repeat(300)]) {
        for (const method of ['GET', 'DELETE']) {
          const res = await t.api(method, `/admin/backups/local/${name}`, { headers: root.headers });
          assert.deepEqual([...new Set(assertValidation(res))], ['params.name'], `${method} ${name}`);
        }
      }
      for (const method of ['GET', 'DELETE']) {
        assert.deepEqual(assertValidation(await t.api(method, `/admin/backups/ftp/${kept}`, { headers: root.headers })), ['params.location']);
        // A location Plinth knows but this server has no destination for.
        assert.match(assertError(await t.api(method, `/admin/backups/s3/${kept}`, { headers: root.headers }), 404, 'not_found').detail, /s3/);
      }
      assert.equal(fs.readFileSync(path.join(dir(), 'notes.txt'), 'utf8'), 'keep me');
      assert.equal(fs.readFileSync(outside, 'utf8'), 'keep me too');
      assert.ok(fs.existsSync(path.join(dir(), kept)));
      const list = await t.api('GET', '/admin/backups', { headers: root.headers });
      assert.ok(!list.body.items.some((b: { name: string }) => b.name === 'notes.txt'), 'only backups are listed');
    });

    it('a backup while this instance takes one is 409 backup_in_progress (not audited as a failure)', async () => {
      let entered!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // The first backup is held in its last step (telling the hooks) until the second was refused.
      const hooks = t.app.container.resolve('hooks');
      hooks.on(BACKUP_CREATED, 'test', async () => {
        entered();
        await gate;
      });
      try {
        const first = t.api('POST', '/admin/backups', { headers: root.headers });
        await inside;
        assertError(await t.api('POST', '/admin/backups', { headers: root.headers }), 409, 'backup_in_progress');
        release();
        assert.equal((await first).status, 201);
      } finally {
        release();
        hooks.removeOwner('test');
      }
      assert.deepEqual(await auditRows(t, { action: 'backup.failed' }), []);
    });

    it('PostgreSQL without pg_dump on the PATH: 503 tool_missing, the failure listed and audited with its actor', async function () {
      if (!usingPostgres) this.skip();
      const PATH = process.env.PATH;
      process.env.PATH = path.join(os.tmpdir(), 'no-such-bin');
      try {
        // The face shows a 5xx's request id, not its message: the reason is in the list's last failure.
        assertError(await t.api('POST', '/admin/backups', { headers: root.headers }), 503, 'tool_missing');
      } finally {
        process.env.PATH = PATH;
      }
      const list = await t.api('GET', '/admin/backups', { headers: root.headers });
      assert.equal(list.body.last_failure.trigger, 'manual');
      assert.match(list.body.last_failure.error, /pg_dump was not found/);
      const [row] = await auditRows(t, { action: 'backup.failed' });
      assert.equal(row.actor_id, root.id);
      assert.equal(JSON.parse(row.details).trigger, 'manual');
    });

    it('a scheduled backup that succeeds is audited by the system too', async () => {
      assert.equal(await t.app.scheduler.runNow('core.backup'), 'succeeded');
      const [row] = (await auditRows(t, { action: 'backup.created' })).filter((r) => JSON.parse(r.details).trigger === 'schedule');
      assert.equal(row?.actor_type, 'system');
      assert.equal(row.target_type, 'backup');
      assert.ok(fs.existsSync(path.join(dir(), row.target_id)));
    });
  });

  describe('a scheduled backup that fails (backup.dir is a file)', () => {
    let broken: AuthApp;
    let admin: Actor;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-backup-dir-'));

    before(async () => {
      const file = path.join(folder, 'not-a-folder');
      fs.writeFileSync(file, 'a file where the backups folder should be');
      broken = await startAuthApp({ env: { PLINTH_BACKUP_DIR: file } });
      admin = await loginAdmin(broken);
      assert.equal(await broken.app.scheduler.runNow('core.backup'), 'failed');
    });
    after(async () => {
      await broken?.close();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it('GET /admin/backups shows the failure and why the folder cannot be listed', async () => {
      const res = await broken.api('GET', '/admin/backups', { headers: admin.headers });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.items, []);
      assert.equal(res.body.last_success, null);
      assert.equal(res.body.last_failure.trigger, 'schedule');
      assert.equal(res.body.last_failure.name, null);
      assert.match(res.body.last_failure.error, /EEXIST|ENOTDIR/);
      assert.match(res.body.list_error, /ENOTDIR/);
    });

    it('the audit log has the failure, by the system', async () => {
      const rows = await auditRows(broken, { action: 'backup.failed' });
      assert.equal(rows.length, 1);
      assert.equal(rows[0].actor_type, 'system');
      assert.equal(rows[0].actor_id, null);
      const details = JSON.parse(rows[0].details);
      assert.equal(details.trigger, 'schedule');
      assert.match(details.error, /EEXIST|ENOTDIR/);
    });

    it('the System page’s API shows core.backup’s last run failed, and the backups’ last failure', async () => {
      const res = await broken.request('GET', '/admin/api/system', { headers: admin.headers });
      assert.equal(res.status, 200, res.text);
      const job = res.body.jobs.find((j: { job: string }) => j.job === 'core.backup');
      assert.equal(job?.last?.status, 'failed');
      assert.match(String(job.last.error), /EEXIST|ENOTDIR/);
      assert.match(res.body.backups.last_failure.error, /EEXIST|ENOTDIR/);
    });
  });

  describe('with an S3-compatible destination', () => {
    let s3: S3Server;
    let app: TestApp;
    let admin: Actor;

    before(async () => {
      s3 = await startS3Server();
      app = await createTestApp({ plugins: ['auth'], settings: { auth: { admin: ADMIN } }, overrides: { backup: { s3: s3.destination('api/') } } as never });
      admin = await login(app, ADMIN.email, ADMIN.password);
    });
    after(async () => {
      await app?.close();
      await s3?.close();
    });

    it('a backup goes to both; each is listed, downloads the same bytes, and is deleted on its own', async () => {
      const made = await app.request('POST', `${API}/admin/backups`, { headers: admin.headers });
      assert.equal(made.status, 201, made.text);
      assert.deepEqual(made.body.locations, ['local', 's3']);
      const list = await app.request('GET', `${API}/admin/backups`, { headers: admin.headers });
      assert.deepEqual(list.body.items.map((b: { location: string; name: string }) => `${b.location}:${b.name}`).sort(), [
        `local:${made.body.name}`,
        `s3:${made.body.name}`,
      ]);
      assert.deepEqual(
        list.body.destinations.map((d: { location: string }) => d.location),
        ['local', 's3'],
      );
      assert.match(list.body.destinations[1].where, /^s3:\/\/.+\/api\/$/);
      const local = await download(app, `local/${made.body.name}`, admin.headers);
      const remote = await download(app, `s3/${made.body.name}`, admin.headers);
      assert.equal(remote.res.status, 200);
      assert.equal(remote.res.headers.get('content-length'), String(made.body.bytes));
      assert.equal(sha256(remote.bytes), sha256(local.bytes));

      assert.equal((await app.request('DELETE', `${API}/admin/backups/s3/${made.body.name}`, { headers: admin.headers })).status, 204);
      const after = await app.request('GET', `${API}/admin/backups`, { headers: admin.headers });
      assert.deepEqual(
        after.body.items.map((b: { location: string }) => b.location),
        ['local'],
      );
    });
  });
});
