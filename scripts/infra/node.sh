#!/usr/bin/env bash
# Installs the pinned Node (the official binary, as the npm package node-linux-<arch>) into
# $NODE_HOME, whatever Node the machine has: every make target runs with it first on PATH.
# Idempotent: returns at once when that version is already there. The Makefile sets the three names.
set -euo pipefail
: "${NODE_VERSION:?}" "${NODE_PACKAGE:?}" "${NODE_HOME:?}"
node=$NODE_HOME/node_modules/$NODE_PACKAGE/bin/node

installed() { [ -x "$node" ] && [ "$("$node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; }

installed && exit 0
mkdir -p "$(dirname "$NODE_HOME")"
# Two makes at once install it once.
exec 9>"$NODE_HOME.lock"
flock 9
installed && exit 0

printf '[node] installing %s@%s into %s\n' "$NODE_PACKAGE" "$NODE_VERSION" "$NODE_HOME" >&2
# Installed beside, then moved into place: an interrupted install never looks complete.
staging=$NODE_HOME.partial
rm -rf "$staging" "$NODE_HOME"
mkdir -p "$staging"
npm install --prefix "$staging" --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error "$NODE_PACKAGE@$NODE_VERSION" >&2
mv "$staging" "$NODE_HOME"
installed || { printf '[node] %s does not report v%s\n' "$node" "$NODE_VERSION" >&2; exit 1; }
