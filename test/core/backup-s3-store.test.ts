// The S3-compatible backup destination against a real S3-compatible server in this process (s3rver, see
// test/helpers/s3-server.ts): what it uploads, lists, reads and deletes, what it leaves alone, and how its
// failures read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectAclCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3BackupStore, S3StoreError } from '../../core/backup/s3-store.js';
import type { S3Destination } from '../../core/backup/settings.js';
import { backupName, newestFirst } from '../../core/backup/store.js';
import { AppError } from '../../core/errors.js';
import { sha256 } from '../../core/secrets.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const notFound = (err: unknown) => err instanceof AppError && err.status === 404 && err.code === 'not_found';

/** `S3StoreError` whose message names the destination and S3's (or the network's) code. */
const failedWith = (where: string, code: string) => (err: unknown) => {
  assert.ok(err instanceof S3StoreError, `not an S3StoreError: ${String(err)}`);
  assert.equal(err.code, code);
  assert.ok(err.message.includes(where), `"${err.message}" does not name ${where}`);
  assert.ok(err.message.includes(code), `"${err.message}" does not name ${code}`);
  return true;
};

describe('core: the S3 backup destination (s3rver)', () => {
  let server: S3Server;
  let sdk: S3Client;
  let dir: string;
  const stores: S3BackupStore[] = [];

  /** A store on the test server; closed after the suite. */
  const storeAt = (prefix: string, overrides: Partial<S3Destination> = {}, pageSize?: number) => {
    const store = new S3BackupStore({ destination: server.destination(prefix, overrides), pageSize });
    stores.push(store);
    return store;
  };

  /** A file of `bytes` random bytes standing for a finished archive. */
  const archive = async (bytes: number) => {
    const data = randomBytes(bytes);
    const file = path.join(dir, `archive-${sha256(data).slice(0, 12)}.tar.gz`);
    await fs.promises.writeFile(file, data);
    return { file, data };
  };

  /** The requests made since `from` (an index into server.requests) whose URL contains `part`. */
  const requestsSince = (from: number, part = '') => server.requests.slice(from).filter((r) => r.url.includes(part));

  before(async () => {
    server = await startS3Server();
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'plinth-s3-store-'));
    sdk = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });

  after(async () => {
    for (const store of stores) store.close();
    sdk?.destroy();
    await server?.close();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('put, then list shows each backup with its bytes, when, database and version; read gives the same bytes; remove removes it', async () => {
    const store = storeAt('plinth/');
    assert.equal(store.location, 's3');
    assert.equal(store.where, 's3://plinth-backups/plinth/');
    const older = backupName(new Date('2026-11-25T22:45:00.123Z'), 'sqlite', '0.1.0');
    const newer = backupName(new Date('2026-11-26T02:30:00.000Z'), 'postgres', '0.2.0-rc.1');
    const a = await archive(1234);
    const b = await archive(777);
    await store.put(a.file, older);
    await store.put(b.file, newer);

    const listed = (await store.list()).sort(newestFirst);
    assert.deepEqual(listed, [
      { name: newer, location: 's3', bytes: 777, createdAt: '2026-11-26T02:30:00.000Z', database: 'postgres', plinthVersion: '0.2.0-rc.1' },
      { name: older, location: 's3', bytes: 1234, createdAt: '2026-11-25T22:45:00.123Z', database: 'sqlite', plinthVersion: '0.1.0' },
    ]);

    const read = await store.read(older);
    assert.equal(read.bytes, 1234);
    assert.equal(sha256(await readAll(read.stream)), sha256(a.data));

    // Kept where the prefix says, under exactly the backup's name.
    const raw = await sdk.send(new GetObjectCommand({ Bucket: server.bucket, Key: `plinth/${newer}` }));
    assert.equal(sha256(Buffer.from(await raw.Body!.transformToByteArray())), sha256(b.data));

    await store.remove(older);
    assert.deepEqual(
      (await store.list()).map((s) => s.name),
      [newer],
    );
    await assert.rejects(store.read(older), notFound);
    await store.remove(older); // already gone: no error, as S3 itself answers
  });

  it('uploads privately: no ACL or grant is sent, and the object is typed application/gzip', async () => {
    const store = storeAt('private/');
    const name = backupName(new Date('2026-11-25T10:00:00.000Z'), 'sqlite', '0.1.0');
    const from = server.requests.length;
    await store.put((await archive(100)).file, name);

    const puts = requestsSince(from).filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 1);
    assert.ok(puts[0].url.startsWith(`/plinth-backups/private/${name}`), puts[0].url);
    const aclHeaders = Object.keys(puts[0].headers).filter((h) => h === 'x-amz-acl' || h.startsWith('x-amz-grant-'));
    assert.deepEqual(aclHeaders, []);

    const object = await sdk.send(new GetObjectCommand({ Bucket: server.bucket, Key: `private/${name}` }));
    (object.Body as Readable).destroy();
    assert.equal(object.ContentType, 'application/gzip');

    // s3rver answers GetObjectAcl (with a fixed owner-only policy, so the header check above is what proves
    // nothing asked for more); no grant may go to everyone or to every AWS account.
    const acl = await sdk.send(new GetObjectAclCommand({ Bucket: server.bucket, Key: `private/${name}` }));
    const groups = (acl.Grants ?? []).map((g) => g.Grantee?.URI ?? '').filter((uri) => /AllUsers|AuthenticatedUsers/.test(uri));
    assert.deepEqual(groups, []);
  });

  it('lists only the names Plinth writes directly under its prefix: foreign keys, other prefixes and sub-folders are ignored', async () => {
    const store = storeAt('mixed/');
    const ours = backupName(new Date('2026-11-20T00:00:00.000Z'), 'sqlite', '0.1.0');
    const other = backupName(new Date('2026-11-21T00:00:00.000Z'), 'sqlite', '0.1.0');
    await store.put((await archive(10)).file, ours);
    const foreign = [
      'mixed/notes.txt',
      'mixed/plinth-backup-latest.tar.gz',
      `mixed/${other}.partial`,
      `mixed/old/${other}`,
      `mixedup/${other}`,
      other,
      `elsewhere/${other}`,
    ];
    for (const Key of foreign) await sdk.send(new PutObjectCommand({ Bucket: server.bucket, Key, Body: 'not a backup' }));

    assert.deepEqual(
      (await store.list()).map((s) => s.name),
      [ours],
    );
    // A store on the bucket's root sees the backup at the root, and nothing below any folder.
    assert.deepEqual(
      (await storeAt('').list()).map((s) => s.name),
      [other],
    );
  });

  it('lists page by page (ContinuationToken) until the last page', async () => {
    const store = storeAt('paged/', {}, 2);
    const names = [1, 2, 3, 4, 5].map((day) => backupName(new Date(Date.UTC(2026, 10, day)), 'sqlite', '0.1.0'));
    const { file } = await archive(50);
    for (const name of names) await store.put(file, name);
    await sdk.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'paged/readme.txt', Body: 'not a backup' }));

    const from = server.requests.length;
    const listed = await store.list();
    assert.deepEqual(listed.map((s) => s.name).sort(), [...names].sort());
    assert.ok(
      listed.every((s) => s.bytes === 50),
      'every page gives sizes',
    );
    const pages = requestsSince(from, 'list-type=2');
    assert.equal(pages.length, 3, `6 keys at 2 a page: ${pages.map((p) => p.url).join(' ')}`);
    assert.ok(
      pages.slice(1).every((p) => p.url.includes('continuation-token=')),
      'later pages carry the token',
    );
  });

  it('an archive larger than one part goes up as a multipart upload and reads back the same', async () => {
    const store = storeAt('big/');
    const name = backupName(new Date('2026-11-25T03:00:00.000Z'), 'postgres', '0.1.0');
    const size = 11 * 1024 * 1024 + 123;
    const { file, data } = await archive(size);
    const from = server.requests.length;
    await store.put(file, name);

    assert.equal(requestsSince(from, '?uploads').length, 1, 'one CreateMultipartUpload');
    const parts = requestsSince(from, 'partNumber=').map((r) => Number(/partNumber=(\d+)/.exec(r.url)?.[1]));
    assert.deepEqual(
      parts.sort((x, y) => x - y),
      [1, 2, 3],
    );
    assert.equal(requestsSince(from, 'uploadId=').filter((r) => r.method === 'POST').length, 1, 'one CompleteMultipartUpload');

    assert.deepEqual(
      (await store.list()).map((s) => [s.name, s.bytes]),
      [[name, size]],
    );
    const read = await store.read(name);
    assert.equal(read.bytes, size);
    assert.equal(sha256(await readAll(read.stream)), sha256(data));
  });

  it('a name that is not a backup name is not_found and is never sent', async () => {
    const store = storeAt('names/');
    const { file } = await archive(10);
    const from = server.requests.length;
    for (const bad of ['../secret.tar.gz', 'notes.txt', `sub/${backupName(new Date(), 'sqlite', '0.1.0')}`, '']) {
      await assert.rejects(store.read(bad), notFound);
      await assert.rejects(store.remove(bad), notFound);
      await assert.rejects(store.put(file, bad), notFound);
    }
    assert.equal(requestsSince(from).length, 0);
  });

  it('a backup that is not there is not_found, naming the destination', async () => {
    const store = storeAt('missing/');
    await assert.rejects(store.read(backupName(new Date('2026-01-01T00:00:00.000Z'), 'sqlite', '0.1.0')), (err: unknown) => {
      assert.ok(notFound(err));
      assert.match((err as Error).message, /s3:\/\/plinth-backups\/missing\//);
      return true;
    });
  });

  it('wrong credentials, a missing bucket or an unreachable server fail with an error naming the destination and the code', async () => {
    const name = backupName(new Date('2026-11-25T04:00:00.000Z'), 'sqlite', '0.1.0');
    const { file } = await archive(10);

    const wrongSecret = storeAt('creds/', { secretAccessKey: 'not-the-secret' });
    await assert.rejects(wrongSecret.list(), failedWith('s3://plinth-backups/creds/', 'SignatureDoesNotMatch'));
    await assert.rejects(wrongSecret.put(file, name), failedWith('s3://plinth-backups/creds/', 'SignatureDoesNotMatch'));
    const wrongKey = storeAt('creds/', { accessKeyId: 'NOBODY' });
    await assert.rejects(wrongKey.read(name), failedWith('s3://plinth-backups/creds/', 'InvalidAccessKeyId'));
    await assert.rejects(wrongKey.remove(name), failedWith('s3://plinth-backups/creds/', 'InvalidAccessKeyId'));

    const noBucket = storeAt('x/', { bucket: 'no-such-bucket' });
    await assert.rejects(noBucket.list(), failedWith('s3://no-such-bucket/x/', 'NoSuchBucket'));
    await assert.rejects(noBucket.put(file, name), failedWith('s3://no-such-bucket/x/', 'NoSuchBucket'));
    // Not "no such backup": the bucket itself is missing.
    await assert.rejects(noBucket.read(name), failedWith('s3://no-such-bucket/x/', 'NoSuchBucket'));

    // A port nobody listens on (taken, then let go).
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = storeAt('down/', { endpoint: `http://127.0.0.1:${port}` });
    await assert.rejects(unreachable.list(), (err: unknown) => {
      failedWith('s3://plinth-backups/down/', 'ECONNREFUSED')(err);
      assert.ok((err as Error).message.includes(`http://127.0.0.1:${port}`), 'names the endpoint it could not reach');
      return true;
    });
  });

  it('refuses a destination with only half of its credentials', () => {
    assert.throws(() => storeAt('half/', { secretAccessKey: null }), /s3:\/\/plinth-backups\/half\/.*both accessKeyId and secretAccessKey/);
  });
});
