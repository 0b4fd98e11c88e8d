import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { codeRoot } from '../../core/paths.js';
import { loadPlugins, orderByDependencies, PluginError } from '../../core/plugins/loader.js';
import type { Plugin } from '../../core/plugins/contract.js';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

const p = (name: string, dependsOn?: string[]): Plugin => ({ name, ...(dependsOn ? { dependsOn } : {}) });
const names = (plugins: Array<{ name: string }>) => plugins.map((x) => x.name);

/** Writes small plugins (index.ts bodies) into a fresh folder and returns it. */
function pluginFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-plugins-'));
  // Outside the project, so say the files are ES modules, as the project's own are.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'index.ts'), source);
  }
  return dir;
}

const manifest = (obj: string) => `export default ${obj};\n`;

describe('plugins: loading', () => {
  const folders: string[] = [];
  const folder = (files: Record<string, string>) => {
    const dir = pluginFolder(files);
    folders.push(dir);
    return dir;
  };
  after(() => {
    for (const d of folders) fs.rmSync(d, { recursive: true, force: true });
  });

  const configFor = (dir: string, plugins: string[], settings: Record<string, Record<string, unknown>> = {}) =>
    loadConfig({ root: os.tmpdir(), env: {}, overrides: { plugins, pluginDirs: [dir], settings } });

  describe('orderByDependencies', () => {
    it('puts each plugin after its dependencies and keeps config order otherwise', () => {
      assert.deepEqual(names(orderByDependencies([p('c', ['b']), p('b', ['a']), p('a'), p('d')])), ['a', 'b', 'c', 'd']);
      assert.deepEqual(names(orderByDependencies([p('x'), p('y'), p('z')])), ['x', 'y', 'z']);
      assert.deepEqual(names(orderByDependencies([p('top', ['l', 'r']), p('r', ['base']), p('l', ['base']), p('base')])), ['base', 'l', 'r', 'top']);
    });

    it('a missing dependency names both plugins', () => {
      assert.throws(
        () => orderByDependencies([p('billing', ['auth']), p('mail')]),
        (err: Error) => {
          assert.ok(err instanceof PluginError);
          assert.equal(err.message, 'plugin "billing" depends on "auth", which is not enabled');
          return true;
        },
      );
    });

    it('a cycle names the whole cycle', () => {
      assert.throws(() => orderByDependencies([p('a', ['b']), p('b', ['c']), p('c', ['a'])]), {
        name: 'PluginError',
        message: 'plugin dependency cycle: a -> b -> c -> a',
      });
      assert.throws(() => orderByDependencies([p('ok'), p('self', ['self'])]), { message: 'plugin dependency cycle: self -> self' });
    });
  });

  describe('loadPlugins from a plugin folder', () => {
    it('imports, orders, validates settings and reports each plugin folder', async () => {
      const dir = folder({
        alpha: manifest(`{ name: 'alpha', dependsOn: ['beta'] }`),
        beta: manifest(`{ name: 'beta', configSchema: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } }`),
        gamma: manifest(`{ name: 'gamma', face: { base: '/gamma/', envelope: 'plain' } }`),
      });
      const loaded = await loadPlugins(configFor(dir, ['alpha', 'gamma', 'beta'], { beta: { size: '5' } }), codeRoot, {});
      assert.deepEqual(
        loaded.map((l) => l.plugin.name),
        ['beta', 'alpha', 'gamma'],
      );
      assert.deepEqual(
        loaded.map((l) => l.dir),
        [path.join(dir, 'beta'), path.join(dir, 'alpha'), path.join(dir, 'gamma')],
      );
      assert.deepEqual(loaded[0].settings, { size: 5 });
      assert.equal(loaded[0].base, null, 'no face, no base');
      assert.equal(loaded[2].base, '/gamma', 'trailing slash trimmed');
    });

    it('a missing dependency stops loading, naming both plugins', async () => {
      const dir = folder({ licensing: manifest(`{ name: 'licensing', dependsOn: ['auth'] }`) });
      await assert.rejects(loadPlugins(configFor(dir, ['licensing']), codeRoot, {}), {
        name: 'PluginError',
        message: 'plugin "licensing" depends on "auth", which is not enabled',
      });
    });

    it('a dependency that exists on disk but is not enabled is still missing', async () => {
      const dir = folder({ one: manifest(`{ name: 'one', dependsOn: ['two'] }`), two: manifest(`{ name: 'two' }`) });
      await assert.rejects(loadPlugins(configFor(dir, ['one']), codeRoot, {}), { message: 'plugin "one" depends on "two", which is not enabled' });
    });

    it('a cycle stops loading, naming the cycle', async () => {
      const dir = folder({ ping: manifest(`{ name: 'ping', dependsOn: ['pong'] }`), pong: manifest(`{ name: 'pong', dependsOn: ['ping'] }`) });
      await assert.rejects(loadPlugins(configFor(dir, ['ping', 'pong']), codeRoot, {}), {
        name: 'PluginError',
        message: 'plugin dependency cycle: ping -> pong -> ping',
      });
    });

    it('an enabled plugin that does not exist', async () => {
      const dir = folder({});
      await assert.rejects(loadPlugins(configFor(dir, ['ghost']), codeRoot, {}), {
        name: 'PluginError',
        message: `plugin "ghost" is enabled in config but was not found in ${dir} nor installed as an npm package (npm install ghost)`,
      });
    });

    it('a manifest whose name does not match its folder', async () => {
      const dir = folder({ delta: manifest(`{ name: 'epsilon' }`) });
      await assert.rejects(loadPlugins(configFor(dir, ['delta']), codeRoot, {}), {
        name: 'PluginError',
        message: 'plugin "delta": its manifest is named "epsilon"; the folder and the name must match',
      });
    });

    it('a module without a plugin default export', async () => {
      const dir = folder({ empty: 'export const name = "empty";\n' });
      await assert.rejects(loadPlugins(configFor(dir, ['empty']), codeRoot, {}), (err: Error) => {
        assert.ok(err instanceof PluginError);
        assert.match(err.message, /^plugin "empty": .*index\.ts must default-export a plugin object with a name$/);
        return true;
      });
    });

    it('a plugin setting that fails its schema names settings.<plugin>.<key>', async () => {
      const dir = folder({ beta: manifest(`{ name: 'beta', configSchema: { type: 'object', properties: { size: { type: 'integer', maximum: 9 } } } }`) });
      await assert.rejects(loadPlugins(configFor(dir, ['beta'], { beta: { size: 10 } }), codeRoot, {}), {
        name: 'ConfigError',
        message: 'invalid config: settings.beta.size = 10: must be <= 9',
      });
    });

    it('a plugin in config is a name, an npm package or a folder path, nothing else', () => {
      for (const entry of ['Bad Name', '../', '.hidden', 'a b']) {
        assert.throws(() => configFor(folder({}), [entry]), {
          name: 'ConfigError',
          message: new RegExp(`^invalid config: plugins\\.0 = "${entry.replace(/\./g, '\\.')}": must match pattern `),
        });
      }
      assert.deepEqual(configFor(folder({}), ['auth', 'plinth-plugin-hello', '@acme/plinth-crm', './extensions/crm']).plugins.length, 4);
    });
  });

  describe('createApp with several plugins', () => {
    it('registers in dependency order, so a dependent finds its dependency in the container', async () => {
      const dir = folder({
        follower: manifest(`{
          name: 'follower',
          dependsOn: ['example'],
          face: { base: '/follower', envelope: 'plain' },
          register(c) { c.settings.sawNotes = c.container.hasRegistration('exampleNotes'); },
          routes(r, c) { r.get('/saw', {}, () => ({ sawNotes: c.settings.sawNotes })); },
        }`),
      });
      const t = await createTestApp({ plugins: ['follower', 'example'], overrides: { pluginDirs: ['test/fixtures/plugins', dir] } });
      try {
        assert.deepEqual(
          t.app.plugins.map((l) => l.plugin.name),
          ['example', 'follower'],
        );
        const res = await t.request('GET', '/follower/saw');
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { sawNotes: true });
      } finally {
        await t.close();
      }
    });

    it('a scope declared by two plugins stops the boot, naming both', async () => {
      const dir = folder({ copycat: manifest(`{ name: 'copycat', scopes: { 'notes:write': 'Also creates notes' } }`) });
      const database = await createTestDatabase();
      try {
        await assert.rejects(createTestApp({ database, plugins: ['example', 'copycat'], overrides: { pluginDirs: ['test/fixtures/plugins', dir] } }), {
          name: 'PluginError',
          message: 'plugin "copycat" declares scope "notes:write", already declared by "example"',
        });
      } finally {
        await database.drop();
      }
    });

    it('two plugins on one base with different envelopes stop the boot', async () => {
      const dir = folder({
        squatter: manifest(`{ name: 'squatter', face: { base: '/example', envelope: 'plain' }, routes(r) { r.get('/mine', {}, () => ({})); } }`),
      });
      const database = await createTestDatabase();
      try {
        await assert.rejects(createTestApp({ database, plugins: ['example', 'squatter'], overrides: { pluginDirs: ['test/fixtures/plugins', dir] } }), {
          name: 'PluginError',
          message: 'plugin "squatter" serves /example with envelope "plain", but that base already uses "detail"',
        });
      } finally {
        await database.drop();
      }
    });

    it('a plugin with routes but no face stops the boot', async () => {
      const dir = folder({ faceless: manifest(`{ name: 'faceless', routes(r) { r.get('/x', {}, () => ({})); } }`) });
      const database = await createTestDatabase();
      try {
        await assert.rejects(createTestApp({ database, plugins: ['faceless'], overrides: { pluginDirs: [dir] } }), {
          name: 'PluginError',
          message: 'plugin "faceless" has routes but no face',
        });
      } finally {
        await database.drop();
      }
    });
  });

  describe('a disabled plugin leaves nothing behind, and the core keeps working', () => {
    let on: TestApp;
    let off: TestApp;
    before(async () => {
      [on, off] = await Promise.all([createTestApp(), createTestApp({ plugins: [] })]);
    });
    after(async () => {
      await Promise.all([on?.close(), off?.close()]);
    });

    it('its routes are gone: 404 in the plain envelope', async () => {
      assert.equal((await on.request('GET', '/example/hello')).status, 200);
      const res = await off.request('GET', '/example/hello');
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: { code: 'not_found', message: 'no route for GET /example/hello' }, request_id: res.headers.get('x-request-id') });
      const post = await off.request('POST', '/example/notes', { body: { title: 'x' }, headers: testAuth('u1', 't1') });
      assert.equal(post.status, 404);
      assert.equal(post.body.error.code, 'not_found');
    });

    it('its jobs are gone', () => {
      // core.retention and core.backup are the core's own jobs: they stay.
      assert.deepEqual(
        on.app.scheduler
          .list()
          .map((j) => j.name)
          .sort(),
        ['core.backup', 'core.retention', 'example.tick'],
      );
      assert.deepEqual(
        off.app.scheduler
          .list()
          .map((j) => j.name)
          .sort(),
        ['core.backup', 'core.retention'],
      );
    });

    it('its migrations were not run', async () => {
      assert.ok(on.app.migrationsApplied.includes('example/20261121130000_example_tables'));
      assert.ok(!off.app.migrationsApplied.some((m) => m.startsWith('example/')));
      assert.equal(await off.app.db.schema.hasTable('example_notes'), false);
      const recorded = await off.app.db('core_migrations').pluck('name');
      assert.ok(recorded.length > 0 && recorded.every((m: string) => m.startsWith('core/')), recorded.join(', '));
    });

    it('its event handlers are gone: an event of its name is delivered to nobody', async () => {
      for (const t of [on, off]) {
        const id = await t.app.events.emit(t.app.db, 'example.note.created', { id: 1, title: 'orphan' });
        await t.app.events.flush();
        const row = await t.app.db('core_events').where('id', id).first();
        assert.equal(row.status, 'delivered');
      }
      assert.deepEqual(await on.app.db('core_event_handled').pluck('handler'), ['example:example.note.created']);
      assert.deepEqual(await off.app.db('core_event_handled').pluck('handler'), []);
    });

    it('its UI is gone from the admin meta, and so is the login it provided', async () => {
      const withIt = await on.request('GET', '/admin/api/meta');
      assert.equal(withIt.status, 200);
      assert.deepEqual(
        withIt.body.plugins.map((x: { name: string }) => x.name),
        ['example'],
      );
      assert.deepEqual(withIt.body.plugins[0].pages, [{ path: '', title: 'Notes' }]);
      assert.equal(withIt.body.login, true);

      const without = await off.request('GET', '/admin/api/meta');
      assert.equal(without.status, 200);
      assert.deepEqual(without.body.plugins, []);
      assert.equal(without.body.login, false);
      const login = await off.request('POST', '/admin/api/login', { body: { email: 'admin@example.test', password: 'correct horse battery' } });
      assert.equal(login.status, 503);
      assert.equal(login.body.error.code, 'login_unavailable');
    });

    it('the core still serves /health, /ready and /openapi.json', async () => {
      assert.deepEqual((await off.request('GET', '/health')).body, { status: 'ok' });
      const ready = await off.request('GET', '/ready');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');
      const doc = await off.request('GET', '/openapi.json');
      assert.equal(doc.status, 200);
      assert.deepEqual(
        Object.keys(doc.body.paths).sort(),
        [
          '/api/admin/mailer',
          '/api/admin/mailer/test',
          '/api/admin/outbox',
          '/api/admin/outbox/{id}',
          '/api/admin/outbox/{id}/resend',
          '/health',
          '/metrics',
          '/ready',
        ],
        'only the core’s own operations',
      );
    });

    it('turning a plugin off on a database it already used boots and keeps its rows', async () => {
      const database = await createTestDatabase();
      try {
        const first = await createTestApp({ database });
        assert.equal((await first.request('POST', '/example/notes', { body: { title: 'kept' }, headers: testAuth('u1', 't1') })).status, 201);
        await first.close();

        const second = await createTestApp({ database, plugins: [] });
        try {
          assert.equal((await second.request('GET', '/example/notes', { headers: testAuth('u1', 't1') })).status, 404);
          assert.deepEqual(second.app.migrationsApplied, []);
          assert.deepEqual(await second.app.db('example_notes').pluck('title'), ['kept']);
          assert.equal((await second.request('GET', '/ready')).status, 200);
        } finally {
          await second.close();
        }
      } finally {
        await database.drop();
      }
    });
  });
});
