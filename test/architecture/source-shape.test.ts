import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../core/paths.js';

// What the formatter cannot hold by itself: no line wider than its width (160; Biome leaves long
// strings and regular expressions alone), and no file over ~400 lines that does not say at its top
// why it is longer. Both hold for every tracked file: source, scripts, tests, test helpers and fixtures.
// Beyond the formatter: no class constructor in core/ or plugins/ source with a long row of positional parameters.
const WIDTH = 160;
const LONG_FILE = 400;
// A class takes its collaborators as one named object (`constructor(deps: XDeps)`, the deps type
// declared beside it), not as a row of positional arguments a call site cannot read.
const MAX_POSITIONAL = 4;

const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.js', '*.css'], {
  cwd: projectRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && fs.existsSync(path.join(projectRoot, file)));
const isTest = (file: string) => /\/test\/|\.test\.|fixtures\//.test(file);

/** `<file> <Class>` → parameter count, for each class constructor in core/ and plugins/ source over MAX_POSITIONAL. */
function longConstructors(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of tracked.filter((f) => /^(core|plugins)\/.*\.tsx?$/.test(f) && !isTest(f))) {
    const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), 'utf8'), ts.ScriptTarget.Latest, true, kind);
    const visit = (node: ts.Node): void => {
      if (ts.isConstructorDeclaration(node) && node.parameters.length > MAX_POSITIONAL) {
        const owner = node.parent as ts.ClassLikeDeclaration;
        found.set(`${file} ${owner.name?.text ?? '(anonymous class)'}`, node.parameters.length);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('architecture: the shape of the source', () => {
  it(`no line is wider than ${WIDTH} characters`, () => {
    const wide: string[] = [];
    for (const file of tracked) {
      const lines = fs.readFileSync(path.join(projectRoot, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (line.length > WIDTH) wide.push(`${file}:${i + 1} (${line.length})`);
      });
    }
    assert.deepEqual(wide, []);
  });

  it('looks at tests and fixtures too, not only source', () => {
    assert.ok(tracked.some((f) => f.endsWith('.test.ts')));
    assert.ok(tracked.some((f) => f.includes('/fixtures/')));
    assert.ok(tracked.includes('test/helpers/actors.ts'));
  });

  it(`a file over ${LONG_FILE} lines (source, test or fixture) says why in its first three lines`, () => {
    const unexplained: string[] = [];
    for (const file of tracked) {
      const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
      const lines = text.split('\n');
      if (lines.length <= LONG_FILE) continue;
      const head = lines.slice(0, 3).join('\n');
      if (!/longer than most|over 400 lines/i.test(head)) unexplained.push(`${file} (${lines.length} lines)`);
    }
    assert.deepEqual(unexplained, []);
  });

  it(`no class constructor in core/ or plugins/ takes more than ${MAX_POSITIONAL} positional parameters`, () => {
    const offenders = [...longConstructors()].map(([key, n]) => `${key} (${n})`);
    assert.deepEqual(offenders, [], 'take one named deps object instead (see plugins/auth/services/sessions.ts)');
  });
});
