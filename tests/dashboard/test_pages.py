"""Every page through Streamlit's AppTest, on the demo store: content, not just no error."""

from __future__ import annotations

import json
import re

import pytest

from tests.a11y_support import ward_tables
from tests.conftest import DEMO_QUERY, map_component_args, map_rows

pytestmark = pytest.mark.slow

#: The area and period above every page (for phones), not the page's own controls.
PHONE_KEYS = ("phone_area", "phone_period")
AREA = "cantre-gwaelod"
QUERY = DEMO_QUERY


def _wards(demo_store) -> int:
    from hotspots.geo.geography import select_wards

    return len(select_wards(demo_store.geography(), AREA))


def _open(at, page: str):
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception[0].value
    return at


def test_home_page(app, demo_store):
    at = _open(app, "")
    assert [t.value for t in at.title] == ["Serious violence hotspots"]
    assert [s.value for s in at.subheader] == ["Top five wards now"]
    assert any("synthetic demo" in c.value for c in at.caption)
    # The top five, each a link to its ward's profile, keeping the address's selection.
    top = [e.proto for e in at.get("page_link") if "ward=" in e.proto.query_string]
    assert [p.label.split(".")[0] for p in top] == ["1", "2", "3", "4", "5"]
    assert all(p.page == "profile" and "area=" in p.query_string for p in top)


def test_map_page(app, demo_store):
    at = _open(app, "pages/map.py")
    assert [t.value for t in at.title] == ["Map"]
    n = _wards(demo_store)
    assert any(f"{n} wards" in c.value for c in at.caption)
    args, text = map_component_args(at)
    # One row of values per ward, outlines for the same wards, 12 drug-overlay outlines.
    rows = map_rows(args)
    assert len(rows) == n and len({r["ward_code"] for r in rows}) == n
    assert json.loads(args["geometry"])["codes"] == args["codes"]
    assert len(args["overlay"]["codes"]) == 12
    assert {r["fill"] for r in rows} <= set(re.findall(r"#[0-9a-f]{6}", args["legend"]))
    # Leaflet from the app itself, nothing from outside.
    assert args["leaflet"] == {
        "js": "/app/static/leaflet/leaflet.js",
        "css": "/app/static/leaflet/leaflet.css",
    }
    assert re.findall(r"https?://", text) == []
    # Besides the map, one element whose own script Streamlit loads lazily: the table of
    # the mapped values (st.html), sent after the first run (a test of its own below); no
    # Markdown with HTML. The app's own fixed style and language script are sent from the
    # map's second run on.
    from dashboard.accessibility import own_html

    own = {h.strip() for h in own_html()}
    (table,) = [h for h in at.get("html") if h.proto.body.strip() not in own]
    assert table.proto.body.count("<tr>") == n + 1
    assert not any(m.proto.allow_html for m in at.markdown)


def test_map_page_first_run_draws_the_map_before_its_controls(app, demo_store):
    """A session that opens at the map: the first run sends the map with no widget at all
    (the browser has loaded no widget's script yet), asking it to say when it is drawn;
    the next run adds the controls, which start at the values the map was drawn with."""
    app.query_params["show"] = "Drug offences (count)"
    at = app.switch_page("pages/map.py").run()
    assert not at.exception, at.exception[0].value
    assert [t.value for t in at.title] == ["Map"]
    for kind in ("selectbox", "toggle", "download_button", "radio", "multiselect"):
        assert len(at.get(kind)) == 0, kind
    said = " ".join(m.value for m in at.sidebar.markdown)
    # the force by its name (the address keeps its key)
    assert "**Area**: Cantre Gwaelod" in said and "Jan 2024 to Dec 2024" in said
    assert "Loading the controls" in " ".join(c.value for c in at.sidebar.caption)
    first, _ = map_component_args(at)
    assert first["notify_drawn"] is True
    n = _wards(demo_store)
    assert len(first["codes"]) == n

    at.run()  # what the map's "drawn" message does: the page runs again
    assert not at.exception, at.exception[0].value
    side = at.sidebar.selectbox
    main = [s for s in at.main.selectbox if s.key not in PHONE_KEYS]  # the page's own
    assert [s.label for s in side] == ["Area", "Period", "From", "To", "Definition"]
    assert [s.value for s in side] == [
        "cantre-gwaelod",
        "range",
        "2024-01",
        "2024-12",
        "police-uk-proxy",
    ]
    assert [(s.label, s.value) for s in main] == [
        ("Show", "Drug offences (count)"),
        ("Classes", "Quantiles"),
        ("How many", 5),
        ("Find a ward (English or Welsh name)", None),
    ]
    assert [t.value for t in at.toggle] == [True]
    assert [b.label for b in at.get("download_button")] == ["Download this map (web page)"]
    assert "Loading the controls" not in " ".join(c.value for c in at.sidebar.caption)
    # The very same map (the browser has the message: Streamlit sends a reference), so
    # the controls arrive around it and nothing is redrawn.
    second, _ = map_component_args(at)
    assert second == first
    at.run()  # any later run: the map no longer asks to be told when it is drawn
    third, _ = map_component_args(at)
    assert third == {**first, "notify_drawn": False}


