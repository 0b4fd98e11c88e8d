import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { usingPostgres } from '../../../test/helpers/database.js';
import { adminCodes, device, homeTenantId, robotsApp, superadmin, type RobotsApp } from '../../../test/helpers/robots.js';

// Concurrent activations of distinct codes, as the bench's setup makes them (the operator's codes,
// eight phones at a time), with billing counting each robot. Every one must get 201 and leave its
// robot, its device binding, its two tokens and its count in billing_usage behind.
//
// On SQLite another connection to the same file also tries to commit in the middle of each
// activation's transaction, right after its first read (robots_robots by license): what the WAL
// checkpointer thread does when it restarts the log (core/db/wal-checkpoint-worker.ts), and what a
// second instance or the CLI may do. Such a commit once made the activation's next write fail with
// SQLITE_BUSY_SNAPSHOT, a 500 (the bench's robots setup, "activating robot 905/1000 … HTTP 500"):
// transactions began DEFERRED, so one that had only read held no write lock. They now begin
// IMMEDIATE (core/db/sqlite-client.ts), and the other connection finds the database busy and skips
// its turn, as the checkpointer does.

const COUNT = 16; // under the activate route's 30 a minute from one address
const AT_ONCE = 8;

describe('robots: concurrent activations (the bench setup’s 500)', () => {
  let t: RobotsApp;
  let other: Database.Database | undefined;
  /** The other connection's attempts to commit inside an activation's transaction. */
  const interloper = { tried: 0, committed: 0, busy: 0 };

  /** The checkpointer's log restart (wal-checkpoint-worker.ts restartLog): a write transaction that changes no data, or nothing when busy. */
  function commitFromOtherConnection(): void {
    interloper.tried++;
    try {
      other!.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
      interloper.busy++;
      return;
    }
    other!.pragma(`user_version = ${Number(other!.pragma('user_version', { simple: true }))}`);
    other!.exec('COMMIT');
    interloper.committed++;
  }

  before(async () => {
    t = await robotsApp({ extraPlugins: ['billing'] });
    if (!usingPostgres) {
      other = new Database(path.join(t.database.dataDir, 'plinth.sqlite'));
      other.pragma('busy_timeout = 0');
      // Synchronously after the activation transaction's read of its robot, before its next statement.
      t.app.db.on('query-response', (_response: unknown, query: { sql?: string; __knexTxId?: string }) => {
        if (query.__knexTxId && /^select \* from [`"]robots_robots[`"] where [`"]license_id[`"]/.test(query.sql ?? '')) commitFromOtherConnection();
      });
    }
  });
  after(async () => {
    other?.close();
    await t?.close();
  });

  it(`${COUNT} activations, ${AT_ONCE} at a time: every one 201, every robot stored with its binding, tokens and count`, async () => {
    const admin = await superadmin(t);
    const codes = await adminCodes(t, admin, COUNT);
    const devices = codes.map((_, i) => device(`race-phone-${i}`));
    const replies: Array<{ status: number; text: string; body: any }> = new Array(COUNT);
    let next = 0;
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < COUNT) {
          const i = next++;
          replies[i] = await t.wb('POST', '/api/robot-ids/activate', { body: { code: codes[i], deviceInfo: devices[i] } });
        }
      }),
    );

    for (const [i, r] of replies.entries()) {
      assert.equal(r.status, 201, `activation ${i + 1}: ${r.text}`);
      assert.equal(r.body.code, 201);
      assert.equal(r.body.data.isNewActivation, true);
    }
    if (!usingPostgres) {
      assert.equal(interloper.tried, COUNT * 2, 'the other connection tried inside every activation (after its first read and after its insert)');
      assert.equal(interloper.committed, 0, 'an activation’s transaction holds the write lock from its BEGIN');
    }

    const tenantId = await homeTenantId(t);
    const robots = await t.app
      .db('robots_robots')
      .where('tenant_id', tenantId)
      .select('id', 'robot_id', 'license_id', 'activation_code', 'device_info', 'status');
    assert.equal(robots.length, COUNT);
    assert.deepEqual(robots.map((r) => r.activation_code).sort(), [...codes].map((c) => c.toUpperCase()).sort());
    assert.deepEqual(robots.map((r) => r.robot_id).sort(), replies.map((r) => r.body.data.robotId).sort());
    for (const r of robots) {
      assert.equal(r.status, 'active');
      const i = codes.findIndex((c) => c.toUpperCase() === r.activation_code);
      assert.equal(JSON.parse(r.device_info).deviceId, devices[i].deviceId, 'the robot keeps the device that activated its code');
      const bound = await t.app
        .db('licensing_devices as d')
        .join('licensing_licenses as l', 'l.id', 'd.license_pk')
        .where('l.license_id', r.license_id)
        .select('d.device_id', 'd.status', 'l.active_devices');
      assert.deepEqual(
        bound.map((b) => ({ ...b, active_devices: Number(b.active_devices) })),
        [{ device_id: devices[i].deviceId, status: 'active', active_devices: 1 }],
      );
      const tokens = await t.app.db('robots_tokens').where('robot_pk', r.id).whereNull('revoked_at').select('kind');
      assert.deepEqual(tokens.map((k) => k.kind).sort(), ['access', 'refresh']);
    }
    const usage = await t.app.db('billing_usage').where({ tenant_id: tenantId, period_key: '-' }).whereIn('metric', ['max_robots', 'max_sessions']);
    assert.deepEqual(usage.map((u) => [u.metric, Number(u.used)]).sort(), [
      ['max_robots', COUNT],
      ['max_sessions', COUNT],
    ]);
  });
});

// A phone that sends its activation several times at once (a retry while the first is still on its
// way). On PostgreSQL the copies raced: the licensing engine told all but one that the code was in
// use by another device (409, naming the phone itself), and two that both found no robot both
// inserted one, the second failing on the unique license_id (500). Each copy now gets 2xx: one
// 201 (the copy that bound the device), the others 200, and there is one robot, counted once.
describe('robots: one phone activating its code several times at once', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ extraPlugins: ['billing'] });
  });
  after(async () => t?.close());

  const CODES = 4;
  const COPIES = 3; // CODES × COPIES under the activate route's 30 a minute from one address

  it(`${CODES} codes, each sent ${COPIES} times at once by its phone: one 201 and 200s, one robot, one binding, counted once`, async () => {
    const admin = await superadmin(t);
    const codes = await adminCodes(t, admin, CODES);
    for (const code of codes) {
      const phone = device();
      const replies = await Promise.all(Array.from({ length: COPIES }, () => t.wb('POST', '/api/robot-ids/activate', { body: { code, deviceInfo: phone } })));
      assert.deepEqual(replies.map((r) => r.status).sort(), [...Array(COPIES - 1).fill(200), 201], replies.map((r) => r.text).join('\n'));
      assert.equal(new Set(replies.map((r) => r.body.data.robotId)).size, 1, 'every copy answers with the one robot');

      const robots = await t.app.db('robots_robots').where('activation_code', code.toUpperCase()).select('id', 'robot_id', 'device_info', 'status');
      assert.equal(robots.length, 1);
      assert.equal(robots[0].robot_id, replies[0].body.data.robotId);
      assert.equal(robots[0].status, 'active');
      assert.equal(JSON.parse(robots[0].device_info).deviceId, phone.deviceId);
      const bound = await t.app
        .db('licensing_devices as d')
        .join('licensing_licenses as l', 'l.id', 'd.license_pk')
        .where('l.activation_code', code.toUpperCase())
        .select('d.device_id', 'd.status', 'l.active_devices');
      assert.deepEqual(
        bound.map((b) => ({ ...b, active_devices: Number(b.active_devices) })),
        [{ device_id: phone.deviceId, status: 'active', active_devices: 1 }],
      );
      // Each copy renewed the tokens; the robot is left with one pair.
      const tokens = await t.app.db('robots_tokens').where('robot_pk', robots[0].id).whereNull('revoked_at').select('kind');
      assert.deepEqual(tokens.map((k) => k.kind).sort(), ['access', 'refresh']);
    }
    const usage = await t.app
      .db('billing_usage')
      .where({ tenant_id: await homeTenantId(t), period_key: '-' })
      .whereIn('metric', ['max_robots', 'max_sessions']);
    assert.deepEqual(usage.map((u) => [u.metric, Number(u.used)]).sort(), [
      ['max_robots', CODES],
      ['max_sessions', CODES],
    ]);
  });
});
