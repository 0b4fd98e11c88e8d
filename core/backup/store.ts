import type { Readable } from 'node:stream';
import type { Dialect } from '../db/connection.js';

/** Where a backup is kept. */
export type BackupLocation = 'local' | 's3';

/** A backup as a destination lists it: what its name and the storage tell, without opening it. */
export interface StoredBackup {
  name: string;
  location: BackupLocation;
  bytes: number;
  createdAt: string;
  database: Dialect;
  plinthVersion: string;
}

/**
 * A destination for finished backup files: the local folder, or an S3-compatible bucket. Lists only
 * names that `parseBackupName` accepts, so keep-N never touches a file Plinth did not write.
 */
export interface BackupStore {
  readonly location: BackupLocation;
  /** For people: the folder, or `s3://bucket/prefix`. */
  readonly where: string;
  /** Keeps the finished archive `file` under `name`. */
  put(file: string, name: string): Promise<void>;
  list(): Promise<StoredBackup[]>;
  /** The archive's bytes; a `not_found` AppError when there is no such backup. */
  read(name: string): Promise<{ stream: Readable; bytes: number }>;
  remove(name: string): Promise<void>;
  /** Releases connections (the S3 client's sockets). */
  close?(): void;
}

/** `plinth-backup-20261125T224500123Z-sqlite-0.1.0.tar.gz`: when, which database, which Plinth (an API's params check names with it). */
export const BACKUP_NAME = /^plinth-backup-(\d{8}T\d{9}Z)-(sqlite|postgres)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tar\.gz$/;

export function backupName(createdAt: Date, database: Dialect, plinthVersion: string): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  return `plinth-backup-${stamp}-${database}-${plinthVersion}.tar.gz`;
}

export function parseBackupName(name: string): Pick<StoredBackup, 'createdAt' | 'database' | 'plinthVersion'> | null {
  const m = BACKUP_NAME.exec(name);
  if (!m) return null;
  const s = m[1];
  const createdAt = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  return { createdAt, database: m[2] as Dialect, plinthVersion: m[3] };
}

/** Newest first. */
export const newestFirst = (a: StoredBackup, b: StoredBackup) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name);
