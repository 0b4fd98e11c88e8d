// `plinth create-plugin NAME [--dir DIR]` (issue 42): what the scaffold writes, that Plinth loads it as a
// folder plugin as written, and what it refuses. Its own `npm test` is run by .ci/plugin-packages.sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { codeRoot, projectRoot } from '../../core/paths.js';
import { PLUGIN_API_VERSION } from '../../core/plugin-api/version.js';
import { loadPluginSet } from '../../core/plugins/loader.js';
import { scaffoldFiles, scaffoldPlugin } from '../../scripts/create-plugin.js';

describe('create-plugin', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-create-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes a package Plinth loads as a folder plugin, with its range, linked to this install for its tests', async () => {
    const dir = path.join(tmp, 'crm-sync');
    const files = scaffoldPlugin({ name: 'crm-sync', dir, plinthRoot: projectRoot });
    assert.deepEqual(files.sort(), [
      'README.md',
      'index.js',
      'migrations/20260101000000_crm_sync_greetings.js',
      'package.json',
      'test/crm-sync.test.js',
      'ui/index.jsx',
    ]);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'plinth-plugin-crm-sync');
    assert.deepEqual(pkg.plinth, { pluginApi: `^${PLUGIN_API_VERSION.split('.')[0]}.0.0` });
    assert.deepEqual(pkg.peerDependencies, { plinth: '*' });
    assert.equal(pkg.dependencies, undefined, 'plinth is never a dependency: it would be a second core');
    assert.equal(fs.realpathSync(path.join(dir, 'node_modules', 'plinth')), fs.realpathSync(projectRoot));

    const config = loadConfig({ root: os.tmpdir(), env: {}, overrides: { plugins: [dir], pluginDirs: ['plugins'] } as never });
    const { plugins } = await loadPluginSet(config, codeRoot, {});
    assert.deepEqual(
      plugins.map((p) => [p.plugin.name, p.source, p.version, p.pluginApi, Object.keys(p.plugin.actions ?? {}), Object.keys(p.plugin.events ?? {})]),
      [['crm-sync', 'folder', '0.1.0', pkg.plinth.pluginApi, ['crm-sync.greet'], ['crm-sync.greeted']]],
    );
  });

  it('examples/plinth-plugin-hello is what it writes for the name hello, file for file', () => {
    // The example is the scaffold's output, kept in the tree so CI installs it as a package: a change
    // to the scaffold is made to the example by writing it again, never by hand on one side.
    const example = path.join(projectRoot, 'examples', 'plinth-plugin-hello');
    const written = scaffoldFiles('hello', path.relative(example, projectRoot).split(path.sep).join('/'));
    const inExample = (dir: string): string[] =>
      fs
        .readdirSync(path.join(example, dir), { withFileTypes: true })
        .filter((entry) => entry.name !== 'node_modules')
        .flatMap((entry) => (entry.isDirectory() ? inExample(path.join(dir, entry.name)) : [path.join(dir, entry.name).split(path.sep).join('/')]));
    assert.deepEqual(inExample('').sort(), Object.keys(written).sort());
    for (const [file, text] of Object.entries(written)) assert.equal(fs.readFileSync(path.join(example, file), 'utf8'), text, file);
  });

  it('refuses a name that is no plugin name, and a folder that is not empty', () => {
    assert.throws(() => scaffoldPlugin({ name: 'Bad_Name', dir: path.join(tmp, 'bad'), plinthRoot: projectRoot }), {
      message: 'plugin name "Bad_Name": lowercase letters, digits and dashes, starting with a letter',
    });
    const full = path.join(tmp, 'full');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'keep.txt'), 'mine');
    assert.throws(() => scaffoldPlugin({ name: 'ok', dir: full, plinthRoot: projectRoot }), { message: `${full} exists and is not empty` });
    assert.deepEqual(fs.readdirSync(full), ['keep.txt']);
  });

  it('plinth create-plugin writes where --dir says and says what to do next; without a name it prints its usage', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/plinth.ts', 'create-plugin', ...args], {
        cwd: projectRoot,
        encoding: 'utf8',
        env: { ...process.env, INIT_CWD: tmp },
      });
    const made = run(['notes', '--dir', 'notes-plugin']);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, new RegExp(`^wrote ${path.join(tmp, 'notes-plugin')}:\\n`));
    assert.match(made.stdout, /next: cd .*notes-plugin && npm test\n$/);
    assert.ok(fs.existsSync(path.join(tmp, 'notes-plugin', 'index.js')));
    const usage = run([]);
    assert.equal(usage.status, 2);
    assert.equal(usage.stderr, 'usage: plinth create-plugin NAME [--dir DIR]\n');
  });
});
