import fs from 'node:fs';
import path from 'node:path';
import type { CoreConfig } from '../config/schema.js';
import { uiBuildDir } from '../paths.js';
import type { LoadedPlugin } from './loader.js';

/**
 * What a plugin's page imports and the admin shell already holds, so the page uses the shell's copy:
 * one Preact (hooks only work within one), one kit (its API client, its live connection). The shell
 * puts them on globalThis.__plinthShared (core/ui/shell/main.tsx); a page's bundle reads them there.
 */
export const SHARED_UI_MODULES = ['preact', 'preact/hooks', 'preact/jsx-runtime', 'plinth/plugin/ui'] as const;

/** Where the pages of plugins from npm or a folder are built: beside the data, not in the install. */
export const pluginUiDir = (config: CoreConfig) => path.join(config.dataDir, 'plugin-ui');

export const pluginUiFile = (config: CoreConfig, name: string) => path.join(pluginUiDir(config), `${name}.js`);

function uiEntry(dir: string): string | null {
  return ['index.tsx', 'index.jsx', 'index.ts', 'index.js'].map((f) => path.join(dir, 'ui', f)).find((f) => fs.existsSync(f)) ?? null;
}

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Bundles the admin pages of the plugins that did not come with Plinth (built-ins are in dist/ui),
 * with the esbuild Plinth ships; a bundle newer than every file of its plugin is kept. Returns the
 * names built.
 */
export async function buildPluginUi(plugins: LoadedPlugin[], config: CoreConfig, options: { force?: boolean } = {}): Promise<string[]> {
  // A plugin of the install's plugin folders (plugins/, test/fixtures/plugins/) is in the bundle `npm run build` made.
  const inBundle = (name: string) => fs.existsSync(path.join(uiBuildDir, 'plugins', `${name}.js`));
  const wanted = plugins
    .filter((p) => p.source !== 'built-in' && p.plugin.ui && !inBundle(p.plugin.name))
    .flatMap((p) => {
      const entry = uiEntry(p.dir);
      return entry ? [{ p, entry }] : [];
    });
  if (!wanted.length) return [];
  const { build } = await import('esbuild');
  const built: string[] = [];
  for (const { p, entry } of wanted) {
    const out = pluginUiFile(config, p.plugin.name);
    if (!options.force && fs.existsSync(out) && fs.statSync(out).mtimeMs >= newestChange(p.dir)) continue;
    await build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'plinth-shared',
          setup(b) {
            const shared = new RegExp(`^(${SHARED_UI_MODULES.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);
            b.onResolve({ filter: shared }, (args) => ({ path: args.path, namespace: 'plinth-shared' }));
            // CommonJS on purpose: esbuild turns named imports of it into property reads, so no export list is needed.
            b.onLoad({ filter: /.*/, namespace: 'plinth-shared' }, (args) => ({
              contents: `module.exports = globalThis.__plinthShared[${JSON.stringify(args.path)}];`,
              loader: 'js',
            }));
          },
        },
      ],
    }).catch((err: Error) => {
      throw new Error(`plugin "${p.plugin.name}": its admin pages (${entry}) do not build: ${err.message.split('\n').slice(0, 3).join(' ')}`);
    });
    built.push(p.plugin.name);
  }
  return built;
}
