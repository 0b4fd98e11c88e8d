// The Node versions the project declares are ones every locked package accepts: `npm ci --omit=dev`
// on any of them installs without an EBADENGINE warning (a package's own range must contain ours).
// Development and the tests run on the Node line CI uses (.ci/run), which the dev tools accept.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { projectRoot } from '../../core/paths.js';

const read = (file: string) => JSON.parse(readFileSync(`${projectRoot}/${file}`, 'utf8'));

type LockedPackage = { dev?: boolean; engines?: { node?: string } | string[] };

/** Locked packages (production ones, or dev ones) whose own Node range does not contain `range`. */
function refusing(range: string, dev: boolean): Array<readonly [string, string]> {
  const lock = read('package-lock.json');
  return Object.entries(lock.packages as Record<string, LockedPackage>)
    .filter(([path, info]) => path !== '' && Boolean(info.dev) === dev)
    .map(([path, info]) => [path.replace(/^.*node_modules\//, ''), Array.isArray(info.engines) ? undefined : info.engines?.node] as const)
    .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string' && Boolean(semver.validRange(entry[1])))
    .filter(([, own]) => !semver.subset(range, own, { includePrerelease: false }));
}

describe('declared Node engines', () => {
  it('every production package in the lockfile accepts every Node version package.json declares', () => {
    const declared: string = read('package.json').engines.node;
    assert.equal(read('package-lock.json').packages[''].engines.node, declared, 'package-lock.json records the same engines');
    assert.deepEqual(refusing(declared, false), [], `packages that refuse part of "${declared}"`);
  });

  it('every dev package accepts the Node line CI tests on', () => {
    const line = /NODE_LINE=\$\{PLINTH_CI_NODE:-(\d+)\}/.exec(readFileSync(`${projectRoot}/.ci/run`, 'utf8'))?.[1];
    assert.ok(line, '.ci/run names the Node line it installs');
    assert.ok(semver.intersects(read('package.json').engines.node, `${line}.x`), `Node ${line} is among the declared engines`);
    assert.deepEqual(refusing(`${line}.x`, true), [], `dev packages that refuse Node ${line}`);
  });
});
