import type { Knex } from 'knex';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialRequestOptionsJSON,
  VerifiedAuthenticationResponse,
} from '@simplewebauthn/server';
import type { Clock } from 'plinth/plugin';
import type { CoreConfig } from 'plinth/plugin';
import type { AuditLog } from './audit.js';
import type { JwtSigner } from './jwt-signer.js';
import { CEREMONY_MS, type PasskeyChallenges } from './passkey-challenges.js';
import { relyingParty, signedChallenge, type PasskeyRow } from './passkeys.js';
import type { LoginResult, Sessions } from './sessions.js';
import { normalizeEmail, type Users } from './users.js';
import type { RequestMeta, UserRow } from './types.js';
import { AuthErrors } from './errors.js';
import { webauthn } from './webauthn-library.js';

export interface PasskeySignInDeps {
  db: Knex;
  clock: Clock;
  config: CoreConfig;
  users: Users;
  sessions: Sessions;
  audit: AuditLog;
  signer: JwtSigner;
  challenges: PasskeyChallenges;
}

/**
 * Signing in with a passkey, instead of a password and a second factor: the passkey is both (the
 * device, unlocked by the user's fingerprint, face or PIN: user verification is required).
 */
export class PasskeySignIn {
  constructor(private readonly deps: PasskeySignInDeps) {}

  /**
   * What the browser passes to navigator.credentials.get(). Without an email, any passkey the
   * device holds for this site (a discoverable credential); with one, that account's passkeys. An
   * address with no account, or an account without passkeys, gets a stand-in passkey id derived
   * from the address with the signing secret (the same each time): the answer does not tell
   * whether the account exists, and the challenge then accepts no passkey at all.
   */
  async options(email: string | undefined): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { rpID } = relyingParty(this.deps.config);
    let allow: Array<{ id: string; transports?: AuthenticatorTransport[] }> | undefined;
    let user: UserRow | undefined;
    if (email !== undefined) {
      const account = normalizeEmail(email);
      user = account.includes('@') ? await this.deps.users.byEmail(account) : await this.deps.users.byUsername(account);
      const rows = user ? ((await this.deps.db('auth_passkeys').where('user_id', user.id).select('credential_id', 'transports')) as PasskeyRow[]) : [];
      allow = rows.length
        ? rows.map((r) => ({ id: r.credential_id, transports: JSON.parse(r.transports) as AuthenticatorTransport[] }))
        : [{ id: this.deps.signer.derive('passkey-stand-in', account), transports: ['internal', 'hybrid'] }];
    }
    const { generateAuthenticationOptions } = await webauthn();
    const options = await generateAuthenticationOptions({ rpID, allowCredentials: allow, userVerification: 'required', timeout: CEREMONY_MS });
    await this.deps.challenges.issue(options.challenge, { purpose: 'sign_in', user_id: user?.id ?? null, for_user: email !== undefined });
    return options;
  }

  /**
   * Checks the answer (challenge, origin, relying party, signature, user verification, counter)
   * and opens a session as a password login would. A passkey of a suspended user (or tenant) is
   * refused as a password would be.
   */
  async verify(response: AuthenticationResponseJSON, meta: RequestMeta, kind: 'api' | 'ui' = 'api'): Promise<LoginResult> {
    const challenge = signedChallenge(response.response.clientDataJSON);
    const issued = challenge ? await this.deps.challenges.take(challenge, 'sign_in') : null;
    if (!challenge || !issued) {
      await this.failed(meta, 'challenge');
      throw AuthErrors.passkeyChallengeRefused();
    }
    const row = (await this.deps.db('auth_passkeys').where('credential_id', response.id).first()) as PasskeyRow | undefined;
    if (!row) return this.refuse(meta, 'unknown passkey');
    const user = await this.deps.users.byId(row.user_id);
    if (!user) return this.refuse(meta, 'unknown passkey');
    // Asked for one account's passkeys (by email): no other account's answers it.
    if (issued.for_user && issued.user_id !== row.user_id) return this.refuse(meta, 'not the account asked for', user);
    // A discoverable credential names its user: it must be the passkey's owner.
    const handle = response.response.userHandle;
    if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== row.user_id) return this.refuse(meta, 'user handle', user);
    const { rpID, origin } = relyingParty(this.deps.config);
    const counter = Number(row.counter);
    const { verifyAuthenticationResponse } = await webauthn();
    let info: VerifiedAuthenticationResponse['authenticationInfo'];
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
        credential: {
          id: row.credential_id,
          publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
          counter,
          transports: JSON.parse(row.transports) as AuthenticatorTransport[],
        },
      });
      if (!verified.verified) return this.refuse(meta, 'signature', user);
      info = verified.authenticationInfo;
    } catch (err) {
      return this.refuse(meta, (err as Error).message, user);
    }
    // The counter moves forward once: of two sign-ins with the same count (a cloned key), one fails.
    const updated = await this.deps
      .db('auth_passkeys')
      .where({ id: row.id, counter })
      .update({ counter: info.newCounter, backed_up: info.credentialBackedUp, last_used_at: this.deps.clock.now().toISOString() });
    if (updated !== 1) return this.refuse(meta, 'counter', user);
    await this.deps.sessions.assertActive(user, meta);
    await this.deps.sessions.assertVerified(user, meta);
    // Both factors at once: the session opens here (method 'passkey', recorded as the session's second
    // factor, which meets the MFA policy), not through the second-factor step of mfa-challenges.ts.
    return this.deps.sessions.startSession(user, meta, kind, 'passkey', { passkey_id: row.id });
  }

  private async refuse(meta: RequestMeta, reason: string, user?: UserRow): Promise<never> {
    await this.failed(meta, reason, user);
    throw AuthErrors.passkeySignInRefused();
  }

  private async failed(meta: RequestMeta, reason: string, user?: UserRow): Promise<void> {
    await this.deps.audit.record({
      action: 'auth.login_failed',
      actorLabel: user ? (user.email ?? user.id) : 'passkey',
      target: user ? { type: 'user', id: user.id } : undefined,
      tenantId: user?.tenant_id ?? null,
      meta,
      details: { method: 'passkey', reason: reason.slice(0, 200) },
    });
  }
}
