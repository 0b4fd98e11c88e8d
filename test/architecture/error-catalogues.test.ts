// Every coded error a plugin throws comes from its catalogue (issue 41): `plugins/<p>/services/errors.ts`
// names each error by what happened and types it `AppError<…ErrorCode>`, so the compiler checks each
// code at its throw site and a reader finds what a client can meet in one file. The core's own coded
// errors are its catalogue `core/core-errors.ts` (`CoreErrors`) the same way. Outside a catalogue,
// `new AppError(…)` and a static helper given a code (`AppError.conflict(msg, 'code')`) fail this
// test; the helpers without a code (`AppError.notFound('user not found')`) and `AppError.validation`
// stay: their codes are the core's generic ones.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The static helpers that take a code, and the index of that argument. */
const CODE_ARGUMENT: Record<string, number> = { badRequest: 1, unauthorized: 1, forbidden: 1, notFound: 1, conflict: 1 };

const CORE_CATALOGUE = 'core/core-errors.ts';
const isCatalogue = (file: string) => file === CORE_CATALOGUE || /^plugins\/[^/]+\/services\/errors\.ts$/.test(file);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'ui', 'migrations', 'node_modules'].includes(entry.name)) continue;
      out.push(...sources(rel));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Where the file builds a coded error by hand, as `file:line`. */
export function inlineCodes(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (n: ts.Node) => {
    const byHand =
      (ts.isNewExpression(n) && n.expression.getText(sf) === 'AppError') ||
      (ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        n.expression.expression.getText(sf) === 'AppError' &&
        n.arguments.length > (CODE_ARGUMENT[n.expression.name.text] ?? Number.POSITIVE_INFINITY));
    if (byHand) found.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

// core/errors.ts defines AppError and its helpers; core/http/openapi.ts builds one per declared code
// to render it as the face's envelope does, for /openapi.json, and throws none.
const NOT_THROWN = new Set(['core/errors.ts', 'core/http/openapi.ts']);
const files = [...sources('core'), ...sources('plugins')].filter((f) => !isCatalogue(f) && !NOT_THROWN.has(f));

// `npx tsx test/architecture/error-catalogues.test.ts --survey` prints every site left.

if (process.argv.includes('--survey')) for (const at of files.flatMap(inlineCodes)) console.log(at);
else
  describe('architecture: the core and each plugin throw coded errors only through their catalogue', () => {
    it('no inline error code outside core/core-errors.ts and plugins/<p>/services/errors.ts', () => {
      const inline = files.flatMap(inlineCodes);
      assert.deepEqual(inline, [], "name these errors in the plugin's services/errors.ts (the core's: core/core-errors.ts) and throw them from there");
    });

    it("the core's catalogue is checked against CoreErrorCode", () => {
      assert.match(fs.readFileSync(path.join(root, CORE_CATALOGUE), 'utf8'), /\} satisfies Record<string, \(\.\.\.args: never\[\]\) => CoreError>;/);
    });

    it('each plugin with an error code list has a catalogue whose constructors are checked against it', () => {
      const plugins = fs.readdirSync(path.join(root, 'plugins')).filter((p) => fs.existsSync(path.join(root, 'plugins', p, 'api.ts')));
      const unchecked = plugins.filter((p) => {
        const catalogue = path.join(root, 'plugins', p, 'services', 'errors.ts');
        return !fs.existsSync(catalogue) || !/\} satisfies Record<string, \(\.\.\.args: never\[\]\) => \w+Error>;/.test(fs.readFileSync(catalogue, 'utf8'));
      });
      assert.deepEqual(unchecked, [], 'end services/errors.ts with `} satisfies Record<string, (...args: never[]) => <Plugin>Error>;`');
    });
  });
