import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { guardedFetch } from 'plinth/plugin';
import type { SharedCache } from 'plinth/plugin';
import type { AiSettings, ProviderConfig } from '../../config.js';
import { DifyProvider } from './dify.js';
import { OpenAiProvider } from './openai.js';
import { ProviderFailure, type ChatProvider } from './types.js';

export interface ProviderView {
  name: string;
  kind: 'openai' | 'dify';
  baseUrl: string;
  model: string | null;
  timeoutMs: number;
  priority: number;
  enabled: boolean;
  /** The key is write-only: only whether one is set is ever shown. */
  hasApiKey: boolean;
  source: 'config' | 'tenant';
  updatedAt: string | null;
}

export interface ProviderInput {
  kind: 'openai' | 'dify';
  baseUrl: string;
  /** Omitted: keep the stored key; '' removes it. */
  apiKey?: string;
  model?: string | null;
  timeoutMs?: number;
  priority?: number;
  enabled?: boolean;
}

/** A tenant's provider as stored (cached per tenant). */
export interface ProviderRow {
  name: string;
  kind: 'openai' | 'dify';
  base_url: string;
  api_key: string | null;
  model: string | null;
  timeout_ms: number;
  priority: number;
  enabled: boolean | number;
  updated_at: string | null;
}

/** Stands in for a provider whose URL now points inside: the chain records the refusal and moves on. */
const refusedProvider = (name: string, reason: string): ChatProvider => ({
  name,
  kind: 'openai',
  timeoutMs: 0,
  model: null,
  reply: async () => {
    throw new ProviderFailure('error', `refused: ${reason}`);
  },
});

const fromConfig = (p: ProviderConfig, timeoutMs: number): ProviderRow => ({
  name: p.name,
  kind: p.kind,
  base_url: p.baseUrl,
  api_key: p.apiKey ?? null,
  model: p.model ?? null,
  timeout_ms: p.timeoutMs ?? timeoutMs,
  priority: 0,
  enabled: true,
  updated_at: null,
});

/** What ProviderRegistry is built from, passed by name. */
export interface ProviderRegistryDeps {
  db: Knex;
  clock: Clock;
  settings: AiSettings;
  /** Refuses a base URL on an internal address when a tenant sets it (SSRF), unless config allows. */
  checkTarget: (url: string) => Promise<void>;
  /** Each tenant's own providers (every third-party reply reads them), kept until one changes. */
  cache: SharedCache<ProviderRow[]>;
}

/**
 * Model providers: the config's (every tenant has them) and each tenant's own (a tenant's
 * provider of the same name wins). Adapters are built once per provider version and cached.
 */
export class ProviderRegistry {
  private readonly adapters = new LRUCache<string, ChatProvider>({ max: 500 });
  private readonly operatorFetch: typeof fetch;
  private readonly tenantFetch: typeof fetch;

  constructor(private readonly deps: ProviderRegistryDeps) {
    this.operatorFetch = guardedFetch({ allowPrivate: true });
    this.tenantFetch = guardedFetch({ allowPrivate: deps.settings.allowPrivateProviders });
  }

  private async rows(tenantId: string): Promise<Array<ProviderRow & { source: 'config' | 'tenant' }>> {
    const own = (await this.deps.cache.get(tenantId, () =>
      this.deps
        .db('ai_providers')
        .where('tenant_id', tenantId)
        .orderBy([{ column: 'priority', order: 'desc' }, { column: 'name' }]),
    ))!;
    const names = new Set(own.map((r) => r.name));
    const shared = this.deps.settings.providers
      .filter((p) => !names.has(p.name))
      .map((p) => ({ ...fromConfig(p, this.deps.settings.timeoutMs), source: 'config' as const }));
    return [...own.map((r) => ({ ...r, source: 'tenant' as const })), ...shared];
  }

  async list(tenantId: string): Promise<ProviderView[]> {
    return (await this.rows(tenantId)).map((r) => ({
      name: r.name,
      kind: r.kind,
      baseUrl: r.base_url,
      model: r.model,
      timeoutMs: Number(r.timeout_ms),
      priority: Number(r.priority),
      enabled: Boolean(r.enabled),
      hasApiKey: Boolean(r.api_key),
      source: r.source,
      updatedAt: r.updated_at,
    }));
  }

