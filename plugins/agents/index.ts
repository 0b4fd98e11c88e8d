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
      confirmations: c.container.resolve('agentConfirmations') as Confirmations,
      taskTools: [
        ...(c.container.hasRegistration('usageReader') ? [usageTool((tenantId) => k.usageReader.view(tenantId))] : []),
        ...(c.container.hasRegistration('mailCodes') ? [mailCodeTool((...a) => k.mailCodes.waitForCode(...a))] : []),
      ],
    };
    mcpRoutes(r, deps, k.config.server.publicUrl);
  },
});
