import { asValue } from 'awilix';
import { definePlugin } from '../../core/plugins/contract.js';
import { AppError } from '../../core/errors.js';
import type { AuthChain } from '../../core/http/auth.js';
import type { WebSockets } from '../../core/http/websockets.js';
import { robotsConfigSchema, type RobotsSettings } from './config.js';
import { createRobotsServices, type RobotsDeps, type RobotsServices } from './services/index.js';
import { robotRoutes } from './routes/robots.js';
import { adminRoutes } from './routes/admin.js';
import { callbackRoutes } from './routes/callbacks.js';
import { approvalRoutes } from './routes/approvals.js';
import { adminUserRoutes, errorLogger } from './routes/admin-users.js';
import { statisticsRoutes } from './routes/statistics.js';
import { historyRoutes } from './routes/history.js';
import { robotsActions } from './actions.js';
import type { Retention } from '../../core/retention.js';

/** Commands that will not change again: pruned with the logs. */
const FINISHED_COMMANDS = ['succeeded', 'failed', 'expired', 'rejected'];

const services = (c: { container: { resolve<T>(name: string): T } }) => c.container.resolve<RobotsServices>('robotsServices');

export default definePlugin<RobotsSettings>({
  name: 'robots',
  version: '0.1.0',
  dependsOn: ['auth', 'licensing'],
  configSchema: robotsConfigSchema,
  face: { base: '/workbot', envelope: 'code-message-data' },
  scopes: { 'robots:use': 'Manage your robots and send their messages', 'robots:manage': "Manage the tenant's robots and activation codes" },
  features: { robots: { description: 'WorkBot chat robots on phones', scopes: ['robots:*'], metrics: ['max_robots', 'max_messages_per_month'] } },
  metrics: {
    max_robots: { kind: 'gauge', usageKey: 'robots', description: 'Robots' },
    max_sessions: { kind: 'gauge', usageKey: 'sessions', description: 'Robot sessions (the seed counts robots)' },
    max_messages_per_month: { kind: 'counter', period: 'month', usageKey: 'messages_this_month', description: 'Messages reported by robots' },
  },
  events: {
    'robots.message.received': {
      version: 1,
      description: 'A robot reported a message it received',
      schema: {
        type: 'object',
        required: ['robot_id', 'message_id', 'spoken', 'conversation'],
        properties: {
          robot_id: { type: 'string' },
          message_id: { type: 'string' },
          spoken: { type: 'string' },
          received_name: { type: ['string', 'null'] },
          group_name: { type: ['string', 'null'] },
          at_me: { type: 'boolean' },
          room_type: { type: ['integer', 'null'] },
          conversation: { type: 'string', description: 'group:<name> or contact:<name>' },
          from_operator: { type: 'boolean', description: 'a human operator sent it from the phone' },
          has_file: { type: 'boolean' },
        },
      },
    },
    'robots.command.completed': { version: 1, schema: { type: 'object', required: ['robot_id', 'command_id', 'status'], properties: { robot_id: { type: 'string' }, command_id: { type: 'string' }, status: { enum: ['succeeded', 'failed'] }, error_code: { type: 'integer' } } } },
  },
  actions: robotsActions,
  migrations: 'migrations',
  ui: {
    pages: [
      { path: '', title: 'Robots' },
      { path: 'codes', title: 'Activation codes', roles: ['admin'] },
      { path: 'users', title: 'Users', roles: ['admin'] },
    ],
  },

  register(c) {
    const s = createRobotsServices(c.container.cradle as RobotsDeps, c.settings);
    c.container.register({ robotsServices: asValue(s), robotsApi: asValue(s.api) });
    // Robot tokens (rbt_…) as a principal kind.
    c.container.resolve<AuthChain>('auth').add({
      name: 'robots.token',
      async authenticate(req) {
        const header = req.headers.authorization;
        const token = typeof header === 'string' ? /^Bearer\s+(rbt_[A-Za-z0-9_-]+)$/.exec(header.trim())?.[1] : undefined;
        if (!token) return null;
        const robot = await s.tokens.robotOf(token, 'access');
        if (!robot) throw AppError.unauthorized('invalid or revoked robot token', 'invalid_token');
        return { kind: 'robot', id: robot.robot_id, tenantId: robot.tenant_id, roles: ['robot'], scopes: [], name: robot.robot_id, attributes: { robotPk: robot.id } };
      },
    });
    c.container.resolve<WebSockets>('websockets').add({
      path: `${c.face!.base}/ws`,
      maxPayload: c.settings.wsMaxFrameBytes,
      allowedOrigins: c.settings.wsAllowedOrigins.length ? c.settings.wsAllowedOrigins : undefined,
      async accept(req, url) {
        const token = url.searchParams.get('token') ?? '';
        const robot = await s.tokens.robotOf(token, 'access');
        if (!robot || robot.robot_id !== url.searchParams.get('robotId')) {
          await s.systemLogs.record({ tenantId: robot?.tenant_id ?? null, type: 'security', level: 'warn', message: robot ? 'robot token used for another robotId at the WebSocket handshake' : 'invalid robot token at the WebSocket handshake', details: { robotId: url.searchParams.get('robotId') }, ip: req.socket?.remoteAddress ?? null });
          throw new Error('refused');
        }
        return robot;
      },
      connected(socket, context) {
        const robot = context as { id: number };
        socket.on('message', (raw) => {
          let message: { type?: string };
          try {
            message = JSON.parse(String(raw));
          } catch {
            return;
          }
          if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
        });
        void s.commands.connected(robot.id, socket);
      },
    });
  },

  async start(c) {
    await services(c).home.check();
    await services(c).tokens.start();
    await services(c).commands.start();
  },

  async stop(c) {
    services(c).commands.stop();
  },

  routes(r, c) {
    r.use(errorLogger(services(c))); // first: router middleware runs in registration order
    adminUserRoutes(r, services(c));
    robotRoutes(r, services(c), c.settings);
    adminRoutes(r, services(c));
    callbackRoutes(r, services(c));
    approvalRoutes(r, services(c));
    statisticsRoutes(r, services(c));
    historyRoutes(r, services(c), c.settings);
  },

  on: {
    // Third-party callbacks, retried with backoff through the outbox until they succeed.
    async 'robots.message.received'(event, c) {
      await services(c).callbacks.deliver(event, 'message');
    },
    async 'robots.command.completed'(event, c) {
      await services(c).callbacks.deliver(event, 'result');
    },
  },

  jobs: [
    {
      name: 'expire-commands',
      schedule: '* * * * *',
      async run(c) {
        await services(c).commands.expireDue();
      },
    },
    {
      name: 'prune-logs',
      schedule: '23 3 * * *',
      catchUp: true,
      async run(c, info) {
        const daysBefore = (days: number) => new Date(info.scheduledFor.getTime() - days * 86_400_000).toISOString();
        const before = daysBefore(c.settings.logRetentionDays);
        const retention = c.container.resolve<Retention>('retention');
        await retention.deleteInBatches('robots_logs', 'id', (q) => q.where('created_at', '<', before));
        await retention.deleteInBatches('robots_callback_deliveries', 'id', (q) => q.where('created_at', '<', before));
        await retention.deleteInBatches('robots_commands', 'id', (q) => q.whereIn('status', FINISHED_COMMANDS).andWhere('created_at', '<', before));
        const messagesBefore = daysBefore(c.settings.messageRetentionDays);
        await retention.deleteInBatches('robots_messages', 'id', (q) => q.where('created_at', '<', messagesBefore));
      },
    },
    {
      name: 'reset-ai-calls',
      schedule: '0 0 * * *',
      catchUp: true,
      async run(c) {
        await c.db('robots_robots').where('ai_calls_today', '>', 0).update({ ai_calls_today: 0 });
      },
    },
  ],
});
