"""The dashboard in a real browser (Debian's Chromium) on the real shared data.

Dyfed-Powys, 2018-10..2019-02: the map draws 204 wards, South Wales 203; a click opens the
ward's profile; the CSV download equals the command line's; no request leaves 127.0.0.1;
a screenshot of every page is saved in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from hotspots.cli import main
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    JS_WARD_AT,
    MAP,
    POLYGONS,
    download,
    local_only,
    need_chromium,
    outside,
    running_app,
    wait_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERY = "area=dyfed-powys&period=range&from=2018-10&to=2019-02&def=police-uk-proxy"


@pytest.fixture(scope="module")
def app_url(real_store):
    need_chromium()
    with running_app(
        {
            "HOTSPOTS_DATA_DIR": str(real_store.root),
            "HOTSPOTS_ACCOUNTS": str(real_store.root / "no-accounts.toml"),
        }
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    need_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    local_only(context, requests)
    pg = context.new_page()
    pg.requests = requests
    yield pg
    assert outside(requests) == [], outside(requests)
    context.close()


def _polygons(page):
    return page.locator(POLYGONS)


def test_map_counts_wards_and_switches_area(page, app_url):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/map?{QUERY}")
    wait_ready(page)
    expect(_polygons(page)).to_have_count(204, timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-map.png"), full_page=True)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="South Wales Police", exact=True).click()
    wait_ready(page)
    expect(_polygons(page)).to_have_count(203, timeout=60_000)
    assert "area=south-wales" in page.url


#: Injected before the page loads: when the first polygon and the first select box of the
#: page appeared (performance.now()).
JS_FIRST_SEEN = """
(() => {
  const seen = window.__firstSeen = {};
  new MutationObserver(() => {
    if (!seen.polygon && document.querySelector('path.leaflet-interactive'))
      seen.polygon = performance.now();
    if (!seen.selectbox && document.querySelector('[data-testid="stSelectbox"]'))
      seen.selectbox = performance.now();
  }).observe(document, {subtree: true, childList: true});
})();
"""


def test_first_visit_draws_the_map_then_adds_the_controls_around_it(page, app_url):
    """A fresh visit to the map: the map is drawn before any widget appears (the browser
    has loaded no widget's script yet), then the controls arrive and the same map stays —
    not rebuilt, same wards, no second drawing."""
    from playwright.sync_api import expect

    page.add_init_script(JS_FIRST_SEEN)
    page.goto(f"{app_url}/map?{QUERY}")
    expect(_polygons(page)).to_have_count(204, timeout=60_000)
    page.evaluate("() => { window.map.__firstMap = true; }")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_test_id("stSelectbox")).to_have_count(5, timeout=60_000)
    wait_ready(page)
    seen = page.evaluate("window.__firstSeen")
    assert seen["polygon"] < seen["selectbox"], seen
    assert page.evaluate("() => window.map.__firstMap === true"), "the map was rebuilt"
    expect(_polygons(page)).to_have_count(204)
    assert page.locator(MAP).count() == 1
    expect(
        page.get_by_test_id("stToggle").or_(page.get_by_test_id("stCheckbox")).first
    ).to_be_visible()
    assert page.get_by_text("Loading the controls").count() == 0
    # Leaflet was fetched once for the page, whatever the runs.
    fetched = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => "
        "e.name.endsWith('/leaflet/leaflet.js')).map(e => e.initiatorType)"
    )
    assert fetched == ["script"], fetched


def test_map_address_opens_the_map_every_time(page, app_url):
    """/map?… is the map on every visit (not only the first after the server starts), and
    the home page is served at the root."""
    from playwright.sync_api import expect

    for _ in range(2):
        page.goto(f"{app_url}/map?{QUERY}")
        wait_ready(page)
        expect(page.get_by_test_id("stHeading").filter(has_text="Map").first).to_be_visible()
        assert page.get_by_text("Page not found").count() == 0
        expect(_polygons(page)).to_have_count(204, timeout=60_000)
    page.goto(f"{app_url}/?{QUERY}")
    wait_ready(page)
    expect(
        page.get_by_test_id("stHeading").filter(has_text="Serious violence hotspots").first
    ).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "page-home.png"), full_page=True)


def test_map_file_download_opens_offline(page, app_url, tmp_path):
    """ "Download this map" gives one HTML file that draws the 204 wards from disk, with
    nothing fetched from anywhere (Leaflet is inside the file)."""
    from playwright.sync_api import expect

    page.goto(f"{app_url}/map?{QUERY}")
    wait_ready(page)
    expect(_polygons(page)).to_have_count(204, timeout=60_000)
    with page.expect_download(timeout=60_000) as d:
        page.get_by_test_id("stDownloadButton").filter(has_text="Download this map").click()
    path = tmp_path / d.value.suggested_filename
    assert path.suffix == ".html"
    d.value.save_as(path)
    before = len(page.requests)
    page.goto(path.as_uri())
    expect(page.locator("path.leaflet-interactive")).to_have_count(204, timeout=30_000)
    assert [u for u in page.requests[before:] if not u.startswith("file:")] == []
    assert "dyfed-powys" in path.name


def test_click_opens_profile(page, app_url, real_store):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/map?{QUERY}")
    wait_ready(page)
    expect(_polygons(page)).to_have_count(204, timeout=60_000)
    page.wait_for_function("() => window.map !== undefined")
    page.locator(MAP).scroll_into_view_if_needed()
    x, y, code = page.evaluate(JS_WARD_AT)
    wanted = re.compile(rf"/profile\?.*ward={code}")
    for _ in range(3):  # under load the first click can land while the map still settles
        page.mouse.click(x, y)
        try:
            expect(page).to_have_url(wanted, timeout=30_000)
            break
        except AssertionError:
            continue
    expect(page).to_have_url(wanted, timeout=30_000)
    wait_ready(page)
    wards = real_store.geography().wards
    name = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))[code]
    expect(page.get_by_test_id("stHeading").filter(has_text=name).first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "page-profile.png"), full_page=True)


def test_csv_download_equals_cli(page, app_url, real_store, tmp_path):
    page.goto(f"{app_url}/hotspots?{QUERY}")
    wait_ready(page)
    with page.expect_download(timeout=60_000) as d:
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
    got = tmp_path / "dashboard.csv"
    d.value.save_as(got)
    want = tmp_path / "cli.csv"
    assert (
        main(
            [
                "--data-dir",
                str(real_store.root),
                "rank",
                "--from",
                "2018-10",
                "--to",
                "2019-02",
                "--area",
                "dyfed-powys",
                "--out",
                str(want),
            ]
        )
        == 0
    )
    assert got.read_bytes() == want.read_bytes()
    page.screenshot(path=str(ARTIFACTS / "page-hotspots.png"), full_page=True)


def test_excel_and_geojson_downloads_are_built_on_click(page, app_url, tmp_path):
    """The Excel and GeoJSON files are made only when clicked; both hold the 204 wards."""
    import json

    from openpyxl import load_workbook

    page.goto(f"{app_url}/hotspots?{QUERY}")
    wait_ready(page)
    excel = download(page, page.get_by_test_id("stDownloadButton").filter(has_text="Excel"))
    assert excel.suggested_filename.endswith(".xlsx")
    excel.save_as(tmp_path / "list.xlsx")
    book = load_workbook(tmp_path / "list.xlsx", read_only=True)
    assert "Method and data" in book.sheetnames
    assert book.worksheets[0].max_row == 1 + 204
    geojson = download(page, page.get_by_test_id("stDownloadButton").filter(has_text="GeoJSON"))
    geojson.save_as(tmp_path / "list.geojson")
    features = json.loads((tmp_path / "list.geojson").read_text())["features"]
    assert len(features) == 204


@pytest.mark.parametrize("path", ["data", "method"])
def test_other_pages_render(page, app_url, path):
    page.goto(f"{app_url}/{path}?{QUERY}")
    wait_ready(page)
    heading = page.get_by_test_id("stHeading").first.inner_text()
    assert heading.strip() == path.capitalize()
    page.screenshot(path=str(ARTIFACTS / f"page-{path}.png"), full_page=True)


def test_pack_pdf_lists_top_n(page, app_url, real_store, tmp_path):
    import io

    from pypdf import PdfReader

    from hotspots.outputs.pack import assemble_pack
    from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data
    from hotspots.stats.ranking import rank_settings
    from hotspots.store.ward_data import Selection, load_ward_data

    page.goto(f"{app_url}/pack?{QUERY}")
    wait_ready(page)
    with page.expect_download(timeout=90_000) as d:
        page.get_by_test_id("stDownloadButton").filter(has_text="Download PDF").click()
    path = tmp_path / "pack.pdf"
    d.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "February 2019" in text and "PROXY" in text

    data = load_ward_data(real_store, Selection("2018-10", "2019-02", "dyfed-powys"))
    result = analyse_ward_data(data, AnalysisSettings())
    pack = assemble_pack(data, result, "2019-02", top_n=12, ranking=rank_settings())
    top = list(pack.rows["ward_name"])
    assert len(top) == 12
    flat = " ".join(text.split())
    missing = [n for n in top if " ".join(n.split()) not in flat]
    assert missing == [], missing
    listed = (
        set(top)
        | set(pack.persistent["ward_name"])
        | set(pack.new_entrants["ward_name"])
        | set(pack.left_out["ward_name"])
    )  # "high violence, not in the top 12"
    for note in (pack.metadata.get("wards_counted_with") or {}).values():
        listed |= {n for n in data.counts["ward_name"] if n in note}  # "counted with WARD"
    others = [
        n
        for n in data.counts["ward_name"]
        if n not in listed and len(n) > 6 and f" {n} " in f" {flat} "
    ]
    assert others == [], others
    page.screenshot(path=str(ARTIFACTS / "page-pack.png"), full_page=True)
