import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.js';
import type { CoreConfig } from '../../../core/config/schema.js';
import type { EventBus } from '../../../core/events/outbox.js';
import type { Logger } from '../../../core/logger.js';
import type { PubSub } from '../../../core/pubsub.js';
import type { UsageMeter } from '../../../core/usage.js';
import type { AiApi } from '../../ai/api.js';
import type { RobotsSettings } from '../config.js';
import { Commands } from './commands.js';
import { Messages } from './messages.js';
import { Robots, type LicenseAdmin, type LicenseEngine } from './robots.js';
import { RobotTokens } from './tokens.js';
import { Callbacks } from './callbacks.js';
import { Presence } from './presence.js';
import { RobotsApi } from './api.js';
import { Statistics } from './statistics.js';
import { History } from './history.js';
import { SystemLogs, robotCountsOf } from './system-logs.js';
import { ActivationCodes } from './codes.js';
import { HomeTenant, type TenantDirectory } from './home.js';
import type { Principal } from '../../../core/http/auth.js';

/** A user as the auth plugin's service returns it. */
export interface AuthUser { id: string; phone: string | null; email: string | null; full_name: string; role: string; tenant_id: string; is_superadmin: boolean; status: string; last_login_at: string | null; created_at: string }

/** The auth and licensing services this plugin uses (it depends on both), resolved per call. */
export interface RobotsDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  config: CoreConfig;
  events: EventBus;
  pubsub: PubSub;
  usage: UsageMeter;
  smsCodes: { send(phone: string, purpose: string, ip: string): Promise<{ expires_in: number }>; verify(phone: string, code: string, purpose: string): Promise<void> };
  authUsers: {
    findOrCreateByPhone(phone: string, join: { tenantId: string; role?: 'member'; scopeLimit?: readonly string[] }): Promise<{ id: string; phone: string | null; full_name: string; role: string; tenant_id: string; is_superadmin: boolean }>;
    get(id: string, scope?: { tenantId: string | null }): Promise<AuthUser>;
    list(filter: { search?: string; status?: string; tenant_id?: string; role?: string }, page: { page: number; page_size: number }): Promise<{ items: AuthUser[]; total: number }>;
    setStatus(actor: Principal, id: string, status: 'active' | 'suspended', meta: { ip: string; userAgent: string }): Promise<AuthUser>;
  };
  tenants: TenantDirectory & { settings(tenantId: string): Promise<{ require_approval: boolean }> };
  audit: { record(entry: Record<string, unknown>): Promise<void> };
  authSessions: { issueForUser(userId: string, meta: { ip: string; userAgent: string }, method: string): Promise<{ access_token: string; refresh_token: string }> };
  licenses: LicenseEngine & LicenseAdmin & {
    generateMany(input: Record<string, unknown>, count: number): Promise<Array<{ activation_code: string; valid_until: string | null; price: number | null; bound_user_id: string | null; status: string; created_at: string }>>;
    list(scope: { tenantId: string | null }, filter: { limit: number; status?: string; product?: string }): Promise<Array<{ activation_code: string; status: string; valid_until: string | null; price: number | null; bound_user_id: string | null; active_devices: number; created_at: string }>>;
  };
}

export type RobotsServices = ReturnType<typeof createRobotsServices>;

/** What this plugin uses of plugins it does not depend on, when they are enabled (resolved per call). */
export interface RobotsOptionalDeps {
  ai: () => AiApi | null;
}

export function createRobotsServices(d: RobotsDeps, settings: RobotsSettings, optional: RobotsOptionalDeps = { ai: () => null }) {
  const tokens = new RobotTokens(d.db, d.clock, settings, d.pubsub);
  const commands = new Commands(d.db, d.clock, d.logger, d.events, d.pubsub, settings, new Presence(d.db, d.clock));
  const robots = new Robots(d.db, d.clock, tokens, commands, () => d.licenses, () => d.usage);
  const callbacks = new Callbacks(d.db, d.clock, settings.allowPrivateCallbacks);
  const messages = new Messages(d.db, d.clock, d.events, d.config.dataDir, settings.maxFileBytes, () => d.usage);
  const statistics = new Statistics(d.db, d.clock, commands, optional.ai);
  return {
    systemLogs: new SystemLogs(d.db, d.clock, d.logger),
    robotCounts: (userIds: string[]) => robotCountsOf(d.db, userIds),
    /** WorkBot's home tenant (settings.homeTenant, else the operator's). */
    home: new HomeTenant(() => d.tenants, settings.homeTenant),
    tokens,
    statistics,
    /** For other plugins, as `robotsApi` in the container. */
    api: new RobotsApi(d.db, commands),
    history: new History(d.db),
    codes: new ActivationCodes(d.db, d.clock, () => d.licenses, () => d.authUsers),
    commands,
    robots,
    messages,
    callbacks,
    events: () => d.events,
    /** The auth plugin's tenant setting, read per command. */
    approvalRequired: async (tenantId: string) => (await d.tenants.settings(tenantId)).require_approval,
    audit: () => d.audit,
    sms: () => d.smsCodes,
    users: () => d.authUsers,
    sessions: () => d.authSessions,
    licenses: () => d.licenses,
  };
}
