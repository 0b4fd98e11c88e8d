import { asFunction } from 'awilix';
import { definePlugin } from '../../core/plugins/contract.js';
import { mcpRoutes } from './routes/mcp.js';
import { mailCodeTool, usageTool } from './services/catalogue.js';
import { Confirmations } from './services/confirmations.js';

export default definePlugin({
  name: 'agents',
  version: '0.1.0',
  face: { base: '/', envelope: 'detail' },
  features: { agents: { description: 'AI agents over MCP', scopes: ['agents:*'], metrics: ['agent_calls_per_month'] } },
  metrics: {
    agent_calls_per_month: { kind: 'counter', period: 'month', usageKey: 'agent_calls_this_month', unit: 'agent calls', description: 'Agent (MCP) tool calls' },
  },

  migrations: 'migrations',

  // A confirmation token lives 5 minutes: spent or expired ones are forgotten after a day.
  jobs: [
    {
      name: 'prune-confirmations',
      schedule: '41 3 * * *',
      catchUp: true,
      async run(c, info) {
        const before = new Date(info.scheduledFor.getTime() - 86_400_000).toISOString();
        await c.container.resolve('retention').deleteInBatches('agents_confirmations', 'token_hash', (q) => q.where('expires_at', '<', before));
      },
    },
  ],

  register(c) {
    c.container.register({ agentConfirmations: asFunction(({ db, clock }) => new Confirmations(db, clock)).singleton() });
  },

  routes(r, c) {
    const k = c.container.cradle;
    // audit comes with the auth plugin; without it calls still run, unrecorded.
    const audit = c.container.hasRegistration('audit') ? k.audit : null;
    const deps = {
      actions: k.actions,
      logger: k.logger,
      rateLimits: k.rateLimits,
      usage: k.usage,
      audit,
      entitlements: k.entitlements,
      features: k.features,
      confirmations: k.agentConfirmations,
      taskTools: [
        ...(c.container.hasRegistration('usageReader') ? [usageTool((tenantId) => k.usageReader.view(tenantId))] : []),
        ...(c.container.hasRegistration('mailCodes') ? [mailCodeTool((...a) => k.mailCodes.waitForCode(...a))] : []),
      ],
    };
    mcpRoutes(r, deps, k.config.server.publicUrl);
  },
});
