"""Map payload: display geometry, GeoJSON, classes, colours (hotspots.outputs.map_*), the
dashboard's map data (dashboard.map_component) and the offline map file
(hotspots.outputs.map_file). Real Welsh wards where the shared data is present."""

from __future__ import annotations

import html
import json
import re
import sys
import types
import warnings

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from dashboard import map_component as maps
from hotspots.outputs import map_data as mp
from hotspots.outputs import map_folium as mf
from tests.conftest import ROOT, SHARED, SKIP_SHARED

WALES_WARDS = SHARED / "boundaries" / "wales_wards_dec2022_bsc.geojson"
DISPLAY_PROPERTIES = ["ward_name", "local_authority_name", "sv_count", "rate", "class"]
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CDN_HOSTS = (
    "jsdelivr",
    "cdnjs",
    "jquery.com",
    "bootstrapcdn",
    "unpkg",
    "d3js",
    "fontawesome",
    "googleapis",
)


# --------------------------------------------------------------------------------------
# Fixtures: the real Welsh wards, simplified once per module
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wales():
    if not WALES_WARDS.exists():
        pytest.skip(SKIP_SHARED)
    from hotspots.io.boundaries import load_wards

    return load_wards(WALES_WARDS)


@pytest.fixture(scope="module")
def wales_display(wales):
    return mp.display_geometry(wales)


