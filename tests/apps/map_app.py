"""A one-page app for tests/browser/test_map_browser.py: the Dyfed-Powys wards on the offline map.

Run by the test from a temporary folder holding this file and a ``static`` link to the
repository's ``static`` (Streamlit serves ``static`` next to the main script). Environment:
``HOTSPOTS_ROOT`` (the repository) and ``HOTSPOTS_SHARED_DATA`` (the open data folder).
The values are synthetic (a hash of the ward code); one ward name carries HTML so the test
can check it is shown as text.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

ROOT = Path(os.environ.get("HOTSPOTS_ROOT", Path(__file__).resolve().parents[2]))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.map_component import legend_html, map_args, render_ward_map  # noqa: E402
from hotspots.io.boundaries import load_wards  # noqa: E402
from hotspots.outputs import map_data as mapping  # noqa: E402

SHARED = Path(os.environ.get("HOTSPOTS_SHARED_DATA", ROOT.parent / "shared" / "data"))
DYFED_POWYS = ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys")
#: Given to the first ward (by code); the test hovers it.
EVIL_NAME = '<img src=x onerror="window.__xss=1">'


@st.cache_data(show_spinner=False)
def build():
    wards = load_wards(SHARED / "boundaries" / "wales_wards_dec2022_bsc.geojson")
    wards = wards[wards["local_authority_name"].isin(DYFED_POWYS)].sort_values("ward_code")
    shapes = mapping.display_geometry(wards)
    seed = np.array([zlib.crc32(c.encode()) for c in shapes["ward_code"]], dtype=np.int64)
    shapes = shapes.assign(
        ward_name=shapes["ward_name"].where(
            shapes.index != shapes.index[0], EVIL_NAME + shapes["ward_name"]
        ),
        sv_count=seed % 300,
        rate=(seed % 997) / 20.0,
        drugs_count=seed % 41,
    )
    cls = mapping.classify(shapes["rate"], "Quantiles", 5)
    colours = mapping.palette("YlOrRd", len(cls.labels))
    shapes = shapes.assign(fill=mapping.fill_colours(cls.class_index, colours))
    return (
        mapping.encode_geometry(shapes),
        shapes.drop(columns="geometry"),
        mapping.legend_entries(cls, colours),
        mapping.top_wards(shapes, "drugs_count", 10),
    )


geometry, values, legend, top = build()
st.title("Map test")
overlay = "Drug offences: top 10 wards"
args = map_args(
    geometry,
    values,
    "fill",
    [
        ("ward_name", "Ward"),
        ("local_authority_name", "Local authority"),
        ("sv_count", "Serious violence"),
        ("rate", "Rate per 1,000"),
    ],
    {"name": overlay, "ward_codes": top},
    legend=legend_html("Rate per 1,000", legend, overlay),
    base_tiles="OpenStreetMap",
    height=520,
)
clicked = render_ward_map(args, key="map")
if clicked:
    st.session_state["clicked"] = clicked
st.text(f"features={len(geometry.codes)} clicked={st.session_state.get('clicked')}")
