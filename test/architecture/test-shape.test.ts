// The tests' own architecture: the people tests act as are made in one place (test/helpers/actors.ts),
// and a plugin's suite uses only its own test folder and the shared harness (test/helpers/), never
// another plugin's test files (what two suites share moves to test/helpers/).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core/paths.js';

const ACTORS = 'test/helpers/actors.ts';
/** The actor helpers that exist once, in ACTORS. */
const ONE_DEFINITION = ['registerOwner', 'addUser', 'addMember'];

const testFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx'], { cwd: projectRoot, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && fs.existsSync(path.join(projectRoot, f)) && (f.startsWith('test/') || /^plugins\/[^/]+\/test\//.test(f)));

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), 'utf8');

/** Where `name` is defined (a function, or a const/let bound to a value), as `file:line`. */
function definitionsOf(name: string): string[] {
  const definition = new RegExp(`^\\s*(export\\s+)?(async\\s+)?(function\\s*\\*?\\s*${name}\\b|(const|let|var)\\s+${name}\\s*[=:])`);
  const found: string[] = [];
  for (const file of testFiles) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if (definition.test(line)) found.push(`${file}:${i + 1}`);
      });
  }
  return found;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const pluginTestFolder = (file: string) => /^plugins\/([^/]+)\/test\//.exec(file)?.[1] ?? null;

/** Imports of another plugin's test folder, as `<file> -> <target>`. */
function crossSuiteImports(): string[] {
  const found: string[] = [];
  for (const file of testFiles) {
    const own = pluginTestFolder(file);
    for (const m of read(file).matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec?.startsWith('.')) continue;
      const target = path.normalize(path.join(path.dirname(file), spec));
      const theirs = pluginTestFolder(target);
      if (theirs && theirs !== own) found.push(`${file} -> ${target}`);
    }
  }
  return found.sort();
}

describe('architecture: the shape of the tests', () => {
  it('looks where the tests are', () => {
    assert.ok(testFiles.length > 100, `${testFiles.length} test files`);
    assert.ok(testFiles.includes(ACTORS));
    assert.ok(testFiles.some((f) => f.startsWith('plugins/robots/test/')));
  });

  for (const name of ONE_DEFINITION.filter((n) => n !== 'addMember')) {
    it(`${name} is defined once, in ${ACTORS}`, () => {
      const found = definitionsOf(name);
      assert.equal(found.length, 1, `defined at ${found.join(', ')}: use the one in ${ACTORS} (with its options)`);
      assert.match(found[0], new RegExp(`^${ACTORS}:`));
    });
  }

  it('addMember is not defined again under another name for addUser', () => {
    assert.deepEqual(definitionsOf('addMember'), []);
  });

  it("a plugin's tests import no other plugin's test files, and the shared harness imports none", () => {
    assert.deepEqual(crossSuiteImports(), []);
  });
});