def _with_values(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Deterministic synthetic display values of realistic width."""
    rng = np.random.default_rng(7)
    n = len(frame)
    return frame.assign(
        sv_count=rng.integers(0, 400, n),
        rate=rng.gamma(2.0, 6.0, n),
        drugs_count=rng.integers(0, 60, n),
        **{
            "class": rng.choice(
                list(mp.category_colours(_GI)), n, p=[0.03, 0.04, 0.05, 0.76, 0.05, 0.04, 0.03]
            )
        },
    )


_GI = (
    "Hot spot 99%",
    "Hot spot 95%",
    "Hot spot 90%",
    "Not significant",
    "Cold spot 90%",
    "Cold spot 95%",
    "Cold spot 99%",
)


def _explore_html(frame: gpd.GeoDataFrame) -> str:
    """``GeoDataFrame.explore()`` as HTML. explore() imports matplotlib even when it colours
    nothing (no ``column``); matplotlib is not a dependency here, so empty stand-ins are
    put in ``sys.modules`` for the call only — without ``column`` explore never uses them."""
    try:
        import matplotlib  # noqa: F401

        return frame.explore().get_root().render()
    except ImportError:
        pass
    stub = types.ModuleType("matplotlib")
    stub.pyplot = types.ModuleType("matplotlib.pyplot")
    stub.colors = types.ModuleType("matplotlib.colors")
    stub.colormaps = types.SimpleNamespace()
    saved = {
        k: sys.modules.get(k) for k in ("matplotlib", "matplotlib.pyplot", "matplotlib.colors")
    }
    sys.modules.update(
        {"matplotlib": stub, "matplotlib.pyplot": stub.pyplot, "matplotlib.colors": stub.colors}
    )
    try:
        return frame.explore().get_root().render()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    return i[keep], j[keep]


def _holes(geom) -> list:
    return [shapely.Polygon(r) for p in shapely.get_parts(geom) for r in p.interiors]


# --------------------------------------------------------------------------------------
# Display geometry on the real wards
# --------------------------------------------------------------------------------------


def test_display_geometry_wales(wales, wales_display):
    before = wales.copy()
    out = wales_display
    assert len(out) == 762
    assert out.crs.equals("EPSG:4326")
    assert out["ward_code"].tolist() == wales["ward_code"].tolist()
    assert list(out.columns) == list(wales.columns)
    assert out.attrs["simplification"] == "coverage"
    assert set(out.geom_type) <= {"Polygon", "MultiPolygon"}
    coords = shapely.get_coordinates(out.geometry.array)
    np.testing.assert_array_equal(coords, np.round(coords, 5))
    # fewer vertices, but every ward keeps its shape (area within 20 %)
    n_in = shapely.get_num_coordinates(wales.geometry.array).sum()
    n_out = shapely.get_num_coordinates(out.geometry.array).sum()
    assert n_out < 0.75 * n_in
    back = out.to_crs(wales.crs).geometry.array
    change = shapely.area(shapely.symmetric_difference(back, wales.geometry.array)) / shapely.area(
        wales.geometry.array
    )
    assert change.max() < 0.2 and np.median(change) < 0.05
    # the input is untouched
    pd.testing.assert_frame_equal(wales.drop(columns="geometry"), before.drop(columns="geometry"))
    assert wales.crs.equals(before.crs)
    assert wales.geometry.geom_equals_exact(before.geometry, 0).all()


def test_no_slivers_between_neighbours(wales, wales_display):
    orig = np.asarray(wales.geometry.array)
    simp = np.asarray(wales_display.to_crs(wales.crs).geometry.array)
    assert shapely.coverage_is_valid(np.asarray(wales_display.geometry.array))
    i, j = _pairs(orig)
    assert len(i) > 1500
    shared = shapely.length(shapely.intersection(orig[i], orig[j]))
    meet = shapely.intersection(simp[i], simp[j])
    # queen neighbours still touch; neighbours along an edge still share an edge
    assert shapely.intersects(simp[i], simp[j]).all()
    assert (shapely.length(meet)[shared > 0] > 0).all()
    assert shapely.area(meet).max() < 1.0  # m²: no overlaps
    # no new holes (gaps) in the union
    before, after = shapely.union_all(orig), shapely.union_all(simp)
    assert len(_holes(after)) <= len(_holes(before))
    assert sum(h.area for h in _holes(after)) <= sum(h.area for h in _holes(before)) + 1.0
    assert abs(after.area - before.area) / before.area < 1e-3


def test_payload_under_400_kb_and_smaller_than_explore(wales, wales_display, capsys):
    display = _with_values(wales_display)
    geojson = mp.to_geojson(display, DISPLAY_PROPERTIES, float_decimals=2)
    payload = len(json.dumps(geojson, separators=(",", ":")).encode())
    assert payload == mp.payload_bytes(geojson)
    assert len(geojson["features"]) == 762
    assert set(geojson["features"][0]["properties"]) == {"ward_code", *DISPLAY_PROPERTIES}
    assert payload < 400_000

    # What the browser gets on a run is the map component's arguments: outlines encoded
    # as polylines (once per area) plus one colour and the tooltip values per ward.
    shown = display.assign(fill="#ffffb2")
    args = maps.map_args(
        mp.encode_geometry(shown), shown, "fill", [("ward_name", "Ward"), ("rate", "Rate")]
    )
    page = len(json.dumps(args, separators=(",", ":")).encode())
    assert page < 400_000
    # explore() of the app's wards frame (EPSG:27700, reprojected by folium) with the same
    # display columns and the same (unrounded) values
    raw = _with_values(wales)[["ward_code", *DISPLAY_PROPERTIES, "geometry"]]
    explore = len(_explore_html(raw).encode())
    with capsys.disabled():
        print(
            f"\nWales GeoJSON {payload:,} B; map arguments {page:,} B; explore() HTML "
            f"{explore:,} B; ratio {explore / page:.2f}"
        )
    assert explore >= 5 * page


def test_map_page_is_under_400_kb(wales_display):
    display = _with_values(wales_display)
    cls = mp.classify(display["rate"], "Quantiles", 5)
    colours = mp.palette("YlOrRd", 5)
    display = display.assign(fill=mp.fill_colours(cls.class_index, colours))
    geojson = mp.to_geojson(display, [*DISPLAY_PROPERTIES, "fill"], float_decimals=2)
    m = mf.ward_map(
        geojson,
        "fill",
        mp.legend_entries(cls, colours),
        [("ward_name", "Ward"), ("rate", "Rate")],
        {"name": "Drugs", "ward_codes": mp.top_wards(display, "drugs_count", 10)},
    )
    assert len(mf.map_html(m).encode()) < 400_000


def test_tooltip_escapes_html_in_ward_names(wales_display):
    display = _with_values(wales_display)
    display.loc[display.index[0], "ward_name"] = EVIL
    geojson = mp.to_geojson(display, DISPLAY_PROPERTIES)
    snapshot = json.dumps(geojson)
    m = mf.ward_map(geojson, "fill", None, [("ward_name", "Ward <b>name</b>")])
    assert json.dumps(geojson) == snapshot  # input untouched
    layer = next(c for c in m._children.values() if c._name == "GeoJson")
    props = layer.data["features"][0]["properties"]
    assert props["ward_name"] == html.escape(EVIL)
    tooltip = next(c for c in layer._children.values() if c._name == "GeoJsonTooltip")
    assert tooltip.aliases == ["Ward &lt;b&gt;name&lt;/b&gt;"]
    page = mf.map_html(m)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "onerror=alert(1)" in page  # present, but as escaped text


# --------------------------------------------------------------------------------------
# The map page loads nothing from outside
# --------------------------------------------------------------------------------------


def _small_geojson() -> dict:
    frame = gpd.GeoDataFrame(
        {"ward_code": ["X1", "X2"], "ward_name": ["A", "B"], "fill": ["#ffffb2", "#bd0026"]},
        geometry=[box(-3.0, 52.0, -2.9, 52.1), box(-2.9, 52.0, -2.8, 52.1)],
        crs="EPSG:4326",
    )
    return mp.to_geojson(frame, ["ward_name", "fill"])


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


@pytest.mark.parametrize("base_tiles", [None, "OpenStreetMap"])
def test_map_has_no_cdn(base_tiles):
    m = mf.ward_map(
        _small_geojson(),
        "fill",
        [("Low", "#ffffb2"), ("High", "#bd0026")],
        [("ward_name", "Ward")],
        {"name": "Top", "ward_codes": ["X2"]},
        legend_title="Rate",
        base_tiles=base_tiles,
    )
    page = mf.map_html(m)
    # what the page loads: default_js/default_css of every element in the tree
    links = [
        url
        for e in _walk(m)
        for attr in ("default_js", "default_css")
        for _, url in getattr(e, attr, [])
    ]
    assert sorted(links) == [mf.LEAFLET_CSS, mf.LEAFLET_JS]
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sorted(loaded) == [mf.LEAFLET_CSS, mf.LEAFLET_JS]
    assert not any(host in page for host in CDN_HOSTS)
    tiles = [e for e in _walk(m) if e._name == "TileLayer"]
    if base_tiles is None:
        assert tiles == [] and "tile.openstreetmap" not in page
    else:
        assert len(tiles) == 1 and tiles[0].show is False and tiles[0].overlay is True
    assert "ward-map-legend" in page and "d3.min.js" not in page and "d3.v4" not in page
    assert 'p["fill"]' in page  # styled from the precomputed property


def test_map_rejects_unknown_tooltip_field_and_tiles():
    with pytest.raises(ValueError, match="tooltip fields"):
        mf.ward_map(_small_geojson(), "fill", None, [("nope", "Nope")])
    with pytest.raises(ValueError, match="base_tiles"):
        mf.ward_map(_small_geojson(), "fill", None, [], base_tiles="Google")
    with pytest.raises(ValueError, match="#rrggbb"):
        maps.legend_html("t", [("a", "red;background:url(x)")])


def test_leaflet_urls_follow_the_base_path():
    assert maps.leaflet_urls("") == {
        "js": "/app/static/leaflet/leaflet.js",
        "css": "/app/static/leaflet/leaflet.css",
    }
    assert maps.leaflet_urls("/safety/") == {
        "js": "/safety/app/static/leaflet/leaflet.js",
        "css": "/safety/app/static/leaflet/leaflet.css",
    }
    assert maps.leaflet_urls("a/b") == maps.leaflet_urls("/a/b/")


def _decode_polyline(text: str) -> list[tuple[float, float]]:
    """Google's algorithm, written out independently of the encoder (lon, lat pairs)."""
    values, shift, result = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift = result = 0
    lat = lng = 0
    out = []
    for dlat, dlng in zip(values[::2], values[1::2], strict=True):
        lat, lng = lat + dlat, lng + dlng
        out.append((lng / 1e5, lat / 1e5))
    return out


def test_encode_polyline_known_answer():
    # The worked example of Google's "Encoded Polyline Algorithm Format".
    coords = np.array([(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)])
    assert mp.encode_polyline(coords) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert _decode_polyline(mp.encode_polyline(coords)) == [tuple(c) for c in coords]


def _two_wards(codes=("X1", "X2")) -> gpd.GeoDataFrame:
    hole = shapely.Polygon([(-2.98, 52.02), (-2.92, 52.02), (-2.92, 52.08), (-2.98, 52.02)])
    return gpd.GeoDataFrame(
        {"ward_code": list(codes), "ward_name": ["A", "B"]},
        geometry=[
            box(-3.0, 52.0, -2.9, 52.1).difference(hole),
            shapely.MultiPolygon([box(-2.9, 52.0, -2.8, 52.1), box(-2.7, 52.0, -2.65, 52.05)]),
        ],
        crs="EPSG:4326",
    )


def test_encode_geometry_round_trips_every_ring():
    frame = _two_wards()
    before = frame.copy()
    geometry = mp.encode_geometry(frame)
    assert_geodataframe_equal(frame, before)
    assert geometry.codes == ("X1", "X2")
    assert geometry.bounds == ((52.0, -3.0), (52.1, -2.65))
    data = json.loads(geometry.encoded)
    assert data["codes"] == ["X1", "X2"]
    assert [len(w) for w in data["rings"]] == [1, 2]  # polygons per ward
    assert len(data["rings"][0][0]) == 2  # exterior and one hole
    for ward, geom in zip(data["rings"], frame.geometry, strict=True):
        parts = shapely.get_parts(geom)
        for poly, part in zip(ward, parts, strict=True):
            rings = [part.exterior, *part.interiors]
            for text, ring in zip(poly, rings, strict=True):
                np.testing.assert_allclose(
                    _decode_polyline(text), np.asarray(ring.coords), atol=5e-6
                )
    assert mp.encode_geometry(frame).key == geometry.key
    moved = frame.assign(geometry=frame.translate(0.001, 0))
    assert mp.encode_geometry(moved).key != geometry.key


def test_encode_geometry_rejects_bad_frames():
    with pytest.raises(ValueError, match="repeated ward codes"):
        mp.encode_geometry(_two_wards(("X1", "X1")))
    with pytest.raises(ValueError, match="EPSG:4326"):
        mp.encode_geometry(_two_wards().to_crs(27700))
    with pytest.raises(ValueError, match="X2: geometry must be a non-empty polygon"):
        mp.encode_geometry(_two_wards().assign(geometry=[box(0, 0, 1, 1), shapely.Point(0, 0)]))
    with pytest.raises(TypeError, match="GeoDataFrame"):
        mp.encode_geometry(pd.DataFrame({"ward_code": ["X1"]}))


def test_map_args_align_values_with_the_outlines():
    geometry = mp.encode_geometry(_two_wards())
    # values in another order, one ward missing, one extra ward, a NaN
    values = pd.DataFrame(
        {
            "ward_code": ["X9", "X2"],
            "fill": ["#000000", "#bd0026"],
            "ward_name": ["Z", "B <b>"],
            "rate": [1.0, float("nan")],
            "count": [3, 7],
        }
    )
    snapshot = values.copy()
    args = maps.map_args(
        geometry,
        values,
        "fill",
        [("ward_name", "Ward"), ("rate", "Rate"), ("count", "Count")],
        {"name": "Top", "ward_codes": ["X2"]},
        legend="<b>x</b>",
    )
    pd.testing.assert_frame_equal(values, snapshot)
    assert args["codes"] == ["X1", "X2"]
    assert args["fill"] == [mp.NO_DATA_COLOUR, "#bd0026"]
    assert args["values"] == [[None, None, None], ["B <b>", None, 7]]  # text stays text
    assert args["fields"] == [["ward_name", "Ward"], ["rate", "Rate"], ["count", "Count"]]
    assert args["overlay"] == {"name": "Top", "codes": ["X2"]}
    assert args["geometry"] == geometry.encoded and args["geometry_key"] == geometry.key
    assert args["tiles"] is None
    json.dumps(args, allow_nan=False)  # JSON as it is


def test_map_args_reject_bad_input():
    geometry = mp.encode_geometry(_two_wards())
    values = pd.DataFrame({"ward_code": ["X1"], "fill": ["#ffffff"]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['rate'\]"):
        maps.map_args(geometry, values, "fill", [("rate", "Rate")])
    with pytest.raises(ValueError, match="#rrggbb"):
        maps.map_args(geometry, values.assign(fill="red"), "fill")
    with pytest.raises(ValueError, match="ward_codes"):
        maps.map_args(geometry, values, "fill", overlay={"name": "x"})
    with pytest.raises(ValueError, match="base_tiles"):
        maps.map_args(geometry, values, "fill", base_tiles="Google")


def test_map_data_is_the_cached_layers_plus_the_runs_style():
    geometry = mp.encode_geometry(_two_wards())
    values = pd.DataFrame(
        {"ward_code": ["X2", "X1"], "fill": ["#bd0026", "#ffffb2"], "ward_name": ["Bryn Ŵy", "A"]}
    )
    layers = maps.map_layers(geometry, values, [("ward_name", "Ward")])
    style = maps.map_style(geometry, values, "fill", legend="<b>x</b>", height=400)
    assert set(json.loads(layers)) == {
        "geometry",
        "geometry_key",
        "bounds",
        "codes",
        "fields",
        "values",
    }
    assert set(style) == {
        "fill",
        "overlay",
        "legend",
        "tiles",
        "height",
        "classes",
        "class_labels",
        "text",
        "skip_to",
        "focus",
    }
    assert style["classes"] is None and style["skip_to"] is None and style["focus"] is None
    assert json.loads(layers)["values"] == [["A"], ["Bryn Ŵy"]]  # in the outlines' order
    assert style["fill"] == ["#ffffb2", "#bd0026"]
    data = json.loads(maps.map_data(layers, style))
    assert data == {**json.loads(layers), **style}
    assert data == maps.map_args(
        geometry, values, "fill", [("ward_name", "Ward")], legend="<b>x</b>", height=400
    )
    assert maps.map_data(layers, {}) == layers
    with pytest.raises(ValueError, match="repeat the layers' keys \\['codes'\\]"):
        maps.map_data(layers, {"codes": []})
    with pytest.raises(ValueError, match="JSON object text"):
        maps.map_data("[1, 2]", style)


def test_tooltip_frame_suppresses_small_numbers_for_partners():
    from hotspots.access.disclosure import DisclosureRule

    table = pd.DataFrame(
        {
            "ward_code": ["A", "B", "C"],
            "sv_count": [2, 40, 0],
            "drugs_count": [12, 3, 0],
            "population": [5000, 8000, 0],
            "rate": [0.4, 5.0, float("nan")],
            "sv_rate_smoothed": [1.234, 4.567, 0.5],
        }
    )
    before = table.copy()
    analyst = mp.tooltip_frame(table, "Violence rate per 1,000 (smoothed)")
    assert analyst["value"].tolist() == [1.2, 4.6, 0.5]  # one decimal, as the lists show
    assert analyst["sv_count"].tolist() == [2, 40, 0]
    rule = DisclosureRule()
    partner = mp.tooltip_frame(table, "Violence rate per 1,000 (smoothed)", rule)
    pd.testing.assert_frame_equal(table, before)
    assert partner["sv_count"].tolist() == [rule.mark, 40, 0]
    assert partner["drugs_count"].tolist() == [12, rule.mark, 0]
    assert partner["rate"].tolist()[:2] == [rule.mark, 5.0]
    assert partner["rate"].isna().tolist()[2]  # no residents: no rate
    assert set(partner["value"]) == {"shown by colour"}  # smoothed values only as colour
    counts = mp.tooltip_frame(table.assign(drugs_count=[12, 3, 0]), "Drug offences (count)", rule)
    assert counts["value"].tolist() == [12, rule.mark, 0]
    assert mp.tooltip_fields("Drug offences (count)")[-1] == ("value", "Drug offences (count)")
    with pytest.raises(ValueError, match="unknown indicator 'Rate'; choose from"):
        mp.tooltip_frame(table, "Rate")
    with pytest.raises(ValueError, match=r"no column\(s\) \['score'\]"):
        mp.tooltip_frame(table, "Hotspot score")


def test_map_file_opens_without_a_server():
    m = mf.ward_map(
        _small_geojson(),
        "fill",
        [("Low", "#ffffb2"), ("High", "#bd0026")],
        [("ward_name", "Ward")],
        legend_title="Rate",
    )
    page = mf.map_html(m, inline_leaflet=True)
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page) == []
    leaflet = (ROOT / "static" / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    assert leaflet[:300] in page  # Leaflet itself, inside the page
    assert page.count("<script>") >= 1 and "ward-map-legend" in page


# --------------------------------------------------------------------------------------
# GeoJSON, display geometry on hand-made shapes
# --------------------------------------------------------------------------------------


def test_to_geojson_ships_only_display_properties():
    frame = gpd.GeoDataFrame(
        {
            "ward_code": ["X1", "X2"],
            "ward_name": ["A", None],
            "rate": [1.23456, np.nan],
            "n": np.array([3, 4], dtype=np.int64),
            "secret": ["s", "t"],
            "n_na": pd.array([1, None], dtype="Int64"),
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    before = frame.copy()
    out = mp.to_geojson(frame, ["rate", "ward_name", "n", "n_na"], float_decimals=2)
    first, second = (f["properties"] for f in out["features"])
    assert list(first) == ["ward_code", "rate", "ward_name", "n", "n_na"]
    assert first == {"ward_code": "X1", "rate": 1.23, "ward_name": "A", "n": 3, "n_na": 1}
    assert second["rate"] is None and second["ward_name"] is None and second["n_na"] is None
    assert set(out["features"][0]) == {"type", "properties", "geometry"}
    json.dumps(out, allow_nan=False)
    pd.testing.assert_frame_equal(frame, before)
    with pytest.raises(ValueError, match="EPSG:4326"):
        mp.to_geojson(frame.to_crs("EPSG:27700"), ["rate"])
    with pytest.raises(ValueError, match="no column"):
        mp.to_geojson(frame, ["missing"])


def _grid(n: int = 3, size: float = 1000.0) -> gpd.GeoDataFrame:
    cells = [
        box(
            300_000 + x * size,
            200_000 + y * size,
            300_000 + (x + 1) * size,
            200_000 + (y + 1) * size,
        )
        for y in range(n)
        for x in range(n)
    ]
    return gpd.GeoDataFrame(
        {"ward_code": [f"X{i}" for i in range(n * n)]}, geometry=cells, crs="EPSG:27700"
    )


def test_display_geometry_cleans_an_overlapping_coverage():
    wards = _grid(2)
    shifted = shapely.affinity.translate(wards.geometry.iloc[1], xoff=-5.0)
    wards = wards.set_geometry(wards.geometry.where(wards.index != 1, shifted))
    out = mp.display_geometry(wards)
    assert out.attrs["simplification"] == "cleaned coverage"
    assert shapely.coverage_is_valid(np.asarray(out.geometry.array))


def test_display_geometry_falls_back_per_polygon(monkeypatch):
    wards = _grid(2)
    wards = wards.set_geometry(wards.geometry.buffer(10))  # overlapping
    monkeypatch.setattr(
        shapely,
        "coverage_clean",
        lambda g, **k: (_ for _ in ()).throw(shapely.errors.GEOSException()),
    )
    with pytest.warns(UserWarning, match="slivers"):
        out = mp.display_geometry(wards)
    assert out.attrs["simplification"] == "per polygon"
    assert len(out) == 4


def test_display_geometry_validates():
    with pytest.raises(TypeError):
        mp.display_geometry(pd.DataFrame({"ward_code": ["a"]}))
    with pytest.raises(ValueError, match="ward_code"):
        mp.display_geometry(_grid().rename(columns={"ward_code": "code"}))
    with pytest.raises(ValueError, match="tolerance_m"):
        mp.display_geometry(_grid(), -1)
    no_crs = _grid()
    no_crs = no_crs.set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match="CRS"):
        mp.display_geometry(no_crs)


# --------------------------------------------------------------------------------------
# Classes and colours
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", list(mp.SCHEMES))
def test_classify_numeric_schemes(scheme):
    values = pd.Series(np.random.default_rng(3).gamma(2.0, 5.0, 120), index=range(10, 130))
    values.iloc[5] = np.nan
    bins, labels, index = mp.classify(values, scheme, 5)
    assert len(bins) == len(labels) and 2 <= len(bins) <= 5
    assert list(bins) == sorted(bins) and bins[-1] == values.max()
    assert index.index.equals(values.index) and index.iloc[5] == -1
    assert set(index.drop(values.index[5])) <= set(range(len(bins)))
    assert labels[0].startswith(f"{values.min():,.1f}")


@pytest.mark.slow
def test_fisher_jenks_matches_mapclassify_and_natural_breaks_is_repeatable():
    y = np.random.default_rng(11).lognormal(2.0, 0.7, 90)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mapclassify.FisherJenks(y, k=6).bins
    got = mp.classify(pd.Series(y), "Fisher-Jenks", 6).bins
    np.testing.assert_allclose(got, expected)
    state = np.random.get_state()[1].copy()
    a = mp.classify(pd.Series(y), "Natural breaks", 5)
    b = mp.classify(pd.Series(y), "Natural breaks", 5)
    assert a.bins == b.bins
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_classify_edge_cases():
    few = mp.classify(pd.Series([1, 1, 2, 2, 3]), "Quantiles", 5)  # k falls to 3
    assert few.labels == ("1", "2", "3") and few.class_index.tolist() == [0, 0, 1, 1, 2]
    counts = mp.classify(pd.Series(range(0, 40)), "Equal interval", 4)
    assert counts.labels == ("0 – 9", "10 – 19", "20 – 29", "30 – 39")
    assert mp.classify(pd.Series([4.0, 4.0]), "Equal interval", 5).labels == ("4",)
    empty = mp.classify(pd.Series([np.nan, None], dtype=float), "Quantiles", 5)
    assert empty.bins == () and empty.class_index.tolist() == [-1, -1]
    std = mp.classify(pd.Series(np.r_[np.zeros(50), np.arange(50.0)]), "Std. mean", 5)
    assert min(np.bincount(std.class_index)) > 0  # no empty class below the minimum
    with pytest.raises(ValueError, match="unknown scheme"):
        mp.classify(pd.Series([1.0]), "Jenks", 5)
    with pytest.raises(ValueError, match="k must"):
        mp.classify(pd.Series([1.0]), "Quantiles", 12)
    with pytest.raises(TypeError, match="Categories"):
        mp.classify(pd.Series(["a"]), "Quantiles", 5)


def test_classify_categories_gi_classes():
    values = pd.Series(["Not significant", "Hot spot 99%", None, "Cold spot 95%"])
    bins, labels, index = mp.classify(values, mp.CATEGORIES, categories=_GI)
    assert labels == _GI and index.tolist() == [3, 0, -1, 5]
    colours = mp.category_colours(_GI)
    assert list(colours) == list(_GI)
    assert colours["Hot spot 99%"] == "#b2182b" and colours["Cold spot 99%"] == "#2166ac"
    assert colours["Not significant"] == "#f7f7f7"
    fills = mp.fill_colours(index, colours)
    assert fills == ["#f7f7f7", "#b2182b", mp.NO_DATA_COLOUR, "#67a9cf"]
    assert mp.legend_entries(mp.Classification(bins, labels, index), colours)[-1] == (
        mp.NO_DATA_LABEL,
        mp.NO_DATA_COLOUR,
    )
    with pytest.raises(ValueError, match="not among"):
        mp.classify(pd.Series(["Hot spot 98%"]), mp.CATEGORIES, categories=_GI)


def test_palettes_are_colorbrewer():
    import importlib.resources

    schemes = json.loads(importlib.resources.files("branca").joinpath("_schemes.json").read_text())
    for table in (mp.SEQUENTIAL, mp.DIVERGING):
        for name, by_k in table.items():
            for k, colours in by_k.items():
                assert [c.lower() for c in schemes[f"{name}_{k:02d}"]] == list(colours)
    assert mp.palette("Blues", 2) == ("#deebf7", "#3182bd")
    with pytest.raises(ValueError):
        mp.palette("Viridis", 5)
    with pytest.raises(ValueError, match="no colour"):
        mp.fill_colours([0, 3], mp.palette("Blues", 3))


def test_top_wards():
    frame = pd.DataFrame({"ward_code": ["b", "a", "c", "d"], "drugs_count": [5, 5, 0, 9]})
    assert mp.top_wards(frame, "drugs_count", 3) == ["d", "a", "b"]
    assert mp.top_wards(frame, "drugs_count", 10) == ["d", "a", "b"]  # zero is not a hot spot


@pytest.mark.parametrize("decimals", [None, 0, 2])
def test_display_values_are_json_ready_for_every_dtype(decimals):
    frame = pd.DataFrame(
        {
            "f": [1.234567, np.nan, np.inf, 2.0],
            "i": pd.array([1, None, 3, 4], dtype="Int64"),
            "j": np.array([1, 2, 3, 4]),
            "s": pd.array(["a", None, "c", "<b>"], dtype="string"),
            "o": ["x", None, 3, float("nan")],
            "b": [True, False, True, False],
        }
    )
    rows = mp.display_values(frame, list(frame.columns), float_decimals=decimals)
    f0 = {None: 1.234567, 0: 1, 2: 1.23}[decimals]
    assert rows == [
        [f0, 1, 1, "a", "x", True],
        [None, None, 2, None, None, False],
        [None, 3, 3, "c", 3, True],
        [2.0 if decimals != 0 else 2, 4, 4, "<b>", None, False],
    ]
    assert [type(v) for v in rows[0]] == [type(f0), int, int, str, str, bool]
    json.dumps(rows, allow_nan=False)


def test_fisher_jenks_whole_matrix_and_column_blocks_agree(monkeypatch):
    y = np.random.default_rng(5).gamma(2.0, 3.0, 762)
    from hotspots.outputs import map_classes

    whole = map_classes._fisher_jenks_bins(y, 5)
    monkeypatch.setattr(map_classes, "_FJ_WHOLE_MAX", 0)  # the UK's 8,482 wards take this path
    np.testing.assert_array_equal(map_classes._fisher_jenks_bins(y, 5), whole)


def test_mapped_values_show_values_with_units_classes_and_partner_marks():
    from hotspots.access.disclosure import DisclosureRule
    from hotspots.outputs.map_values import mapped_values, value_text

    table = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3"],
            "ward_name": ["Bôn-y-maen", "Aber", EVIL],
            "sv_count": [3, 12, 40],
            "drugs_count": [0, 1, 2],
            "population": [1000, 2000, 0],
            "rate": [3.0, 6.0, None],
            "sv_rate_smoothed": [12.345, 4.0, None],
            "dep_share_20": [0.5729, 0.0, 1.0],
        }
    )
    rate = "Violence rate per 1,000 (smoothed)"
    shown = value_text(mp.tooltip_frame(table, rate), rate).tolist()
    assert shown == ["12.3 per 1,000 residents", "4.0 per 1,000 residents", "No data"]
    dep = "Deprivation: residents in the most deprived 20%"
    assert value_text(mp.tooltip_frame(table, dep), dep).tolist() == [
        "57.3% of residents",
        "0.0% of residents",
        "100.0% of residents",
    ]
    # A partner sees the marks and "shown by colour", never the hidden numbers.
    rule = DisclosureRule(5)
    count = "Violence (count)"
    partner = mp.tooltip_frame(table, count, rule)
    assert value_text(partner, count).tolist() == [rule.mark, "12", "40"]
    smoothed = value_text(mp.tooltip_frame(table, rate, rule), rate).tolist()
    assert smoothed == ["shown by colour"] * 3
    rows = mapped_values(partner, count, ("0 – 9", "10 – 40"), [0, 1, -1])
    assert rows.columns.tolist() == ["ward_code", "ward_name", "value_text", "class_label"]
    assert rows["ward_name"].tolist() == sorted([EVIL, "Aber", "Bôn-y-maen"])
    assert dict(zip(rows["ward_code"], rows["class_label"], strict=True)) == {
        "W1": "0 – 9",
        "W2": "10 – 40",
        "W3": "No data",
    }
    with pytest.raises(ValueError, match="class_index has 2 items for 3 wards"):
        mapped_values(partner, count, ("a",), [0, 0])
    page = maps.values_table_html(
        rows,
        caption="Values",
        headers=("Ward", "Value", "Class"),
        link_query={"area": "dyfed-powys", "ward": "OLD"},
        table_id="t",
    )
    assert page.count("<tr>") == 4 and re.search(r'<th scope="col"[^>]*>Ward</th>', page)
    assert "profile?area=dyfed-powys&amp;ward=W1" in page and "OLD" not in page
    assert "<script>" not in page and html.escape(EVIL) in page


# --------------------------------------------------------------------------------------
# Base map, ward search, Welsh names, the downloadable file's words
# --------------------------------------------------------------------------------------


def test_basemap_is_off_unless_configured_and_checked():
    from hotspots.errors import InputError
    from hotspots.outputs.basemap import Basemap, basemap_from_env, describe_basemap

    assert basemap_from_env({}) is None and basemap_from_env({"HOTSPOTS_BASEMAP_URL": " "}) is None
    env = {
        "HOTSPOTS_BASEMAP_URL": "https://tiles.example.gov.uk/{z}/{x}/{y}.png",
        "HOTSPOTS_BASEMAP_ATTRIBUTION": "© Crown copyright",
    }
    got = basemap_from_env(env)
    assert got == Basemap(env["HOTSPOTS_BASEMAP_URL"], "© Crown copyright", "tiles.example.gov.uk")
    assert basemap_from_env({**env, "HOTSPOTS_BASEMAP_NAME": "OS Maps"}).name == "OS Maps"
    with pytest.raises(InputError, match=r"has no \{x\}, \{y\}"):
        basemap_from_env({**env, "HOTSPOTS_BASEMAP_URL": "https://t.example/{z}.png"})
    with pytest.raises(InputError, match="is not an http"):
        basemap_from_env({**env, "HOTSPOTS_BASEMAP_URL": "file:///{z}/{x}/{y}"})
    with pytest.raises(InputError, match="HOTSPOTS_BASEMAP_ATTRIBUTION"):
        basemap_from_env({"HOTSPOTS_BASEMAP_URL": env["HOTSPOTS_BASEMAP_URL"]})
    assert describe_basemap(None).startswith("Base map: none.")
    assert describe_basemap(None, "cy").startswith("Map sylfaen: dim.")
    assert "tiles from tiles.example.gov.uk" in describe_basemap(got)
    # The component shows it (switched on, attribution as text); none by default.
    geometry = mp.encode_geometry(_values_frame())
    fill = pd.DataFrame({"ward_code": ["X1", "X2"], "fill": ["#ffffb2", "#bd0026"]})
    assert maps.map_style(geometry, fill)["tiles"] is None
    evil = Basemap(env["HOTSPOTS_BASEMAP_URL"], "<img src=x onerror=alert(1)>", "OS")
    tiles = maps.map_style(geometry, fill, basemap=evil)["tiles"]
    assert tiles["on"] is True and "<img" not in tiles["attribution"]


def _values_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "ward_code": ["X1", "X2"],
            "ward_name": ["Castle", "Sketty"],
            "local_authority_code": ["W06000011", "W06000011"],
            "local_authority_name": ["Swansea", "Swansea"],
        },
        geometry=[box(-3.0, 52.0, -2.9, 52.1), box(-2.9, 52.0, -2.8, 52.1)],
        crs="EPSG:4326",
    )


