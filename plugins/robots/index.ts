import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { definePlugin } from 'plinth/plugin';
import { robotsConfigSchema, type RobotsSettings } from './config.js';
import { createRobotsServices } from './services/index.js';
import { PRODUCT } from './services/codes.js';
import { robotRoutes } from './routes/robots.js';
import { adminRoutes } from './routes/admin.js';
import { callbackRoutes } from './routes/callbacks.js';
import { approvalRoutes } from './routes/approvals.js';
import { adminUserRoutes, errorLogger } from './routes/admin-users.js';
import { statisticsRoutes } from './routes/statistics.js';
import { historyRoutes } from './routes/history.js';
import { WORKBOT_MESSAGES } from './routes/messages.js';
import { faceLanguage } from 'plinth/plugin';
import { robotsActions, robotsRefs } from './actions.js';
import { robotsEvents } from './events.js';
import { robotsJobs } from './jobs.js';
import { robotsOverview } from './services/overview.js';
import { robotsTenantPart } from './tenant-part.js';
import { robotTokenStrategy } from './robot-token-auth.js';
import { robotSocketEndpoint } from './robot-socket.js';
import { asRoleHolder } from './routes/guards.js';
import type { Principal } from 'plinth/plugin';
import { robotsServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => robotsServices.of(c);
const workbotAdminPage = (p: Principal, c: { container: PlinthContainer }) => services(c).home.administers(asRoleHolder(p));

export default definePlugin<RobotsSettings>({
  name: 'robots',
  version: '0.1.0',
  description: 'WorkBot chat robots on phones: activation codes bound to one device, robot tokens, message reports, a command queue (poll or push), callbacks',
  dependsOn: ['auth', 'licensing'],
  configSchema: robotsConfigSchema,
  face: { base: '/workbot', envelope: 'code-message-data' },
  scopes: { 'robots:use': 'Manage your robots and send their messages', 'robots:manage': "Manage the tenant's robots and activation codes" },
  features: { robots: { description: 'WorkBot chat robots on phones', scopes: ['robots:*'], metrics: ['max_robots', 'max_messages_per_month'] } },
  metrics: {
    max_robots: { kind: 'gauge', usageKey: 'robots', unit: 'robots', description: 'Robots' },
    max_sessions: { kind: 'gauge', usageKey: 'sessions', unit: 'robot sessions', description: 'Robot sessions (the seed counts robots)' },
    max_messages_per_month: {
      kind: 'counter',
      period: 'month',
      usageKey: 'messages_this_month',
      unit: 'robot messages',
      description: 'Messages reported by robots',
    },
  },
  events: robotsEvents,
  live: {
    'robot.changed': 'A robot was made, renamed, activated, removed, unbound or disabled ({ robotId, change })',
    'robot.presence': 'A robot came online or went offline ({ robotId, online })',
    'robot.message': 'A robot reported a message ({ robotId, messageId })',
    'robot.command': "A robot's command finished ({ robotId, commandId, status })",
  },
  actions: robotsActions,
  refs: robotsRefs,
  migrations: 'migrations',
  ui: {
    pages: [
      { path: '', title: 'Robots', scopes: ['robots:use'] },
      // WorkBot's administration (routes/guards.ts workbotAdmin): superadmins and the home tenant's owners and admins.
      { path: 'codes', title: 'Activation codes', roles: ['admin'], scopes: ['robots:manage'], allowed: workbotAdminPage },
      { path: 'users', title: 'WorkBot users', roles: ['admin'], scopes: ['robots:manage'], allowed: workbotAdminPage },
    ],
  },

  register(c) {
    // A robot's AI fields and figures pass through robots' filters (api.ts RobotsFilters), which the ai plugin contributes to.
    const s = createRobotsServices(c.container.cradle, c.settings);
    robotsServices.register(c.container, s);
    c.container.register({ robotsApi: asValue(s.api) });
    // WorkBot's codes are the operator's to sell: only this plugin (kind robot) issues `workbot` licenses.
    c.container.resolve('licenses').reserve(PRODUCT, 'robot', 'WorkBot (the robots plugin: POST /workbot/api/admin/activation-codes)');
    c.container.resolve('auth').add(robotTokenStrategy(s));
    c.container.resolve('websockets').add(robotSocketEndpoint(s, c.settings, `${c.face!.base}/ws`));
  },

  async start(c) {
    await services(c).home.check();
    await services(c).tokens.start();
    await services(c).commands.start();
    await services(c).activeRobots.start();
  },

  async stop(c) {
    await services(c).commands.stop();
    await services(c).messages.stop();
  },

  routes(r, c) {
    // First: router middleware runs in registration order. The seed's wording wraps the error log,
    // which keeps what the code says and words it when read.
    r.use(faceLanguage(WORKBOT_MESSAGES));
    r.use(errorLogger(services(c)));
    adminUserRoutes(r, services(c));
    robotRoutes(r, services(c), c.settings);
    adminRoutes(r, services(c), c.settings);
    callbackRoutes(r, services(c));
    approvalRoutes(r, services(c));
    statisticsRoutes(r, services(c));
    historyRoutes(r, services(c), c.settings);
  },

  on: {
    // The tenant's admin pages hear of it at once (live channel); third-party callbacks are
    // retried with backoff through the outbox until they succeed.
    async 'robots.message.received'(event, c) {
      if (event.tenantId)
        await c.container.resolve('live').publish(event.tenantId, 'robot.message', { robotId: event.payload.robot_id, messageId: event.payload.message_id });
      await services(c).callbacks.deliver(event, 'message');
    },
    async 'robots.command.completed'(event, c) {
      if (event.tenantId) {
        await c.container
          .resolve('live')
          .publish(event.tenantId, 'robot.command', { robotId: event.payload.robot_id, commandId: event.payload.command_id, status: event.payload.status });
      }
      await services(c).callbacks.deliver(event, 'result');
    },
  },

  jobs: robotsJobs,

  overview: robotsOverview,
  tenant: robotsTenantPart,
});
