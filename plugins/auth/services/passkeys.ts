import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type {
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
  VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import type { Clock } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Principal } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import { CEREMONY_MS, type PasskeyChallenges } from './passkey-challenges.js';
import type { Users } from './users.js';
import type { Db, RequestMeta } from './types.js';
import { AuthErrors } from './errors.js';
import { webauthn } from './webauthn-library.js';

/** At most this many passkeys per user. */
export const MAX_PASSKEYS = 20;

/** COSE algorithms offered and accepted: EdDSA, ES256, RS256 (what authenticators make). */
export const PASSKEY_ALGORITHMS = [-8, -7, -257];

/** A passkey as its owner sees it (never the key itself). */
export interface PublicPasskey {
  id: string;
  name: string;
  /** singleDevice, or multiDevice (a synced passkey). */
  device_type: string;
  backed_up: boolean;
  transports: string[];
  created_at: string;
  last_used_at: string | null;
}

export interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number | string;
  transports: string;
  device_type: string;
  backed_up: boolean | number;
  aaguid: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export const toPublicPasskey = (r: PasskeyRow): PublicPasskey => ({
  id: r.id,
  name: r.name,
  device_type: r.device_type,
  backed_up: Boolean(r.backed_up),
  transports: JSON.parse(r.transports) as string[],
  created_at: r.created_at,
  last_used_at: r.last_used_at,
});

/**
 * The relying party the browser checks against: the host of `server.publicUrl` and its origin
 * (read at each ceremony: a publicUrl derived from the port is settled only once the server listens).
 */
export function relyingParty(config: CoreConfig): { rpID: string; origin: string; rpName: string } {
  const url = new URL(config.server.publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: 'Plinth' };
}

/** The challenge the browser signed, from the response's clientDataJSON; null when it cannot be read. */
export function signedChallenge(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' && data.challenge.length > 0 && data.challenge.length <= 512 ? data.challenge : null;
  } catch {
    return null;
  }
}

export interface PasskeysDeps {
  db: Knex;
  clock: Clock;
  config: CoreConfig;
  users: Users;
  audit: AuditLog;
  challenges: PasskeyChallenges;
}

/**
 * A user's passkeys: registering one (options, then the authenticator's answer), listing, renaming
 * and removing them. Signing in with one is passkey-sign-in.ts. Every change is audited.
 */
export class Passkeys {
  constructor(private readonly deps: PasskeysDeps) {}

  async list(userId: string): Promise<PublicPasskey[]> {
    const rows = (await this.deps.db('auth_passkeys').where('user_id', userId).orderBy('created_at').orderBy('id')) as PasskeyRow[];
    return rows.map(toPublicPasskey);
  }

  /** How many passkeys a user has (a second factor counts them). */
  async count(userId: string, db: Db = this.deps.db): Promise<number> {
    const row = await db('auth_passkeys').where('user_id', userId).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** What the browser passes to navigator.credentials.create(): a discoverable credential with user verification. */
  async registrationOptions(principal: Principal): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.deps.users.byId(principal.id);
    if (!user) throw AppError.notFound('user not found');
    const existing = (await this.deps.db('auth_passkeys').where('user_id', user.id).select('credential_id', 'transports')) as PasskeyRow[];
    if (existing.length >= MAX_PASSKEYS) throw AuthErrors.passkeyLimit(MAX_PASSKEYS);
    const { rpID, rpName } = relyingParty(this.deps.config);
    const userName = user.email ?? user.username ?? user.phone ?? user.id;
    const { generateRegistrationOptions } = await webauthn();
    const options = await generateRegistrationOptions({
      rpName,
      rpID,
      userName,
      userDisplayName: user.full_name || userName,
      // The user handle: the user's id (no personal data), which a discoverable sign-in gives back.
      userID: new TextEncoder().encode(user.id),
      timeout: CEREMONY_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: JSON.parse(p.transports) as AuthenticatorTransport[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    });
    await this.deps.challenges.issue(options.challenge, { purpose: 'registration', user_id: user.id, for_user: true });
    return options;
  }

  /** Checks the authenticator's answer to this user's own challenge and keeps the passkey. */
  async register(principal: Principal, response: RegistrationResponseJSON, name: string | undefined, meta: RequestMeta): Promise<PublicPasskey> {
    const challenge = signedChallenge(response.response.clientDataJSON);
    if (!challenge || !(await this.deps.challenges.take(challenge, 'registration', principal.id))) throw AuthErrors.passkeyChallengeRefused();
    const { rpID, origin } = relyingParty(this.deps.config);
    const { verifyRegistrationResponse } = await webauthn();
    let info: VerifiedRegistrationResponse['registrationInfo'];
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
        supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
      });
      info = verified.registrationInfo;
    } catch (err) {
      throw AuthErrors.passkeyRefused((err as Error).message);
    }
    // The id the browser names is the one the authenticator signed into its data.
    if (!info || info.credential.id !== response.id) throw AuthErrors.passkeyRefused();
    const { credential } = info;
    const now = this.deps.clock.now().toISOString();
    const row: PasskeyRow = {
      id: randomUUID(),
      user_id: principal.id,
      credential_id: credential.id,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: JSON.stringify(response.response.transports ?? credential.transports ?? []),
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp,
      aaguid: info.aaguid,
      name: name?.trim() || 'Passkey',
      created_at: now,
      last_used_at: null,
    };
    await this.deps.db.transaction(async (trx) => {
      if (await trx('auth_passkeys').where('credential_id', credential.id).first('id')) {
        throw AuthErrors.passkeyExists();
      }
      if ((await this.count(principal.id, trx)) >= MAX_PASSKEYS) {
        throw AuthErrors.passkeyLimit(MAX_PASSKEYS);
      }
      await trx('auth_passkeys').insert(row);
      await this.deps.audit.record(
        {
          action: 'passkey.added',
          actor: principal,
          tenantId: principal.tenantId,
          target: { type: 'passkey', id: row.id },
          meta,
          details: { name: row.name, device_type: row.device_type, backed_up: Boolean(row.backed_up), aaguid: row.aaguid },
        },
        trx,
      );
    });
    return toPublicPasskey(row);
  }

  async rename(principal: Principal, id: string, name: string, meta: RequestMeta): Promise<PublicPasskey> {
    return this.deps.db.transaction(async (trx) => {
      const row = await this.own(trx, principal, id);
      const next = name.trim();
      await trx('auth_passkeys').where('id', id).update({ name: next });
      await this.deps.audit.record(
        {
          action: 'passkey.renamed',
          actor: principal,
          tenantId: principal.tenantId,
          target: { type: 'passkey', id },
          meta,
          details: { from: row.name, to: next },
        },
        trx,
      );
      return toPublicPasskey({ ...row, name: next });
    });
  }

  /** Removes one of the caller's passkeys: it signs no one in from now on. */
  async remove(principal: Principal, id: string, meta: RequestMeta): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      const row = await this.own(trx, principal, id);
      await trx('auth_passkeys').where('id', id).delete();
      await this.deps.audit.record(
        { action: 'passkey.removed', actor: principal, tenantId: principal.tenantId, target: { type: 'passkey', id }, meta, details: { name: row.name } },
        trx,
      );
    });
  }

  /** The caller's passkey; another user's is as unknown as one that never was. */
  private async own(trx: Db, principal: Principal, id: string): Promise<PasskeyRow> {
    const row = (await trx('auth_passkeys').where({ id, user_id: principal.id }).first()) as PasskeyRow | undefined;
    if (!row) throw AppError.notFound('passkey not found');
    return row;
  }
}
