#!/usr/bin/env bash
# Create .venv in the repository root and install a requirements file into it.
# Usage: scripts/setup.sh requirements.txt | requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-requirements.txt}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed (found: $("$PY" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..."
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(cat "$want" requirements.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing $want into .venv (first time only; about a minute) ..."
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$want"
  touch "$stamp"
fi
if [ "$want" = requirements-dev.txt ]; then
  # axe-core for the accessibility tests, fetched now so that tests make no outside request.
  .venv/bin/python scripts/fetch_axe.py
fi
