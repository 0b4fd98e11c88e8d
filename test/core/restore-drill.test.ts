// The restore drill (issue 36): an app under mixed load (license activations, SMTP mail, robot
// reports) is backed up twice while it serves (the backups service, then a spawned `plinth backup
// --out`), stopped, and each backup is restored with the `plinth restore` CLI into a fresh target
// (a fresh data dir; on the PostgreSQL pass a fresh database). A restored app must hold every item
// acknowledged (2xx, SMTP 250) before its backup started, once each; what was acknowledged later
// may or may not be there and is not asserted. Sessions, refresh tokens, API keys and robot tokens
// made before keep working, license files signed before verify with the restored key, and the
// deployment id is a new one for a copy and the original's with --same-deployment.
import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { type Actor, registerOwner } from '../helpers/actors.js';
import { createTestDatabase, type TestDatabase, usingPostgres } from '../helpers/database.js';
import { runPlinth, waitFor, writeConfig } from '../helpers/processes.js';
import { type Activation, activate, bearer, newCodes, type RobotsApp, robotsApp } from '../helpers/robots.js';

const DOMAIN = 'drill.test';
const EMAIL = 'customer@example.com';
/** The plugins and settings of every app and CLI run here (business plan: no monthly caps on licenses or messages). */
const PLUGINS = ['auth', 'billing', 'mail', 'licensing', 'robots'];
const SETTINGS = { billing: { defaultPlan: 'business' }, mail: { domains: [{ name: DOMAIN }] } };
/** Items of each kind acknowledged before a backup starts, and after it ends (a bound on the load, not on time). */
const BEFORE_BACKUP = 20;
const AFTER_BACKUP = 10;

const drillApp = (database?: TestDatabase) => robotsApp({ extraPlugins: ['billing', 'mail'], settings: SETTINGS, database });
const cliConfig = (database: TestDatabase, name: string) => writeConfig(database, { plugins: PLUGINS, settings: SETTINGS, log: { level: 'warn' } }, name);

type Kind = 'license' | 'activation' | 'mail' | 'report';
const KINDS: Kind[] = ['license', 'activation', 'mail', 'report'];
/** One acknowledged write: `at` is performance.now() when its acknowledgement reached the client. */
interface Acked {
  kind: Kind;
  id: string;
  at: number;
}

/** What exists before the load: the credentials and the license file a restore must keep working. */
interface Before {
  owner: Actor;
  apiKey: Record<string, string>;
  license: { license_id: string; activation_code: string };
  device: string;
  file: { payload: string; signature: string; key_id: string };
  publicKey: string;
  mailboxes: string[];
  robots: Activation[];
  deploymentId: string;
}

async function prepare(t: RobotsApp): Promise<Before> {
  const owner = await registerOwner(t, 'drill');
  const made = await t.request('POST', '/api/v2/api-keys', { headers: owner.headers, body: { name: 'drill', scopes: ['licenses:manage'] } });
  assert.equal(made.status, 201, made.text);
  const apiKey = { 'X-API-Key': made.body.raw_key as string };
  const generated = await t.request('POST', '/license/api/admin/generate', { headers: apiKey, body: { plan: 'yearly', email: EMAIL, device_cap: 3 } });
  assert.equal(generated.status, 200, generated.text);
  const license = generated.body.license;
  const device = 'drill-device';
  const bound = await t.request('POST', '/license/api/verify', { body: { activation_code: license.activation_code, email: EMAIL, device_id: device } });
  assert.equal(bound.status, 200, bound.text);
  const query = new URLSearchParams({ activation_code: license.activation_code, email: EMAIL, device_id: device });
  const file = await t.request('GET', `/license/api/license-file?${query}`);
  assert.equal(file.status, 200, file.text);
  const key = await t.request('GET', '/license/api/public-key');
  assert.equal(key.status, 200, key.text);
  const mailboxes: string[] = [];
  for (const local of ['drill-a', 'drill-b']) {
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local, domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    mailboxes.push(box.body.email);
  }
  const robots: Activation[] = [];
  for (const code of await newCodes(t, owner, 2)) robots.push(await activate(t, code));
  const deployment = await t.app.db('core_kv').where('key', 'deployment_id').first('value');
  return { owner, apiKey, license, device, file: file.body, publicKey: key.body.public_key, mailboxes, robots, deploymentId: deployment.value };
}

