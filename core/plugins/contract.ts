import type { PlinthContainer } from '../container.js';
import type { Knex } from 'knex';
import type { CoreConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Envelope, EnvelopeName } from '../http/envelopes.js';
import type { PluginRouter } from '../http/router.js';
import type { JsonSchema } from '../validation.js';
import type { JobReport, JobRunInfo } from '../scheduler.js';
import type { PlatformEvent } from '../events/outbox.js';
import type { EventName, EventPayloads, EventSpec } from '../events/payloads.js';
import type { MetricSpec } from '../usage.js';
import type { Principal } from '../http/auth.js';
import type { FeatureSpec } from '../entitlements.js';
import type { ActionCall, ActionSpec, RefSpec } from '../actions.js';
import type { OverviewCard, OverviewViewer, OverviewWindow } from '../overview/card.js';
import type { TenantRows, TenantSection } from '../overview/tenant.js';

export interface PluginContext<S = Record<string, unknown>> {
  name: string;
  /** This plugin's section of `settings`, validated against its configSchema, defaults filled in. */
  settings: S;
  config: CoreConfig;
  /** The root container (singletons). Per-request values live in ctx.state.container. */
  container: PlinthContainer;
  logger: Logger;
  db: Knex;
  /** The plugin's face, when it has one: its base path (settings.base overrides) and envelope. */
  face: { base: string; envelope: Envelope } | null;
}

export interface JobSpec<S = any> {
  /** Unique within the plugin; registered as `<plugin>.<name>`. */
  name: string;
  schedule: string;
  catchUp?: boolean;
  /**
   * May return what it did (rows deleted per table), stored with the run and shown on the System
   * page; `retention.deleteInBatches` adds its deletes to the run's report by itself.
   */
  run(c: PluginContext<S>, info: JobRunInfo): Promise<void> | Promise<JobReport>;
}

export interface UiPage {
  /** URL segment under /admin/<plugin>/ ('' for the plugin's first page). */
  path: string;
  title: string;
  /** Only principals with one of these roles see it in the navigation. */
  roles?: string[];
  /**
   * Every scope the page's API needs, checked as `requireScope` checks them (the principal's scopes,
   * within the tenant's plan): a page whose calls would be refused is neither listed nor opened.
   */
  scopes?: string[];
  /** A plan feature the page is about (for a page whose reads need no gated scope): a tenant whose plan lacks it does not see it. */
  feature?: string;
  /** A rule of the plugin's own, for what its API checks beyond roles and scopes (e.g. a tenant the plugin serves). */
  allowed?: (principal: Principal, c: PluginContext<any>) => boolean | Promise<boolean>;
  /**
   * Rendered without a session (e.g. a password reset form opened from an email) and never listed
   * in the navigation; the page calls only endpoints that need no login.
   */
  public?: boolean;
  /**
   * A public page linked from the login screen under its title (e.g. "Forgot password?"). A function
   * of the plugin's settings links it only while they say so (a sign-up page while registration is open).
   */
  loginLink?: boolean | ((settings: any) => boolean);
  /**
   * The path of the plugin's page this one belongs to (an editor opened from its list): this page is
   * not listed in the navigation, which highlights the parent while it is open.
   */
  parent?: string;
}

type Handler<P, S> = (event: PlatformEvent<P>, c: PluginContext<S>) => Promise<void> | void;

/**
 * Durable event handlers by event name, each given its event's payload type (core/events/payloads.ts),
 * or '*' for every event. A name no plugin declares is a type error: a typo never subscribes to nothing.
 */
export type EventHandlers<S = any> = { [N in EventName]?: Handler<EventPayloads[N], S> } & { '*'?: Handler<Record<string, unknown>, S> };

type BatchHandler<P, S> = (events: Array<PlatformEvent<P>>, c: PluginContext<S>) => Promise<void>;

/** Durable handlers given a claimed batch's events at once (core/events/outbox.ts BatchEventHandler), by event name or '*'. */
export type BatchEventHandlers<S = any> = { [N in EventName]?: BatchHandler<EventPayloads[N], S> } & { '*'?: BatchHandler<Record<string, unknown>, S> };

/** A plugin's contribution to the tenant page and to deleting a tenant (`tenant` below; core/overview/tenant.ts shows how). */
export interface TenantContribution<S = any> {
  sections?(c: PluginContext<S>, tenantId: string): Promise<TenantSection[]>;
  /** Counted with `db` (the caller's transaction when it is in one). */
  owned?(c: PluginContext<S>, tenantId: string, db: Knex): Promise<TenantRows[]>;
  /** Inside the deleting transaction: a throw rolls the whole deletion back. */
  remove?(c: PluginContext<S>, tenantId: string, trx: Knex): Promise<void>;
}

