import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core/paths.js';

// What the formatter cannot hold by itself: no line wider than its width (160; Biome leaves long
// strings and regular expressions alone), and no source file over ~400 lines that does not say
// at its top why it is longer.
const WIDTH = 160;
const LONG_FILE = 400;

const tracked = execFileSync('git', ['ls-files', '*.ts', '*.tsx', '*.mjs', '*.js', '*.css'], { cwd: projectRoot, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

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

  it(`a source file over ${LONG_FILE} lines says why at its top`, () => {
    const unexplained: string[] = [];
    for (const file of tracked.filter((f) => !/\/test\/|\.test\.|fixtures\//.test(f))) {
      const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
      const lines = text.split('\n');
      if (lines.length <= LONG_FILE) continue;
      const head = lines.slice(0, 3).join('\n');
      if (!/longer than most|over 400 lines/i.test(head)) unexplained.push(`${file} (${lines.length} lines)`);
    }
    assert.deepEqual(unexplained, []);
  });
});