def test_hotspot_list_page(app, demo_store):
    at = _open(app, "pages/hotspots.py")
    assert [t.value for t in at.title] == ["Hotspot list"]
    table = ward_tables(at)[0]
    assert len(table) == _wards(demo_store)
    # Rank, ward and rate first: on a phone they show without sideways scrolling.
    assert list(table.columns[:4]) == ["rank", "ward_name", "sv_rate", "local_authority_name"]
    # Ward names link to their profiles, keeping the selection; values as shown.
    first = table.dropna(subset=["rank"]).iloc[0]
    assert first["rank"] == 1 and isinstance(first["sv_rate"], float)
    link = table.attrs["links"][0]
    assert link.startswith("profile?area=") and re.search(r"&def=[^&]+&.*ward=X05\d{6}$", link)
    assert set(table["volatile"].dropna()) <= {"Yes", "No"}
    assert table["dep_share_20"].dropna().str.fullmatch(r"\d+\.\d%").all()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Excel", "Download GeoJSON"]
    assert any("Violence and drugs meet" in i.value for i in at.info)
    assert any("synthetic demo" in c.value for c in at.caption)


def test_pack_page(app):
    at = _open(app, "pages/pack.py")
    assert [t.value for t in at.title] == ["Monthly targeting pack"]
    assert len(ward_tables(at)[0]) == 12
    assert any("first" in m.value for m in at.markdown)
    assert "Download PDF" in [b.label for b in at.get("download_button")]


def test_profile_page(app, demo_store):
    wards = demo_store.geography().wards
    code, name = wards.iloc[3]["ward_code"], wards.iloc[3]["ward_name"]
    app.query_params["area"] = wards.iloc[3]["local_authority_name"]
    app.query_params["ward"] = code
    at = _open(app, "pages/profile.py")
    assert [t.value for t in at.title] == [name]
    assert len(at.get("vega_lite_chart")) >= 3
    # the neighbouring wards are the ward's neighbours in the Gi* weights
    from hotspots.geo.geography import select_wards
    from hotspots.stats.weights import build_weights

    shown = select_wards(demo_store.geography(), app.query_params["area"])
    w, _ = build_weights(shown[["ward_code", "geometry"]].reset_index(drop=True))
    names = dict(zip(shown["ward_code"], shown["ward_name"], strict=True))
    table = [t for t in ward_tables(at) if "drugs_count" in t.columns][-1]
    assert sorted(table["ward_name"]) == sorted(names[c] for c in w.neighbors[code])
    assert len(table) >= 1


def test_data_page(app, demo_store):
    at = _open(app, "pages/data.py")
    assert [t.value for t in at.title] == ["Data"]
    total = int(demo_store.reconciliation()["rows_read"].sum())
    assert any(f"All {total:,} rows are accounted for" in s.value for s in at.success)


def test_method_page(app, monkeypatch):
    import dataclasses

    import hotspots.stats.analysis as analysis
    from hotspots.stats.emerging import EmergingSettings

    @dataclasses.dataclass(frozen=True)
    class Quoted(analysis.AnalysisSettings):  # other defaults, to see where the text looks
        uncertainty_draws: int = 1234
        emerging: EmergingSettings = dataclasses.field(
            default_factory=lambda: EmergingSettings(min_steps=11)
        )

    monkeypatch.setattr(analysis, "AnalysisSettings", Quoted)
    at = _open(app, "pages/method.py")
    assert [t.value for t in at.title] == ["Method"]
    text = " ".join(m.value for m in at.markdown)
    # the figures quoted are the settings' own, not written into the text
    assert "re-sampled 1,234 times" in text and "at least 11 months are loaded" in text
    assert "without its Community Safety domain" in text and "Gi\\*" in text
    # the over-dispersion of this selection's counts, as a number
    assert re.search(
        r"For this selection: Pearson dispersion of a Poisson fit: \d+\.\d "
        r"\(1 would be Poisson\) over \d+ wards; the",
        text,
    ), text
