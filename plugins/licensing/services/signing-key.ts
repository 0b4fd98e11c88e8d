import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import { sha256 } from 'plinth/plugin';

const TABLE = 'licensing_signing_keys';
const ID = 'primary';

interface KeyRow {
  id: string;
  public_key: string;
  /** Null when the key lives in a key file (settings.licensing.keyFile), never in the database. */
  private_key: string | null;
  source: 'generated' | 'key_file' | 'legacy_file';
  created_at: string;
}

export interface SigningKeyOptions {
  /** settings.licensing.keyFile, resolved; null: the database's key. */
  keyFile: string | null;
  /** Where versions before the key moved into the database kept it (data/licensing/ed25519.pem). */
  legacyFile: string;
}

const publicOf = (key: KeyObject) => (key.type === 'public' ? key : createPublicKey(key));
const spki = (key: KeyObject) => publicOf(key).export({ type: 'spki', format: 'der' });
const publicPem = (key: KeyObject) => publicOf(key).export({ type: 'spki', format: 'pem' }).toString();
/** A short, stable name for a public key in messages: SHA-256 of its SPKI bytes. */
export const fingerprint = (key: KeyObject) => `SHA256:${sha256(spki(key), 'base64url').slice(0, 16)}`;

/** An Ed25519 private key from a PEM file; `what` names the file in errors (which setting, or the old default). */
function readKeyFile(file: string, what = 'settings.licensing.keyFile'): KeyObject {
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`licensing: cannot read the license signing key file ${file} (${what}): ${(err as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`licensing: ${file} (${what}) is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`licensing: ${file} (${what}) holds a ${key.asymmetricKeyType} key; license files are signed with Ed25519`);
  return key;
}

const LEGACY = 'the key file of an earlier version; move it away to start with a new key';

/**
 * The Ed25519 key that signs license files, one for the whole deployment: every instance must
 * sign with it, or clients holding the public key reject the files of the odd one out. Like the
 * JWT secret it is made once by whichever instance boots first and kept in the database; a key
 * file (settings.licensing.keyFile) overrides it, and the database then records its public key
 * only. An instance whose key differs from the one recorded refuses to start.
 */
export async function loadSigningKey(db: Knex, clock: Clock, logger: Logger, options: SigningKeyOptions): Promise<KeyObject> {
  const fromFile = options.keyFile ? readKeyFile(options.keyFile) : null;
  let row = await stored(db);
  if (!row) {
    const first = firstKey(fromFile, options.legacyFile, logger);
    try {
      await db(TABLE).insert({ id: ID, ...first, created_at: clock.now().toISOString() });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // another instance recorded its key first: checked below
    }
    row = (await stored(db))!;
  }
  const recorded = createPublicKey(row.public_key);
  if (fromFile) {
    if (!spki(fromFile).equals(spki(recorded))) {
      throw new Error(
        `licensing: the key file ${options.keyFile} holds the Ed25519 key ${fingerprint(fromFile)}, but this database signs license files with ` +
          `${fingerprint(recorded)} (recorded ${row.created_at}). ` +
          'Every instance must sign with the same key, or clients reject the files of the others: ' +
          (row.private_key
            ? "remove settings.licensing.keyFile to use the database's key, or give this instance the key file the others use."
            : 'give this instance the key file the other instances use.'),
      );
    }
    return fromFile;
  }
  if (!row.private_key) {
    throw new Error(
      `licensing: the license signing key ${fingerprint(recorded)} is kept in a key file on the other instances (recorded ${row.created_at}); set ` +
        `settings.licensing.keyFile on this instance to a copy of that file.`,
    );
  }
  const key = createPrivateKey(row.private_key);
  warnOfStrayLegacyFile(key, options.legacyFile, logger);
  return key;
}

async function stored(db: Knex): Promise<KeyRow | undefined> {
  return db(TABLE).where('id', ID).first();
}

/** The key an empty database records: the configured file's (public half only), the old default file's, or a new one. */
function firstKey(fromFile: KeyObject | null, legacyFile: string, logger: Logger): Pick<KeyRow, 'public_key' | 'private_key' | 'source'> {
  if (fromFile) return { public_key: publicPem(fromFile), private_key: null, source: 'key_file' };
  // An installation from before the key moved into the database: keep signing with its key, so
  // the public key its clients ship with still verifies.
  const legacy = fs.existsSync(legacyFile) ? readKeyFile(legacyFile, LEGACY) : null;
  if (legacy) logger.info({ file: legacyFile, key: fingerprint(legacy) }, 'licensing: the license signing key of the key file is now kept in the database');
  const key = legacy ?? generateKeyPairSync('ed25519').privateKey;
  return { public_key: publicPem(key), private_key: key.export({ type: 'pkcs8', format: 'pem' }).toString(), source: legacy ? 'legacy_file' : 'generated' };
}

/** An instance that once had its own key file (issue 15) now signs with the database's key; say so. */
function warnOfStrayLegacyFile(key: KeyObject, legacyFile: string, logger: Logger): void {
  if (!fs.existsSync(legacyFile)) return;
  let legacy: KeyObject;
  try {
    legacy = createPrivateKey(fs.readFileSync(legacyFile));
  } catch {
    return;
  }
  if (!spki(legacy).equals(spki(key))) {
    logger.warn(
      { file: legacyFile, file_key: fingerprint(legacy), key: fingerprint(key) },
      "licensing: this old key file holds another key than the database's; it is ignored (license files signed with it no longer verify with GET " +
        '/license/api/public-key)',
    );
  }
}
