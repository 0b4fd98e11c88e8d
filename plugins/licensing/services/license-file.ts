import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../../core/clock.js';
import type { Device, License } from './licenses.js';

/**
 * Signed offline license files: the license's facts as JSON, base64url-encoded, signed with an
 * Ed25519 key generated on first start and kept (0600) in the data dir. Clients check it with the
 * public key alone, no network. Several instances must share the key file (settings keyFile).
 */
export class LicenseFiles {
  private privateKey: KeyObject | null = null;
  private publicPem = '';

  constructor(
    private readonly keyFile: string,
    private readonly clock: Clock,
  ) {}

  init(): void {
    if (!fs.existsSync(this.keyFile)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      fs.mkdirSync(path.dirname(this.keyFile), { recursive: true });
      // 'wx': never overwrite a key another process wrote first.
      try {
        fs.writeFileSync(this.keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    this.privateKey = createPrivateKey(fs.readFileSync(this.keyFile));
    this.publicPem = createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  publicKey(): { algorithm: 'Ed25519'; public_key: string } {
    return { algorithm: 'Ed25519', public_key: this.publicPem };
  }

  issue(license: License, device: Device) {
    const facts = {
      license_id: license.license_id,
      product: license.product,
      plan: license.plan,
      email: license.email,
      device_id: device.device_id,
      device_cap: license.device_cap,
      issued_at: license.issued_at,
      valid_until: license.valid_until,
      signed_at: this.clock.now().toISOString(),
    };
    const payload = Buffer.from(JSON.stringify(facts)).toString('base64url');
    const signature = sign(null, Buffer.from(payload), this.privateKey!).toString('base64');
    return { algorithm: 'Ed25519', payload, signature, license: facts };
  }
}