def test_area_outlines_dissolve_wards_by_council():
    from hotspots.outputs.map_geometry import area_outlines

    areas = area_outlines(_values_frame(), "local_authority_code", "local_authority_name")
    assert areas["local_authority_code"].tolist() == ["W06000011"]
    assert areas.geometry.iloc[0].equals(box(-3.0, 52.0, -2.8, 52.1))
    assert areas.geometry.iloc[0].contains(areas["label_point"].iloc[0])
    with pytest.raises(ValueError, match="no column 'lad'"):
        area_outlines(_values_frame(), "lad")


def test_ward_search_and_names_in_welsh_from_the_real_lookup():
    from hotspots.io.lookups import load_lsoa21_ward
    from hotspots.outputs.map_search import in_language, search_labels, welsh_names

    path = SHARED / "lookups" / "lsoa21_to_ward22_to_lad22_wales.csv"
    if not path.exists():
        pytest.skip(SKIP_SHARED)
    ward_cy, council_cy = welsh_names(load_lsoa21_ward(path))
    assert len(council_cy) == 22 and council_cy["W06000011"] == "Abertawe"
    assert council_cy["W06000015"] == "Caerdydd"
    frame = _values_frame().assign(
        ward_code=["W05001041", "W05001058"], ward_name=["Castle", "Pen-clawdd"]
    )
    assert ward_cy["W05001041"] == "Y Castell" and ward_cy["W05001058"] == "Pen-clawdd"
    en = search_labels(frame, ward_cy, council_cy, "en")
    assert en == {"W05001041": "Castle / Y Castell (Swansea)", "W05001058": "Pen-clawdd (Swansea)"}
    cy = search_labels(frame, ward_cy, council_cy, "cy")
    assert cy == {
        "W05001058": "Pen-clawdd (Abertawe)",
        "W05001041": "Y Castell / Castle (Abertawe)",
    }
    assert list(cy) == ["W05001058", "W05001041"]  # sorted by the text shown
    welsh = in_language(frame, ward_cy, council_cy, "cy")
    assert welsh["ward_name"].iloc[0] == "Y Castell"
    assert welsh["local_authority_name"].tolist() == ["Abertawe", "Abertawe"]
    assert in_language(frame, ward_cy, council_cy, "en") is frame


