// `plinth create-plugin NAME [--dir DIR]`: writes a plugin package that works as it is: a manifest, a
// route, a migration, an event, an action (a workflow step and an MCP tool), an admin page, a README
// and a test that starts Plinth with the plugin through plinth/plugin/testing. Its `npm test` passes
// at once: node_modules/plinth links back to this install (what npm's `file:` dependency makes).
import fs from 'node:fs';
import path from 'node:path';
import { PLUGIN_API_VERSION } from '../core/plugin-api/version.js';

export interface ScaffoldOptions {
  /** The plugin's name: lowercase letters, digits and dashes; its package is `plinth-plugin-<name>`. */
  name: string;
  /** The folder to write (must not exist or be empty). */
  dir: string;
  /** This Plinth install, linked as the package's dev dependency. */
  plinthRoot: string;
  /** Make node_modules/plinth (the link npm install would make), so `npm test` runs without an install. */
  link?: boolean;
}

export const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function scaffoldFiles(name: string, plinthRelative: string): Record<string, string> {
  const pkg = `plinth-plugin-${name}`;
  const id = name.replace(/-/g, '_');
  const title = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`);
  const range = `^${PLUGIN_API_VERSION.split('.')[0]}.0.0`;
  // An object key as Biome writes it: bare when it can be.
  const key = /^[a-z][a-z0-9]*$/.test(name) ? name : `'${name}'`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: pkg,
        version: '0.1.0',
        description: `${title}: a Plinth plugin`,
        type: 'module',
        main: './index.js',
        exports: { '.': './index.js' },
        files: ['index.js', 'migrations', 'ui', 'test', 'README.md'],
        keywords: ['plinth-plugin'],
        license: 'MIT',
        plinth: { pluginApi: range },
        peerDependencies: { plinth: '*' },
        peerDependenciesMeta: { plinth: { optional: true } },
        devDependencies: { plinth: `file:${plinthRelative}` },
        scripts: { test: 'node node_modules/plinth/scripts/plugin-test.mjs' },
      },
      null,
      2,
    )}\n`,
    'index.js': `// @ts-check
// The ${name} plugin: greetings, kept per tenant. Everything it takes from Plinth comes from plinth/plugin.
import { AppError, definePlugin, requireScope } from 'plinth/plugin';

/** @typedef {{ greeting: string, keepDays: number }} Settings */
/** @typedef {import('plinth/plugin').PluginContext<Settings>} Context */

const TABLE = '${id}_greetings';

/**
 * Stores a greeting and emits ${name}.greeted in the same transaction (the event is sent only if the row is written).
 * @param {Context} c @param {string} tenantId @param {string} to @param {Record<string, unknown>} [meta]
 */
async function greet(c, tenantId, to, meta = {}) {
  const text = \`\${c.settings.greeting}, \${to}!\`;
  const now = c.container.resolve('clock').now().toISOString();
  return c.db.transaction(async (trx) => {
    const [inserted] = await trx(TABLE).insert({ tenant_id: tenantId, recipient: to, text, created_at: now }).returning('id');
    const id = Number(typeof inserted === 'object' ? inserted.id : inserted);
    await c.container.resolve('events').emit(trx, /** @type {any} */ ('${name}.greeted'), { id, to, text }, { tenantId, meta });
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
    name: '${name}',
    version: '0.1.0',
    pluginApi: '${range}',
    description: '${title}: greetings kept per tenant',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        greeting: { type: 'string', minLength: 1, maxLength: 100, default: 'Hello' },
        keepDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
      },
    },
    face: { base: '/${name}', envelope: 'detail' },
    scopes: { '${name}:read': 'Read ${name} greetings', '${name}:write': 'Send ${name} greetings' },
    features: { ${id}: { description: '${title} greetings', scopes: ['${name}:read', '${name}:write'] } },
    events: {
      '${name}.greeted': {
        version: 1,
        description: 'Someone was greeted',
        schema: { type: 'object', required: ['id', 'to', 'text'], properties: { id: { type: 'integer' }, to: { type: 'string' }, text: { type: 'string' } } },
      },
    },
    actions: {
      '${name}.greet': {
        description: 'Greets someone (stored, and ${name}.greeted emitted)',
        input: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 1, maxLength: 100 } } },
        output: { type: 'object', required: ['id', 'text'], properties: { id: { type: 'integer' }, text: { type: 'string' } } },
        // An MCP tool for API keys with ${name}:write (listed in tools/list; a write tool takes a dry run).
        agent: { scope: '${name}:write', kind: 'write', listed: true },
        async run(input, call, c) {
          const made = await greet(c, call.tenantId, input.to, call.meta);
          return { id: made.id, text: made.text };
        },
      },
    },
    migrations: 'migrations',
    jobs: [
      {
        // Registered as ${name}.prune: greetings older than keepDays go, daily (and once after downtime).
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
          guards: [requireScope('${name}:read')],
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
          guards: [requireScope('${name}:write')],
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
    ui: { pages: [{ path: '', title: '${title}', scopes: ['${name}:read'] }] },
  }),
);
`,
    [`migrations/20260101000000_${id}_greetings.js`]: `// Tables are named after the plugin (${id}_…); migrations are recorded as
// ${name}/<file> and run by Plinth's migrate.
/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('${id}_greetings', (t) => {
    t.increments('id').primary();
    t.string('tenant_id', 64).notNullable();
    t.string('recipient', 100).notNullable();
    t.string('text', 300).notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['tenant_id', 'id']);
  });
}
`,
    'ui/index.jsx': `// The ${name} admin page, built by Plinth at start into its admin shell (Preact and the kit are the shell's).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';

function GreetingsPage() {
  const greetings = useApi('/${name}/greetings');
  const [to, setTo] = useState('');
  const [error, setError] = useState(null);
  const send = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('/${name}/greetings', { body: { to } });
      setTo('');
      greetings.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Page title="${title}">
      <form class="inline-form" onSubmit={send}>
        <div class="grow">
          <label for="${name}-to">Greet</label>
          <input id="${name}-to" required maxLength={100} value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
        <button type="submit">Send greeting</button>
      </form>
      <ErrorBanner error={error ?? greetings.error} />
      <div class="card">
        <Table
          rows={greetings.data?.data ?? []}
          rowKey={(g) => g.id}
          empty="No greetings yet."
          columns={[
            { label: 'To', value: 'to' },
            { label: 'Greeting', value: 'text' },
          ]}
        />
      </div>
    </Page>
  );
}

export const pages = { '': GreetingsPage };
`,
    [`test/${name}.test.js`]: `// Starts Plinth with this plugin (its folder) on a fresh database: SQLite, or PostgreSQL when DATABASE_URL names one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlinth } from 'plinth/plugin/testing';

const pluginDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('${name} plugin', () => {
  /** @type {import('plinth/plugin/testing').PlinthTestServer} */
  let plinth;
  before(async () => {
    plinth = await startPlinth({ plugins: [pluginDir], settings: { ${key}: { greeting: 'Hi' } } });
  });
  after(() => plinth?.close());

  it('greets through its route, stores the greeting and emits ${name}.greeted', async () => {
    const created = await plinth.request('POST', '/${name}/greetings', { body: { to: 'Ada' }, as: { tenantId: 't1' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.text, 'Hi, Ada!');
    const row = await plinth.db('${id}_greetings').where({ id: created.body.id }).first();
    assert.equal(row.tenant_id, 't1');
    const event = await plinth.db('core_events').where({ name: '${name}.greeted' }).first();
    assert.equal((typeof event.payload === 'string' ? JSON.parse(event.payload) : event.payload).to, 'Ada');
    const listed = await plinth.request('GET', '/${name}/greetings', { as: { tenantId: 't1' } });
    assert.deepEqual(
      listed.body.data.map((/** @type {{ to: string }} */ g) => g.to),
      ['Ada'],
    );
  });

  it("keeps tenants apart and refuses a caller without the plugin's scope", async () => {
    const other = await plinth.request('GET', '/${name}/greetings', { as: { tenantId: 't2' } });
    assert.deepEqual(other.body.data, []);
    const refused = await plinth.request('POST', '/${name}/greetings', { body: { to: 'Eve' }, as: { tenantId: 't1', scopes: ['${name}:read'] } });
    assert.equal(refused.status, 403);
    const invalid = await plinth.request('POST', '/${name}/greetings', { body: { to: '' }, as: { tenantId: 't1' } });
    assert.equal(invalid.status, 422);
  });

  it('its prune job deletes greetings older than keepDays', async () => {
    await plinth.db('${id}_greetings').insert({ tenant_id: 't1', recipient: 'Old', text: 'Hi, Old!', created_at: '2001-01-01T00:00:00.000Z' });
    assert.equal(await plinth.app.scheduler.runNow('${name}.prune'), 'succeeded');
    assert.deepEqual(await plinth.db('${id}_greetings').where({ recipient: 'Old' }), []);
    assert.equal((await plinth.db('${id}_greetings').where({ recipient: 'Ada' })).length, 1);
  });

  it('runs its action as other plugins (workflows, MCP) call it', async () => {
    const actions = plinth.app.container.resolve('actions');
    const result = await actions.run('${name}.greet', { to: 'Grace' }, { tenantId: 't1', meta: {}, logger: plinth.app.logger });
    assert.equal(result.text, 'Hi, Grace!');
  });
});
`,
    'README.md': `# ${pkg}

A [Plinth](https://github.com/) plugin: greetings kept per tenant. It adds

- \`GET/POST /${name}/greetings\` (scopes \`${name}:read\`, \`${name}:write\`; plan feature \`${id}\`),
- the table \`${id}_greetings\` (its migration runs with Plinth's),
- the event \`${name}.greeted\` (a workflow trigger),
- the action \`${name}.greet\` (a workflow step and an MCP tool),
- the admin page **${title}**.

It has a daily job, \`${name}.prune\`. Settings (\`settings.${name}\` in Plinth's config): \`greeting\` (default
\`Hello\`), \`keepDays\` (default 90: older greetings are pruned).

## Install

In the Plinth install: \`npm install ${pkg}\`, then add \`"${pkg}"\` to \`plugins\` in its config (and to
\`pluginLoading.allow\` if that is set) and restart. It needs plugin API \`${range}\`.

## Develop

\`npm test\` starts Plinth with this plugin on a fresh database (SQLite; PostgreSQL when \`DATABASE_URL\`
names a server). \`npm publish\` publishes it (\`npm pack\` shows what would be published).
`,
  };
}

/** Writes the package; returns the files written, relative to `dir`. */
export function scaffoldPlugin({ name, dir, plinthRoot, link = true }: ScaffoldOptions): string[] {
  if (!PLUGIN_NAME.test(name)) throw new Error(`plugin name "${name}": lowercase letters, digits and dashes, starting with a letter`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length) throw new Error(`${dir} exists and is not empty`);
  const relative = path.relative(dir, plinthRoot) || '.';
  const files = scaffoldFiles(name, relative.split(path.sep).join('/'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  if (link) {
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(path.relative(path.join(dir, 'node_modules'), plinthRoot), path.join(dir, 'node_modules', 'plinth'), 'dir');
  }
  return Object.keys(files);
}
