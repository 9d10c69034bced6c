"""The 8,483 UK wards on the dashboard's offline map, for bench/browser.py.

The dashboard cannot show them (its store holds Welsh wards), so bench/browser.py builds
the map component's arguments with ``hotspots.outputs.map_data`` and
``dashboard.map_component.map_args``
(display_geometry, encode_geometry, classify, synthetic values) and writes them to
``$HOTSPOTS_BENCH_MAP``; this page draws them the way pages/map.py does
(``render_ward_map``), with the same tooltips and the overlay. Run from a folder holding
this file and a ``static`` link to the repository's ``static`` (Leaflet);
``HOTSPOTS_ROOT`` is the repository.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("HOTSPOTS_ROOT", Path(__file__).resolve().parents[2]))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.map_component import render_ward_map  # noqa: E402


@st.cache_resource(show_spinner=False)
def load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


args = load(os.environ["HOTSPOTS_BENCH_MAP"])
st.title("UK wards")
overlay_on = st.toggle("Drug offences overlay", value=True)
render_ward_map({**args, "overlay": args["overlay"] if overlay_on else None}, key="uk-map")
st.caption(f"{len(args['codes'])} wards")
