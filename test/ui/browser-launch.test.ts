// The browser helper on a machine that lacks a library the bundled Chromium links: the failure names
// the missing libraries and the packages to install, instead of Playwright's wall of browser logs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, missingLibraries } from '../helpers/browser.js';

describe('test helpers: a browser that cannot start for a missing library', () => {
  let dir: string;
  const saved = process.env.PLINTH_CHROMIUM;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-fake-chromium-'));
  });
  after(() => {
    if (saved === undefined) delete process.env.PLINTH_CHROMIUM;
    else process.env.PLINTH_CHROMIUM = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('launch fails naming the library the loader could not find, and the Debian/Ubuntu package', async () => {
    // What the dynamic loader prints when libnss3 is absent, and its exit status.
    const fake = path.join(dir, 'chromium');
    fs.writeFileSync(
      fake,
      '#!/bin/sh\necho "$0: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory" >&2\nexit 127\n',
      { mode: 0o755 },
    );
    process.env.PLINTH_CHROMIUM = fake;
    await assert.rejects(launchBrowser('http://127.0.0.1:9'), (err: Error) => {
      assert.equal(
        err.message,
        `the browser at ${fake} cannot start: missing shared library libnss3.so (on Debian/Ubuntu: apt-get install libnss3); ` +
          'or set PLINTH_CHROMIUM to a Chromium that runs here',
      );
      return true;
    });
  });

  it('every library ldd cannot find is named, each once', () => {
    const ldd = [
      '\tlinux-vdso.so.1 (0x00007ffd5d9f6000)',
      '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f2b1c3e0000)',
      '\tlibnss3.so => not found',
      '\tlibnssutil3.so => not found',
      '\tlibnspr4.so => not found',
      '\tlibexpat.so.1 => not found',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2b1c1e0000)',
    ].join('\n');
    const error = 'Browser logs: /tmp/chromium: error while loading shared libraries: libnss3.so: cannot open shared object file';
    assert.deepEqual(missingLibraries(ldd, error), ['libexpat.so.1', 'libnspr4.so', 'libnss3.so', 'libnssutil3.so']);
    assert.deepEqual(missingLibraries('\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)', 'Timeout 30000ms exceeded'), []);
  });
});
