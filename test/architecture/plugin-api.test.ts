// The public plugin API (issue 42): a plugin, built-in or not, reaches the core only through
// `plinth/plugin` (server), `plinth/plugin/ui` (admin pages) and `plinth/plugin/testing` (its tests),
// so that entry is complete (a built-in can do nothing a third-party plugin cannot) and cannot drift.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION } from '../../core/plugin-api/version.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  if (!fs.existsSync(path.join(root, dir))) return [];
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(rel);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) ? [rel] : [];
  });
}

const PLUGIN_TREES = ['plugins', 'test/fixtures/plugins', 'examples'];
// A module specifier in an import, export, `declare module` or import() that climbs into core/.
const RELATIVE_CORE = /(?:\bfrom|\bdeclare module|\bimport\(?)\s*['"](?:\.\.\/)+core\/[^'"]*['"]/;

describe('architecture: the public plugin API', () => {
  it('no file under plugins/ imports the core except through plinth/plugin', () => {
    const offenders = PLUGIN_TREES.flatMap(sources).filter((f) => RELATIVE_CORE.test(fs.readFileSync(path.join(root, f), 'utf8')));
    assert.deepEqual(
      offenders,
      [],
      'these import the core by relative path; run `node scripts/plugin-imports.mjs` to point them at plinth/plugin ' +
        `(plinth/plugin/ui for the UI kit), and export anything missing from core/plugin-api/index.ts:\n  ${offenders.join('\n  ')}`,
    );
  });

  it("a plugin's admin pages import only plinth/plugin/ui from the core (plinth/plugin's server code as types only)", () => {
    const offenders = PLUGIN_TREES.flatMap(sources)
      .filter((f) => f.split(path.sep).includes('ui'))
      .filter((f) => /^\s*import\s+(?!type\b)[^;]*from\s+['"]plinth\/plugin['"]/m.test(fs.readFileSync(path.join(root, f), 'utf8')));
    assert.deepEqual(
      offenders,
      [],
      `server code in the browser bundle: use \`import type\` from plinth/plugin, or plinth/plugin/ui:\n  ${offenders.join('\n  ')}`,
    );
  });

  it('the plugin API version is one semver, the same in package.json (pluginApi) and core/plugin-api/version.ts', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.match(PLUGIN_API_VERSION, /^\d+\.\d+\.\d+$/);
    assert.equal(pkg.pluginApi, PLUGIN_API_VERSION);
    for (const entry of ['./plugin', './plugin/ui', './plugin/errors', './plugin/testing']) {
      assert.ok(pkg.exports[entry]?.types, `package.json exports ${entry} with its types`);
      assert.ok(fs.existsSync(path.join(root, pkg.exports[entry].default)), `${entry} -> ${pkg.exports[entry].default} exists`);
    }
  });

  it('the README lists the plugin API with its version', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.ok(readme.includes(`Plugin API ${PLUGIN_API_VERSION}`), `README.md names "Plugin API ${PLUGIN_API_VERSION}"`);
  });
});
