import type { Cradle } from 'plinth/plugin';
import path from 'node:path';
import { addressKey } from 'plinth/plugin';
import type { LicensingSettings } from '../config.js';
import { normalizeCode } from './codes.js';
import { LicenseFiles } from './license-file.js';
import { Licenses } from './licenses.js';
import { Verifier } from './verifier.js';

export type LicensingDeps = Pick<Cradle, 'db' | 'clock' | 'logger' | 'config' | 'events' | 'pubsub' | 'rateLimits' | 'usage'>;

/** Where the key was kept before it moved into the database (the old default of keyFile). */
const LEGACY_KEY_FILE = 'licensing/ed25519.pem';

export type LicensingServices = ReturnType<typeof createLicensingServices>;

export function createLicensingServices(d: LicensingDeps, settings: LicensingSettings) {
  let verifier: Verifier;
  const licenses = new Licenses({ db: d.db, clock: d.clock, events: d.events, usage: d.usage, onChange: (kind, key) => verifier.invalidate(kind, key) });
  verifier = new Verifier({ db: d.db, clock: d.clock, logger: d.logger, pubsub: d.pubsub, engine: () => licenses });
  const files = new LicenseFiles({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    options: {
      keyFile: settings.keyFile ? path.resolve(d.config.dataDir, settings.keyFile) : null,
      legacyFile: path.join(d.config.dataDir, LEGACY_KEY_FILE),
    },
  });
  const perIp = { bucket: 'licensing.verify.ip', points: settings.verifyPerIpPerMinute, durationSeconds: 60 };
  const perCode = { bucket: 'licensing.verify.code', points: settings.verifyPerCodePerMinute, durationSeconds: 60 };
  // `d` is the container's cradle: each read of it is a resolve. Verify asks twice a request.
  let rateLimits: LicensingDeps['rateLimits'] | undefined;
  const limits = {
    /** Per client IP and per code, so neither one address nor one leaked code can hammer verify. */
    async verify(ip: string, code: string) {
      rateLimits ??= d.rateLimits;
      await rateLimits.consume(perIp, addressKey(ip));
      await rateLimits.consume(perCode, normalizeCode(code));
    },
  };
  return { licenses, verifier, files, limits };
}
