// The architecture, as a test (issue: typed plugin contracts): core knows no plugin; a plugin
// uses another only through that plugin's types-only `api.ts` (`import type`); a plugin (its
// migrations included) names no other plugin's table in any string — a quoted name, or one inside
// raw SQL. Violations that exist today are listed below with what replaces them, so the list can
// only shrink: a new violation fails, and so does a listed one that is gone (remove it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Known violations, each `<file> -> <what>`; shrink this list, never grow it. */
const KNOWN: string[] = [];

/**
 * Data migrations that must read another plugin's table once, each with why. A migration runs
 * before any service exists (there is no container to ask), and only after the migrations of the
 * plugins its plugin depends on, so the table it reads is there. Anything else asks the owner's api.ts.
 */
const MIGRATION_ALLOWANCES: Record<string, string> = {
  'plugins/billing/migrations/20261122170000_plan_features.ts -> table auth_tenants':
    "moves an existing install's operator tenant onto the operator plan once; only auth's table says which tenant that is (billing depends on auth)",
  'plugins/ai/migrations/20261123130000_ai_robot_settings.ts -> table robots_robots':
    "copies robots' AI settings into ai's own table once, when they moved plugins (ai depends on robots; robots no longer reads or writes them)",
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'node_modules'].includes(entry.name)) continue;
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

/** The text of every string in the file: quoted strings and each part of a template (raw SQL included), not comments. */
function stringsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Every table-like word in the file's strings: `auth_users` alone, in `INSERT INTO billing_usage …`, or as `r.robot_id`'s table. */
const tableWordsOf = (file: string) => new Set(stringsOf(file).flatMap((text) => [...text.matchAll(/\b([a-z][a-z0-9]*_[a-z0-9_]+)\b/g)].map((m) => m[1])));

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
    for (const word of tableWordsOf(file)) {
      const owner = owners.get(word);
      if (owner && owner !== plugin) violations.push(`${file} -> table ${word}`);
    }
  }
  violations.sort();

  it('finds the plugins and their tables (the test looks where the code is)', () => {
    assert.ok(files.length > 100, `${files.length} source files`);
    assert.ok(
      files.some((f) => f.includes('/migrations/')),
      'migrations are looked at too',
    );
    assert.ok(owners.get('auth_users') === 'auth' && owners.get('mail_mailboxes') === 'mail', 'tables are read from migrations');
  });

  it('reads table names inside raw SQL, not only quoted alone', () => {
    const words = tableWordsOf('plugins/ai/services/daily-call-quota.ts');
    assert.ok(words.has('ai_robot_daily_calls'), 'INSERT INTO ai_robot_daily_calls … in a template');
  });

  it('core imports no plugin, and a plugin imports another plugin only as types from its api.ts', () => {
    const found = violations.filter((v) => v.includes(' -> import '));
    assert.deepEqual(found, KNOWN.filter((v) => v.includes(' -> import ')).sort());
  });

  it("core names no plugin's table, and a plugin no other plugin's (a listed data migration aside)", () => {
    const found = violations.filter((v) => v.includes(' -> table ') && !(v in MIGRATION_ALLOWANCES));
    assert.deepEqual(found, KNOWN.filter((v) => v.includes(' -> table ')).sort());
  });

  it('every allowance is still needed, and is a migration', () => {
    for (const allowed of Object.keys(MIGRATION_ALLOWANCES)) {
      assert.ok(violations.includes(allowed), `${allowed} is no longer found: remove it from MIGRATION_ALLOWANCES`);
      assert.match(allowed, /^plugins\/[^/]+\/migrations\//, 'only a migration may be allowed');
    }
  });
});