def test_map_file_carries_title_period_definition_legend_source_licence():
    from hotspots.outputs.map_file import file_notes, map_file_html
    from hotspots.outputs.pack import ATTRIBUTION

    shapes = _values_frame()
    table = pd.DataFrame(
        {
            "ward_code": ["X1", "X2"],
            "ward_name": ["Castle", "Sketty"],
            "local_authority_name": ["Swansea", "Swansea"],
            "sv_count": [12, 3],
            "drugs_count": [1, 0],
            "population": [1000, 900],
            "rate": [12.0, 3.3],
            "rank_text": ["1", "2"],
        }
    )
    cls = mp.classify(table["sv_count"], "Quantiles", 2)
    colours = mp.palette("YlOrRd", len(cls.labels))
    fill = table[["ward_code"]].assign(fill=mp.fill_colours(cls.class_index, colours))
    meta = {
        "area": "south-wales",
        "period": "2018-10 to 2019-02",
        "data_cut_off": "2019-02",
        "definition_title": "police.uk open data (proxy)",
        "proxy": True,
        "months_not_loaded": ["2018-12"],
    }
    overlay = {"name": "Drug offences: top 12 wards", "ward_codes": ["X1"]}
    notes = file_notes(meta, "Violence (count)")
    assert notes[:4] == [
        "Violence (count) — south-wales",
        "Period 2018-10 to 2019-02; data up to 2019-02",
        "Definition: police.uk open data (proxy) — PROXY",
        "Months not loaded (gaps, not zeros): 2018-12",
    ]
    assert notes[-1] == f"Source and licence: {ATTRIBUTION}"
    page = map_file_html(table, fill, cls, colours, overlay, shapes, meta, "Violence (count)")
    assert "<title>Violence (count) — south-wales</title>" in page
    assert '<html lang="en">' in page and "PROXY" in page and "Open Government Licence" in page
    head = page[page.index('class="hotspots-notes"') :]
    assert "ward-map-legend" not in page  # the legend is above the map, not a map control
    assert all(label in head for label in cls.labels) and "Drug offences: top 12 wards" in head
    cy = map_file_html(
        table, fill, cls, colours, overlay, shapes, meta, "Violence (count)", lang="cy"
    )
    assert '<html lang="cy">' in cy and "<title>Trais (nifer) — south-wales</title>" in cy
    assert "Diffiniad: police.uk open data (proxy) — PROCSI" in cy
    assert "Troseddau cyffuriau: y 12 ward uchaf" in cy and "Ffynhonnell a thrwydded" in cy
    # The page gives the area in words: the title names the force, never its key.
    named = {**meta, "area_label": "Heddlu De Cymru"}
    assert file_notes(named, "Violence (count)", lang="cy")[0] == "Trais (nifer) — Heddlu De Cymru"
    assert "south-wales" not in "".join(file_notes(named, "Violence (count)", lang="cy"))


def test_welsh_catalogue_covers_the_map_and_is_marked_for_review():
    from babel.messages.pofile import read_po

    path = ROOT / "hotspots" / "locale" / "cy" / "LC_MESSAGES" / "map.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    entries = [m for m in catalog if m.id]
    assert len(entries) >= 40 and all(m.string for m in entries)
    assert all(m.fuzzy for m in entries)
    ids = {m.id for m in entries}
    assert set(mp.MAP_INDICATORS) <= ids
    for src in ("pages/map.py", "hotspots/outputs/map_file.py", "hotspots/outputs/basemap.py"):
        text = (ROOT / src).read_text(encoding="utf-8")
        for m in re.finditer(r'\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', text):
            msg = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace("\\'", "'")
            assert msg in ids, (src, msg)
