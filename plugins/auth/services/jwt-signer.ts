import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { lazy } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import { hmacSha256, randomToken } from 'plinth/plugin';
import { AuthErrors } from './errors.js';

export type TokenType = 'access' | 'ui';

export interface TokenClaims {
  userId: string;
  tenantId: string;
  sessionId: string;
  type: TokenType;
  expiresAt: Date;
}

const ISSUER = 'plinth';
const AUDIENCE = 'plinth:api';

/** jose is ~180 module files: loaded at the first sign or verify, not at boot. */
const jose = lazy(() => import('jose'));

export interface JwtSignerDeps {
  db: Knex;
  clock: Clock;
  configured: string | null;
}

/**
 * Access tokens: HS256 only (the algorithm is pinned on verify, so `none` or a swapped
 * algorithm never passes), with exp, issuer, audience and a `typ` claim checked, so a UI
 * session token is not an API token and nothing else we sign can pass as either.
 */
export class JwtSigner {
  private key: KeyObject | null = null;
  /**
   * Tokens whose signature and claims were already verified (~300 µs each with jose). Expiry is
   * still checked on every use, and revocation lives in the session, checked by the caller.
   */
  private readonly verified = new LRUCache<string, TokenClaims>({ max: 5_000 });

  constructor(private readonly deps: JwtSignerDeps) {}

  /**
   * A token derived from `input` with the signing secret: the same input always gives the same
   * token, and nobody without the secret can work it out (a rotated refresh token's successor).
   */
  derive(purpose: string, input: string): string {
    if (!this.key) throw new Error('JwtSigner.init() was not called');
    return hmacSha256(this.key.export(), `${purpose}\u0000${input}`, 'base64url');
  }

  /** Loads the signing secret: the configured one, or one generated once and shared through the database. */
  async init(): Promise<void> {
    if (this.deps.configured) {
      this.key = createSecretKey(Buffer.from(this.deps.configured, 'utf8'));
      return;
    }
    let row = await this.deps.db('auth_signing_keys').orderBy('created_at').first();
    if (!row) {
      try {
        await this.deps.db('auth_signing_keys').insert({ id: 'primary', secret: randomToken(48), created_at: this.deps.clock.now().toISOString() });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another instance generated it first
      }
      row = await this.deps.db('auth_signing_keys').orderBy('created_at').first();
    }
    this.key = createSecretKey(Buffer.from(row.secret, 'utf8'));
  }

  private secret(): KeyObject {
    if (!this.key) throw new Error('JwtSigner used before init()');
    return this.key;
  }

  async sign(claims: Omit<TokenClaims, 'expiresAt'>, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const { SignJWT } = await jose();
    const token = await new SignJWT({ tid: claims.tenantId, sid: claims.sessionId, typ: claims.type })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(randomUUID())
      .sign(this.secret());
    return { token, expiresAt };
  }

  /** A token's claims when it was verified before and has not expired since; null otherwise (verify it). */
  known(token: string, type: TokenType, now: Date = this.deps.clock.now()): TokenClaims | null {
    const known = this.verified.get(token);
    return known && known.type === type && known.expiresAt.getTime() > now.getTime() ? known : null;
  }

  /** Verifies a token of the expected type; any problem is a 401 that does not say which. */
  async verify(token: string, type: TokenType): Promise<TokenClaims> {
    const known = this.known(token, type);
    if (known) return known;
    const { jwtVerify, errors } = await jose();
    try {
      const { payload } = await jwtVerify(token, this.secret(), {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.deps.clock.now(),
        requiredClaims: ['sub', 'exp', 'sid', 'tid', 'typ'],
      });
      if (payload.typ !== type) throw new Error('wrong token type');
      const claims: TokenClaims = {
        userId: String(payload.sub),
        tenantId: String(payload.tid),
        sessionId: String(payload.sid),
        type,
        expiresAt: new Date(payload.exp! * 1000),
      };
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      const expired = err instanceof errors.JWTExpired;
      throw expired ? AuthErrors.tokenExpired() : AuthErrors.tokenInvalid();
    }
  }
}