  async upsert(tenantId: string, name: string, input: ProviderInput): Promise<ProviderView> {
    if (name === 'builtin')
      throw AppError.validation([{ path: 'params.name', message: '"builtin" is the built-in responder; name your provider otherwise' }], 400);
    await this.deps.checkTarget(input.baseUrl);
    const existing = await this.deps.db('ai_providers').where({ tenant_id: tenantId, name }).first();
    const row = {
      kind: input.kind,
      base_url: input.baseUrl,
      api_key: input.apiKey === undefined ? (existing?.api_key ?? null) : input.apiKey || null,
      model: input.model === undefined ? (existing?.model ?? null) : input.model,
      timeout_ms: input.timeoutMs ?? existing?.timeout_ms ?? this.deps.settings.timeoutMs,
      priority: input.priority ?? existing?.priority ?? 0,
      enabled: input.enabled ?? (existing ? Boolean(existing.enabled) : true),
      updated_at: this.deps.clock.now().toISOString(),
    };
    if (existing) await this.deps.db('ai_providers').where('id', existing.id).update(row);
    else await this.deps.db('ai_providers').insert({ tenant_id: tenantId, name, ...row });
    await this.forget(tenantId);
    return (await this.list(tenantId)).find((p) => p.name === name)!;
  }

  async remove(tenantId: string, name: string): Promise<void> {
    const deleted = await this.deps.db('ai_providers').where({ tenant_id: tenantId, name }).delete();
    if (!deleted) throw AppError.notFound(`provider ${name} not found (providers from the config cannot be deleted here)`);
    await this.forget(tenantId);
  }

  /** After a change to the tenant's `ai_providers` rows: every instance reads them again. */
  forget(tenantId: string): Promise<void> {
    return this.deps.cache.invalidate(tenantId);
  }

  /**
   * Every provider call goes through core's guarded fetch and follows no redirect (a provider
   * answering 302 to an internal address is an error, its target never asked). The address guard
   * applies to a tenant's URLs (a tenant must not reach the operator's network), unless
   * `allowPrivateProviders`; providers in the config file are the operator's own choice and may
   * point at loopback or a private network (a local Ollama or vLLM), so only redirects are refused.
   */
  private fetchFor(row: ProviderRow & { source: string }): typeof fetch {
    return row.source === 'config' ? this.operatorFetch : this.tenantFetch;
  }

  private adapter(tenantId: string, row: ProviderRow & { source: string }): ChatProvider {
    const key = `${row.source === 'config' ? '' : tenantId}:${row.name}:${row.updated_at}`;
    let adapter = this.adapters.get(key);
    if (!adapter) {
      const timeoutMs = Number(row.timeout_ms);
      const fetch = this.fetchFor(row);
      adapter =
        row.kind === 'dify'
          ? new DifyProvider({ name: row.name, baseUrl: row.base_url, apiKey: row.api_key, fetch, timeoutMs })
          : new OpenAiProvider({ name: row.name, baseUrl: row.base_url, apiKey: row.api_key, model: row.model, fetch, timeoutMs });
      this.adapters.set(key, adapter);
    }
    return adapter;
  }

  /**
   * The third-party providers to try, in order: `first` (a robot's aiProvider), then the tenant's
   * other enabled providers by priority. The builtin responder is added by the caller, last.
   * A tenant's provider URL is checked again at each call (DNS may have changed).
   */
  async chain(tenantId: string, first?: string | null, only = false): Promise<ChatProvider[]> {
    const rows = (await this.rows(tenantId)).filter((r) => Boolean(r.enabled));
    const head = rows.filter((r) => r.name === first);
    const ordered = only ? head : [...head, ...rows.filter((r) => r.name !== first)];
    const out: ChatProvider[] = [];
    for (const r of ordered) {
      const refused =
        r.source === 'tenant'
          ? await this.deps.checkTarget(r.base_url).then(
              () => null,
              (err: Error) => err.message,
            )
          : null;
      out.push(refused ? refusedProvider(r.name, refused) : this.adapter(tenantId, r));
    }
    return out;
  }
}
