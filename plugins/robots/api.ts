// The robots (WorkBot) plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { PayloadsOf } from '../../core/events/payloads.js';
import type { RobotsApi } from './services/api.js';
import type { RobotsServices } from './services/index.js';
import type { robotsEvents } from './events.js';

export type { ConversationMessage, RobotSummary } from './services/api.js';

/** `robotsApi`: what other plugins (ai, workflows actions) may do with robots. */
export type RobotsPublicApi = Pick<RobotsApi, 'robot' | 'conversation' | 'sendMessage'>;

/**
 * The codes robots's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type RobotsErrorCode =
  /** An activation code that does not exist (or is another tenant's): seed 004's own code (9.1). */
  | 'INVALID_CODE'
  | 'code_in_use'
  | 'code_of_another_user'
  | 'file_too_large'
  | 'invalid_token'
  | 'missing_scope'
  | 'no_home_tenant'
  | 'not_awaiting_approval'
  | 'not_sent'
  | 'not_workbot_admin';

declare module '../../core/container.js' {
  interface Cradle {
    /** robots' own services (its routes, socket and jobs). */
    robotsServices: RobotsServices;
    robotsApi: RobotsPublicApi;
  }
}

/** robots's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type RobotsEventPayloads = PayloadsOf<typeof robotsEvents>;
export type RobotsEventName = keyof RobotsEventPayloads;

declare module '../../core/events/payloads.js' {
  interface EventPayloads extends RobotsEventPayloads {}
}
