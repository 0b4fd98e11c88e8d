import os from 'node:os';
import type { Knex } from 'knex';
import type { Logger } from './logger.js';
import { packageVersion } from './paths.js';

/** How often a running instance says it is alive. */
export const HEARTBEAT_MS = 10_000;
/** An instance not seen for this long is taken for dead (three missed beats). */
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  started_at: string;
  seen_at: string;
}

export interface InstancesDeps {
  db: Knex;
  logger: Logger;
  id: string;
}

/**
 * The instances serving a database, each with a heartbeat row, so a tool working on that database
 * from outside (restore) can tell whether a server is running on it, whichever machine it is on.
 * Wall-clock time, not the app's clock: this is about real processes.
 */
export class Instances {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InstancesDeps) {}

  async start(): Promise<void> {
    const now = new Date().toISOString();
    await this.deps
      .db('core_instances')
      .insert({ id: this.deps.id, host: os.hostname(), pid: process.pid, version: packageVersion, started_at: now, seen_at: now })
      .onConflict('id')
      .merge(['seen_at']);
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    await this.deps
      .db('core_instances')
      .where('id', this.deps.id)
      .delete()
      .catch((err) => this.deps.logger.warn({ err }, 'could not remove this instance from core_instances'));
  }

  private async beat(): Promise<void> {
    try {
      await this.deps.db('core_instances').where('id', this.deps.id).update({ seen_at: new Date().toISOString() });
    } catch (err) {
      this.deps.logger.warn({ err }, 'instance heartbeat failed');
    }
  }
}

/** Instances seen within STALE_AFTER_MS, newest first (none when the table does not exist yet). */
export async function liveInstances(db: Knex, now = Date.now()): Promise<InstanceRow[]> {
  if (!(await db.schema.hasTable('core_instances'))) return [];
  return db('core_instances')
    .where('seen_at', '>', new Date(now - STALE_AFTER_MS).toISOString())
    .orderBy('seen_at', 'desc');
}
