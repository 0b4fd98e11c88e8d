import { definePlugin } from '../../core/plugins/contract.js';
import { mcpRoutes } from './routes/mcp.js';

export default definePlugin({
  name: 'agents',
  version: '0.1.0',
  face: { base: '/', envelope: 'detail' },
  features: { agents: { description: 'AI agents over MCP', scopes: [], metrics: ['agent_calls_per_month'] } },
  metrics: {
    agent_calls_per_month: { kind: 'counter', period: 'month', usageKey: 'agent_calls_this_month', unit: 'agent calls', description: 'Agent (MCP) tool calls' },
  },

  routes(r, c) {
    const cradle = c.container.cradle as unknown as { actions: never; logger: never; config: { server: { publicUrl: string } } };
    mcpRoutes(r, { actions: cradle.actions, logger: cradle.logger }, cradle.config.server.publicUrl);
  },
});
