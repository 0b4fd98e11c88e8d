import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Dialect } from '../db/connection.js';

export const BACKUP_FORMAT = 'plinth-backup';
/** The archive's layout: raised when a later Plinth writes something this one could not read. */
export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
/** tar is loaded by the first backup or restore, not at every start. */
const tarLibrary = () => import('tar');

/** What a backup says about itself, first in its archive. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  plinthVersion: string;
  database: Dialect;
  /** Migrations applied in the database when it was copied, in order. */
  migrations: string[];
  createdAt: string;
  /** The deployment the data came from (a restore gives the copy a new one unless told otherwise). */
  deploymentId: string | null;
  /** The database copy beside the manifest: SQLite's file, or pg_dump's custom-format dump. */
  payload: { file: string; bytes: number; sha256: string };
}

export const payloadFileOf = (database: Dialect) => (database === 'sqlite' ? 'plinth.sqlite' : 'plinth.pgdump');

/**
 * Packs `dir/manifest.json` and `dir/<payload>` into a gzipped tar at `out`, readable by its owner
 * only (it holds password hashes, the JWT secret and the signing keys), durable before it is named:
 * written beside `out`, fsynced, then renamed, so no reader ever sees half an archive.
 */
export async function writeArchive(dir: string, manifest: BackupManifest, out: string): Promise<void> {
  await fs.promises.writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const partial = `${out}.partial`;
  const tar = await tarLibrary();
  try {
    await pipeline(
      tar.c({ gzip: true, cwd: dir, portable: true }, [MANIFEST, manifest.payload.file]),
      fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
    );
    await syncFile(partial);
  } catch (err) {
    await fs.promises.rm(partial, { force: true });
    throw err;
  }
  await fs.promises.rename(partial, out);
  await syncDir(path.dirname(out));
}

/** Unpacks a backup into `dir` (only its manifest and its payload, nothing else it may hold) and returns the manifest. */
export async function extractArchive(file: string, dir: string): Promise<BackupManifest> {
  const allowed = new Set([MANIFEST, payloadFileOf('sqlite'), payloadFileOf('postgres')]);
  const tar = await tarLibrary();
  try {
    await tar.x({ file, cwd: dir, strict: true, filter: (entry, stat) => allowed.has(entry) && (stat as { type?: string }).type === 'File' });
  } catch (err) {
    throw new Error(`${file} is not a readable Plinth backup (${(err as Error).message})`);
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await fs.promises.readFile(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new Error(`${file} is not a Plinth backup: it has no readable ${MANIFEST}`);
  }
  if (manifest?.format !== BACKUP_FORMAT || typeof manifest.payload?.sha256 !== 'string')
    throw new Error(`${file} is not a Plinth backup (its manifest says otherwise)`);
  return manifest;
}

/** fsync a file: its bytes are on disk when this resolves. */
export const syncFile = (file: string) => syncDir(file);

/** fsync a folder (or a file), so a file just renamed into it is still there after a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
