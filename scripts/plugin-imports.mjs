// Rewrites a plugin's imports of the core by relative path (`../../core/…`) to the public plugin API:
// `plinth/plugin/ui` for the UI kit, `plinth/plugin` for the rest. Only the module specifier of import,
// export and `declare module` lines changes. Run: node scripts/plugin-imports.mjs [folder …]
// (default: plugins/ and test/fixtures/plugins/). A name the public entry lacks then fails the type
// check: export it from core/plugin-api/index.ts (and note it in the plugin API's changelog).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const folders = process.argv.length > 2 ? process.argv.slice(2) : ['plugins', 'test/fixtures/plugins'];

// `from '../../core/x.js'`, `declare module '../../core/x.js'`, `import('../../core/x.js')`, `import '../../core/x.js'`
const CORE_SPECIFIER = /((?:\bfrom|\bdeclare module|\bimport\(?)\s*)(['"])(?:\.\.\/)+core\/([^'"]+)\2/g;

export function publicSpecifier(corePath) {
  return corePath.startsWith('ui/kit/') ? 'plinth/plugin/ui' : 'plinth/plugin';
}

export function rewrite(source) {
  return source.replace(CORE_SPECIFIER, (_all, lead, quote, corePath) => `${lead}${quote}${publicSpecifier(corePath)}${quote}`);
}

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|js|mjs|jsx)$/.test(entry.name)) yield full;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let changed = 0;
  for (const folder of folders) {
    for (const file of sourceFiles(path.resolve(root, folder))) {
      const before = fs.readFileSync(file, 'utf8');
      const after = rewrite(before);
      if (after === before) continue;
      fs.writeFileSync(file, after);
      changed++;
      console.log(path.relative(root, file));
    }
  }
  console.log(`${changed} file(s) rewritten`);
}