/** The contract every plugin satisfies: a plain object; the core does the rest. */
export interface Plugin<S = any> {
  name: string;
  version?: string;
  /**
   * The plugin API range this plugin needs (semver, e.g. `^1.0.0`; `pluginApi` in README): a plugin from
   * npm or a folder must declare it (here or as `"plinth": { "pluginApi" }` in its package.json), and
   * one this Plinth's PLUGIN_API_VERSION does not satisfy stops the boot.
   */
  pluginApi?: string;
  /** One line: what the plugin's face does (the tag's description in /openapi.json, the first line of its agent skill). */
  description?: string;
  /** Loaded after these; a missing one is a startup error naming both plugins. */
  dependsOn?: string[];
  /** Validated with ajv at startup (defaults filled in); errors name `settings.<plugin>.<key>`. */
  configSchema?: JsonSchema;
  /** Env vars mapped onto keys of this plugin's settings, e.g. { PLINTH_MAIL_DOMAINS: { path: 'domains', list: true } }. */
  env?: Record<string, string | { path: string; list?: boolean }>;
  /**
   * The public API face this plugin serves. `queryCredentials` maps query parameters to the
   * credential header they stand for on this face only (a seed's `?admin_token=` for links that
   * cannot carry headers); the access log never records the query string, so they stay out of logs.
   */
  face?: { base: string; envelope: EnvelopeName; queryCredentials?: Record<string, string> };
  /** Scopes this plugin checks, `resource:action` → description. */
  scopes?: Record<string, string>;
  /** Metrics this plugin meters through the `usage` service (billing sets their limits). */
  metrics?: Record<string, MetricSpec>;
  /**
   * Features this plugin offers, by name (`mail`, `workflows`): each grants a set of its scopes.
   * A plan lists the features its tenants get; a tenant's scopes are cut to them (billing decides).
   */
  features?: Record<string, FeatureSpec>;
  /** Events this plugin emits, by name (`<plugin-resource>.<past-tense verb>`). */
  events?: Record<string, EventSpec>;
  /**
   * The kinds of live event this plugin publishes to the admin pages (the container's `live`,
   * core/live.ts), kind → what changed. Pages listen by prefix (`useLive('robot.', …)`); a kind is
   * one plugin's.
   */
  live?: Record<string, string>;
  /**
   * Actions other plugins (workflows) may run, by name (`<resource>.<verb>`, e.g. `mail.send`):
   * input and output JSON Schemas; `run` gets input already validated against `input`.
   */
  actions?: Record<string, Omit<ActionSpec, 'run'> & { run(input: any, call: ActionCall, c: PluginContext<S>): Promise<unknown> }>;
  /**
   * Kinds of the tenant's things this plugin owns, which an action's input may name with
   * `"x-plinth-ref": "<kind>"` (core/actions.ts): how they are called, and the lookup of one
   * tenant's (id and name) that editors offer them from (GET /api/v2/workflows/refs/{kind}).
   */
  refs?: Record<string, Omit<RefSpec, 'list'> & { list(tenantId: string, c: PluginContext<S>): Promise<Array<{ id: string; name: string; detail?: string }>> }>;
  /** Adds services to the container. No I/O here. */
  register?(c: PluginContext<S>): void;
  routes?(r: PluginRouter, c: PluginContext<S>): void;
  /** Folder of knex migrations, relative to the plugin's folder. */
  migrations?: string;
  jobs?: JobSpec<S>[];
  /** Durable event handlers (at least once, retried), by event name or '*'. */
  on?: EventHandlers<S>;
  /**
   * Durable handlers that take a batch's events at once, for work that is cheaper done for many in
   * one commit (workflows start the runs of 50 events in one). Keyed like `on`; one name in both is an error.
   */
  onBatch?: BatchEventHandlers<S>;
  /** Filter hooks, by hook name: return the value (changed or not) or throw to veto. */
  filters?: Record<string, (value: any, context: Record<string, unknown>, c: PluginContext<S>) => unknown>;
  start?(c: PluginContext<S>): Promise<void>;
  stop?(c: PluginContext<S>): Promise<void>;
  /** Extra `plinth <command>` CLI commands (the app is created and migrated, not started). */
  commands?: Record<string, { description: string; run(c: PluginContext<S>, args: string[]): Promise<void> }>;
  /** Admin pages; the plugin's ui/index.tsx exports a component per page path. */
  ui?: { pages: UiPage[] };
  /**
   * The plugin's cards on the admin Overview (GET /admin/api/overview, core/overview/card.ts): for a
   * `platform` viewer (a superadmin) figures across tenants, for anyone else their tenant's only, and
   * only what their scopes and plan let them open. Read-only and quick (it runs at every page load
   * and live refresh); a throw or a hang becomes an error card, the other cards still show.
   */
  overview?(c: PluginContext<S>, viewer: OverviewViewer, window: OverviewWindow): Promise<OverviewCard[]>;
  /**
   * The plugin's part of one tenant (core/overview/tenant.ts, which shows how): sections of the
   * operator's tenant page, what deleting the tenant deletes of this plugin's (counted for the
   * confirmation) and the delete itself, inside the transaction that deletes the tenant.
   */
  tenant?: TenantContribution<S>;
}

/** Which copy of the core made a manifest: the loader refuses one made by another (a plugin that bundles plinth). */
export const CORE_COPY = Symbol.for('plinth.core-copy');

/** Types a manifest and marks it as made with this copy of the core. */
export const definePlugin = <S = Record<string, unknown>>(plugin: Plugin<S>): Plugin<S> =>
  Object.isFrozen(plugin) ? plugin : Object.defineProperty(plugin, CORE_COPY, { value: import.meta.url, enumerable: false });
