import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import { assertPublicUrl } from '../../../core/net/public-url.js';
import type { Logger } from '../../../core/logger.js';
import type { PubSub } from '../../../core/pubsub.js';
import type { UsageMeter } from '../../../core/usage.js';
import type { AiApi } from '../api.js';
import type { AiSettings } from '../config.js';
import { Answerer } from './answerer.js';
import { Ask } from './ask.js';
import { Calls } from './calls.js';
import { Conversations } from './conversations.js';
import { KnowledgeBase } from './knowledge.js';
import { BuiltinProvider } from './providers/builtin.js';
import { ProviderRegistry } from './providers/registry.js';
import { Responder } from './responder.js';
import type { RobotsApi } from './robots-api.js';
import { TenantSettings } from './tenant-settings.js';

/** What the plugin resolves from the container: core services, robots' API, the auth plugin's tenant settings. */
export interface AiDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  pubsub: PubSub;
  usage: UsageMeter;
  robotsApi: RobotsApi;
  tenants: { settings(tenantId: string): Promise<{ ai_consent_enabled: boolean }> };
}

export type AiServices = ReturnType<typeof createAiServices>;

export function createAiServices(d: AiDeps, settings: AiSettings) {
  const knowledge = new KnowledgeBase(d.db, d.clock, d.pubsub, { logger: d.logger });
  const tenantSettings = new TenantSettings(d.db, d.clock, settings.fallbackAnswer);
  const registry = new ProviderRegistry(d.db, d.clock, settings, async (url) => {
    await assertPublicUrl(url, { allowPrivate: settings.allowPrivateProviders, field: 'body.baseUrl' });
  });
  const calls = new Calls(d.db, d.clock, settings);
  const builtin = new BuiltinProvider(knowledge, (tenantId) => tenantSettings.fallbackAnswer(tenantId), settings.minScore);
  const answerer = new Answerer(registry, builtin);
  const consent = async (tenantId: string) => (await d.tenants.settings(tenantId)).ai_consent_enabled;
  // Resolved per call: billing, when enabled, replaces the core's unmetered `usage`.
  const usage = () => d.usage;
  const robots = () => d.robotsApi;
  const api: AiApi = { callTotals: (tenantId, robotIds, from, to) => calls.totals(tenantId, robotIds, from, to) };
  return {
    /** For other plugins, as `aiApi` in the container. */
    api,
    knowledge,
    tenantSettings,
    registry,
    calls,
    answerer,
    ask: new Ask(settings, answerer, calls, robots, consent, usage),
    responder: new Responder(d.db, d.clock, settings, answerer, calls, new Conversations(d.db, d.clock), robots, consent, usage),
  };
}
