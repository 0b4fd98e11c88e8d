// The robots (WorkBot) plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { Knex } from 'knex';
import type { PayloadsOf, WriteSet } from 'plinth/plugin';
import type { robotsEvents } from './events.js';

/** An active robot of a tenant, as `robotsApi.robot` finds it. */
export interface RobotSummary {
  robotId: string;
  tenantId: string;
  userId: string | null;
  name: string;
}

/** One message of a robot's conversation, as `robotsApi.conversation` lists it. */
export interface ConversationMessage {
  messageId: string;
  spoken: string;
  receivedName: string | null;
  fromOperator: boolean;
  createdAt: string;
}

/**
 * `robotsApi`: what other plugins (ai, workflows actions) may do with robots, always within one
 * tenant (services/api.ts implements it).
 */
export interface RobotsPublicApi {
  /** A robot's AI fields until it sets them: the plugin that keeps them (ai) starts from these. */
  readonly aiDefaults: Readonly<RobotAiSettings>;
  /** The tenant's active robot, or null. */
  robot(tenantId: string, robotId: string): Promise<RobotSummary | null>;
  /** The last `limit` messages of a conversation up to and including `upTo`, oldest first. */
  conversation(tenantId: string, robotId: string, conversation: string, limit: number, upTo: string): Promise<ConversationMessage[]>;
  /**
   * Queues a send_message command (the seed's params: type, titleList, content, atList, …), pushed
   * at once or at `notBefore`. With `writes`, its row is staged in the caller's set (which the caller
   * runs, with its own writes, in one commit) and pushed once that commits.
   */
  sendMessage(
    tenantId: string,
    robotId: string,
    params: Record<string, unknown>,
    options: { createdBy: string; notBefore?: Date; writes?: WriteSet },
  ): Promise<{ commandId: string; status: string }>;
}

/**
 * One robot's AI settings as WorkBot's robot endpoints show and accept them (seed 004's aiMode,
 * aiProvider, …), every field filled in (aiModel and aiScenario may be absent). Robots owns the
 * fields and their defaults (`robotsApi.aiDefaults`); a plugin keeps them through the filters below.
 */
export interface RobotAiSettings {
  aiMode: 'builtin' | 'third_party' | 'off';
  aiProvider: string;
  aiModel?: string;
  aiTemperature: number;
  aiMaxTokens: number;
  aiContextLength: number;
  aiScenario?: string;
  replyDelayMin: number;
  replyDelayMax: number;
  aiCallLimitDaily: number;
}

/** `robots.robot.view`: the AI part of a page of robots (or one robot's detail), filled in once per page. */
export interface RobotAiView {
  tenantId: string;
  robotIds: string[];
  /** By robot id, every id present: the defaults until a plugin puts in what it keeps. */
  settings: Record<string, RobotAiSettings>;
  /** Today's AI calls by robot id (the seed's aiCallsToday); absent: none. */
  callsToday: Record<string, number>;
}

/** `robots.robot.save`: a robot's AI fields as a create or update carried them, inside the transaction that writes the robot. */
export interface RobotAiSave {
  tenantId: string;
  robotId: string;
  /** Only the fields the request carried (the others keep their value). */
  fields: Partial<RobotAiSettings>;
  /** Robots' transaction: a contributor writes in it, or throws to refuse (nothing is written then). */
  trx: Knex.Transaction;
}

/** `robots.statistics`: the AI figures of a statistics reply (seed 004 8.1 and 8.2) over [from, to) (ISO timestamps). */
export interface RobotAiStatistics {
  tenantId: string;
  robotIds: string[];
  from: string;
  to: string;
  /** null while no plugin counts AI calls. */
  totalAICalls: number | null;
  aiCost: number | null;
}

/**
 * The filters robots applies (core hooks, `hooks.applyFilters`), by name, with the value each passes
 * on: another plugin (ai) extends robots' view, save and statistics from its manifest's `filters`,
 * typed with `RobotsFilter<name>` from here. Each is applied once per request, never per robot.
 */
export interface RobotsFilters {
  'robots.robot.view': RobotAiView;
  'robots.robot.save': RobotAiSave;
  'robots.statistics': RobotAiStatistics;
}
export type RobotsFilterName = keyof RobotsFilters;
export type RobotsFilter<K extends RobotsFilterName> = (value: RobotsFilters[K]) => Promise<RobotsFilters[K]>;

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

declare module 'plinth/plugin' {
  interface Cradle {
    robotsApi: RobotsPublicApi;
  }
}

/** robots's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type RobotsEventPayloads = PayloadsOf<typeof robotsEvents>;
export type RobotsEventName = keyof RobotsEventPayloads;

declare module 'plinth/plugin' {
  interface EventPayloads extends RobotsEventPayloads {}
}
