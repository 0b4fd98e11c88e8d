// Longer than most (~410 lines): the boot and shutdown sequence in one place, in order (config, plugins, register, migrate, routes, start, stop).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { asFunction, asValue, createContainer, InjectionMode } from 'awilix';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type Koa from 'koa';
import { derivePublicUrl, loadConfig, type DeepPartial } from './config/load.js';
import type { CoreConfig } from './config/schema.js';
import { systemClock, type Clock } from './clock.js';
import { createLogger, type Logger } from './logger.js';
import { collectNotes, formatBanner, type Notes } from './banner.js';
import { createDatabase, dialectOf, sqliteFile } from './db/connection.js';
import { migrateLatest, type MigrationFolder } from './db/migrations.js';
import { Hooks } from './hooks/hooks.js';
import { EventBus, type PlatformEvent } from './events/outbox.js';
import type { EventSpec } from './events/payloads.js';
import { Actions } from './actions.js';
import { Scheduler } from './scheduler.js';
import { Mailer } from './mailer.js';
import { RateLimits } from './rate-limit.js';
import { createPubSub, RedisPubSub } from './pubsub.js';
import { IdleHeapReducer } from './idle-heap.js';
import { deploymentId } from './deployment.js';
import { Retention } from './retention.js';
import { Backups } from './backup/backups.js';
import { Instances } from './instances.js';
import { wireAlerts } from './alerts/wire.js';
import { LiveHub, OUTBOX_LIVE_KIND } from './live.js';
import { declareMetrics, UsageFacade, type MetricInfo } from './usage.js';
import { declareFeatures, EntitlementsSlot, type FeatureInfo } from './entitlements.js';
import { AuthChain } from './http/auth.js';
import { envelopes } from './http/envelopes.js';
import { OpenApiRegistry } from './http/openapi.js';
import { PluginRouter } from './http/router.js';
import { WebSockets } from './http/websockets.js';
import { buildKoa, type Face } from './http/server.js';
import { coreRoutes, documentCoreRoutes } from './http/core-routes.js';
import { adminUi } from './http/admin-ui.js';
import { apiDocs } from './http/api-docs.js';
import { loadPluginSet, PluginError, type LoadedPlugin } from './plugins/loader.js';
import { buildPluginUi } from './plugins/ui-build.js';
import type { PluginContext } from './plugins/contract.js';
import { codeRoot, projectRoot } from './paths.js';
import { Metrics } from './observability/metrics.js';
import { coreMetrics, watch } from './observability/core-metrics.js';
import { TenantParts } from './overview/tenant.js';
import { METRICS_SCOPE } from './http/metrics-route.js';
import type { AppState, AppView } from './app-view.js';
import type { Cradle, PlinthContainer, ScopeInfo } from './container.js';

export interface CreateAppOptions {
  /** A ready config; otherwise loaded from config/ and the environment. */
  config?: CoreConfig;
  overrides?: DeepPartial<CoreConfig> & Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** After a failed sync of SQLite's log (logged at fatal; all work refused from then on): `plinth start` exits. */
  onFatal?: (err: Error) => void;
}

export type { ScopeInfo } from './container.js';

const CORE_MIGRATIONS = path.join(codeRoot, 'core', 'db', 'migrations');

/** The core's migrations, then each enabled plugin's, in plugin order. */
export function migrationFolders(plugins: LoadedPlugin[]): MigrationFolder[] {
  return [
    { owner: 'core', dir: CORE_MIGRATIONS },
    ...plugins.filter((p) => p.plugin.migrations).map((p) => ({ owner: p.plugin.name, dir: path.resolve(p.dir, p.plugin.migrations!) })),
  ];
}

/** What create() hands a new instance: everything is built before the constructor runs. */
interface PlinthParts {
  config: CoreConfig;
  logger: Logger;
  db: Knex;
  plugins: LoadedPlugin[];
  contexts: Map<string, PluginContext>;
  container: PlinthContainer;
  koa: Koa<any, any>;
  migrationsApplied: string[];
}

/**
 * One Plinth instance. `createApp` does everything up to the routes (config, plugins, register,
 * migrate, mount); `start` opens listeners, starts event delivery and jobs; `stop` undoes it in
 * reverse. Nothing here is global: tests run several instances in one process.
 */
