// The Node versions the project declares are ones every locked package accepts: `npm ci` on any of
// them installs without an EBADENGINE warning (a package's own range must contain ours).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { projectRoot } from '../../core/paths.js';

const read = (file: string) => JSON.parse(readFileSync(`${projectRoot}/${file}`, 'utf8'));

describe('declared Node engines', () => {
  it('every package in the lockfile accepts every Node version package.json declares', () => {
    const declared: string = read('package.json').engines.node;
    const lock = read('package-lock.json');
    assert.equal(lock.packages[''].engines.node, declared, 'package-lock.json records the same engines');
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } | string[] }>)
      .filter(([path]) => path !== '')
      .map(([path, info]) => [path.replace(/^.*node_modules\//, ''), Array.isArray(info.engines) ? undefined : info.engines?.node] as const)
      .filter(([, range]) => typeof range === 'string' && semver.validRange(range) && !semver.subset(declared, range, { includePrerelease: false }));
    assert.deepEqual(refusing, [], `packages that refuse part of "${declared}"`);
  });
});
