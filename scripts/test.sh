#!/usr/bin/env bash
# Set up and run the tests. Browser tests need Debian's Chromium: installed here when
# running as root with apt-get, otherwise they are skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check .
# Two workers, each taking whole test files (a file's browser and server fixtures stay in
# one process); HOTSPOTS_TEST_WORKERS=0 runs everything in this process.
exec .venv/bin/python -m pytest -n "${HOTSPOTS_TEST_WORKERS:-2}" --dist loadfile "$@"
