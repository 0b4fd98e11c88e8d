// The one place for secrets and their hashes: random tokens, the SHA-256 they are stored as, and
// constant-time comparison. Every plugin uses these (auth's tokens and keys, robot tokens, mail
// sessions, workflow webhook tokens) instead of its own copy.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens, magic links, reset and verification tokens. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Secrets are stored as SHA-256 (they are random and long, so a slow hash adds nothing). */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(sha256(a), 'hex');
  const y = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(x, y);
};

/** A 6-digit one-time code, uniformly drawn. */
export const sixDigitCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
