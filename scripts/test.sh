#!/usr/bin/env bash
# Installs what the tests need (Python packages; Debian's redis-server for the Redis spool tests) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server >/dev/null
fi
python3 -m pip install -q -e '.[test]'
exec python3 -m pytest "$@"
