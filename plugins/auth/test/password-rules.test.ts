// The password rules the server refuses by and the admin UI's meter judges by (password-rules.ts):
// the same messages, the same list of common passwords, and a strength that orders sensibly.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Passwords } from '../services/passwords.js';
import { type PasswordBounds, passwordProblem, passwordStrength } from '../password-rules.js';

const bounds: PasswordBounds = { min: 8, max: 64 };

describe('auth: the password rules, shared by the server and the meter', () => {
  let common: Set<string>;
  before(async () => {
    // What the browser imports (the package's ES module), against what the server reads (its CommonJS build).
    const browserList = (await import('@zxcvbn-ts/language-common')).dictionary['passwords-common'];
    const serverList = (createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> }).dictionary[
      'passwords-common'
    ];
    assert.deepEqual(browserList, serverList);
    assert.ok(browserList.length > 40_000, `${browserList.length} common passwords`);
    common = new Set(browserList);
  });
  const isCommon = (p: string) => common.has(p);

  it('refuses with the very messages the server answers 422 with', () => {
    const server = new Passwords({ params: { memoryCost: 19456, timeCost: 2 }, policy: bounds });
    for (const candidate of ['short', 'x'.repeat(65), 'password123', 'Sunshine', 'Correct-horse-battery-9']) {
      const problem = passwordProblem(candidate, bounds, isCommon);
      let refused: string | null = null;
      try {
        server.check(candidate);
      } catch (err) {
        refused = (err as { fields: Array<{ message: string }> }).fields[0].message;
      }
      assert.equal(problem, refused, candidate);
    }
    assert.equal(passwordProblem('short', bounds, isCommon), 'must be at least 8 characters');
    assert.equal(passwordProblem('Sunshine', bounds, isCommon), 'is too common; choose a less guessable password');
    assert.equal(passwordProblem('ünïcødé!', bounds, isCommon), null, 'length counts characters, not UTF-16 units');
  });

  it('strength: a common word with digits stuck on or few distinct characters is weak; a long mixed phrase strong', () => {
    assert.equal(passwordStrength('Password123!', isCommon), 1);
    assert.equal(passwordStrength('aaaaaaaaaaaaaaaa', isCommon), 1);
    assert.equal(passwordStrength('k3vq9zpa', isCommon), 2);
    assert.equal(passwordStrength('Tr0ub4dor&3', isCommon), 3);
    assert.equal(passwordStrength('Quite-a-long-pass-phrase-2026', isCommon), 4);
  });
});
