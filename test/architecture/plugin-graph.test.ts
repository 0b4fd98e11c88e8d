// The plugin graph runs one way (issue 41): no plugin imports, even by `import type`, a plugin that
// imports it back, directly or around a longer loop. Where two plugins need each other's part, the
// owner declares typed filters in its api.ts and the other contributes to them from its manifest
// (robots' robot view, save and statistics are filled by ai; auth's tenant view and update by billing).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every source file of every plugin (its tests aside), relative to the root. */
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

const pluginOf = (file: string) => /^plugins\/([^/]+)\//.exec(file)?.[1] ?? null;

/** plugin -> plugin it imports -> the files that do, `from -> to`. */
function pluginGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sources('plugins')) {
    const from = pluginOf(file)!;
    for (const spec of specifiers(file)) {
      const target = path.normalize(path.join(path.dirname(file), spec));
      const to = pluginOf(target);
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${file} -> ${target}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Each loop of the graph once, as the plugins around it (found from its alphabetically first plugin). */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const found: string[][] = [];
  const walk = (start: string, at: string, trail: string[]) => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) found.push([...trail, start]);
      else if (next > start && !trail.includes(next)) walk(start, next, [...trail, next]);
    }
  };
  for (const start of [...graph.keys()].sort()) walk(start, start, [start]);
  return found;
}

describe('architecture: the plugin graph runs one way', () => {
  const graph = pluginGraph();

  it('looks where the imports are (ai uses robots, billing uses auth)', () => {
    assert.ok(graph.get('ai')?.has('robots'), 'ai imports robots’ api.ts');
    assert.ok(graph.get('billing')?.has('auth'), 'billing imports auth’s api.ts');
  });

  it('finds a loop when there is one', () => {
    const looped = new Map([
      ['a', new Map([['b', ['x']]])],
      ['b', new Map([['c', ['y']]])],
      ['c', new Map([['a', ['z']]])],
    ]);
    assert.deepEqual(cycles(looped), [['a', 'b', 'c', 'a']]);
  });

  it('no plugin imports (type-only imports included) a plugin that imports it back, directly or around a loop', () => {
    const loops = cycles(graph).map((loop) => {
      const edges = loop.slice(1).map((to, i) => `  ${loop[i]} -> ${to}: ${graph.get(loop[i])!.get(to)!.join(', ')}`);
      return `${loop.join(' -> ')}\n${edges.join('\n')}`;
    });
    assert.deepEqual(loops, [], `plugin import loops (the owner declares typed filters in its api.ts; the other contributes):\n${loops.join('\n')}`);
  });
});
