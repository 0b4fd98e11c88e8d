import { asValue } from 'awilix';
import { definePlugin } from '../../core/plugins/contract.js';
import type { Retention } from '../../core/retention.js';
import { aiConfigSchema, type AiSettings } from './config.js';
import { askSchema } from './schemas.js';
import { createAiServices, type AiDeps, type AiServices } from './services/index.js';
import type { ReceivedMessage } from './services/responder.js';
import { setupRoutes } from './routes/setup.js';
import { answerRoutes } from './routes/answers.js';
import { knowledgeRoutes } from './routes/knowledge.js';

const services = (c: { container: { resolve<T>(name: string): T } }) => c.container.resolve<AiServices>('aiServices');

export default definePlugin<AiSettings>({
  name: 'ai',
  version: '0.1.0',
  dependsOn: ['robots'],
  configSchema: aiConfigSchema,
  env: { PLINTH_AI_FALLBACK_ANSWER: 'fallbackAnswer' },
  face: { base: '/workbot', envelope: 'code-message-data' },
  // The AI routes check no scope yet: the feature holds back the replies themselves (their metric).
  features: { ai_replies: { description: 'AI replies (robot auto-replies and workflow ai.reply)', scopes: [], metrics: ['ai_replies_per_month'] } },
  metrics: { ai_replies_per_month: { kind: 'counter', period: 'month', usageKey: 'ai_replies_this_month', unit: 'AI replies', description: 'AI replies' } },
  migrations: 'migrations',
  ui: {
    pages: [
      { path: '', title: 'AI knowledge base' },
      { path: 'try', title: 'Try AI replies', roles: ['admin'] },
      { path: 'providers', title: 'AI providers', roles: ['admin'] },
      { path: 'calls', title: 'AI call log', roles: ['admin'] },
    ],
  },

  actions: {
    'ai.reply': {
      description: "Answer a text with the tenant's AI providers (a robot's settings when robotId is given), ending at the builtin responder",
      input: askSchema,
      output: { type: 'object', required: ['reply', 'provider'], properties: { reply: { type: 'string' }, provider: { type: 'string' }, model: { type: 'string' } } },
      async run(input, call, c) {
        const answer = await services(c).ask.run(call.tenantId, input, 'workflow');
        return { reply: answer.reply, provider: answer.provider, model: answer.model };
      },
    },
  },

  register(c) {
    c.container.register({ aiServices: asValue(createAiServices(c.container.cradle as AiDeps, c.settings)) });
  },

  async start(c) {
    await services(c).knowledge.start();
  },

  routes(r, c) {
    const limit = { bucket: 'ai.api', points: 60, durationSeconds: 60, by: 'principal' as const };
    setupRoutes(r, services(c));
    answerRoutes(r, services(c), limit);
    knowledgeRoutes(r, services(c).knowledge, { minScore: c.settings.minScore });
  },

  jobs: [
    {
      name: 'prune-logs',
      schedule: '33 3 * * *',
      catchUp: true,
      async run(c, info) {
        const before = new Date(info.scheduledFor.getTime() - c.settings.logRetentionDays * 86_400_000).toISOString();
        const retention = c.container.resolve<Retention>('retention');
        await retention.deleteInBatches('ai_calls', 'id', (q) => q.where('created_at', '<', before));
        await retention.deleteInBatches('ai_replies', 'id', (q) => q.where('created_at', '<', before));
        // A conversation's row holds a takeover pause and a provider's thread id: idle ones are forgotten.
        await retention.deleteInBatches('ai_conversations', 'updated_at', (q) => q.where('updated_at', '<', before));
      },
    },
  ],

  on: {
    async 'robots.message.received'(event, c) {
      if (!event.tenantId) return;
      await services(c).responder.handle(event.tenantId, event.payload as ReceivedMessage);
    },
  },

  filters: {
    // The WorkBot statistics' AI figures, from the call log.
    async 'robots.statistics'(stats: Record<string, unknown>, context, c) {
      const { tenantId, robotIds, from, to } = context as { tenantId: string; robotIds: string[]; from: string; to: string };
      const totals = await services(c).calls.totals(tenantId, robotIds, from, to);
      return { ...stats, totalAICalls: totals.calls, aiCost: totals.cost };
    },
  },

});