/** Concurrent loops of writes against `t`, each recording when it was acknowledged, until stop(). */
function startLoad(t: RobotsApp, before: Before) {
  const acked: Acked[] = [];
  const failures: string[] = [];
  let running = true;
  const ack = (kind: Kind, id: string) => acked.push({ kind, id, at: performance.now() });
  const fail = (what: string) => {
    failures.push(what);
    if (failures.length >= 20) running = false; // something is broken: stop and report it, don't spin
  };

  const licenses = async (loop: number) => {
    for (let i = 0; running; i++) {
      const g = await t.request('POST', '/license/api/admin/generate', { headers: before.apiKey, body: { plan: 'monthly', email: EMAIL } });
      if (g.status !== 200) {
        fail(`generate: ${g.status} ${g.text}`);
        continue;
      }
      const { license_id, activation_code } = g.body.license;
      ack('license', license_id);
      const device = `load-${loop}-${i}`;
      const v = await t.request('POST', '/license/api/verify', { body: { activation_code, email: EMAIL, device_id: device } });
      if (v.status === 200) ack('activation', `${license_id}:${device}`);
      else fail(`verify: ${v.status} ${v.text}`);
    }
  };
  const mail = async (loop: number) => {
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: t.app.container.resolve('smtpPort'),
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
    });
    try {
      for (let i = 0; running; i++) {
        const messageId = `<drill-${loop}-${i}@${DOMAIN}>`;
        try {
          const info = await smtp.sendMail({ from: 'sender@outside.test', to: before.mailboxes[loop], subject: `drill ${i}`, text: `message ${i}`, messageId });
          if (/^250 /.test(info.response)) ack('mail', messageId);
          else fail(`smtp: ${info.response}`);
        } catch (err) {
          fail(`smtp: ${(err as Error).message}`);
        }
      }
    } finally {
      smtp.close();
    }
  };
  const reports = async (loop: number) => {
    const robot = before.robots[loop];
    for (let i = 0; running; i++) {
      const body = { robotId: robot.robotId, spoken: `drill ${loop}-${i}`, receivedName: 'Zhang San', roomType: 1 };
      const r = await t.wb('POST', '/api/robot/messages', { body, headers: bearer(robot.token) });
      if (r.status === 200) ack('report', r.body.data.messageId);
      else fail(`report: ${r.status} ${r.text}`);
    }
  };

  const loops = [0, 1].flatMap((n) => [licenses(n), mail(n), reports(n)]);
  const count = (kind: Kind) => acked.filter((a) => a.kind === kind).length;
  return {
    acked,
    failures,
    /** Resolves once every kind has at least `n` acknowledged items (or the load stopped on failures). */
    reach: (n: (kind: Kind) => number, what: string) => waitFor(what, () => !running || KINDS.every((k) => count(k) >= n(k)), { timeoutMs: 60_000 }),
    count,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every item acknowledged before the backup started is in the restored database, once. */
async function assertItemsRestored(b: RobotsApp, items: Acked[]): Promise<void> {
  const db = b.app.db;
  const ids = (kind: Kind) => items.filter((a) => a.kind === kind).map((a) => a.id);
  const found: Record<Kind, string[]> = {
    license: await db('licensing_licenses').whereIn('license_id', ids('license')).pluck('license_id'),
    activation: (
      await db('licensing_devices')
        .join('licensing_licenses', 'licensing_licenses.id', 'licensing_devices.license_pk')
        .whereIn('licensing_licenses.license_id', [...new Set(ids('activation').map((id) => id.split(':')[0]))])
        .select('licensing_licenses.license_id', 'licensing_devices.device_id')
    ).map((r: { license_id: string; device_id: string }) => `${r.license_id}:${r.device_id}`),
    mail: await db('mail_emails').whereIn('message_id', ids('mail')).pluck('message_id'),
    report: await db('robots_messages').whereIn('message_id', ids('report')).pluck('message_id'),
  };
  for (const kind of KINDS) {
    assert.ok(ids(kind).length > 0, `some ${kind} was acknowledged before the backup started`);
    const have = new Set(found[kind]);
    assert.deepEqual(
      ids(kind).filter((id) => !have.has(id)),
      [],
      `every ${kind} acknowledged before the backup started is restored`,
    );
    assert.equal(have.size, found[kind].length, `no ${kind} twice`);
  }
  // The stored mail is whole: each message has its raw bytes.
  const mailIds = await db('mail_emails').whereIn('message_id', ids('mail')).pluck('id');
  assert.equal(Number((await db('mail_raw').whereIn('email_id', mailIds).count({ n: '*' }))[0].n), mailIds.length, 'each restored message has its raw bytes');
  // Nothing at all is there twice, acknowledged before or not.
  const twice = async (table: string, columns: string[]) =>
    (await db(table).select(columns).count({ n: '*' }).groupBy(columns).havingRaw('count(*) > 1')).length;
  assert.equal(await twice('mail_emails', ['message_id']), 0, 'no message twice');
  assert.equal(await twice('robots_messages', ['message_id']), 0, 'no robot report twice');
  assert.equal(await twice('licensing_devices', ['license_pk', 'device_id']), 0, 'no device bound twice');
  assert.equal(await twice('licensing_licenses', ['license_id']), 0, 'no license twice');
}

/** What was made before the load works on the restored app, as it did on the original. */
async function assertCredentialsWork(b: RobotsApp, before: Before): Promise<void> {
  const me = await b.request('GET', '/api/v2/auth/me', { headers: before.owner.headers });
  assert.equal(me.status, 200, `the access token from before: ${me.text}`);
  assert.equal(me.body.id, before.owner.id);
  const refreshed = await b.request('POST', '/api/v2/auth/refresh', { body: { refresh_token: before.owner.session.refresh_token } });
  assert.equal(refreshed.status, 200, `the refresh token from before: ${refreshed.text}`);
  const again = await b.request('GET', '/api/v2/auth/me', { headers: bearer(refreshed.body.access_token) });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.id, before.owner.id);

  const byKey = await b.request('GET', `/license/api/admin/licenses/${before.license.license_id}`, { headers: before.apiKey });
  assert.equal(byKey.status, 200, `the API key from before: ${byKey.text}`);
  assert.deepEqual(
    byKey.body.devices.map((d: { device_id: string }) => d.device_id),
    [before.device],
  );

  // The license file signed before verifies with the restored deployment's key, and the restored
  // key signs as the original did (clients hold the original's public key).
  const key = await b.request('GET', '/license/api/public-key');
  assert.equal(key.status, 200, key.text);
  assert.equal(key.body.key_id, before.file.key_id, 'the signing key is the original one');
  const checks = (file: { payload: string; signature: string }, pem: string) =>
    verifySignature(null, Buffer.from(file.payload), createPublicKey(pem), Buffer.from(file.signature, 'base64'));
  assert.ok(checks(before.file, key.body.public_key), 'the license file signed before verifies with the restored public key');
  const { activation_code } = before.license;
  const verified = await b.request('POST', '/license/api/verify', { body: { activation_code, email: EMAIL, device_id: before.device } });
  assert.equal(verified.status, 200, verified.text);
  const query = new URLSearchParams({ activation_code, email: EMAIL, device_id: before.device });
  const reissued = await b.request('GET', `/license/api/license-file?${query}`);
  assert.equal(reissued.status, 200, reissued.text);
  assert.ok(checks(reissued.body, before.publicKey), "a file the restored app signs verifies with the original's public key");

  // A robot's token from before still reports; the mailbox is still the owner's.
  const robot = before.robots[0];
  const report = await b.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, spoken: 'after the restore' }, headers: bearer(robot.token) });
  assert.equal(report.status, 200, `the robot token from before: ${report.text}`);
  const inbox = await b.request('GET', `/mail/api/emails?mailbox=${encodeURIComponent(before.mailboxes[0])}&limit=5`, { headers: before.owner.headers });
  assert.equal(inbox.status, 200, inbox.text);
  assert.ok(inbox.body.length > 0, 'the mailbox lists its restored mail');
}

