// No import loop inside the core (issue 41): the files of core/ (the browser's core/ui included) import
// each other one way, type-only imports included. On a loop every file is tied to all the others: none
// can be read, tested or changed alone. A type that several modules share lives with the lowest module
// that owns it (EventSpec in events/payloads.ts, RouteSchemas in http/openapi.ts, JsonSchema in
// validation.ts), and the module that assembles the others is named by none of them: the core's routes
// read the running instance through core/app-view.ts, not app.ts, which mounts them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every source file under dir (tests aside), relative to the root. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'node_modules'].includes(entry.name)) continue;
      out.push(...sources(rel));
    } else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !/\.test\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** The relative module names a file imports or re-exports, type-only ones and `import()` included. */
function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier))
      out.push(n.moduleSpecifier.text);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0]))
      out.push(n.arguments[0].text);
    else if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) out.push(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** The source file a relative specifier names (`./x.js` is `x.ts` or `x.tsx`, a folder its index), or null when it is no source. */
function resolve(from: string, spec: string): string | null {
  const target = path.normalize(path.join(path.dirname(from), spec));
  const stem = target.replace(/\.js$/, '');
  const candidates = [target, `${stem}.ts`, `${stem}.tsx`, path.join(target, 'index.ts'), path.join(target, 'index.tsx')];
  return candidates.find((c) => /\.tsx?$/.test(c) && fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile()) ?? null;
}

type Graph = Map<string, Set<string>>;

/** core file -> the core files it imports. */
function coreGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sources('core')) {
    const targets = specifiers(file)
      .map((spec) => resolve(file, spec))
      .filter((t): t is string => t?.startsWith('core/') === true && t !== file);
    graph.set(file, new Set(targets));
  }
  return graph;
}

/** The graph's strongly connected components of more than one file (Tarjan), each sorted: every such component holds a loop. */
function knots(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** A knot told as the imports that tie it, one `from -> to` a line, so a reader sees which to undo. */
function tieOf(graph: Graph, knot: string[]): string {
  const ties = knot.flatMap((from) => [...(graph.get(from) ?? [])].filter((to) => knot.includes(to)).map((to) => `  ${from} -> ${to}`));
  return [`${knot.length} files:`, ...ties].join('\n');
}

describe('architecture: the core imports one way', () => {
  const graph = coreGraph();

  it('reads the core’s imports, type-only ones included', () => {
    assert.ok(graph.get('core/app.ts')?.has('core/plugins/loader.ts'), 'app.ts loads the plugins');
    assert.ok(graph.get('core/plugins/contract.ts')?.has('core/container.ts'), 'the plugin contract names the container (`import type`)');
    assert.ok(graph.get('core/ui/kit/index.ts')?.size, 'the browser kit is read too');
  });

  it('finds a planted loop, and only the files on it', () => {
    const planted: Graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c', 'd'])],
      ['c', new Set(['a'])],
      ['d', new Set(['e'])],
      ['e', new Set()],
    ]);
    assert.deepEqual(knots(planted), [['a', 'b', 'c']]);
    const oneWay: Graph = new Map([
      ['a', new Set(['b', 'c'])],
      ['b', new Set(['c'])],
      ['c', new Set()],
    ]);
    assert.deepEqual(knots(oneWay), []);
  });

  it('no core file imports (type-only imports included) a file that imports it back, directly or around a loop', () => {
    const found = knots(graph).map((knot) => tieOf(graph, knot));
    assert.deepEqual(found, [], `import loops inside core/ (move the shared types to a leaf module that imports nothing back):\n${found.join('\n')}`);
  });
});
