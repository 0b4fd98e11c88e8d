// A plugin's public surface is its api.ts, the rest is private (issue 41; Fastify's encapsulation):
// - only a plugin's api.ts augments the container's type (`interface Cradle`), and only with what other
//   plugins may resolve: its own services are registered through `privateServices` under a name no
//   `Cradle` lists (core/plugins/private-services.ts);
// - an api.ts stands on its own: it imports nothing of its plugin's services/, and the rest of its
//   plugin only as types, so it never sits in an import loop with the code that implements it;
// - inside a plugin, no file imports (type-only imports included) a file that imports it back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every source file under `dir` (tests aside), relative to the root. */
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

interface Facts {
  /** Relative imports, re-exports and `import()` types, resolved to files, with whether each is type-only. */
  imports: Array<{ target: string; typeOnly: boolean }>;
  /** The property names of each `interface Cradle` the file declares (by augmentation). */
  cradle: string[];
  /** The names given to `privateServices(...)`. */
  privateNames: string[];
}

/** A module specifier of `file`, as the source file it names (`.js` written, `.ts`/`.tsx` on disk). */
function resolveTarget(file: string, spec: string): string {
  const base = path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '');
  for (const ext of ['.ts', '.tsx']) if (fs.existsSync(path.join(root, base + ext))) return base + ext;
  if (fs.existsSync(path.join(root, base, 'index.ts'))) return path.join(base, 'index.ts');
  return base + '.ts';
}

function factsOf(file: string, text = fs.readFileSync(path.join(root, file), 'utf8')): Facts {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const facts: Facts = { imports: [], cradle: [], privateNames: [] };
  const add = (spec: string, typeOnly: boolean) => {
    if (spec.startsWith('.')) facts.imports.push({ target: resolveTarget(file, spec), typeOnly });
  };
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const clause = n.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = Boolean(clause && (clause.isTypeOnly || (!clause.name && named?.length && named.every((e) => e.isTypeOnly))));
      add(n.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) add(n.moduleSpecifier.text, n.isTypeOnly);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) add(n.argument.literal.text, true);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0]))
      add(n.arguments[0].text, false);
    else if (ts.isInterfaceDeclaration(n) && n.name.text === 'Cradle')
      facts.cradle.push(...n.members.flatMap((m) => (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? [m.name.text] : [])));
    else if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'privateServices' &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0])
    )
      facts.privateNames.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return facts;
}

const pluginOf = (file: string) => /^plugins\/([^/]+)\//.exec(file)?.[1] ?? null;
const isApi = (file: string) => /^plugins\/[^/]+\/api\.ts$/.test(file);

/** What breaks the surface rules in these files, one line each. */
function surfaceViolations(facts: Map<string, Facts>): string[] {
  const found: string[] = [];
  const declared = new Map<string, string>();
  for (const [file, f] of facts) for (const name of f.cradle) declared.set(name, file);
  for (const [file, f] of facts) {
    if (f.cradle.length && !isApi(file)) found.push(`${file} augments Cradle (only a plugin's api.ts may)`);
    for (const name of f.privateNames)
      if (declared.has(name)) found.push(`${file}: private services "${name}" are declared in Cradle by ${declared.get(name)}`);
    if (!isApi(file)) continue;
    const plugin = pluginOf(file);
    for (const { target, typeOnly } of f.imports) {
      if (pluginOf(target) !== plugin) continue;
      if (target.startsWith(`plugins/${plugin}/services/`))
        found.push(`${file} imports ${target} (its own services: declare the shape in api.ts, and let services implement it)`);
      else if (!typeOnly) found.push(`${file} imports ${target} as a value (api.ts is types only)`);
    }
  }
  return found.sort();
}

/** Each import loop among these files once (type-only imports included), as the files around it, from its alphabetically first. */
function loops(facts: Map<string, Facts>): string[][] {
  const edges = new Map(
    [...facts].map(([file, f]) => [file, [...new Set(f.imports.map((i) => i.target).filter((t) => facts.has(t) && pluginOf(t) === pluginOf(file)))]]),
  );
  const found: string[][] = [];
  // Tarjan's strongly connected components: a component of more than one file (or a file importing itself) is a loop.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const connect = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!order.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.includes(v)) found.push(component.sort());
    }
  };
  for (const file of [...edges.keys()].sort()) if (!order.has(file)) connect(file);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('architecture: a plugin’s surface is its api.ts, the rest is private', () => {
  const facts = new Map(sources('plugins').map((file) => [file, factsOf(file)]));

  it('looks where the code is (every plugin has an api.ts with names in Cradle, and private services)', () => {
    const apis = [...facts.keys()].filter(isApi);
    assert.ok(apis.length >= 8, `${apis.length} api.ts files`);
    assert.ok(facts.get('plugins/billing/api.ts')?.cradle.includes('tenantPlans'), 'reads Cradle augmentations');
    assert.ok(facts.get('plugins/billing/services/own.ts')?.privateNames.includes('billingServices'), 'reads privateServices names');
    assert.ok(
      facts.get('plugins/billing/index.ts')?.imports.some((i) => i.target === 'plugins/billing/services/index.ts'),
      'reads imports',
    );
  });

  it('finds what it refuses (a planted api.ts and service)', () => {
    const planted = new Map([
      [
        'plugins/x/api.ts',
        factsOf(
          'plugins/x/api.ts',
          [
            "import type { XServices } from './services/index.js';",
            "import { helper } from './helper.js';",
            "declare module 'plinth/plugin' { interface Cradle { xServices: XServices; xApi: { n: number } } }",
          ].join('\n'),
        ),
      ],
      ['plugins/x/services/own.ts', factsOf('plugins/x/services/own.ts', "const own = privateServices<XServices>('xServices');")],
      ['plugins/x/index.ts', factsOf('plugins/x/index.ts', "declare module 'plinth/plugin' { interface Cradle { xOther: string } }")],
    ]);
    assert.deepEqual(surfaceViolations(planted), [
      'plugins/x/api.ts imports plugins/x/helper.ts as a value (api.ts is types only)',
      'plugins/x/api.ts imports plugins/x/services/index.ts (its own services: declare the shape in api.ts, and let services implement it)',
      "plugins/x/index.ts augments Cradle (only a plugin's api.ts may)",
      'plugins/x/services/own.ts: private services "xServices" are declared in Cradle by plugins/x/api.ts',
    ]);
  });

  it('finds a loop when there is one (type-only imports included)', () => {
    const planted = new Map([
      ['plugins/x/api.ts', factsOf('plugins/x/api.ts', "import type { S } from './services/index.js';")],
      ['plugins/x/services/index.ts', factsOf('plugins/x/services/index.ts', "import { errors } from './errors.js';")],
      ['plugins/x/services/errors.ts', factsOf('plugins/x/services/errors.ts', "import type { XErrorCode } from '../api.js';")],
      ['plugins/x/index.ts', factsOf('plugins/x/index.ts', "import { S } from './services/index.js';")],
    ]);
    assert.deepEqual(loops(planted), [['plugins/x/api.ts', 'plugins/x/services/errors.ts', 'plugins/x/services/index.ts']]);
  });

  it('only api.ts augments Cradle; an api.ts imports none of its services/ and the rest of its plugin as types only', () => {
    assert.deepEqual(surfaceViolations(facts), []);
  });

  it('no plugin has an import loop inside it (type-only imports included)', () => {
    const found = loops(facts).map((loop) => loop.join(' <-> '));
    assert.deepEqual(found, [], `import loops inside a plugin:\n  ${found.join('\n  ')}`);
  });
});
