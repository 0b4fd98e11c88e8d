#!/usr/bin/env bash
# Plugins as packages (issue 42), on the database DATABASE_URL names (SQLite when unset):
#  1. the example plugin's own tests, from its folder;
#  2. the example packed (npm pack) and installed from the tarball into a clean copy of Plinth, whose
#     node_modules links the project's packages (no download, no second install): its tests there, and
#     the end-to-end check (test/extensions/hello-plugin.test.ts) with it enabled as an npm package;
#  3. a plugin made by `plinth create-plugin`, whose own `npm test` passes as written.
# Needs `npm run build` done (the admin shell for the browser check).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/plinth-plugins-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "-- example plugin, from its folder"
mkdir -p examples/plinth-plugin-hello/node_modules
ln -sfn ../../.. examples/plinth-plugin-hello/node_modules/plinth
(cd examples/plinth-plugin-hello && npm test --silent)

echo "-- example plugin, packed and installed from the tarball into a clean copy"
tarball=$(cd examples/plinth-plugin-hello && npm pack --silent --pack-destination "$work")
copy="$work/plinth"
mkdir -p "$copy/node_modules"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$copy"
cp -r dist "$copy/dist"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do ln -s "$entry" "$copy/node_modules/$(basename "$entry")"; done
# What `npm install ./plinth-plugin-hello-x.tgz` puts in node_modules for a package without dependencies.
mkdir "$copy/node_modules/plinth-plugin-hello"
tar -xzf "$work/$tarball" --strip-components=1 -C "$copy/node_modules/plinth-plugin-hello"
installed="$copy/node_modules/plinth-plugin-hello"
test ! -e "$installed/node_modules" || { echo "the tarball carries node_modules"; exit 1; }
mkdir "$installed/node_modules" && ln -s ../../.. "$installed/node_modules/plinth" # its tests' dev link to the copy
(cd "$installed" && npm test --silent)
(cd "$copy" && PLINTH_HELLO_PLUGIN=plinth-plugin-hello npx mocha test/extensions/hello-plugin.test.ts)

echo "-- a scaffolded plugin's own npm test"
npm run --silent plinth -- create-plugin ci-demo --dir "$work/plinth-plugin-ci-demo" >/dev/null
(cd "$work/plinth-plugin-ci-demo" && npm test --silent)
