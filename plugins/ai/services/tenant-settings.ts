import type { Knex } from 'knex';
import type { Clock } from 'plinth/plugin';
import type { SharedCache } from 'plinth/plugin';

interface Stored {
  fallbackAnswer: string | null;
}

export interface TenantSettingsDeps {
  db: Knex;
  clock: Clock;
  defaultFallback: string;
  /** The builtin responder reads the fallback on every reply the knowledge base has no answer for. */
  cache: SharedCache<Stored>;
}

/** A tenant's own AI settings: the builtin responder's fallback answer (null: the config's). */
export class TenantSettings {
  constructor(private readonly deps: TenantSettingsDeps) {}

  async get(tenantId: string): Promise<{ fallbackAnswer: string; customFallback: boolean }> {
    const stored = await this.deps.cache.get(tenantId, async () => {
      const row = await this.deps.db('ai_tenant_settings').where('tenant_id', tenantId).first('fallback_answer');
      return { fallbackAnswer: row?.fallback_answer ?? null };
    });
    return { fallbackAnswer: stored?.fallbackAnswer ?? this.deps.defaultFallback, customFallback: Boolean(stored?.fallbackAnswer) };
  }

  async fallbackAnswer(tenantId: string): Promise<string> {
    return (await this.get(tenantId)).fallbackAnswer;
  }

  /** null resets to the config's answer. */
  async setFallback(tenantId: string, answer: string | null): Promise<void> {
    const row = { tenant_id: tenantId, fallback_answer: answer, updated_at: this.deps.clock.now().toISOString() };
    await this.deps.db('ai_tenant_settings').insert(row).onConflict('tenant_id').merge({ fallback_answer: answer, updated_at: row.updated_at });
    await this.deps.cache.invalidate(tenantId);
  }
}
