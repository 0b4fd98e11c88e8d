// The one place for secrets and their hashes: random tokens, the SHA-256 they are stored as, keyed
// digests, and constant-time comparison. Every plugin uses these (auth's tokens and keys, robot
// tokens, mail sessions, workflow webhook tokens, agents' confirmations, licensing's key
// fingerprints) instead of its own copy; test/architecture/secrets.test.ts holds that.
import { createHash, createHmac, hash, type KeyObject, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** How a digest is written: hex (what the database stores) or base64url (shorter, URL-safe). */
export type DigestEncoding = 'hex' | 'base64url';

/** 256 random bits, URL-safe: refresh tokens, magic links, reset and verification tokens. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * SHA-256. Secrets are stored as it (they are random and long, so a slow hash adds nothing); it
 * also names content (a skill's digest, a tool call's arguments) and keys (a public key's fingerprint).
 */
/** SHA-256 of a file's bytes, streamed (a backup's database copy: too large to read at once). */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

// crypto.hash, the one-shot form: no Hash object per call (about a quarter of createHash's time for a
// key-sized input; an API key's lookup hashes on every request).
export const sha256 = (value: string | Uint8Array, encoding: DigestEncoding = 'hex'): string => hash('sha256', value, encoding);

/** HMAC-SHA256: a digest only the key's holder can make (derived tokens, pseudonymous ids). */
export const hmacSha256 = (key: string | Uint8Array | KeyObject, value: string, encoding: DigestEncoding = 'hex'): string =>
  createHmac('sha256', key).update(value).digest(encoding);

export const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(sha256(a), 'hex');
  const y = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(x, y);
};

/** A 6-digit one-time code, uniformly drawn. */
export const sixDigitCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
