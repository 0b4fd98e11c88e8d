import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { withRefs } from 'plinth/plugin';
import { definePlugin } from 'plinth/plugin';
import { aiConfigSchema, type AiSettings } from './config.js';
import { aiReplyOutput, askSchema } from './routes/schemas.js';
import { createAiServices } from './services/index.js';
import { setupRoutes } from './routes/setup.js';
import { answerRoutes } from './routes/answers.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { MANAGE, READ } from './routes/shared.js';
import { aiJobs } from './jobs.js';
import { aiTenantPart } from './tenant-part.js';
import { failoverAlert } from './services/failover-alert.js';
import { robotAiSave, robotAiStatistics, robotAiView } from './robot-filters.js';
import { aiServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => aiServices.of(c);

export default definePlugin<AiSettings>({
  name: 'ai',
  version: '0.1.0',
  description: "AI replies for WorkBot robots: the tenant's providers (OpenAI-compatible, Dify, a builtin responder), a knowledge base and the call log",
  dependsOn: ['robots'],
  configSchema: aiConfigSchema,
  env: { PLINTH_AI_FALLBACK_ANSWER: 'fallbackAnswer' },
  face: { base: '/workbot', envelope: 'code-message-data' },
  scopes: {
    [READ]: 'Read the AI knowledge base, providers, settings and (admins) the call log',
    [MANAGE]: "Change the tenant's AI setup (knowledge base, providers, settings) and try replies",
  },
  // A plan without the feature cuts the ai scopes (403 naming plan and feature) and, through its
  // metric, holds back the replies no request carries (robot auto-replies, workflow ai.reply).
  features: { ai_replies: { description: 'AI replies (robot auto-replies and workflow ai.reply)', scopes: ['ai:*'], metrics: ['ai_replies_per_month'] } },
  metrics: { ai_replies_per_month: { kind: 'counter', period: 'month', usageKey: 'ai_replies_this_month', unit: 'AI replies', description: 'AI replies' } },
  migrations: 'migrations',
  tenant: aiTenantPart,
  ui: {
    pages: [
      { path: '', title: 'AI knowledge base', scopes: ['ai:read'] },
      { path: 'try', title: 'Try AI replies', roles: ['admin'], scopes: ['ai:manage'] },
      { path: 'providers', title: 'AI providers', roles: ['admin'], scopes: ['ai:read'] },
      { path: 'calls', title: 'AI call log', roles: ['admin'], scopes: ['ai:read'] },
    ],
  },

  live: { 'ai.call': "AI calls were logged for one of the tenant's robots ({ robotId }, null for a try or a workflow's call)" },
  actions: {
    'ai.reply': {
      description: "Answer a text with the tenant's AI providers (a robot's settings when robotId is given), ending at the builtin responder",
      // The /api/ai/try body; editors offer the tenant's robots for robotId (the robots plugin's ref kind).
      input: withRefs(askSchema, { robotId: 'robot' }),
      output: aiReplyOutput,
      async run(input, call, c) {
        const answer = await services(c).ask.run(call.tenantId, input, 'workflow');
        return { reply: answer.reply, provider: answer.provider, model: answer.model };
      },
    },
  },

  // Robots' face shows and accepts each robot's AI settings and figures through robots' filters (its api.ts RobotsFilters).
  filters: {
    'robots.robot.view': (view, _ctx, c) => robotAiView(services(c))(view),
    'robots.robot.save': (save, _ctx, c) => robotAiSave(services(c))(save),
    'robots.statistics': (stats, _ctx, c) => robotAiStatistics(services(c))(stats),
  },

  register(c) {
    const s = createAiServices(c.container.cradle, c.settings);
    // aiApi: the call log's figures, for other plugins' reports.
    aiServices.register(c.container, s);
    c.container.register({ aiApi: asValue(s.api) });
    // The operator is told when one of the config's providers keeps failing over (core/alerts).
    c.container.resolve('alerts').addCondition('ai.failover', failoverAlert({ db: c.db, clock: c.container.resolve('clock'), settings: c.settings }));
  },

  async start(c) {
    const s = services(c);
    await Promise.all([s.knowledge.start(), ...Object.values(s.caches).map((cache) => cache.start())]);
  },

  routes(r, c) {
    const limit = { bucket: 'ai.api', points: 60, durationSeconds: 60, by: 'principal' as const };
    setupRoutes(r, services(c));
    answerRoutes(r, services(c), limit);
    knowledgeRoutes(r, services(c).knowledge, { minScore: c.settings.minScore });
  },

  jobs: aiJobs,

  on: {
    async 'robots.message.received'(event, c) {
      if (!event.tenantId) return;
      await services(c).responder.handle(event.tenantId, event.payload);
    },
  },
});
