// @ts-check
// The hello plugin: greetings, kept per tenant. Everything it takes from Plinth comes from plinth/plugin.
import { AppError, definePlugin, requireScope } from 'plinth/plugin';

/** @typedef {{ greeting: string, keepDays: number }} Settings */
/** @typedef {import('plinth/plugin').PluginContext<Settings>} Context */

const TABLE = 'hello_greetings';

/**
 * Stores a greeting and emits hello.greeted in the same transaction (the event is sent only if the row is written).
 * @param {Context} c @param {string} tenantId @param {string} to @param {Record<string, unknown>} [meta]
 */
async function greet(c, tenantId, to, meta = {}) {
  const text = `${c.settings.greeting}, ${to}!`;
  const now = c.container.resolve('clock').now().toISOString();
  return c.db.transaction(async (trx) => {
    const [inserted] = await trx(TABLE).insert({ tenant_id: tenantId, recipient: to, text, created_at: now }).returning('id');
    const id = Number(typeof inserted === 'object' ? inserted.id : inserted);
    await c.container.resolve('events').emit(trx, /** @type {any} */ ('hello.greeted'), { id, to, text }, { tenantId, meta });
    return { id, to, text, created_at: now };
  });
}

const greetingSchema = {
  type: 'object',
  required: ['id', 'to', 'text', 'created_at'],
  properties: { id: { type: 'integer' }, to: { type: 'string' }, text: { type: 'string' }, created_at: { type: 'string' } },
};

export default definePlugin(
  /** @type {import('plinth/plugin').Plugin<Settings>} */ ({
    name: 'hello',
    version: '0.1.0',
    pluginApi: '^1.0.0',
    description: 'Hello: greetings kept per tenant',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        greeting: { type: 'string', minLength: 1, maxLength: 100, default: 'Hello' },
        keepDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
      },
    },
    face: { base: '/hello', envelope: 'detail' },
    scopes: { 'hello:read': 'Read hello greetings', 'hello:write': 'Send hello greetings' },
    features: { hello: { description: 'Hello greetings', scopes: ['hello:read', 'hello:write'] } },
    events: {
      'hello.greeted': {
        version: 1,
        description: 'Someone was greeted',
        schema: { type: 'object', required: ['id', 'to', 'text'], properties: { id: { type: 'integer' }, to: { type: 'string' }, text: { type: 'string' } } },
      },
    },
    actions: {
      'hello.greet': {
        description: 'Greets someone (stored, and hello.greeted emitted)',
        input: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 1, maxLength: 100 } } },
        output: { type: 'object', required: ['id', 'text'], properties: { id: { type: 'integer' }, text: { type: 'string' } } },
        // An MCP tool for API keys with hello:write (listed in tools/list; a write tool takes a dry run).
        agent: { scope: 'hello:write', kind: 'write', listed: true },
        async run(input, call, c) {
          const made = await greet(c, call.tenantId, input.to, call.meta);
          return { id: made.id, text: made.text };
        },
      },
    },
    migrations: 'migrations',
    jobs: [
      {
        // Registered as hello.prune: greetings older than keepDays go, daily (and once after downtime).
        name: 'prune',
        schedule: '17 4 * * *',
        catchUp: true,
        async run(c, info) {
          const before = new Date(info.scheduledFor.getTime() - c.settings.keepDays * 86_400_000).toISOString();
          await c.db(TABLE).where('created_at', '<', before).delete();
        },
      },
    ],
    routes(r, c) {
      /** @param {{ authenticate(): Promise<{ tenantId: string | null } | null> }} ctx */
      const tenantOf = async (ctx) => {
        const tenantId = (await ctx.authenticate())?.tenantId;
        if (!tenantId) throw new AppError(403, 'tenant_required', 'greetings belong to a tenant');
        return tenantId;
      };
      r.get(
        '/greetings',
        {
          summary: 'List greetings',
          guards: [requireScope('hello:read')],
          schema: {
            responses: {
              200: {
                description: 'The greetings',
                schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: greetingSchema } } },
              },
            },
          },
        },
        async (ctx) => ({
          data: await c
            .db(TABLE)
            .where('tenant_id', await tenantOf(ctx))
            .orderBy('id')
            .select('id', 'recipient as to', 'text', 'created_at'),
        }),
      );
      r.post(
        '/greetings',
        {
          summary: 'Greet someone',
          guards: [requireScope('hello:write')],
          schema: {
            body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 1, maxLength: 100 } } },
            responses: { 201: { description: 'Greeted', schema: greetingSchema } },
          },
        },
        async (ctx, { body }) => {
          ctx.status = 201;
          return greet(c, await tenantOf(ctx), body.to);
        },
      );
    },
    ui: { pages: [{ path: '', title: 'Hello', scopes: ['hello:read'] }] },
  }),
);
