// The architecture, as a test (issue: typed plugin contracts): core knows no plugin; a plugin
// uses another only through that plugin's types-only `api.ts` (`import type`); a plugin names no
// other plugin's table. Violations that exist today are listed below with what replaces them, so
// the list can only shrink: a new violation fails, and so does a listed one that is gone (remove it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Known violations, each `<file> -> <what>`; shrink this list, never grow it. */
const KNOWN: string[] = [];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'node_modules', 'migrations'].includes(entry.name)) continue;
      out.push(...sources(rel));
    } else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function imports(file: string): Array<{ target: string; typeOnly: boolean }> {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (!spec?.startsWith('.')) continue;
    found.push({ target: path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts'), typeOnly: Boolean(m[2]) });
  }
  return found;
}

const pluginOf = (file: string) => /^plugins\/([^/]+)\//.exec(file)?.[1] ?? null;

/** Each plugin's tables, from the createTable calls in its migrations. */
function tablesByPlugin(): Map<string, string> {
  const owner = new Map<string, string>();
  for (const plugin of fs.readdirSync(path.join(root, 'plugins'))) {
    const dir = path.join(root, 'plugins', plugin, 'migrations');
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/createTable\('([a-z0-9_]+)'/g)) owner.set(m[1], plugin);
    }
  }
  return owner;
}

describe('architecture: boundaries between core and plugins', () => {
  const files = [...sources('core'), ...sources('plugins')];
  const violations: string[] = [];
  const owners = tablesByPlugin();

  for (const file of files) {
    const plugin = pluginOf(file);
    for (const { target, typeOnly } of imports(file)) {
      const targetPlugin = pluginOf(target);
      if (!targetPlugin) continue;
      if (!plugin) violations.push(`${file} -> import ${target}`);
      else if (targetPlugin !== plugin && !(typeOnly && target === `plugins/${targetPlugin}/api.ts`)) violations.push(`${file} -> import ${target}`);
    }
    if (!plugin) continue;
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of new Set([...text.matchAll(/['"`]([a-z][a-z0-9]*_[a-z0-9_]+)['"`\s.]/g)].map((x) => x[1]))) {
      const owner = owners.get(m);
      if (owner && owner !== plugin) violations.push(`${file} -> table ${m}`);
    }
  }
  violations.sort();

  it('finds the plugins and their tables (the test looks where the code is)', () => {
    assert.ok(files.length > 100, `${files.length} source files`);
    assert.ok(owners.get('auth_users') === 'auth' && owners.get('mail_mailboxes') === 'mail', 'tables are read from migrations');
  });

  it('core imports no plugin, and a plugin imports another plugin only as types from its api.ts', () => {
    const found = violations.filter((v) => v.includes(' -> import '));
    assert.deepEqual(found, KNOWN.filter((v) => v.includes(' -> import ')).sort());
  });

  it("a plugin names no other plugin's table", () => {
    const found = violations.filter((v) => v.includes(' -> table '));
    assert.deepEqual(found, KNOWN.filter((v) => v.includes(' -> table ')).sort());
  });
});
