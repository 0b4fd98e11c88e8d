// The running instance as the core's own routes and pages read it (the admin UI, /openapi.json, the
// outbox and mailer pages, the Overview). app.ts mounts those routes while it builds the instance,
// so they name this view, which Plinth implements, and not app.ts.
import type { Knex } from 'knex';
import type { CoreConfig } from './config/schema.js';
import type { PlinthContainer } from './container.js';
import type { EventBus } from './events/outbox.js';
import type { Logger } from './logger.js';
import type { PluginContext } from './plugins/contract.js';
import type { LoadedPlugin } from './plugins/loader.js';
import type { Scheduler } from './scheduler.js';

export type AppState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface AppView {
  readonly state: AppState;
  readonly config: CoreConfig;
  readonly logger: Logger;
  readonly db: Knex;
  readonly container: PlinthContainer;
  /** The enabled plugins, in dependency order. */
  readonly plugins: LoadedPlugin[];
  /** Each plugin's context, by plugin name. */
  readonly contexts: Map<string, PluginContext>;
  readonly events: EventBus;
  readonly scheduler: Scheduler;
}
