import type { Cradle } from 'plinth/plugin';
import { assertPublicUrl } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { AiApi } from '../api.js';
import type { RobotAiSettings } from '../../robots/api.js';
import type { AiSettings } from '../config.js';
import { Answerer, providerMetrics } from './answerer.js';
import { Ask } from './ask.js';
import { Calls } from './calls.js';
import { Conversations } from './conversations.js';
import { KnowledgeBase } from './knowledge.js';
import { BuiltinProvider } from './providers/builtin.js';
import { ProviderRegistry, type ProviderRow } from './providers/registry.js';
import { Responder } from './responder.js';
import { DailyCallQuota } from './daily-call-quota.js';
import { TenantSettings } from './tenant-settings.js';
import { RobotSettings } from './robot-settings.js';

/** What the plugin resolves from the container: core services, robots' API, the auth plugin's tenant settings. */
export type AiDeps = Pick<Cradle, 'db' | 'clock' | 'logger' | 'pubsub' | 'usage' | 'robotsApi' | 'tenants' | 'metricsRegistry' | 'live'>;

export type AiServices = ReturnType<typeof createAiServices>;

export function createAiServices(d: AiDeps, settings: AiSettings) {
  const cache = <V extends {}>(name: string, max: number) => new SharedCache<V>({ name, pubsub: d.pubsub, logger: d.logger, max, ttlMs: 60_000 });
  const caches = {
    robotSettings: cache<RobotAiSettings>('ai.robot-settings', 20_000),
    providers: cache<ProviderRow[]>('ai.providers', 5_000),
    tenantSettings: cache<{ fallbackAnswer: string | null }>('ai.tenant-settings', 5_000),
  };
  const knowledge = new KnowledgeBase({ db: d.db, clock: d.clock, pubsub: d.pubsub, logger: d.logger });
  const tenantSettings = new TenantSettings({ db: d.db, clock: d.clock, defaultFallback: settings.fallbackAnswer, cache: caches.tenantSettings });
  const registry = new ProviderRegistry({
    db: d.db,
    clock: d.clock,
    settings,
    checkTarget: async (url) => {
      await assertPublicUrl(url, { allowPrivate: settings.allowPrivateProviders, field: 'body.baseUrl' });
    },
    cache: caches.providers,
  });
  // One event per robot and answer (an answer logs one row per provider tried).
  const calls = new Calls({ db: d.db, clock: d.clock, settings, logged: (tenantId, robotId) => void d.live.publish(tenantId, 'ai.call', { robotId }) });
  const builtin = new BuiltinProvider({ knowledge, fallback: (tenantId) => tenantSettings.fallbackAnswer(tenantId), minScore: settings.minScore });
  const answerer = new Answerer({ registry, builtin, metrics: providerMetrics(d.metricsRegistry) });
  const consent = async (tenantId: string) => (await d.tenants.settings(tenantId)).ai_consent_enabled;
  const robots = () => d.robotsApi;
  const quota = new DailyCallQuota({ db: d.db, clock: d.clock });
  const robotSettings = new RobotSettings({ db: d.db, clock: d.clock, cache: caches.robotSettings, defaults: () => d.robotsApi.aiDefaults });
  const api: AiApi = {
    callTotals: (tenantId, robotIds, from, to) => calls.totals(tenantId, robotIds, from, to),
    callsToday: (tenantId, robotIds) => quota.callsToday(tenantId, robotIds),
  };
  return {
    /** For other plugins, as `aiApi` in the container. */
    api,
    /** Each robot's AI settings; for robots' face too, through robots' filters (plugins/ai/robot-filters.ts). */
    robotSettings,
    knowledge,
    /** Listen for other instances' changes (started with the plugin). */
    caches,
    tenantSettings,
    registry,
    calls,
    answerer,
    ask: new Ask({ settings, answerer, calls, robots, robotSettings, consent, usage: d.usage }),
    quota,
    /** robots' public API (a robot's owner, for the per-robot views). */
    robots,
    responder: new Responder({
      db: d.db,
      clock: d.clock,
      settings,
      answerer,
      calls,
      conversations: new Conversations({ db: d.db, clock: d.clock }),
      robots: d.robotsApi,
      robotSettings,
      quota,
      consent,
      usage: d.usage,
    }),
  };
}
