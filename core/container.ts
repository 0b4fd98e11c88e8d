import type { AwilixContainer } from 'awilix';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Actions } from './actions.js';
import type { Clock } from './clock.js';
import type { CoreConfig } from './config/schema.js';
import type { Dialect } from './db/connection.js';
import type { EntitlementsSlot, FeatureInfo } from './entitlements.js';
import type { EventBus } from './events/outbox.js';
import type { EventSpec } from './events/payloads.js';
import type { Hooks } from './hooks/hooks.js';
import type { AdminLoginProvider, AuthChain, Principal } from './http/auth.js';
import type { OpenApiRegistry } from './http/openapi.js';
import type { WebSockets } from './http/websockets.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mailer.js';
import type { LiveHub } from './live.js';
import type { PubSub } from './pubsub.js';
import type { RateLimits } from './rate-limit.js';
import type { Retention } from './retention.js';
import type { Backups } from './backup/backups.js';
import type { Alerts } from './alerts/alerts.js';
import type { Scheduler } from './scheduler.js';
import type { MetricInfo, UsageFacade } from './usage.js';
import type { Metrics } from './observability/metrics.js';
import type { TenantParts } from './overview/tenant.js';
import type { FailedPlugin } from './plugins/source.js';

export interface ScopeInfo {
  plugin: string;
  description: string;
}

/**
 * What the container holds, by name. The core declares its own registrations here; each plugin
 * adds the services it shares with other plugins from its `api.ts` by module augmentation:
 *
 *   declare module 'plinth/plugin' { interface Cradle { mailCodes: MailCodeWaiter } }
 *
 * so `c.container.cradle.x` and `c.container.resolve('x')` are typed everywhere, with no casts. A
 * plugin's own services are not listed: it registers them with `privateServices`
 * (core/plugins/private-services.ts), typed for that plugin alone.
 * A plugin that is not enabled registers nothing: resolving its names throws (strict mode), which
 * is why a plugin only resolves names of the plugins it lists in `dependsOn`.
 */
export interface Cradle {
  config: CoreConfig;
  logger: Logger;
  clock: Clock;
  db: Knex;
  dialect: Dialect;
  redis: Redis | null;
  hooks: Hooks;
  events: EventBus;
  scheduler: Scheduler;
  mailer: Mailer;
  rateLimits: RateLimits;
  retention: Retention;
  backups: Backups;
  /** The operator's alerts (core/alerts): conditions by name, evaluate(), raise()/clear(), list({ open }). */
  alerts: Alerts;
  pubsub: PubSub;
  /** The admin pages' live channel (server-sent events), across instances. */
  live: LiveHub;
  auth: AuthChain;
  websockets: WebSockets;
  openapi: OpenApiRegistry;
  scopes: Map<string, ScopeInfo>;
  eventCatalog: Map<string, EventSpec & { plugin: string }>;
  actions: Actions;
  /** The usage-metric catalogue (what plans limit), not Prometheus: that is `metricsRegistry`. */
  metrics: Map<string, MetricInfo>;
  /** This instance's Prometheus registry (GET /metrics): plugins declare their families on it while registering. */
  metricsRegistry: Metrics;
  /** Metering: unmetered until a plugin (billing) provides a meter through the facade. */
  usage: UsageFacade;
  /** The plugins' feature catalogue. */
  features: Map<string, FeatureInfo>;
  /** Which features a tenant has: all of them until a plugin (billing) provides plans. */
  entitlements: EntitlementsSlot;
  enabledPlugins: string[];
  /** Plugins skipped at boot (`pluginLoading.onFailure: "skip"`), shown as failed on the System page. */
  failedPlugins: FailedPlugin[];
  /** Each plugin's part of a tenant: its tenant-page sections, its rows' counts and their deletion (core/overview/tenant.ts). */
  tenantParts: TenantParts;
  /** The admin UI's sign-in, registered by the plugin that provides accounts (check hasRegistration). */
  adminLogin: AdminLoginProvider;
  /** Per request (the request scope): the request id, the principal, and the acting tenant once a guard chose it. */
  requestId: string;
  principal: Principal | null;
  tenantId: string;
}

export type PlinthContainer = AwilixContainer<Cradle>;
