import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3Destination } from '../../core/backup/settings.js';
import { hmacSha256 } from '../../core/secrets.js';

/** The part of s3rver (@20minutes/s3rver, CommonJS, no types) these tests use. */
interface S3rverApp {
  middleware: Array<(ctx: S3rverContext & { path: string; query: Record<string, string | string[]> }, next: () => Promise<void>) => Promise<void>>;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: import('node:http').Server;
}
interface S3rverContext {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverApp;
interface SignatureV4 {
  parseHeader(headers: S3rverContext['headers']): {
    accessKeyId: string;
    credential: { date: string; region: string; service: string; termination: string };
    signedHeaders: string[];
    signatureProvided: string;
  };
  getStringToSign(request: Record<string, unknown>, parsed: ReturnType<SignatureV4['parseHeader']>): string;
  getSigningKey(secret: string, date: string, region: string, service: string): Buffer;
}

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver') as S3rverClass;
const v4 = require('@20minutes/s3rver/lib/signature/v4.js') as SignatureV4;
const accounts = (require('@20minutes/s3rver/lib/models/account.js') as { registry: Map<string, { accessKeys: Map<string, string> }> }).registry;

/**
 * s3rver 5.0.0 computes a bucket-level request's canonical URI without its trailing slash (`/bucket`), while
 * the AWS SDK v3 sends and signs path-style ListObjectsV2 as `GET /bucket/?list-type=2…`, so every listing
 * fails with SignatureDoesNotMatch (s3rver's own tests use SDK v2, which sends `/bucket?…`). This checks the
 * signature as the SDK made it and, only if it is right, re-signs the request the way s3rver checks it: wrong
 * credentials are still refused by s3rver itself.
 */
function resignBucketRequest(ctx: S3rverContext & { path: string; query: Record<string, string | string[]> }): void {
  const bucket = /^\/([^/]+)\/$/.exec(ctx.path)?.[1];
  const auth = ctx.headers.authorization;
  if (!bucket || typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ')) return;
  let parsed: ReturnType<SignatureV4['parseHeader']>;
  try {
    parsed = v4.parseHeader(ctx.headers);
  } catch {
    return; // malformed: s3rver says so itself
  }
  const secret = accounts.get(parsed.accessKeyId)?.accessKeys.get(parsed.accessKeyId);
  if (!secret) return;
  const { date, region, service } = parsed.credential;
  const querystring = Object.entries(ctx.query)
    .map(([param, value]) => [param, String(value)].map(encodeURIComponent).join('='))
    .sort()
    .join('&');
  const sign = (uri: string) =>
    hmacSha256(
      v4.getSigningKey(secret, date, region, service),
      v4.getStringToSign({ method: ctx.method, uri, querystring, headers: ctx.headers, timestamp: ctx.headers['x-amz-date'] }, parsed),
    );
  if (sign(`/${bucket}/`) !== parsed.signatureProvided) return;
  ctx.headers.authorization = auth.replace(/Signature=[0-9a-f]+/, `Signature=${sign(`/${bucket}`)}`);
}

/** A request the server received (after the SDK signed it): what a test can check was, or was not, sent. */
export interface S3Request {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * s3rver makes ListObjectsV2 continuation tokens with single DES (`des`), which OpenSSL 3 (Node 17 on) keeps in
 * its legacy provider, so the first truncated page is an InternalError. Triple DES with the key given three times
 * is the same cipher byte for byte and is in the default provider: while a server runs, `des` (and nothing else)
 * is given that. Only where `des` is missing, i.e. where it would throw ERR_OSSL_EVP_UNSUPPORTED anyway.
 */
let desLent = 0;
let restoreDes: (() => void) | null = null;
function lendDes(): void {
  if (desLent++ > 0) return;
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return; // DES is there (e.g. --openssl-legacy-provider)
  } catch {}
  const { createCipheriv, createDecipheriv } = crypto;
  const asDes3 = (algorithm: string, key: Buffer): [string, Buffer] =>
    algorithm.toLowerCase() === 'des' ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [algorithm, key];
  crypto.createCipheriv = ((algorithm: string, key: Buffer, ...rest: [Buffer]) =>
    createCipheriv(...asDes3(algorithm, key), ...rest)) as unknown as typeof crypto.createCipheriv;
  crypto.createDecipheriv = ((algorithm: string, key: Buffer, ...rest: [Buffer]) =>
    createDecipheriv(...asDes3(algorithm, key), ...rest)) as unknown as typeof crypto.createDecipheriv;
  restoreDes = () => Object.assign(crypto, { createCipheriv, createDecipheriv });
}
function returnDes(): void {
  if (--desLent > 0) return;
  restoreDes?.();
  restoreDes = null;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The first of the buckets made at start. */
  bucket: string;
  /** The credentials it accepts. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request received so far, in order. */
  requests: S3Request[];
  /** A destination in `bucket` (path-style, these credentials), with `prefix` and any overrides. */
  destination(prefix?: string, overrides?: Partial<S3Destination>): S3Destination;
  /** Stops the server (dropping open connections) and deletes its folder. */
  close(): Promise<void>;
}

/**
 * An S3-compatible server (s3rver) in this process, on a free port of 127.0.0.1, keeping objects in a
 * temporary folder; `buckets` are made before it answers (default: one, `plinth-backups`).
 */
export async function startS3Server(buckets: string[] = ['plinth-backups']): Promise<S3Server> {
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'plinth-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const requests: S3Request[] = [];
  // First in the chain (Koa composes it when the server starts listening): sees every request as it came.
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, url: ctx.url, headers: { ...ctx.headers } });
    resignBucketRequest(ctx);
    await next();
  });
  lendDes();
  const { port } = await server.run().catch((err) => {
    returnDes();
    throw err;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket: buckets[0],
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    requests,
    destination: (prefix = '', overrides = {}) => ({
      bucket: buckets[0],
      prefix,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      ...overrides,
    }),
    close: async () => {
      const closed = server.close();
      server.httpServer?.closeAllConnections();
      await closed;
      returnDes();
      await fs.promises.rm(directory, { recursive: true, force: true });
    },
  };
}
