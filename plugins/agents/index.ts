import { definePlugin } from 'plinth/plugin';
import { agentsConfigSchema, type AgentsSettings } from './config.js';
import { callRoutes } from './routes/calls.js';
import { agentKeyRoutes } from './routes/agent-keys.js';
import { mcpRoutes } from './routes/mcp.js';
import { skillRoutes } from './routes/skills.js';
import { actionPreviews } from './services/action-previews.js';
import { actionTools, type AgentTool } from './services/tool-catalogue.js';
import { metaTools } from './services/long-tail.js';
import { ToolSchemas } from './services/schemas.js';
import { buildSkills, type SkillDoc } from './services/skills.js';
import { licenseTools, mailCodeTool, usageTool, workflowRunTool } from './services/task-tools.js';
import { Confirmations } from './services/confirmations.js';
import { agentConfirmations } from './services/own.js';
import { agentsOverview } from './services/overview.js';
import { agentsTenantPart } from './tenant-part.js';
import { OAuthServer } from './services/oauth.js';
import { oauthRoutes } from './routes/oauth.js';

export default definePlugin<AgentsSettings>({
  name: 'agents',
  version: '0.1.0',
  description: "AI agents over MCP: one stateless endpoint with every face's task tools (and a search for the rest), and these Agent Skills",
  configSchema: agentsConfigSchema,
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
    // The OAuth server's expired codes, tokens, interactions and grants (reads already ignore them).
    {
      name: 'prune-oauth',
      schedule: '43 3 * * *',
      catchUp: true,
      async run(c, info) {
        const before = new Date(info.scheduledFor.getTime() - 86_400_000).toISOString();
        await c.container.resolve('retention').deleteInBatches('agents_oauth_models', 'id', (q) => q.where('expires_at', '<', before));
      },
    },
  ],

  register(c) {
    const { db, clock } = c.container.cradle;
    agentConfirmations.register(c.container, new Confirmations({ db, clock }));
  },

  routes(r, c) {
    const k = c.container.cradle;
    const has = (name: string) => c.container.hasRegistration(name);
    // audit comes with the auth plugin; without it calls still run, unrecorded.
    const audit = c.container.hasRegistration('audit') ? k.audit : null;
    // Task tools, each through the contract its plugin registers; a plugin that is off leaves its tools out.
    const taskTools = [
      ...(has('usageReader') ? [usageTool(k.usageReader)] : []),
      ...(has('mailCodes') ? [mailCodeTool(k.mailCodes)] : []),
      ...(has('licenseTasks') ? licenseTools(k.licenseTasks) : []),
      ...(has('workflowRunner') ? [workflowRunTool(k.workflowRunner)] : []),
    ];
    // A destructive action's preview looks its target up through its plugin's contract.
    const previews = actionPreviews({ mail: has('mailCodes') ? k.mailCodes : null, robots: has('robotsApi') ? k.robotsApi : null });
    // Actions are all declared before routes mount; the catalogue is made on first use and kept.
    let catalogue: AgentTool[] | null = null;
    const deps = {
      actions: k.actions,
      logger: k.logger,
      rateLimits: k.rateLimits,
      usage: k.usage,
      audit,
      entitlements: k.entitlements,
      features: k.features,
      confirmations: agentConfirmations.of(c),
      limits: {
        perKey: { bucket: 'agents.key', points: c.settings.callsPerKeyPerMinute, durationSeconds: 60 },
        perTool: { bucket: 'agents.tool', points: c.settings.callsPerToolPerMinute, durationSeconds: 60 },
      },
      catalogue: () => (catalogue ??= [...actionTools(k.actions.list(), previews), ...taskTools]),
      schemas: new ToolSchemas(),
      metrics: {
        calls: k.metricsRegistry.counter({
          name: 'plinth_mcp_tool_calls_total',
          help: 'MCP tool calls by tool and outcome (ok, preview, dry_run, or the refusal: rate_limited, usage_limit_reached, …)',
          labels: ['tool', 'outcome'],
        }),
        duration: k.metricsRegistry.histogram({ name: 'plinth_mcp_tool_call_duration_seconds', help: 'MCP tool calls, start to result', labels: ['tool'] }),
        requests: k.metricsRegistry.counter({
          name: 'plinth_mcp_requests_total',
          help: 'Authenticated /mcp requests by who answered them: direct (a plain tools/call on the current revision) or sdk (everything else)',
          labels: ['served_by'],
        }),
      },
    };
    const publicUrl = k.config.server.publicUrl.replace(/\/+$/, '');
    // Scopes an OAuth client may ask for: those of an API key (the operator's platform scopes never).
    const apiScopes = () => [...k.scopes.keys()].filter((s) => !s.startsWith('platform:'));
    const oauth = new OAuthServer({ db: c.db, clock: k.clock, logger: k.logger, publicUrl, scopes: apiScopes, trustProxy: k.config.server.trustProxy });
    const grantPrincipals = has('grantPrincipals') ? k.grantPrincipals : null;
    mcpRoutes(r, deps, {
      publicUrl,
      allowedOrigins: c.settings.allowedOrigins,
      directToolCalls: c.settings.directToolCalls,
      oauth: grantPrincipals ? { server: oauth, principals: grantPrincipals, scopes: apiScopes } : null,
    });
    // Without auth there are no people to consent: no authorization server.
    if (grantPrincipals) {
      oauthRoutes(r, { oauth, audit, tenants: has('tenants') ? k.tenants : null, tools: deps.catalogue, allScopes: apiScopes });
    }
    // Written on first request, when every plugin's routes are in the reference; they do not change after boot.
    let skills: SkillDoc[] | null = null;
    const tools = () => [...deps.catalogue(), ...metaTools()];
    const sources = () => ({ publicUrl, faces: k.openapi.faces(), routes: k.openapi.list(), scopes: k.scopes, tools: tools() });
    skillRoutes(r, () => (skills ??= buildSkills(sources())), publicUrl);
    callRoutes(r, has('auditReader') ? k.auditReader : null, tools);
    // A key for an agent in one step (the Agents page's presets), made by auth's key service; without auth, no keys.
    if (has('apiKeyIssuer')) agentKeyRoutes(r, k.apiKeyIssuer, () => k.scopes.keys(), deps.catalogue);
  },

  // For owners and admins: the endpoint, a client's config, the key to make, the recent calls.
  // Connected applications and the OAuth consent page are every tenant user's: each authorizes their own.
  ui: {
    pages: [
      { path: '', title: 'Agents', roles: ['admin'], feature: 'agents' },
      { path: 'applications', title: 'Connected applications', feature: 'agents' },
      { path: 'consent', title: 'Authorize an application', feature: 'agents', parent: 'applications' },
    ],
  },

  overview: agentsOverview,
  tenant: agentsTenantPart,
});
