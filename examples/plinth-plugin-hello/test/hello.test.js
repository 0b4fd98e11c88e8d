// Starts Plinth with this plugin (its folder) on a fresh database: SQLite, or PostgreSQL when DATABASE_URL names one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlinth } from 'plinth/plugin/testing';

const pluginDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('hello plugin', () => {
  /** @type {import('plinth/plugin/testing').PlinthTestServer} */
  let plinth;
  before(async () => {
    plinth = await startPlinth({ plugins: [pluginDir], settings: { hello: { greeting: 'Hi' } } });
  });
  after(() => plinth?.close());

  it('greets through its route, stores the greeting and emits hello.greeted', async () => {
    const created = await plinth.request('POST', '/hello/greetings', { body: { to: 'Ada' }, as: { tenantId: 't1' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.text, 'Hi, Ada!');
    const row = await plinth.db('hello_greetings').where({ id: created.body.id }).first();
    assert.equal(row.tenant_id, 't1');
    const event = await plinth.db('core_events').where({ name: 'hello.greeted' }).first();
    assert.equal((typeof event.payload === 'string' ? JSON.parse(event.payload) : event.payload).to, 'Ada');
    const listed = await plinth.request('GET', '/hello/greetings', { as: { tenantId: 't1' } });
    assert.deepEqual(
      listed.body.data.map((/** @type {{ to: string }} */ g) => g.to),
      ['Ada'],
    );
  });

  it("keeps tenants apart and refuses a caller without the plugin's scope", async () => {
    const other = await plinth.request('GET', '/hello/greetings', { as: { tenantId: 't2' } });
    assert.deepEqual(other.body.data, []);
    const refused = await plinth.request('POST', '/hello/greetings', { body: { to: 'Eve' }, as: { tenantId: 't1', scopes: ['hello:read'] } });
    assert.equal(refused.status, 403);
    const invalid = await plinth.request('POST', '/hello/greetings', { body: { to: '' }, as: { tenantId: 't1' } });
    assert.equal(invalid.status, 422);
  });

  it('its prune job deletes greetings older than keepDays', async () => {
    await plinth.db('hello_greetings').insert({ tenant_id: 't1', recipient: 'Old', text: 'Hi, Old!', created_at: '2001-01-01T00:00:00.000Z' });
    assert.equal(await plinth.app.scheduler.runNow('hello.prune'), 'succeeded');
    assert.deepEqual(await plinth.db('hello_greetings').where({ recipient: 'Old' }), []);
    assert.equal((await plinth.db('hello_greetings').where({ recipient: 'Ada' })).length, 1);
  });

  it('runs its action as other plugins (workflows, MCP) call it', async () => {
    const actions = plinth.app.container.resolve('actions');
    const result = await actions.run('hello.greet', { to: 'Grace' }, { tenantId: 't1', meta: {}, logger: plinth.app.logger });
    assert.equal(result.text, 'Hi, Grace!');
  });
});
