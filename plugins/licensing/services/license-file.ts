import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { Device, License } from './licenses.js';
import { fingerprint, loadSigningKey, type SigningKeyOptions } from './signing-key.js';

/**
 * What is signed, said in every reply: the signature covers the payload *string* (its ASCII
 * bytes, base64url as sent), not the JSON it decodes to. A verifier written for "Ed25519 over
 * JSON" checks other bytes and rejects every file, or worse, re-serializes the JSON.
 */
export const SIGNATURE_SCHEME = 'ed25519 over the ASCII bytes of the base64url payload';

export interface LicenseFilesDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  options: SigningKeyOptions;
}

/**
 * Signed offline license files: the license's facts as JSON, base64url-encoded, signed with the
 * deployment's Ed25519 key (services/signing-key.ts). Clients check it with the public key
 * alone, no network.
 */
export class LicenseFiles {
  private privateKey: KeyObject | null = null;
  private publicPem = '';
  private publicRaw = '';
  private keyId = '';

  constructor(private readonly deps: LicenseFilesDeps) {}

  /** Loads the key at start; refuses to start when it differs from the one the database records. */
  async init(): Promise<void> {
    this.privateKey = await loadSigningKey(this.deps.db, this.deps.clock, this.deps.logger, this.deps.options);
    const pub = createPublicKey(this.privateKey);
    this.publicPem = pub.export({ type: 'spki', format: 'pem' }).toString();
    this.publicRaw = String(pub.export({ format: 'jwk' }).x);
    this.keyId = fingerprint(pub);
  }

  publicKey() {
    return {
      algorithm: 'Ed25519' as const,
      signature_scheme: SIGNATURE_SCHEME,
      key_id: this.keyId,
      public_key: this.publicPem,
      public_key_raw: this.publicRaw,
    };
  }

  /**
   * The file: `payload` and `signature` are the whole contract. `unverified_license` is the same
   * facts decoded for display only: nothing signs it, so a client must never trust it.
   */
  issue(license: License, device: Device) {
    if (!this.privateKey) throw new Error('LicenseFiles.init() was not called');
    const facts = {
      license_id: license.license_id,
      product: license.product,
      plan: license.plan,
      email: license.email,
      device_id: device.device_id,
      device_cap: license.device_cap,
      issued_at: license.issued_at,
      valid_until: license.valid_until,
      signed_at: this.deps.clock.now().toISOString(),
    };
    const payload = Buffer.from(JSON.stringify(facts)).toString('base64url');
    const signature = sign(null, Buffer.from(payload, 'ascii'), this.privateKey).toString('base64');
    return { algorithm: 'Ed25519', signature_scheme: SIGNATURE_SCHEME, key_id: this.keyId, payload, signature, unverified_license: facts };
  }
}