export class Plinth implements AppView {
  server: http.Server | null = null;
  state: AppState = 'created';
  /** Plugins whose start() completed, in order: stopping undoes exactly these. */
  private readonly started: LoadedPlugin[] = [];
  private stopping: Promise<void> | null = null;
  /** What plugins announced while starting (see core/banner.ts). */
  private readonly notes: Notes;
  /** This instance's heartbeat row (core/instances.ts). */
  private readonly instances: Instances;
  private readonly idleHeap: IdleHeapReducer;

  private constructor(private readonly deps: PlinthParts) {
    this.notes = collectNotes(deps.logger);
    this.instances = new Instances({ db: deps.db, logger: deps.logger, id: this.scheduler.instanceId });
    this.idleHeap = new IdleHeapReducer({
      afterSeconds: deps.config.server.reduceHeapAfterIdleSeconds,
      onReduced: (ms) => deps.logger.debug({ ms: Math.round(ms) }, 'idle: heap reduced'),
    });
  }

  // The parts create() built, read-only: routes, tests and scripts reach the instance through them.
  get config(): CoreConfig {
    return this.deps.config;
  }
  get logger(): Logger {
    return this.deps.logger;
  }
  get db(): Knex {
    return this.deps.db;
  }
  get plugins(): LoadedPlugin[] {
    return this.deps.plugins;
  }
  get contexts(): Map<string, PluginContext> {
    return this.deps.contexts;
  }
  get container(): PlinthContainer {
    return this.deps.container;
  }
  get koa(): Koa<any, any> {
    return this.deps.koa;
  }
  get migrationsApplied(): string[] {
    return this.deps.migrationsApplied;
  }

