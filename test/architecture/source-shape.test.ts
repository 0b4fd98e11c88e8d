import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../core/paths.js';

// What the formatter cannot hold by itself: no line wider than its width (160; Biome leaves long
// strings and regular expressions alone), and no file over ~400 lines that does not say at its top
// why it is longer. Both hold for every tracked file: source, scripts, tests, test helpers and fixtures.
// Beyond the formatter: one way to build an object in core/ and plugins/ source (below).
const WIDTH = 160;
const LONG_FILE = 400;
// One way to build an object (issue 41): a class takes its collaborators as one named object,
// `constructor(private readonly deps: XDeps) {}` with `interface XDeps` declared beside the class, and
// reads them as `this.deps.x`: a call site names each argument, and nothing is copied into fields
// (no `this.x = x;`). A default is a named constant read where it is used (`this.deps.x ?? X`); what
// other code reads off the object is a getter over deps. A class built from a single value may take
// just that value. Only classes whose construction an outside library fixes take more (ALLOWED_POSITIONAL).
const MAX_POSITIONAL = 1;
/** `<file> <Class>` → why it keeps positional parameters. */
const ALLOWED_POSITIONAL: Record<string, string> = {
  'core/errors.ts AppError': 'extends Error: `new AppError(status, code, message)` like any Error, thrown at hundreds of places',
  'core/errors.ts ValidationError': 'extends AppError (an Error)',
  'core/backup/s3-store.ts S3StoreError': 'extends Error (message, then the S3 code and status, then the cause as Error takes it)',
  'core/db/wal-sync.ts WalSyncError': 'extends Error (the file and the cause as Error takes it)',
  'core/ui/kit/api.ts ApiError': 'extends Error (the browser kit’s failed request: status, code, message, body)',
  'plugins/ai/services/providers/types.ts ProviderFailure': 'extends Error (kind, message, status)',
};

const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.js', '*.css'], {
  cwd: projectRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && fs.existsSync(path.join(projectRoot, file)));
const isTest = (file: string) => /\/test\/|\.test\.|fixtures\//.test(file);

type Constructor = { key: string; node: ts.ConstructorDeclaration; source: ts.SourceFile };
let parsed: Constructor[] | null = null;
/** Each class constructor in core/ and plugins/ source, keyed `<file> <Class>` (parsed once, for both tests). */
function constructors(): Constructor[] {
  parsed ??= parseConstructors();
  return parsed;
}

function parseConstructors(): Constructor[] {
  const found: Constructor[] = [];
  for (const file of tracked.filter((f) => /^(core|plugins)\/.*\.tsx?$/.test(f) && !isTest(f))) {
    const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), 'utf8'), ts.ScriptTarget.Latest, true, kind);
    const visit = (node: ts.Node): void => {
      if (ts.isConstructorDeclaration(node))
        found.push({ key: `${file} ${(node.parent as ts.ClassLikeDeclaration).name?.text ?? '(anonymous class)'}`, node, source });
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** A constructor statement that only copies a parameter (or a field of one) into a field of the same name. */
const isCopy = (statement: string) => /^this\.(\w+) = (?:\w+\.)?\1;$/.test(statement) || /^\(\{[^}]*\bthis\.\w+[^}]*\} = \w+\);$/.test(statement);

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

  it(`no class constructor in core/ or plugins/ takes more than ${MAX_POSITIONAL} parameter, but for the listed Error subclasses`, () => {
    const offenders = constructors()
      .filter(({ key, node }) => node.parameters.length > MAX_POSITIONAL && !(key in ALLOWED_POSITIONAL))
      .map(({ key, node }) => `${key} (${node.parameters.length})`);
    assert.deepEqual(offenders, [], 'take one named deps object instead: constructor(private readonly deps: XDeps) (see plugins/auth/services/sessions.ts)');
    const positional = new Set(
      constructors()
        .filter((c) => c.node.parameters.length > MAX_POSITIONAL)
        .map((c) => c.key),
    );
    const stale = Object.keys(ALLOWED_POSITIONAL).filter((key) => !positional.has(key));
    assert.deepEqual(stale, [], 'these no longer take positional parameters: take them off ALLOWED_POSITIONAL');
  });

  it('a constructor copies nothing into fields, and a deps object is called deps', () => {
    const copies: string[] = [];
    const misnamed: string[] = [];
    for (const { key, node, source } of constructors().filter((c) => !(c.key in ALLOWED_POSITIONAL))) {
      for (const statement of node.body?.statements ?? []) if (isCopy(statement.getText(source))) copies.push(`${key}: ${statement.getText(source)}`);
      for (const p of node.parameters) {
        const type = p.type?.getText(source) ?? '';
        if (/Deps\b/.test(type) && p.name.getText(source) !== 'deps') misnamed.push(`${key} (${p.name.getText(source)}: ${type})`);
      }
    }
    assert.deepEqual(copies, [], 'keep the deps object (private readonly deps: XDeps) and read this.deps.x');
    assert.deepEqual(misnamed, []);
  });
});
