import type { Cradle } from 'plinth/plugin';
import { SharedCache } from 'plinth/plugin';
import type { RobotsSettings } from '../config.js';
import { Commands } from './commands.js';
import { Messages } from './messages.js';
import { Robots } from './robots.js';
import { RobotTokens } from './tokens.js';
import { Callbacks } from './callbacks.js';
import { Presence } from './presence.js';
import { type ActiveRobot, RobotsApi } from './api.js';
import { Statistics } from './statistics.js';
import { History } from './history.js';
import { SystemLogs, robotCountsOf } from './system-logs.js';
import { ActivationCodes } from './codes.js';
import { HomeTenant } from './home.js';

/** The auth and licensing services this plugin uses (it depends on both), resolved per call. */
export type RobotsDeps = Pick<
  Cradle,
  | 'db'
  | 'clock'
  | 'logger'
  | 'config'
  | 'events'
  | 'pubsub'
  | 'live'
  | 'usage'
  | 'smsCodes'
  | 'authUsers'
  | 'tenants'
  | 'audit'
  | 'authSessions'
  | 'licenses'
  | 'metricsRegistry'
  | 'hooks'
>;

export type RobotsServices = ReturnType<typeof createRobotsServices>;

export function createRobotsServices(d: RobotsDeps, settings: RobotsSettings) {
  const tokens = new RobotTokens({ db: d.db, clock: d.clock, settings, pubsub: d.pubsub });
  // A robot that comes or goes shows at once on its tenant's admin pages, whichever instance serves them.
  const announcePresence = async (robotPk: number, online: boolean) => {
    const robot = await d.db('robots_robots').where('id', robotPk).first('robot_id', 'tenant_id');
    if (robot) await d.live.publish(robot.tenant_id, 'robot.presence', { robotId: robot.robot_id, online });
  };
  const presence = new Presence({ db: d.db, clock: d.clock, announce: announcePresence });
  const pushLatency = d.metricsRegistry.histogram({
    name: 'plinth_robot_push_latency_seconds',
    help: "Robot commands from ready (stored, approved or due) to written on the robot's WebSocket, across instances",
  });
  const commands = new Commands({ db: d.db, clock: d.clock, logger: d.logger, events: d.events, pubsub: d.pubsub, settings, presence, pushLatency });
  const activeRobots = new SharedCache<ActiveRobot>({
    name: 'robots.active',
    pubsub: d.pubsub,
    logger: d.logger,
    max: 20_000,
    ttlMs: 60_000,
    keepMisses: false,
  });
  const robots = new Robots({
    db: d.db,
    clock: d.clock,
    tokens,
    commands,
    licenses: () => d.licenses,
    usage: d.usage,
    hooks: d.hooks,
    // A robot activated or removed shows at once on its tenant's Robots page (every instance's).
    changed: (tenantId, robotId, change) => {
      void activeRobots.invalidate(`${tenantId}:${robotId}`);
      void d.live.publish(tenantId, 'robot.changed', { robotId, change });
    },
  });
  const callbacks = new Callbacks({ db: d.db, clock: d.clock, allowPrivate: settings.allowPrivateCallbacks });
  const messages = new Messages({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    events: d.events,
    filesDir: d.config.dataDir,
    maxFileBytes: settings.maxFileBytes,
    usage: d.usage,
  });
  const statistics = new Statistics({ db: d.db, clock: d.clock, commands, hooks: d.hooks });
  return {
    systemLogs: new SystemLogs({ db: d.db, clock: d.clock, logger: d.logger }),
    robotCounts: (userIds: string[]) => robotCountsOf(d.db, userIds),
    /** WorkBot's home tenant (settings.homeTenant, else the operator's). */
    home: new HomeTenant({ tenants: () => d.tenants, setting: settings.homeTenant }),
    tokens,
    statistics,
    /** For other plugins, as `robotsApi` in the container. */
    api: new RobotsApi({ db: d.db, commands, cache: activeRobots }),
    /** Listen for other instances' drops (started with the plugin). */
    activeRobots,
    history: new History(d.db),
    codes: new ActivationCodes({ db: d.db, clock: d.clock, engine: () => d.licenses, users: () => d.authUsers }),
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