  get events(): EventBus {
    return this.deps.container.resolve('events');
  }
  get scheduler(): Scheduler {
    return this.deps.container.resolve('scheduler');
  }
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the server is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  static async create(options: CreateAppOptions = {}): Promise<Plinth> {
    const env = options.env ?? process.env;
    const config = options.config ?? loadConfig({ root: projectRoot, env, overrides: options.overrides });
    const logger = options.logger ?? createLogger(config.log.level, undefined, { format: config.log.format });
    const clock = options.clock ?? systemClock;
    const { plugins, failed } = await loadPluginSet(config, codeRoot, env, (message) => logger.warn(message));

    const container = createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });
    // This instance's own registry (GET /metrics); the core's families, the plugins add theirs while registering.
    const metricsRegistry = new Metrics(logger);
    const measured = coreMetrics(metricsRegistry);
    const db = createDatabase(config, { logger, onFatal: options.onFatal, statements: measured.statements });
    const dialect = dialectOf(config);
    // Drivers that are not configured are not even imported (boot time, memory).
    const redis: Redis | null = config.redis.url ? new (await import('ioredis')).Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null;
    const hooks = new Hooks(logger);
    const events = new EventBus({ db, clock, logger, settings: config.events, metrics: measured.outbox });
    const scheduler = new Scheduler({ db, clock, logger, leaseSeconds: config.scheduler.leaseSeconds, metrics: measured.jobs });
    const auth = new AuthChain();
    const websockets = new WebSockets({ logger, handshakes: measured.websocketHandshakes });
    const openapi = new OpenApiRegistry();
    documentCoreRoutes(openapi);
    const rateLimits = new RateLimits({ store: config.rateLimit.store, db, dialect, redis, refusals: measured.rateLimitRefusals });
    const pubsub = await createPubSub({ redis, postgresUrl: dialect === 'postgres' ? config.database.url : null, logger });
    // The core's own scope; tenant roles never imply a platform:* scope (only a superadmin grants one).
    const scopes = new Map<string, ScopeInfo>([[METRICS_SCOPE, { plugin: 'core', description: 'Read the Prometheus metrics at /metrics' }]]);
    const eventCatalog = new Map<string, EventSpec & { plugin: string }>();
    const metrics = new Map<string, MetricInfo>();
    const features = new Map<string, FeatureInfo>();
    const actions = new Actions(events);
    const retention = new Retention({ db, clock, logger, settings: config.retention });
    // The AWS SDK is imported only when an S3 destination is configured.
    const s3 = config.backup.s3 ? new (await import('./backup/s3-store.js')).S3BackupStore({ destination: config.backup.s3 }) : null;
    const backups = new Backups({ db, dialect, config, hooks, logger, remote: s3, metrics: measured.backups });
    const live = new LiveHub({ pubsub, logger });
    live.declare('core', [OUTBOX_LIVE_KIND]);
    watch(metricsRegistry, { db, sqliteFile: dialect === 'sqlite' ? sqliteFile(config) : null, outbox: events, backups, websockets });
    metricsRegistry.longPolls('admin_live', () => live.count(() => true));

    container.register({
      config: asValue(config),
      logger: asValue(logger),
      clock: asValue(clock),
      db: asFunction(() => db)
        .singleton()
        .disposer((d) => d.destroy()),
      dialect: asValue(dialect),
      redis: asFunction(() => redis)
        .singleton()
        .disposer((r) => {
          r?.disconnect();
        }),
      hooks: asValue(hooks),
      events: asValue(events),
      scheduler: asValue(scheduler),
      mailer: asFunction(() => {
        const mailer = new Mailer({ db, clock, logger, config });
        // The Outgoing mail page (superadmins) follows the outbox: mail of no tenant, so `platform` events.
        mailer.watch(() => live.nudge(null, OUTBOX_LIVE_KIND));
        return mailer;
      })
        .singleton()
        .disposer((m) => m.close()),
      rateLimits: asValue(rateLimits),
      retention: asValue(retention),
      backups: asFunction(() => backups)
        .singleton()
        .disposer((b) => b.close()),
      pubsub: asFunction(() => pubsub)
        .singleton()
        .disposer((p) => p.close()),
      live: asValue(live),
      auth: asValue(auth),
      websockets: asValue(websockets),
      openapi: asValue(openapi),
      scopes: asValue(scopes),
      eventCatalog: asValue(eventCatalog),
      actions: asValue(actions),
      metrics: asValue(metrics),
      metricsRegistry: asValue(metricsRegistry),
      // Unmetered, every feature granted, until a plugin (billing) provides its meter and plans.
      usage: asValue(new UsageFacade(measured.usageLimitRefusals)),
      features: asValue(features),
      entitlements: asValue(new EntitlementsSlot()),
      enabledPlugins: asValue(plugins.map((p) => p.plugin.name)),
      failedPlugins: asValue(failed),
    });
    wireAlerts(container); // before the plugins' register(): they add their conditions there

    const contexts = new Map<string, PluginContext>();
    const tenantParts = new TenantParts(logger);
    for (const { plugin, settings, base } of plugins) {
      const face = plugin.face && base ? { base, envelope: envelopes[plugin.face.envelope] } : null;
      const c: PluginContext = { name: plugin.name, settings, config, container, logger: logger.child({ plugin: plugin.name }), db, face };
      contexts.set(plugin.name, c);
      // The tenant page runs each plugin's part with its context bound in, as the actions and jobs below.
      const part = plugin.tenant;
      if (part) {
        tenantParts.add(plugin.name, {
          sections: part.sections?.bind(part, c),
          owned: part.owned?.bind(part, c),
          remove: part.remove?.bind(part, c),
        });
      }
    }
    container.register({ tenantParts: asValue(tenantParts) });

    // register: dependency injection only, in dependency order.
    for (const { plugin, label } of plugins) {
      const c = contexts.get(plugin.name)!;
      for (const [scope, description] of Object.entries(plugin.scopes ?? {})) {
        const owner = scopes.get(scope);
        if (owner) throw new PluginError(`plugin "${plugin.name}" declares scope "${scope}", already declared by "${owner.plugin}"`);
        scopes.set(scope, { plugin: plugin.name, description });
      }
      for (const [name, spec] of Object.entries(plugin.events ?? {})) eventCatalog.set(name, { ...spec, plugin: plugin.name });
      try {
        live.declare(plugin.name, Object.keys(plugin.live ?? {}));
      } catch (err) {
        throw new PluginError((err as Error).message);
      }
      declareMetrics(metrics, plugin.name, plugin.metrics ?? {});
      try {
        declareFeatures(features, plugin.name, plugin.features ?? {});
      } catch (err) {
        throw new PluginError((err as Error).message);
      }
      for (const [name, spec] of Object.entries(plugin.actions ?? {})) {
        try {
          actions.add(plugin.name, name, { ...spec, run: (input, call) => spec.run(input, call, c) });
        } catch (err) {
          throw new PluginError((err as Error).message);
        }
      }
      for (const [kind, spec] of Object.entries(plugin.refs ?? {})) {
        try {
          actions.addRef(plugin.name, kind, { ...spec, list: (tenantId) => spec.list(tenantId, c) });
        } catch (err) {
          throw new PluginError((err as Error).message);
        }
      }
      try {
        plugin.register?.(c);
      } catch (err) {
        // One line naming the plugin, at boot, rather than a stack trace from somewhere inside it.
        throw new PluginError(`plugin ${label} failed in register(): ${(err as Error)?.message ?? err}`);
      }
      // Each handler's payload type came from its event's name; the bus delivers by name.
      const handlers = Object.entries(plugin.on ?? {}) as Array<[string, (e: PlatformEvent, c: PluginContext) => Promise<void> | void]>;
      for (const [name, fn] of handlers) events.subscribe(name, `${plugin.name}:${name}`, (e) => fn(e, c));
      const batchHandlers = Object.entries(plugin.onBatch ?? {}) as Array<[string, (e: PlatformEvent[], c: PluginContext) => Promise<void>]>;
      for (const [name, fn] of batchHandlers) events.subscribeBatch(name, `${plugin.name}:${name}`, (e) => fn(e, c));
      for (const [name, fn] of Object.entries(plugin.filters ?? {})) hooks.addFilter(name, plugin.name, (v, ctx) => fn(v, ctx, c));
      for (const job of plugin.jobs ?? []) {
        scheduler.add({ name: `${plugin.name}.${job.name}`, schedule: job.schedule, catchUp: job.catchUp, run: (info) => job.run(c, info) });
      }
    }
    scheduler.add({ name: 'core.retention', schedule: '23 3 * * *', catchUp: true, run: async () => void (await retention.run()) });
    const backupSchedule = config.backup.schedule === 'off' ? null : config.backup.schedule;
    if (backupSchedule) scheduler.add({ name: 'core.backup', schedule: backupSchedule, run: async () => void (await backups.create({ trigger: 'schedule' })) });

    const folders = migrationFolders(plugins);
    let applied: string[];
    try {
      applied = await migrateLatest(db, folders);
    } catch (err) {
      await container.dispose();
      throw err;
    }
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
    // Made by the first boot of a deployment (a restored copy gets a new one): Redis namespaces, idempotency keys, backups.
    const deployment = await deploymentId(db);
    if (redis) {
      const namespace = config.redis.namespace ?? `plinth:${deployment}`;
      rateLimits.namespace = namespace;
      if (pubsub instanceof RedisPubSub) pubsub.namespace = namespace;
    }

    // Routes: each plugin's router joins the face of its base path.
    const faces = new Map<string, Face>();
    for (const { plugin } of plugins) {
      const c = contexts.get(plugin.name)!;
      if (!plugin.routes) continue;
      if (!c.face) throw new PluginError(`plugin "${plugin.name}" has routes but no face`);
      const router = new PluginRouter({
        plugin: plugin.name,
        base: c.face.base,
        rateLimits,
        openapi,
        envelope: c.face.envelope,
        checkReplies: config.server.checkReplies,
        checkErrorCodes: config.server.checkErrorCodes,
      });
      openapi.face({ plugin: plugin.name, base: c.face.base, description: plugin.description, version: plugin.version });
      plugin.routes(router, c);
      const face: Face = faces.get(c.face.base) ?? { base: c.face.base, envelope: c.face.envelope, middleware: [] };
      if (plugin.face?.queryCredentials) face.queryCredentials = { ...face.queryCredentials, ...plugin.face.queryCredentials };
      if (face.envelope !== c.face.envelope) {
        throw new PluginError(
          `plugin "${plugin.name}" serves ${c.face.base} with envelope "${c.face.envelope.name}", but that base already uses "${face.envelope.name}"`,
        );
      }
      face.middleware.push(router.koa.routes() as never);
      faces.set(c.face.base, face);
    }

    // The admin pages of plugins from npm or folders, built with the esbuild Plinth ships (kept while fresh).
    if (config.ui.enabled) {
      try {
        await buildPluginUi(plugins, config);
      } catch (err) {
        await container.dispose();
        throw new PluginError((err as Error).message);
      }
    }

    const holder: { app?: Plinth } = {};
    const koa = buildKoa({
      config,
      logger,
      container,
      auth,
      faces: [...faces.values()],
      core: [coreRoutes(() => holder.app!), apiDocs(), ...(config.ui.enabled ? [adminUi(() => holder.app!)] : [])],
      metrics: measured.http,
    });
    const app = new Plinth({ config, logger, db, plugins, contexts, container, koa, migrationsApplied: applied });
    holder.app = app;
    return app;
  }

  /**
   * start hooks in plugin order, event delivery, jobs (with catch-up), then listen; from then on an
   * idle event loop gives its heap back (`server.reduceHeapAfterIdleSeconds`, idle-heap.ts).
   */
  async start(options: { listen?: boolean } = {}): Promise<void> {
    this.state = 'starting';
    try {
      for (const loaded of this.deps.plugins) {
        await loaded.plugin.start?.(this.deps.contexts.get(loaded.plugin.name)!);
        this.started.push(loaded);
      }
      this.events.start();
      await this.instances.start();
      if (this.deps.config.scheduler.enabled) await this.scheduler.start();
      if (options.listen !== false) await this.listen();
      this.idleHeap.start();
    } catch (err) {
      this.deps.logger.error({ err }, 'start failed; stopping what had started');
      await this.stop();
      throw err;
    }
    this.state = 'running';
  }

  private listen(): Promise<void> {
    const server = http.createServer(this.deps.koa.callback());
    server.keepAliveTimeout = 5000;
    this.deps.container.resolve('websockets').attach(server);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.config.server.port, this.deps.config.server.host, () => {
        server.off('error', reject);
        const { port } = server.address() as AddressInfo;
        derivePublicUrl(this.deps.config, port);
        // The URL people open; the bind address (0.0.0.0 = every interface) is not one.
        this.deps.logger.info(
          { url: this.deps.config.server.publicUrl, bind: `${this.deps.config.server.host}:${port}` },
          `listening on ${this.deps.config.server.publicUrl}`,
        );
        resolve();
      });
    });
  }

  /** The plain-text startup banner `plinth start` prints: admin URL, bind address and what plugins announced. */
  banner(): string {
    const address = this.server?.address() as AddressInfo | null;
    const { host, publicUrl } = this.deps.config.server;
    return formatBanner({
      publicUrl,
      bind: `${host}:${address?.port ?? this.deps.config.server.port}`,
      adminUrl: this.deps.config.ui.enabled ? `${publicUrl}/admin` : null,
      notes: this.notes,
    });
  }

  /**
   * Stops accepting, lets in-flight requests finish, stops jobs and the started plugins in reverse,
   * closes the database. Runs once: every caller gets the same promise, resolved when it is done.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopping';
      await this.closeServer();
      await this.teardown(this.started);
      this.state = 'stopped';
    })();
    return this.stopping;
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await this.deps.container.resolve('websockets').close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // A keep-alive connection whose request finishes after this point would otherwise hold the
    // shutdown until the client hangs up (or keepAliveTimeout): close each one as it goes idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), this.deps.config.server.shutdownTimeoutMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(timer);
  }

  private async teardown(started: LoadedPlugin[]): Promise<void> {
    this.idleHeap.stop();
    await this.instances.stop();
    await this.scheduler.stop();
    await this.events.stop();
    for (const loaded of [...started].reverse()) {
      try {
        await loaded.plugin.stop?.(this.deps.contexts.get(loaded.plugin.name)!);
      } catch (err) {
        this.deps.logger.error({ err, plugin: loaded.plugin.name }, 'plugin stop failed');
      }
    }
    // The admin pages' last events (robots gone offline with this instance) go out before the pub/sub closes.
    await this.deps.container.resolve('live').close();
    await this.deps.container.dispose();
  }
}

export const createApp = (options?: CreateAppOptions) => Plinth.create(options);
