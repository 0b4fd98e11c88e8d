// Issue 15: every instance signs license files with one key. Two instances on one database (each
// with its own data dir, as on two hosts) sign with the database's key; a key file that differs
// from the key the database records refuses to start; an old installation's key file is kept.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from 'plinth/plugin';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { capturingLogger } from '../../../test/helpers/logs.js';
import { freePort, kill, openDatabase, spawnPlinth, startServer, writeConfig, type PlinthProcess } from '../../../test/helpers/processes.js';
import { fingerprint, loadSigningKey } from '../services/signing-key.js';
import { ADMIN, generate, licensingServer, startLicensingApp, tenantKey, verify, type LicensingApp, type LicensingFaces } from './license-helpers.js';

const EMAIL = 'user@example.com';
const pemOf = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPemOf = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();

/** The same database seen from another host: its own data dir (for SQLite, the first one's file by URL). */
function sameDatabaseElsewhere(database: TestDatabase): TestDatabase {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-test-other-'));
  return {
    url: database.url ?? `sqlite://${path.join(database.dataDir, 'plinth.sqlite')}`,
    dataDir,
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

function writeKeyFile(dir: string, name: string, pem: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, pem, { mode: 0o600 });
  return file;
}

/** A license file from `t` for a new device bound there. */
async function licenseFile(t: LicensingFaces, key: Record<string, string>, deviceId: string) {
  const lic = await generate(t, key);
  assert.equal((await verify(t, { activation_code: lic.activation_code, email: EMAIL, device_id: deviceId })).status, 200);
  const res = await t.lic('GET', `/api/license-file?${new URLSearchParams({ activation_code: lic.activation_code, email: EMAIL, device_id: deviceId })}`);
  assert.equal(res.status, 200, res.text);
  return res.body as { payload: string; signature: string };
}

const publicKey = async (t: LicensingFaces): Promise<string> => (await t.lic('GET', '/api/public-key')).body.public_key;
const checks = (file: { payload: string; signature: string }, pem: string) =>
  verifySignature(null, Buffer.from(file.payload, 'ascii'), createPublicKey(pem), Buffer.from(file.signature, 'base64'));
const keyRows = (t: LicensingApp) => t.db('licensing_signing_keys').select('*');

/** A start that must fail: its error, and nothing left running. */
async function refusedStart(options: Parameters<typeof startLicensingApp>[0]): Promise<Error> {
  try {
    const t = await startLicensingApp(options);
    await t.close();
  } catch (err) {
    return err as Error;
  }
  assert.fail('the instance started');
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`licensing: one signing key for every instance (${dialect})`, () => {
    const started: LicensingApp[] = [];
    const others: TestDatabase[] = [];
    let database: TestDatabase;
    const start = async (options: Parameters<typeof startLicensingApp>[0]) => {
      const t = await startLicensingApp(options);
      started.push(t);
      return t;
    };
    const elsewhere = () => {
      const other = sameDatabaseElsewhere(database);
      others.push(other);
      return other;
    };

    beforeEach(async () => {
      database = await createTestDatabase({ dialect });
    });
    afterEach(async () => {
      for (const t of started.splice(0).reverse()) await t.close();
      for (const other of others.splice(0)) await other.drop();
      await database.drop();
    });

    it("two instances without key files sign with the database's key: each verifies the other's files", async () => {
      const a = await start({ database });
      const b = await start({ database: elsewhere() });
      assert.notEqual(a.database.dataDir, b.database.dataDir);
      const { key } = await tenantKey(a);

      const pem = await publicKey(a);
      assert.equal(await publicKey(b), pem);
      const fromA = await licenseFile(a, key, 'device-a');
      const fromB = await licenseFile(b, key, 'device-b');
      assert.ok(checks(fromA, await publicKey(b)), "A's file verifies with B's public key");
      assert.ok(checks(fromB, pem), "B's file verifies with A's public key");

      const rows = await keyRows(a);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].source, 'generated');
      assert.equal(rows[0].public_key, pem);
      for (const dir of [a.database.dataDir, b.database.dataDir])
        assert.equal(fs.existsSync(path.join(dir, 'licensing', 'ed25519.pem')), false, 'no key file written');
    });

    it('instances racing to make the first key all end up with the same one', async () => {
      const a = await start({ database });
      await a.db('licensing_signing_keys').delete();
      const options = { keyFile: null, legacyFile: path.join(a.database.dataDir, 'none.pem') };
      const keys = await Promise.all(Array.from({ length: 6 }, () => loadSigningKey(a.db, systemClock, a.app.logger, options)));
      const pems = new Set(keys.map((k) => createPublicKey(k).export({ type: 'spki', format: 'pem' }).toString()));
      assert.equal(pems.size, 1);
      assert.equal((await keyRows(a)).length, 1);
      assert.equal((await keyRows(a))[0].public_key, [...pems][0]);
    });

    it("a key file that differs from the database's key refuses to start, naming both keys; nothing changes", async () => {
      const a = await start({ database });
      const before = await keyRows(a);
      const other = elsewhere();
      const file = writeKeyFile(other.dataDir, 'mine.pem', pemOf(generateKeyPairSync('ed25519').privateKey));

      const err = await refusedStart({ database: other, licensing: { keyFile: file } });
      assert.match(
        err.message,
        /^licensing: the key file .*mine\.pem holds the Ed25519 key SHA256:\S+, but this database signs license files with SHA256:\S+ \(recorded /,
      );
      assert.match(err.message, /remove settings\.licensing\.keyFile to use the database's key/);
      assert.deepEqual(await keyRows(a), before);
      // The same key as a file (exported from the database) is accepted.
      const same = writeKeyFile(other.dataDir, 'same.pem', before[0].private_key);
      const b = await start({ database: other, licensing: { keyFile: same } });
      assert.equal(await publicKey(b), before[0].public_key);
    });

    it('a configured key file on a new database: used, only its public key recorded; an instance without the file refuses', async () => {
      const keyPair = generateKeyPairSync('ed25519').privateKey;
      const file = writeKeyFile(database.dataDir, 'keys/signing.pem', pemOf(keyPair));
      const a = await start({ database, licensing: { keyFile: 'keys/signing.pem' } });
      assert.equal(await publicKey(a), publicPemOf(keyPair));
      const [row] = await keyRows(a);
      assert.deepEqual([row.source, row.private_key, row.public_key], ['key_file', null, publicPemOf(keyPair)], 'the private key stays in the file');

      const err = await refusedStart({ database: elsewhere() });
      assert.match(
        err.message,
        /^licensing: the license signing key SHA256:\S+ is kept in a key file on the other instances .*set settings\.licensing\.keyFile on this instance/,
      );

      const other = elsewhere();
      const b = await start({ database: other, licensing: { keyFile: writeKeyFile(other.dataDir, 'copy.pem', fs.readFileSync(file, 'utf8')) } });
      const { key } = await tenantKey(a);
      assert.ok(checks(await licenseFile(b, key, 'device-b'), await publicKey(a)));
    });

    it('an installation from before (data/licensing/ed25519.pem): its key moves into the database and the other instances use it', async () => {
      const old = generateKeyPairSync('ed25519').privateKey;
      writeKeyFile(path.join(database.dataDir, 'licensing'), 'ed25519.pem', pemOf(old));
      const a = await start({ database });
      assert.equal(await publicKey(a), publicPemOf(old), 'clients shipped with the old public key keep working');
      const [row] = await keyRows(a);
      assert.equal(row.source, 'legacy_file');
      assert.match(row.private_key, /BEGIN PRIVATE KEY/);

      // Another host that once made its own key file (issue 15): it now signs with the shared key, and says so.
      const other = elsewhere();
      const stray = generateKeyPairSync('ed25519').privateKey;
      writeKeyFile(path.join(other.dataDir, 'licensing'), 'ed25519.pem', pemOf(stray));
      const { logger, lines } = capturingLogger();
      const b = await start({ database: other, logger });
      assert.equal(await publicKey(b), publicPemOf(old));
      const { key } = await tenantKey(a);
      assert.ok(checks(await licenseFile(b, key, 'device-b'), publicPemOf(old)));
      assert.ok(
        lines.some((l) => l.level === 40 && /holds another key than the database's/.test(l.msg)),
        'a warning names the ignored file',
      );
    });

    it('a key file that cannot be read, or is not an Ed25519 private key: a clear startup error', async () => {
      const missing = await refusedStart({ database, licensing: { keyFile: 'nowhere/key.pem' } });
      assert.match(missing.message, /^licensing: cannot read the license signing key file .*nowhere\/key\.pem \(settings\.licensing\.keyFile\)/);
      const rsa = writeKeyFile(
        database.dataDir,
        'rsa.pem',
        generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
      assert.match((await refusedStart({ database, licensing: { keyFile: rsa } })).message, /holds a rsa key; license files are signed with Ed25519/);
      const junk = writeKeyFile(database.dataDir, 'junk.pem', 'not a key');
      assert.match((await refusedStart({ database, licensing: { keyFile: junk } })).message, /is not a PEM private key/);
    });
  });
}

describe('licensing: one signing key across real processes (PostgreSQL)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  const procs: PlinthProcess[] = [];
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await database?.drop();
  });

  /** A `plinth start` config on the shared database with a data dir of its own, as on its own host. */
  const hostConfig = (name: string, port: number, licensing: Record<string, unknown> = {}) => {
    const dataDir = path.join(database.dataDir, name);
    fs.mkdirSync(dataDir, { recursive: true });
    return writeConfig(
      database,
      {
        server: { port },
        dataDir,
        log: { level: 'warn' },
        plugins: ['auth', 'licensing'],
        settings: { auth: { admin: ADMIN, registration: 'open' }, licensing },
      },
      `${name}.json`,
    );
  };

  it('two instances sign license files that verify with the one public key; a third with its own key file refuses to start, naming both keys', async () => {
    const ports = [await freePort(), await freePort()];
    const started = await Promise.allSettled(['a', 'b'].map((name, i) => startServer(hostConfig(name, ports[i]), ports[i])));
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [a, b] = ports.map((port) => licensingServer(`http://127.0.0.1:${port}`));

    const pem = await publicKey(a);
    assert.equal(await publicKey(b), pem, 'both serve one public key');
    const { key } = await tenantKey(a);
    const fromA = await licenseFile(a, key, 'device-a');
    const fromB = await licenseFile(b, key, 'device-b');
    assert.ok(checks(fromA, pem), "A's file verifies with the public key");
    assert.ok(checks(fromB, pem), "B's file verifies with the public key");
    assert.ok(!checks({ ...fromB, payload: fromA.payload }, pem), 'a signature does not verify another payload');

    const db = openDatabase(database);
    let recorded: { public_key: string; source: string };
    try {
      const rows = await db('licensing_signing_keys').select('public_key', 'source');
      assert.equal(rows.length, 1);
      recorded = rows[0];
    } finally {
      await db.destroy();
    }
    assert.deepEqual([recorded.public_key, recorded.source], [pem, 'generated']);
    for (const name of ['a', 'b']) assert.equal(fs.existsSync(path.join(database.dataDir, name, 'licensing', 'ed25519.pem')), false, 'no key file written');

    // A third host with a key file of its own: it refuses to start, and says which two keys differ.
    const own = generateKeyPairSync('ed25519').privateKey;
    const file = writeKeyFile(path.join(database.dataDir, 'c'), 'own.pem', pemOf(own));
    const c = spawnPlinth(['start'], hostConfig('c', await freePort(), { keyFile: file }));
    procs.push(c);
    const { code } = await c.exited;
    assert.notEqual(code, 0, c.output());
    const expected = [fingerprint(own), fingerprint(createPublicKey(pem))];
    assert.notEqual(expected[0], expected[1]);
    assert.ok(
      c.output().includes(`the key file ${file} holds the Ed25519 key ${expected[0]}, but this database signs license files with ${expected[1]}`),
      c.output(),
    );
    // The two running instances still serve the same key.
    assert.equal(await publicKey(a), pem);
    assert.equal(await publicKey(b), pem);
  });
});
