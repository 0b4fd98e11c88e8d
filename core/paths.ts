import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the running code lives: the project root from source (tsx), or `dist/` when built. */
export const codeRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** dist/package.json only maps `plinth/plugin` to the built files (scripts/build.mjs); the project's is above it. */
const isProjectManifest = (dir: string) =>
  fs.existsSync(path.join(dir, 'package.json')) && !JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).plinthBuild;

function findProjectRoot(from: string): string {
  let dir = from;
  while (!isProjectManifest(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

/** The folder holding package.json and config/. */
export const projectRoot = findProjectRoot(codeRoot);

/** The admin UI bundle built by scripts/build.mjs. */
export const uiBuildDir = path.join(projectRoot, 'dist', 'ui');

export const packageVersion: string = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version;
