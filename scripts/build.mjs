// Builds what `npm start` runs: the server code transpiled to dist/ (esbuild, no bundling, so
// each module keeps its path) and the admin UI bundled to dist/ui. Type checking is `npm run typecheck`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist');

function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'ui' ? [] : listTs(full);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

async function buildServer() {
  await build({
    entryPoints: ['core', 'plugins', 'scripts'].flatMap((d) => listTs(path.join(root, d))),
    outdir: out,
    outbase: root,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
  });
  // The built code's own package scope: `plinth/plugin` (a built-in plugin's import, in any thread)
  // resolves to the built entry, as the project's package.json resolves it to the source for tsx.
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const exports = Object.fromEntries(
    Object.entries(pkg.exports).map(([key, target]) => [key, key === './package.json' ? target : target.default.replace(/\.ts$/, '.js')]),
  );
  const manifest = { name: pkg.name, version: pkg.version, private: true, type: 'module', plinthBuild: true, pluginApi: pkg.pluginApi, exports };
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Shell + one ES module per plugin with a ui/index.tsx; preact is shared through split chunks. */
async function buildUi() {
  const entryPoints = { shell: path.join(root, 'core', 'ui', 'shell', 'main.tsx') };
  for (const dir of ['plugins', path.join('test', 'fixtures', 'plugins')]) {
    const base = path.join(root, dir);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base)) {
      const entry = path.join(base, name, 'ui', 'index.tsx');
      if (fs.existsSync(entry)) entryPoints[`plugins/${name}`] = entry;
    }
  }
  fs.rmSync(path.join(out, 'ui'), { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: path.join(out, 'ui'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

const started = Date.now();
await Promise.all([buildServer(), buildUi()]);
console.log(`built dist/ in ${Date.now() - started} ms`);
