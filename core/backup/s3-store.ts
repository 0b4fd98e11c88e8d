import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../errors.js';
import type { S3Destination } from './settings.js';
import { type BackupStore, parseBackupName, type StoredBackup } from './store.js';

/** A failure of an S3 request, said with the destination, what was being done and S3's own code and message. */
export class S3StoreError extends Error {
  override name = 'S3StoreError';
  constructor(
    message: string,
    /** S3's error code (`NoSuchBucket`, `InvalidAccessKeyId`, …) or the network's (`ECONNREFUSED`, …). */
    readonly code: string,
    /** The HTTP status S3 answered with; undefined when no answer came. */
    readonly httpStatus: number | undefined,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

export interface S3BackupStoreOptions {
  /** Keys asked for per ListObjectsV2 page (S3's maximum, 1000, by default; tests make it small). */
  pageSize?: number;
}

export interface S3BackupStoreDeps extends S3BackupStoreOptions {
  destination: S3Destination;
}

/**
 * Backups kept in an S3-compatible bucket (AWS, MinIO, R2, Wasabi, …) through the official AWS SDK, as
 * `<prefix><name>`, private (no ACL is granted: the bucket's own policy decides, and nothing makes an object
 * public). Large archives go up in parts (lib-storage's `Upload`, which aborts the upload if a part fails).
 */
export class S3BackupStore implements BackupStore {
  readonly location = 's3' as const;
  readonly where: string;
  private readonly client: S3Client;
  private readonly pageSize: number;

  constructor(private readonly deps: S3BackupStoreDeps) {
    this.where = `s3://${deps.destination.bucket}/${deps.destination.prefix}`;
    this.pageSize = deps.pageSize ?? 1000;
    const { accessKeyId, secretAccessKey } = deps.destination;
    if ((accessKeyId === null) !== (secretAccessKey === null)) {
      throw new Error(`S3 destination ${this.where}: give both accessKeyId and secretAccessKey, or neither (the AWS SDK's own credential chain)`);
    }
    const config: S3ClientConfig = {
      region: deps.destination.region,
      forcePathStyle: deps.destination.forcePathStyle,
      // A server that does not take a connection in 10 s is unreachable, not slow (the SDK leaves it to the OS: minutes).
      requestHandler: { connectionTimeout: 10_000 },
    };
    if (deps.destination.endpoint !== null) {
      config.endpoint = deps.destination.endpoint;
      // The SDK's default (a CRC32 on every upload, since 3.729) is refused by some S3-compatible servers; checksums
      // then go only where S3 requires them. The archive's own checksum is still verified when it is restored.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (accessKeyId !== null && secretAccessKey !== null) config.credentials = { accessKeyId, secretAccessKey };
    this.client = new S3Client(config);
  }

  /** The object key a backup named `name` has (names are checked first: nothing else is ever sent). */
  keyOf(name: string): string {
    if (!parseBackupName(name)) throw AppError.notFound(`no backup named "${name}"`);
    return this.deps.destination.prefix + name;
  }

  async put(file: string, name: string): Promise<void> {
    const Key = this.keyOf(name);
    const { size } = await fs.promises.stat(file);
    const body = fs.createReadStream(file);
    try {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.deps.destination.bucket, Key, Body: body, ContentLength: size, ContentType: 'application/gzip' },
      });
      await upload.done();
    } catch (err) {
      throw this.failure(`uploading ${name}`, err);
    } finally {
      body.destroy();
    }
  }

  async list(): Promise<StoredBackup[]> {
    const { bucket, prefix } = this.deps.destination;
    const found: StoredBackup[] = [];
    let ContinuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        // Delimiter `/`: what lies in "folders" below the prefix is not Plinth's and is not listed.
        page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: this.pageSize, ContinuationToken }));
      } catch (err) {
        throw this.failure('listing backups', err);
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(prefix)) continue;
        const name = object.Key.slice(prefix.length);
        const parsed = parseBackupName(name);
        if (parsed) found.push({ name, location: this.location, bytes: object.Size ?? 0, ...parsed });
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return found;
  }

  async read(name: string): Promise<{ stream: Readable; bytes: number }> {
    const Key = this.keyOf(name);
    let object: GetObjectCommandOutput;
    try {
      object = await this.client.send(new GetObjectCommand({ Bucket: this.deps.destination.bucket, Key }));
    } catch (err) {
      // Only a missing object is "no such backup"; a missing bucket or a refusal is the destination's failure.
      const { code, status } = errorParts(err);
      if (code === 'NoSuchKey' || (code === 'NotFound' && status === 404)) throw AppError.notFound(`no backup named "${name}" in ${this.where}`);
      throw this.failure(`reading ${name}`, err);
    }
    const stream = object.Body as Readable;
    if (object.ContentLength === undefined) {
      stream.destroy();
      throw new S3StoreError(`S3 destination ${this.where}: ${name} came without a Content-Length`, 'NoContentLength', object.$metadata.httpStatusCode);
    }
    return { stream, bytes: object.ContentLength };
  }

  async remove(name: string): Promise<void> {
    const Key = this.keyOf(name);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.deps.destination.bucket, Key }));
    } catch (err) {
      throw this.failure(`deleting ${name}`, err);
    }
  }

  /** Ends the client's connections. */
  close(): void {
    this.client.destroy();
  }

  /** The error to throw for a failed request: the destination (and endpoint), what failed, S3's code and message. */
  private failure(doing: string, err: unknown): S3StoreError {
    const { code, message, status } = errorParts(err);
    const at = this.deps.destination.endpoint ? ` at ${this.deps.destination.endpoint}` : '';
    const http = status === undefined ? '' : ` (HTTP ${status})`;
    return new S3StoreError(`S3 destination ${this.where}${at}: ${doing} failed: ${code}: ${message}${http}`, code, status, { cause: err });
  }
}

/** What an SDK error (or a network one under it) says: S3's code, its message, the HTTP status if one came. */
function errorParts(err: unknown): { code: string; message: string; status: number | undefined } {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; errors?: Error[]; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  // A network error carries its code (ECONNREFUSED, ENOTFOUND, …); a refused connection to each of a host's
  // addresses is an AggregateError whose own message is empty.
  const code = (status === undefined && e.code) || e.name || 'Error';
  const message = e.message || e.errors?.map((inner) => inner.message).join('; ') || 'no message';
  return { code, message, status };
}