const deploymentOf = async (t: RobotsApp) => (await t.app.db('core_kv').where('key', 'deployment_id').first('value')).value as string;
const ms = (from: number) => Math.round(performance.now() - from);

describe(`restore drill: a backup under mixed load, restored by plinth restore into a fresh target (${usingPostgres ? 'PostgreSQL' : 'SQLite'})`, function () {
  this.timeout(240_000);
  let a: RobotsApp | undefined;
  let target: TestDatabase | undefined;
  let made: Before;
  /** The service's backup (an archive in A's backup folder) and the CLI's (`plinth backup --out`), each with what was acknowledged before it. */
  const taken: Record<'service' | 'cli', { file: string; bytes: number; ms: number; during: number; before: Acked[] }> = {} as never;

  before(async () => {
    a = await drillApp();
    let load: ReturnType<typeof startLoad> | undefined;
    try {
      made = await prepare(a);
      load = startLoad(a, made);
      const service = a.app.container.resolve('backups');
      for (const via of ['service', 'cli'] as const) {
        const floor = Object.fromEntries(KINDS.map((k) => [k, load!.count(k)]));
        await load.reach((k) => floor[k] + (via === 'service' ? BEFORE_BACKUP : AFTER_BACKUP), `load before the ${via} backup`);
        const startedAt = performance.now();
        let file: string;
        if (via === 'service') {
          file = (await service.create({ trigger: 'manual' })).file;
        } else {
          file = path.join(a.database.dataDir, 'drill-cli-backup.tar.gz');
          const cli = await runPlinth(['backup', '--out', file], cliConfig(a.database, 'backup-config.json'));
          assert.equal(cli.code, 0, cli.output);
        }
        const endedAt = performance.now();
        const during = load.acked.filter((x) => x.at >= startedAt && x.at < endedAt).length;
        taken[via] = { file, bytes: fs.statSync(file).size, ms: ms(startedAt), during, before: load.acked.filter((x) => x.at < startedAt) };
      }
      const floor = Object.fromEntries(KINDS.map((k) => [k, load!.count(k)]));
      await load.reach((k) => floor[k] + AFTER_BACKUP, 'load after the backups');
    } finally {
      await load?.stop();
      await a.app.stop();
    }
    assert.deepEqual(load.failures, [], 'the app served every request of the load while it was backed up');
    const all = load.acked.length;
    const kinds = KINDS.map((k) => `${k} ${taken.service.before.filter((x) => x.kind === k).length}/${load.count(k)}`).join(', ');
    console.log(
      `      drill (${usingPostgres ? 'postgres' : 'sqlite'}): ${all} acknowledged; before the service backup ${taken.service.before.length} (${kinds}), ` +
        `before the CLI backup ${taken.cli.before.length}; service backup ${taken.service.bytes} B in ${taken.service.ms} ms ` +
        `(${taken.service.during} acknowledged meanwhile), CLI backup ${taken.cli.bytes} B in ${taken.cli.ms} ms, boot included ` +
        `(${taken.cli.during} meanwhile)`,
    );
  });

  after(async () => {
    if (a) await a.database.drop();
    if (target) await target.drop();
  });

  it('a copy: every item acknowledged before the backup is there once; session, API key, robot token, license file work; new deployment id', async () => {
    target = await createTestDatabase();
    const restored = await runPlinth(['restore', taken.service.file], cliConfig(target, 'config.json'));
    assert.equal(restored.code, 0, restored.output);
    const copyId = /new deployment id: ([0-9a-f]+)/.exec(restored.output)?.[1];
    assert.ok(copyId, restored.output);
    const b = await drillApp(target);
    try {
      await assertItemsRestored(b, taken.service.before);
      await assertCredentialsWork(b, made);
      assert.equal(await deploymentOf(b), copyId);
      assert.notEqual(copyId, made.deploymentId, 'a copy does not share the original deployment id');
    } finally {
      await b.app.stop();
    }
  });

  it('the same deployment (--force --same-deployment, the `plinth backup --out` backup): all as above, and the original deployment id', async () => {
    assert.ok(target, 'the copy was restored first');
    const restored = await runPlinth(['restore', taken.cli.file, '--force', '--same-deployment'], cliConfig(target, 'config.json'));
    assert.equal(restored.code, 0, restored.output);
    assert.match(restored.output, new RegExp(`deployment id kept: ${made.deploymentId}\\b`));
    const b = await drillApp(target);
    try {
      await assertItemsRestored(b, taken.cli.before);
      await assertCredentialsWork(b, made);
      assert.equal(await deploymentOf(b), made.deploymentId);
    } finally {
      await b.app.stop();
    }
  });
});
