#!/usr/bin/env bash
# Set up and start the dashboard. With nothing loaded, the synthetic demo region is built
# first, so a new user sees a working dashboard without the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
.venv/bin/python -m hotspots status >/dev/null 2>&1 || true
if ! .venv/bin/python -c 'from hotspots.store import Store; import sys; sys.exit(0 if Store().sources() else 1)'; then
  .venv/bin/python -m hotspots demo
fi
PORT="${PORT:-8501}"
echo "Open http://localhost:${PORT} in a browser (Ctrl+C stops the dashboard)."
exec .venv/bin/python -m streamlit run app.py --server.port "$PORT" \
  --server.headless true --browser.gatherUsageStats false "$@"
