// Plugins from npm packages and folders (issue 42): what loads, and each refusal at boot with the one
// line the operator reads (the CLI prints it as `plinth: <message>`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { codeRoot, projectRoot } from '../../core/paths.js';
import { PLUGIN_API_VERSION } from '../../core/plugin-api/version.js';
import { loadPluginSet, PluginError } from '../../core/plugins/loader.js';
import { createTestApp, testAuth } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

const tmp: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmp.push(dir);
  return dir;
};

/** A package folder: package.json plus files (index.js by default). */
function writePackage(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', main: 'index.js', ...pkg }));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** An install folder whose node_modules holds these packages, by name. */
function install(packages: Record<string, { pkg?: Record<string, unknown>; files: Record<string, string> }>): string {
  const root = tempDir('plinth-install-');
  for (const [name, { pkg = {}, files }] of Object.entries(packages)) {
    writePackage(path.join(root, 'node_modules', name), { name, version: '1.0.0', ...pkg }, files);
  }
  return root;
}

const plugin = (body: string) => `import { definePlugin } from 'plinth/plugin';\nexport default definePlugin({ ${body} });\n`;

const configWith = (plugins: string[], extra: Record<string, unknown> = {}) =>
  loadConfig({ root: os.tmpdir(), env: {}, overrides: { plugins, pluginDirs: ['plugins'], ...extra } as never });

/** The message loadPluginSet stops with, for these plugins from this install. */
async function refusal(plugins: string[], packageRoot: string, extra: Record<string, unknown> = {}): Promise<string> {
  try {
    await loadPluginSet(configWith(plugins, extra), codeRoot, {}, () => {}, packageRoot);
  } catch (err) {
    assert.ok(err instanceof PluginError, `a PluginError, got ${(err as Error).stack}`);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err.message;
  }
  assert.fail('the boot went on');
}

describe('plugins: npm packages and folders', () => {
  after(() => {
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
  });

  it('loads an npm package and a folder, each with its source, version and plugin API range', async () => {
    const root = install({
      'plinth-plugin-alpha': { pkg: { version: '2.3.4', plinth: { pluginApi: '^1.0.0' } }, files: { 'index.js': plugin(`name: 'alpha'`) } },
      '@acme/plinth-beta': { files: { 'index.js': plugin(`name: 'beta', pluginApi: '>=1.0.0 <2'`) } },
    });
    const folder = writePackage(path.join(root, 'extensions', 'gamma'), { version: '0.0.1' }, { 'index.js': plugin(`name: 'gamma', pluginApi: '^1'`) });
    const { plugins, failed } = await loadPluginSet(configWith(['plinth-plugin-alpha', '@acme/plinth-beta', folder, 'auth']), codeRoot, {}, () => {}, root);
    assert.deepEqual(failed, []);
    const auth = plugins.find((p) => p.plugin.name === 'auth')!;
    assert.deepEqual(
      plugins.map((p) => [p.plugin.name, p.source, p.version, p.pluginApi]),
      [
        ['alpha', 'npm', '2.3.4', '^1.0.0'],
        ['beta', 'npm', '1.0.0', '>=1.0.0 <2'],
        ['gamma', 'folder', '0.0.1', '^1'],
        ['auth', 'built-in', auth.plugin.version ?? null, null],
      ],
    );
  });

  it('an incompatible plugin API range stops the boot before the plugin runs, naming what it needs and what it got', async () => {
    const root = install({
      'plinth-plugin-future': {
        pkg: { version: '3.0.0', plinth: { pluginApi: '^2.0.0' } },
        // Written for API 2: importing it here would fail on a missing export, with a worse message.
        files: { 'index.js': `import { somethingNew } from 'plinth/plugin';\nexport default { name: 'future', somethingNew };\n` },
      },
    });
    assert.equal(
      await refusal(['plinth-plugin-future'], root),
      `plugin "plinth-plugin-future" (npm plinth-plugin-future 3.0.0) needs plugin API ^2.0.0, but this Plinth provides plugin API ${PLUGIN_API_VERSION}`,
    );
    const folder = writePackage(tempDir('plinth-folder-'), {}, { 'index.js': plugin(`name: 'old', pluginApi: '^0.9.0'`) });
    assert.equal(
      await refusal([folder], root),
      `plugin "old" (folder ${folder}) needs plugin API ^0.9.0, but this Plinth provides plugin API ${PLUGIN_API_VERSION}`,
    );
    const unranged = writePackage(tempDir('plinth-folder-'), {}, { 'index.js': plugin(`name: 'vague'`) });
    assert.equal(
      await refusal([unranged], root),
      `plugin "vague" (folder ${unranged}) declares no plugin API range: set pluginApi in its manifest (e.g. "^1.0.0")`,
    );
  });

  it('a plugin that is not installed stops the boot, saying how to install it', async () => {
    const root = install({});
    assert.equal(
      await refusal(['plinth-plugin-nowhere'], root),
      `plugin "plinth-plugin-nowhere" is enabled in config but was not found in ${path.join(codeRoot, 'plugins')} ` +
        'nor installed as an npm package (npm install plinth-plugin-nowhere)',
    );
    assert.equal(await refusal(['./extensions/gone'], root), `plugin folder "./extensions/gone" does not exist (${path.join(root, 'extensions', 'gone')})`);
  });

  it('a plugin that throws on import stops the boot with its first line', async () => {
    const root = install({
      'plinth-plugin-broken': { pkg: { plinth: { pluginApi: '^1.0.0' } }, files: { 'index.js': `throw new Error('cannot reach the CRM\\nat line 2');\n` } },
    });
    assert.equal(
      await refusal(['plinth-plugin-broken'], root),
      'plugin "plinth-plugin-broken" (npm plinth-plugin-broken 1.0.0) failed to load: cannot reach the CRM',
    );
  });

  it('a plugin that brings its own copy of plinth stops the boot (two cores would not share anything)', async () => {
    const root = install({ 'plinth-plugin-heavy': { pkg: { plinth: { pluginApi: '^1.0.0' } }, files: { 'index.js': plugin(`name: 'heavy'`) } } });
    const own = path.join(root, 'node_modules', 'plinth-plugin-heavy', 'node_modules', 'plinth');
    writePackage(own, { name: 'plinth', version: '0.1.0' }, {});
    assert.equal(
      await refusal(['plinth-plugin-heavy'], root),
      `plugin "plinth-plugin-heavy" (npm plinth-plugin-heavy 1.0.0) bundles its own copy of plinth (${own}); a plugin must use the server's: ` +
        'list plinth under peerDependencies, not dependencies, and reinstall it',
    );
    // Bundled into its code (a bundler inlined plinth/plugin): its manifest was made by another definePlugin.
    const bundled = install({
      'plinth-plugin-inlined': {
        pkg: { plinth: { pluginApi: '^1.0.0' } },
        files: {
          'index.js': [
            `const m = { name: 'inlined' };`,
            `Object.defineProperty(m, Symbol.for('plinth.core-copy'), { value: import.meta.url });`,
            'export default m;',
            '',
          ].join('\n'),
        },
      },
    });
    const file = path.join(bundled, 'node_modules', 'plinth-plugin-inlined', 'index.js');
    assert.equal(
      await refusal(['plinth-plugin-inlined'], bundled),
      `plugin "inlined" (npm plinth-plugin-inlined 1.0.0) was built with another copy of plinth (${fs.realpathSync(file)}); ` +
        'a plugin must import plinth/plugin from the server it runs in, not bundle it',
    );
  });

  it('a plugin named like a built-in stops the boot, and so do two plugins of one name', async () => {
    const root = install({
      'plinth-plugin-mail': { files: { 'index.js': plugin(`name: 'mail', pluginApi: '^1.0.0'`) } },
      'plinth-plugin-one': { files: { 'index.js': plugin(`name: 'twin', pluginApi: '^1.0.0'`) } },
      'plinth-plugin-two': { files: { 'index.js': plugin(`name: 'twin', pluginApi: '^1.0.0'`) } },
    });
    assert.equal(
      await refusal(['plinth-plugin-mail'], root),
      'plugin "mail" (npm plinth-plugin-mail 1.0.0) is named "mail", like the built-in plugin "mail"; rename the plugin',
    );
    assert.equal(
      await refusal(['plinth-plugin-one', 'plinth-plugin-two'], root),
      'plugin "twin" (npm plinth-plugin-two 1.0.0) has the same name as plugin "twin" (npm plinth-plugin-one 1.0.0); enable one of them',
    );
  });

  it('pluginLoading.allow lets only the packages it lists load', async () => {
    const root = install({
      'plinth-plugin-ok': { files: { 'index.js': plugin(`name: 'ok', pluginApi: '^1.0.0'`) } },
      'plinth-plugin-other': { files: { 'index.js': plugin(`name: 'other', pluginApi: '^1.0.0'`) } },
    });
    const allow = { pluginLoading: { allow: ['plinth-plugin-ok'] } };
    assert.equal(
      await refusal(['plinth-plugin-ok', 'plinth-plugin-other', 'auth'], root, allow),
      'plugin "plinth-plugin-other" (npm plinth-plugin-other 1.0.0) is not in pluginLoading.allow (plinth-plugin-ok); add it there to load it',
    );
    const { plugins } = await loadPluginSet(configWith(['plinth-plugin-ok', 'auth'], allow), codeRoot, {}, () => {}, root);
    assert.deepEqual(
      plugins.map((p) => p.plugin.name),
      ['ok', 'auth'],
    );
  });

  it('with pluginLoading.onFailure "skip" a broken plugin (and what depends on it) is skipped with a warning', async () => {
    const root = install({
      'plinth-plugin-future': { pkg: { plinth: { pluginApi: '^2.0.0' } }, files: { 'index.js': plugin(`name: 'future'`) } },
      'plinth-plugin-fan': { files: { 'index.js': plugin(`name: 'fan', pluginApi: '^1.0.0', dependsOn: ['future']`) } },
    });
    const warnings: string[] = [];
    const { plugins, failed } = await loadPluginSet(
      configWith(['plinth-plugin-future', 'plinth-plugin-fan', 'auth'], { pluginLoading: { onFailure: 'skip' } }),
      codeRoot,
      {},
      (m) => warnings.push(m),
      root,
    );
    assert.deepEqual(
      plugins.map((p) => p.plugin.name),
      ['auth'],
    );
    assert.deepEqual(
      failed.map((f) => [f.name, f.source, f.pluginApi]),
      [
        ['plinth-plugin-future', 'npm', '^2.0.0'],
        ['fan', 'npm', '^1.0.0'],
      ],
    );
    assert.equal(failed[1].error, 'plugin "fan" (npm plinth-plugin-fan 1.0.0) depends on "future", which is not loaded');
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /needs plugin API \^2\.0\.0, but this Plinth provides plugin API .* \(skipped: pluginLoading\.onFailure is "skip"\)$/);
  });

  describe('at boot', () => {
    it('a plugin whose register() throws stops the boot, naming it', async () => {
      const folder = writePackage(
        tempDir('plinth-folder-'),
        { version: '1.0.0' },
        {
          'index.js': plugin(`name: 'thrower', pluginApi: '^1.0.0', register() { throw new Error('no API key configured'); }`),
        },
      );
      const database = await createTestDatabase();
      try {
        await assert.rejects(createTestApp({ database, plugins: ['example', folder] }), {
          name: 'PluginError',
          message: `plugin "thrower" (folder ${folder}, 1.0.0) failed in register(): no API key configured`,
        });
      } finally {
        await database.drop();
      }
    });

    it('the System page lists each plugin with source, version, API range and state, a skipped one as failed', async () => {
      const folder = writePackage(tempDir('plinth-folder-'), { version: '0.2.0', plinth: { pluginApi: '^1.0.0' } }, { 'index.js': plugin(`name: 'side'`) });
      const future = writePackage(tempDir('plinth-folder-'), { version: '9.0.0', plinth: { pluginApi: '^9.0.0' } }, { 'index.js': plugin(`name: 'nine'`) });
      const t = await createTestApp({ plugins: ['example', folder, future], overrides: { pluginLoading: { onFailure: 'skip' } } as never });
      try {
        const res = await t.request('GET', '/admin/api/system', { headers: testAuth('root', '-', ['superadmin']) });
        assert.equal(res.status, 200);
        assert.equal(res.body.plugin_api, PLUGIN_API_VERSION);
        const rows = Object.fromEntries(res.body.plugins.map((p: { name: string }) => [p.name, p]));
        assert.deepEqual(
          { source: rows.example.source, state: rows.example.state },
          { source: 'folder', state: 'running' }, // test/fixtures/plugins is a pluginDirs folder, not plugins/
        );
        assert.deepEqual(
          { source: rows.side.source, version: rows.side.version, pluginApi: rows.side.pluginApi, state: rows.side.state, error: rows.side.error },
          { source: 'folder', version: '0.2.0', pluginApi: '^1.0.0', state: 'running', error: null },
        );
        const nine = rows[path.basename(future)];
        assert.equal(nine.state, 'failed');
        assert.equal(
          nine.error,
          `plugin "${path.basename(future)}" (folder ${future}, 9.0.0) needs plugin API ^9.0.0, but this Plinth provides plugin API ${PLUGIN_API_VERSION}`,
        );
        const member = await t.request('GET', '/admin/api/system', { headers: testAuth('u1', 't1', ['owner']) });
        assert.equal(member.status, 403);
      } finally {
        await t.close();
      }
    });

    it('plinth prints the refusal as one line and exits 1', () => {
      const future = writePackage(tempDir('plinth-folder-'), { version: '9.0.0', plinth: { pluginApi: '^9.0.0' } }, { 'index.js': plugin(`name: 'nine'`) });
      const data = tempDir('plinth-data-');
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/plinth.ts', 'migrate'], {
        cwd: projectRoot,
        encoding: 'utf8',
        env: { ...process.env, PLINTH_PLUGINS: `mail,${future}`, PLINTH_DATA_DIR: data, DATABASE_URL: '', PLINTH_LOG_LEVEL: 'silent' },
      });
      assert.equal(run.status, 1, run.stderr);
      assert.equal(
        run.stderr,
        `plinth: plugin "${path.basename(future)}" (folder ${future}, 9.0.0) needs plugin API ^9.0.0, ` +
          `but this Plinth provides plugin API ${PLUGIN_API_VERSION}\n`,
      );
    });
  });
});
