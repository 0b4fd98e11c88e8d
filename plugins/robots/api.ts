// The robots (WorkBot) plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { RobotsApi } from './services/api.js';
import type { RobotsServices } from './services/index.js';

export type { ConversationMessage, RobotSummary } from './services/api.js';

/** `robotsApi`: what other plugins (ai, workflows actions) may do with robots. */
export type RobotsPublicApi = Pick<RobotsApi, 'robot' | 'conversation' | 'sendMessage'>;

declare module '../../core/container.js' {
  interface Cradle {
    /** robots' own services (its routes, socket and jobs). */
    robotsServices: RobotsServices;
    robotsApi: RobotsPublicApi;
  }
}
