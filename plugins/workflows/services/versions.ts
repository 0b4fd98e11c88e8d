import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Definition } from '../definition.js';

export interface VersionRecord {
  id: number;
  workflow_id: string;
  version: number;
  definition: Definition;
  created_by: string | null;
  created_at: string;
}

const toVersion = (r: Record<string, any>): VersionRecord => ({
  id: Number(r.id),
  workflow_id: r.workflow_id,
  version: Number(r.version),
  definition: JSON.parse(r.definition),
  created_by: r.created_by,
  created_at: r.created_at,
});

/**
 * Workflow versions. A version never changes once written, so every instance may cache it by id
 * forever (bounded): the hot path (an event matching a workflow, a runner step) reads no JSON twice.
 */
export class Versions {
  private readonly cache = new LRUCache<number, VersionRecord>({ max: 5000 });

  constructor(private readonly db: Knex) {}

  async byId(id: number): Promise<VersionRecord | null> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = await this.db('workflows_versions').where('id', id).first();
    if (!row) return null;
    const version = toVersion(row);
    this.cache.set(id, version);
    return version;
  }

  async add(trx: Knex.Transaction, workflowId: string, version: number, definition: Definition, createdBy: string | null, now: string): Promise<number> {
    const [row] = await trx('workflows_versions')
      .insert({ workflow_id: workflowId, version, definition: JSON.stringify(definition), created_by: createdBy, created_at: now })
      .returning('id');
    return Number(typeof row === 'object' ? (row as { id: number }).id : row);
  }

  async list(workflowId: string): Promise<VersionRecord[]> {
    return (await this.db('workflows_versions').where('workflow_id', workflowId).orderBy('version', 'desc')).map(toVersion);
  }

  async byNumber(workflowId: string, version: number): Promise<VersionRecord | null> {
    const row = await this.db('workflows_versions').where({ workflow_id: workflowId, version }).first();
    return row ? toVersion(row) : null;
  }
}
