// Error codes as closed catalogues (issue: typed plugin contracts): the core's codes are the
// `CoreErrorCode` union in core/errors.ts, and each plugin's `api.ts` lists the codes it adds as
// `export type <Plugin>ErrorCode = 'a' | 'b' | …`. This test reads every `AppError` a plugin
// throws (the code argument, or the static helper's default) and fails when a code is in neither
// list, or when a listed code is no longer used anywhere in its sources. Each plugin's coded errors
// are named constructors in its services/errors.ts typed `AppError<XErrorCode | CoreErrorCode>`
// (error-catalogues.test.ts holds that), so the compiler checks each code against the list this test keeps true.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The static helpers: where each takes its code, and the code it gives without one. */
const HELPERS: Record<string, { arg?: number; fallback: string }> = {
  badRequest: { arg: 1, fallback: 'bad_request' },
  unauthorized: { arg: 1, fallback: 'unauthorized' },
  forbidden: { arg: 1, fallback: 'forbidden' },
  notFound: { arg: 1, fallback: 'not_found' },
  conflict: { arg: 1, fallback: 'conflict' },
  validation: { fallback: 'validation_error' },
  tooManyRequests: { fallback: 'rate_limited' },
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'ui', 'migrations', 'node_modules'].includes(entry.name)) continue;
      out.push(...sources(rel));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);

/** The codes an expression can be: a literal, or a conditional of them; null when not written out. */
function literals(e: ts.Expression | undefined): string[] | null {
  if (!e) return null;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isParenthesizedExpression(e)) return literals(e.expression);
  if (ts.isConditionalExpression(e)) {
    const [a, b] = [literals(e.whenTrue), literals(e.whenFalse)];
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

/** Every code the file's `AppError`s are given, with where; codes passed through a variable are skipped. */
function thrownCodes(file: string): Array<{ code: string; at: string }> {
  const sf = parse(file);
  const found: Array<{ code: string; at: string }> = [];
  const visit = (n: ts.Node) => {
    let codes: string[] | null = null;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.expression.getText(sf) === 'AppError') {
      const helper = HELPERS[n.expression.name.text];
      if (helper) codes = helper.arg !== undefined && n.arguments[helper.arg] ? literals(n.arguments[helper.arg]) : [helper.fallback];
    } else if (ts.isNewExpression(n) && n.expression.getText(sf) === 'AppError') {
      codes = literals(n.arguments?.[1]);
    }
    for (const code of codes ?? []) found.push({ code, at: `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}` });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** Every string literal and object key in the file (a listed code must still be used somewhere). */
function stringsIn(file: string): Set<string> {
  const sf = parse(file);
  const out = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.add(n.text);
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name)) out.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The members of `export type <name> = 'a' | 'b' …` in the file, or null when it has no such type. */
function unionOf(file: string, name: RegExp): { name: string; codes: string[] } | null {
  const sf = parse(file);
  for (const st of sf.statements) {
    if (!ts.isTypeAliasDeclaration(st) || !name.test(st.name.text)) continue;
    if (st.type.kind === ts.SyntaxKind.NeverKeyword) return { name: st.name.text, codes: [] };
    const types = ts.isUnionTypeNode(st.type) ? st.type.types : [st.type];
    const codes = types.map((t) => {
      if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) return t.literal.text;
      throw new Error(`${file}: ${st.name.text} must list string literals only, found ${t.getText(sf)}`);
    });
    return { name: st.name.text, codes };
  }
  return null;
}

const coreCodes = unionOf('core/errors.ts', /^CoreErrorCode$/)!;
const core = new Set(coreCodes.codes);
const plugins = fs.readdirSync(path.join(root, 'plugins')).filter((p) => fs.existsSync(path.join(root, 'plugins', p, 'api.ts')));

describe('architecture: error codes are closed catalogues', () => {
  it('the core throws only its own codes, and each of them is still used (CoreErrorCode in core/errors.ts)', () => {
    const files = sources('core');
    const unknown = files.flatMap(thrownCodes).filter((t) => !core.has(t.code));
    assert.deepEqual(unknown, [], 'add these to CoreErrorCode, or use one of its codes');
    const used = new Set(files.filter((f) => f !== 'core/errors.ts').flatMap((f) => [...stringsIn(f)]));
    for (const h of Object.values(HELPERS)) used.add(h.fallback);
    assert.deepEqual(
      coreCodes.codes.filter((c) => !used.has(c)),
      [],
      'CoreErrorCode lists codes the core no longer uses',
    );
  });

  for (const plugin of plugins) {
    it(`${plugin}: its api.ts lists every code it throws beside the core's, and nothing more`, () => {
      const api = `plugins/${plugin}/api.ts`;
      const listed = unionOf(api, /ErrorCode$/);
      assert.ok(listed, `${api} has no \`export type …ErrorCode = 'a' | 'b'\``);
      const own = new Set(listed.codes);
      assert.deepEqual(
        listed.codes.filter((c) => core.has(c)),
        [],
        `${listed.name} repeats codes of the core (CoreErrorCode): a plugin lists the codes it adds`,
      );
      const files = sources(`plugins/${plugin}`).filter((f) => f !== api);
      const unknown = files.flatMap(thrownCodes).filter((t) => !core.has(t.code) && !own.has(t.code));
      assert.deepEqual(unknown, [], `codes missing from ${listed.name} in ${api}`);
      const used = new Set(files.flatMap((f) => [...stringsIn(f)]));
      assert.deepEqual(
        listed.codes.filter((c) => !used.has(c)),
        [],
        `${listed.name} lists codes ${plugin} no longer uses`,
      );
    });
  }
});

// `npx tsx test/architecture/error-codes.test.ts --survey` prints each plugin's codes (to write a list).
if (process.argv.includes('--survey')) {
  for (const plugin of plugins) {
    const codes = [
      ...new Set(
        sources(`plugins/${plugin}`)
          .flatMap(thrownCodes)
          .map((t) => t.code),
      ),
    ]
      .filter((c) => !core.has(c))
      .sort();
    console.log(`${plugin}: ${codes.map((c) => `'${c}'`).join(' | ')}`);
  }
}
