#!/usr/bin/env bash
# A cached Python venv with Drain3 (PyPI), the reference the log-pattern benchmark runs beside ours.
# Prints the venv's python; quick when the venv is already there.
set -euo pipefail
SOC_CACHE=${SOC_CACHE:-/var/cache/soc-pipeline}
DRAIN3_VERSION=0.9.11
VENV=$SOC_CACHE/venv/drain3-$DRAIN3_VERSION
if ! "$VENV/bin/python" -c 'import drain3' >/dev/null 2>&1; then
  echo "drain3-venv: creating $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --cache-dir "$SOC_CACHE/downloads/pip" "drain3==$DRAIN3_VERSION" >&2
fi
echo "$VENV/bin/python"
