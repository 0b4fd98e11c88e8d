import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { type BackupStore, parseBackupName, type StoredBackup } from './store.js';

/** Backups in a folder on this machine (the default: `<dataDir>/backups`), each readable by its owner only. */
export class LocalBackupStore implements BackupStore {
  readonly location = 'local' as const;

  constructor(readonly where: string) {}

  /** The path a backup named `name` has here (names are checked: nothing outside the folder). */
  pathOf(name: string): string {
    if (!parseBackupName(name)) throw AppError.notFound(`no backup named "${name}"`);
    return path.join(this.where, name);
  }

  async put(file: string, name: string): Promise<void> {
    const target = this.pathOf(name);
    if (path.resolve(file) === target) return;
    await fs.promises.mkdir(this.where, { recursive: true, mode: 0o700 });
    await fs.promises.copyFile(file, target);
    await fs.promises.chmod(target, 0o600);
  }

  async list(): Promise<StoredBackup[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.where);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const found: StoredBackup[] = [];
    for (const name of names) {
      const parsed = parseBackupName(name);
      if (!parsed) continue;
      const stat = await fs.promises.stat(path.join(this.where, name)).catch(() => null);
      if (stat?.isFile()) found.push({ name, location: this.location, bytes: stat.size, ...parsed });
    }
    return found;
  }

  async read(name: string) {
    const file = this.pathOf(name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) throw AppError.notFound(`no backup named "${name}" in ${this.where}`);
    return { stream: fs.createReadStream(file), bytes: stat.size };
  }

  async remove(name: string): Promise<void> {
    await fs.promises.rm(this.pathOf(name), { force: true });
  }
}
