"""The 8,483 UK wards on the dashboard's offline map, for bench/browser.py.

The dashboard cannot show them (its store holds Welsh wards), so bench/browser.py builds
their display GeoJSON with ``hotspots.mapping`` (display_geometry, classify, to_geojson,
synthetic values) and writes it to ``$HOTSPOTS_BENCH_MAP``; this page draws it the way
pages/map.py does (``ward_map`` + ``render_map``), with the same tooltips and the overlay.
Run from a folder holding this file and a ``static`` link to the repository's ``static``
(Leaflet); ``HOTSPOTS_ROOT`` is the repository.
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

from dashboard.maps import render_map, ward_map  # noqa: E402


@st.cache_resource(show_spinner=False)
def load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


spec = load(os.environ["HOTSPOTS_BENCH_MAP"])
geojson = spec["geojson"]
st.title("UK wards")
overlay_on = st.toggle("Drug offences overlay", value=True)
m = ward_map(geojson, "fill", [tuple(e) for e in spec["legend"]],
             [("ward_name", "Ward"), ("local_authority_name", "Local authority"),
              ("sv_count", "Serious violence"), ("rate", "Per 1,000 residents"),
              ("drugs_count", "Drug offences"), ("rank_text", "Hotspot rank"),
              ("value", spec["title"])],
             {"name": "Drug offences: top 12 wards", "ward_codes": spec["top_drugs"]}
             if overlay_on else None, legend_title=spec["title"])
render_map(m, key="uk-map", height=600)
st.caption(f"{len(geojson['features'])} wards")
