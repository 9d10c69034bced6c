#!/usr/bin/env bash
# Set up and start the dashboard. With nothing loaded, the synthetic demo region is built
# first, so a new user sees a working dashboard without the internet.
#
# With no accounts file the dashboard is open to this computer only (127.0.0.1). To serve
# other machines, add accounts first (python -m hotspots user add NAME --role analyst),
# then: scripts/start.sh --server.address 0.0.0.0 (docs/access-control.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
.venv/bin/python -m hotspots status >/dev/null 2>&1 || true
if ! .venv/bin/python -c 'from hotspots.store.base import Store; import sys; sys.exit(0 if Store().sources() else 1)'; then
  .venv/bin/python -m hotspots demo
fi
PORT="${PORT:-8501}"
if ! .venv/bin/python -c 'from hotspots.access.accounts import default_accounts_path as p; import sys; sys.exit(0 if p().exists() else 1)'; then
  echo "No accounts file: open access, for this computer only."
fi
echo "Open http://localhost:${PORT} in a browser (Ctrl+C stops the dashboard)."
# serve.py runs app.py with the sign-in cookie routes and the guard on download links;
# it refuses to serve other machines without accounts.
exec .venv/bin/python -m streamlit run serve.py --server.port "$PORT" \
  --server.headless true --browser.gatherUsageStats false "$@"
