// A plugin package's `npm test`: mocha over its test/ folder, run by the Plinth install it links
// (node_modules/plinth), with that install's mocha and tsx, so the plugin needs no test dependencies of its
// own and its tests use the same copy of the core the plugin loads into.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const plinthRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (...parts) => path.join(plinthRoot, 'node_modules', ...parts);
const args = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    pathToFileURL(bin('tsx', 'dist', 'esm', 'index.mjs')).href,
    bin('mocha', 'bin', 'mocha.js'),
    '--timeout',
    '60000',
    '--exit',
    '--no-config',
    ...(args.length ? args : ['test/**/*.test.{js,ts}']),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
