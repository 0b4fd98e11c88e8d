// One secret/hash helper (core/secrets.ts): the server's code (core, plugins, scripts) hashes and
// keys digests only through it, and a plugin makes secret tokens only through its randomToken.
// Tests are left out: they play clients and attackers (forging a JWT needs its own HMAC).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core/paths.js';

const HELPER = 'core/secrets.ts';

const serverFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'core', 'plugins', 'scripts'], {
  cwd: projectRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => /\.(ts|tsx|mjs|js)$/.test(f) && !/(^|\/)test\//.test(f) && fs.existsSync(path.join(projectRoot, f)));

/** The files whose code (comments aside) calls `call(`. */
function filesCalling(call: string, files = serverFiles): string[] {
  const pattern = new RegExp(`\\b${call}\\(`);
  return files.filter((f) => {
    const code = fs
      .readFileSync(path.join(projectRoot, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    return pattern.test(code);
  });
}

/**
 * Plugin files that still draw random bytes themselves, each with why. Identifiers are not secrets
 * (nobody is authenticated by knowing them), so they need no helper; the token makers listed are
 * leftovers to move to randomToken (the list can only shrink: a listed file that is clean fails).
 */
const RANDOM_BYTES_ALLOWED: Record<string, string> = {
  'plugins/mail/services/sender.ts': 'a message public id (msg_…, hex), an identifier in the seed face, not a secret',
  'plugins/robots/services/commands.ts': 'command and message ids (cmd_<time>_<hex>), identifiers, not secrets',
};

describe('architecture: one secret/hash helper', () => {
  it('looks where the code is', () => {
    assert.ok(serverFiles.includes(HELPER));
    assert.ok(serverFiles.length > 200, `${serverFiles.length} files`);
    assert.deepEqual(filesCalling('createHash', [HELPER]), [HELPER], 'the helper itself is found');
  });

  it(`createHash and createHmac are called only in ${HELPER} (sha256, hmacSha256)`, () => {
    // Webhook signatures are HMACs too, made by the standardwebhooks library (core/net/webhook-signature.ts), not here.
    assert.deepEqual(filesCalling('createHash'), [HELPER]);
    assert.deepEqual(filesCalling('createHmac'), [HELPER]);
  });

  it("a plugin makes secrets with core's randomToken, not randomBytes (listed identifiers aside)", () => {
    const found = filesCalling('randomBytes').filter((f) => f.startsWith('plugins/'));
    assert.deepEqual(found, Object.keys(RANDOM_BYTES_ALLOWED).sort(), 'a new randomBytes call: use randomToken, or list an identifier with why');
  });
});
