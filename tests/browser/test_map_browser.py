"""The offline ward map in a real browser: Leaflet from the app, no request leaves 127.0.0.1.

Starts ``tests/apps/map_app.py`` (the 204 Dyfed-Powys wards) with Streamlit and drives
Debian's Chromium with Playwright (see ../shared/notes/browser-testing.md).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, JS_WARD_AT, MAP, POLYGONS, running_app
from tests.conftest import ROOT, SHARED, SKIP_SHARED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WARDS = SHARED / "boundaries" / "wales_wards_dec2022_bsc.geojson"
ARTIFACTS = ROOT / "test-artifacts"
DYFED_POWYS_WARDS = 204

# In the map frame: the ward layer of a ward code, and the ward under a point.
JS_HOVER = """(code) => {
    let target = null;
    window.map.eachLayer(l => {
        if (l.feature && l._path && l.options.interactive !== false
            && l.feature.properties.ward_code === code) target = l;
    });
    if (!target) return null;
    const c = target.getBounds().getCenter();
    target.fire('mouseover', {latlng: c, layerPoint: window.map.latLngToLayerPoint(c),
                              containerPoint: window.map.latLngToContainerPoint(c)}, true);
    const tip = document.querySelector('.leaflet-tooltip');
    return {text: tip ? tip.textContent : null, imgs: tip ? tip.querySelectorAll('img').length
            : -1, xss: window.__xss === 1};
}"""


@pytest.fixture(scope="module")
def map_app(tmp_path_factory):
    """The test app served from a temporary folder whose ``static`` is the repository's."""
    if not WARDS.exists():
        pytest.skip(SKIP_SHARED)
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("map-app")
    shutil.copy(ROOT / "tests" / "apps" / "map_app.py", folder / "map_app.py")
    (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)
    env = {"HOTSPOTS_ROOT": str(ROOT), "HOTSPOTS_SHARED_DATA": str(SHARED)}
    with running_app(env, folder / "map_app.py") as url:
        yield url


def test_map_renders_offline(map_app):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            context.on("request", lambda r: requests.append(r.url))
            # Anything leaving the machine fails at once (and is recorded above).
            context.route(
                lambda u: urlparse(u).hostname not in ("127.0.0.1", None),
                lambda route: route.abort(),
            )
            page = context.new_page()
            page.goto(map_app)

            ready = page.get_by_text(f"features={DYFED_POWYS_WARDS}")
            ready.or_(page.get_by_test_id("stException")).first.wait_for(timeout=30_000)
            assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id(
                "stException"
            ).first.inner_text()

            # The map is drawn in the page itself (no iframe).
            assert page.locator("iframe").count() == 0
            expect(page.locator(POLYGONS)).to_have_count(DYFED_POWYS_WARDS, timeout=45_000)
            frame = page.locator(MAP)
            expect(frame.locator(".ward-map-legend-box")).to_contain_text("Rate per 1,000")
            # Overlay outlines are drawn but are not interactive (clicks reach the ward).
            assert frame.locator(".leaflet-overlay-pane path").count() == DYFED_POWYS_WARDS + 10

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)

            fills = page.evaluate(
                "() => new Set([...document.querySelectorAll('path.leaflet-interactive')]"
                ".map(p => p.getAttribute('fill'))).size"
            )
            assert fills == 5  # five quantile classes

            # A ward name holding HTML reaches the tooltip as text, and runs nothing.
            first = page.evaluate(
                "() => { let c = []; window.map.eachLayer(l => { if (l.feature && l._path &&"
                " l.options.interactive !== false) c.push(l.feature.properties.ward_code);"
                " }); return c.sort()[0]; }"
            )
            hover = page.evaluate(JS_HOVER, first)
            text = " ".join(hover["text"].split())
            assert text.startswith('Ward <img src=x onerror="window.__xss=1">'), text
            assert hover["imgs"] == 0 and not hover["xss"]

            # A click comes back to the app as the ward code of the clicked polygon.
            frame.scroll_into_view_if_needed()
            x, y, expected = page.evaluate(JS_WARD_AT)
            assert expected.startswith("W05")
            page.mouse.click(x, y)
            expect(page.get_by_text(f"clicked={expected}")).to_be_visible(timeout=15_000)
        finally:
            browser.close()

    outside = [
        u
        for u in requests
        if u.startswith(("http:", "https:", "ws:", "wss:")) and urlparse(u).hostname != "127.0.0.1"
    ]
    assert outside == [], f"requests left 127.0.0.1: {outside[:10]}"
    assert any(u.endswith("/app/static/leaflet/leaflet.js") for u in requests)
    assert any(u.endswith("/app/static/leaflet/leaflet.css") for u in requests)


# --------------------------------------------------------------------------------------
# The dashboard's map page on the real data: keyboard, names, table, legend, contrast
# --------------------------------------------------------------------------------------

DP = "area=dyfed-powys&period=range&from=2018-10&to=2019-02&def=police-uk-proxy"
SW_GI = (
    "area=south-wales&period=range&from=2018-10&to=2019-02&def=police-uk-proxy"
    "&show=Hot+spot+test+%28Gi%2A%29"
)
#: Elements of the map the Tab key stops at (tabindex >= 0 or natively focusable).
#: The ward tooltip (local-authority names are permanent tooltips of their own class).
TIP = ".leaflet-tooltip:not(.ward-map-area-name)"
JS_TAB_STOPS = """() => [...document.querySelectorAll('[data-testid=wardMap] *')].filter(e =>
    (e.matches('a[href], button, input, select, textarea') || e.hasAttribute('tabindex'))
    && e.tabIndex >= 0 && e.getClientRects().length > 0).length"""
JS_ACTIVE = """() => { const e = document.activeElement; if (!e) return null;
    let code = null;
    window.map.eachLayer(l => { if (l._path === e && l.wardCode) code = l.wardCode; });
    const r = e.getBoundingClientRect();
    return {tag: e.tagName, id: e.id, label: e.getAttribute('aria-label'), code: code,
            inMap: !!e.closest('[data-testid=wardMap]'),
            rect: [r.left, r.top, r.right, r.bottom]}; }"""
JS_CENTRE = """(code) => { let c = null; window.map.eachLayer(l => {
    if (l.wardCode === code) { const p = l.getBounds().getCenter(); c = [p.lng, p.lat]; } });
    return c; }"""


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_known_answers():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#f7f7f7", "#f4f4f2") == pytest.approx(1.02, abs=0.01)  # the old problem


@pytest.fixture(scope="module")
def dashboard(real_store):
    from tests.browser_support import need_chromium

    need_chromium()
    with running_app(
        {
            "HOTSPOTS_DATA_DIR": str(real_store.root),
            "HOTSPOTS_ACCOUNTS": str(real_store.root / "no-accounts.toml"),
        }
    ) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open_map(chromium, url, width=1400, height=1000):
    from playwright.sync_api import expect

    from tests.browser_support import local_only, wait_ready

    context = chromium.new_context(viewport={"width": width, "height": height})
    local_only(context, [])
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    expect(page.locator(POLYGONS).first).to_be_attached(timeout=60_000)
    page.wait_for_function("() => window.map !== undefined")
    page.wait_for_timeout(500)
    return page


def test_map_is_one_tab_stop_with_arrow_keys_names_and_a_visible_ring(chromium, dashboard):
    from playwright.sync_api import expect

    page = _open_map(chromium, f"{dashboard}/map?{DP}")
    try:
        expect(page.locator(POLYGONS)).to_have_count(204)
        # Wards: one with tabindex 0, the other 203 with -1 (reachable by the arrow keys).
        tabindex = page.evaluate(
            "() => [...document.querySelectorAll('path.leaflet-interactive')]"
            ".map(p => p.getAttribute('tabindex'))"
        )
        assert tabindex.count("0") == 1 and tabindex.count("-1") == 203
        # Every ward has an accessible name "Ward: value, class"; the SVG has a title.
        names = page.evaluate(
            "() => [...document.querySelectorAll('path.leaflet-interactive')]"
            ".map(p => p.getAttribute('aria-label'))"
        )
        assert all(re.fullmatch(r".+: .+, .+", n) for n in names), names[:3]
        assert sum("per 1,000 residents" in n for n in names) >= 190
        title = page.locator(f"{MAP} .leaflet-overlay-pane svg > title")
        expect(title).to_have_text("Map of wards: Violence rate per 1,000 (smoothed)")
        # Tab from the skip link: the ward, then the map's own controls, then out — no trap.
        page.locator(".ward-map-skip").focus()
        page.keyboard.press("Tab")
        first = page.evaluate(JS_ACTIVE)
        assert first["code"] and first["code"].startswith("W05"), first
        assert first["label"] and first["label"].startswith(first["label"].split(":")[0])
        presses = 1
        while page.evaluate(JS_ACTIVE)["inMap"] and presses < 20:
            page.keyboard.press("Tab")
            presses += 1
        assert presses <= 5, f"{presses} Tab presses to leave the map"
        assert page.evaluate(JS_TAB_STOPS) <= 5
        # ... and a few more reach "Download this map" (the table's links come after it).
        while "Download this map" not in page.evaluate(
            "() => document.activeElement.textContent || ''"
        ):
            page.keyboard.press("Tab")
            presses += 1
            assert presses <= 8, f"{presses} Tab presses from the skip link to the download"
        # Back to the ward; the arrow keys move to the nearest ward that way.
        page.keyboard.press("Shift+Tab")
        while page.evaluate(JS_ACTIVE)["code"] is None:
            page.keyboard.press("Shift+Tab")
        start = page.evaluate(JS_ACTIVE)["code"]
        for key, axis, sign in (("ArrowRight", 0, 1), ("ArrowUp", 1, 1), ("ArrowLeft", 0, -1)):
            before = page.evaluate(JS_CENTRE, page.evaluate(JS_ACTIVE)["code"])
            page.keyboard.press(key)
            now = page.evaluate(JS_ACTIVE)
            assert (now["code"] and now["code"] != start) or key != "ArrowRight", now
            after = page.evaluate(JS_CENTRE, now["code"])
            assert (after[axis] - before[axis]) * sign > 0, (key, before, after)
        # Still one Tab stop: the focused ward now holds tabindex 0.
        assert (
            page.evaluate(
                "() => document.querySelectorAll('path.leaflet-interactive[tabindex=\"0\"]').length"
            )
            == 1
        )
        # The focus ring: black over white (one of them >= 3:1 against any fill), drawn in
        # its own pane; the ward's details are under the map, not over the ward.
        ring = page.evaluate(
            "() => [...document.querySelectorAll('.leaflet-wardFocus-pane path')]"
            ".map(p => [p.getAttribute('stroke'), +p.getAttribute('stroke-width')])"
        )
        assert sorted(ring) == [["#000000", 3.0], ["#ffffff", 7.0]], ring
        fills = set(
            page.evaluate(
                "() => [...document.querySelectorAll('path.leaflet-interactive')]"
                ".map(p => p.getAttribute('fill'))"
            )
        )
        assert all(max(contrast("#000000", f), contrast("#ffffff", f)) >= 3 for f in fills)
        details = page.locator(".ward-map-details")
        expect(details).to_be_visible()
        box = page.locator(f"{MAP} .ward-map").bounding_box()
        assert details.bounding_box()["y"] >= box["y"] + box["height"] - 1
        assert page.locator(TIP).count() == 0
        page.screenshot(path=str(ARTIFACTS / "map-keyboard-focus.png"))
        # Escape closes the details; Enter opens the focused ward's profile.
        page.keyboard.press("Escape")
        expect(details).to_be_hidden()
        code = page.evaluate(JS_ACTIVE)["code"]
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"/profile\?.*ward={code}"), timeout=30_000)
    finally:
        page.context.close()


def test_skip_link_table_and_hover_escape(chromium, dashboard):
    from playwright.sync_api import expect

    page = _open_map(chromium, f"{dashboard}/map?{DP}")
    try:
        # The skip link moves the focus past the map, to the table of its values.
        skip = page.locator(".ward-map-skip")
        expect(skip).to_have_text("Skip the map (to the table of its values)")
        skip.focus()
        expect(skip).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "ward-map-table"
        # The table: one row per ward, value with its unit, class, a link to the profile.
        rows = page.locator("#ward-map-table tbody tr")
        expect(rows).to_have_count(204)
        expect(page.locator("#ward-map-table caption")).to_contain_text("The mapped values")
        first = rows.first
        link = first.get_by_role("link")
        assert re.search(r"profile\?.*ward=W05\d{6}", link.get_attribute("href"))
        assert "area=dyfed-powys" in link.get_attribute("href")
        cells = first.locator("td").all_inner_texts()
        assert re.fullmatch(r"[\d,.]+ per 1,000 residents|No data", cells[0]), cells
        assert cells[1], cells
        # Hovering a ward shows its tooltip; Escape closes it.
        page.locator(MAP).scroll_into_view_if_needed()
        x, y, _code = page.evaluate(JS_WARD_AT)
        page.mouse.move(x, y)
        page.mouse.move(x + 1, y + 1)
        expect(page.locator(TIP)).to_have_count(1)
        page.keyboard.press("Escape")
        expect(page.locator(TIP)).to_have_count(0)
        # A table link opens the profile.
        href = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(re.compile(re.escape(href.split("?")[0]) + r"\?.*ward="))
    finally:
        page.context.close()


def test_south_wales_gi_legend_beside_not_over_and_hot_wards_visible(chromium, dashboard):
    from playwright.sync_api import expect

    for width, height in ((1400, 1000), (390, 844)):
        page = _open_map(chromium, f"{dashboard}/map?{SW_GI}", width, height)
        try:
            expect(page.locator(POLYGONS)).to_have_count(203)
            legend = page.locator(f"{MAP} .ward-map-legend-box")
            expect(legend).to_contain_text("Not significant")
            page.locator(MAP).scroll_into_view_if_needed()
            box = page.locator(f"{MAP} .ward-map").bounding_box()
            lg = legend.bounding_box()
            assert lg["y"] >= box["y"] + box["height"] - 1  # under the map, never over it
            # The hot wards: inside the map's box, and the topmost element at a point in them.
            hot = page.evaluate(
                """() => [...document.querySelectorAll('path.leaflet-interactive')]
                    .filter(p => /Hot spot/.test(p.getAttribute('aria-label')))
                    .map(p => { const r = p.getBoundingClientRect();
                                return [r.left, r.top, r.right, r.bottom]; })"""
            )
            assert len(hot) == 2, hot
            for left, top, right, bottom in hot:
                assert box["x"] <= left and right <= box["x"] + box["width"]
                assert box["y"] <= top and bottom <= box["y"] + box["height"]
            seen = page.evaluate(
                """() => [...document.querySelectorAll('path.leaflet-interactive')]
                    .filter(p => /Hot spot/.test(p.getAttribute('aria-label')))
                    .map(p => { const r = p.getBoundingClientRect();
                      for (let fy = 0.1; fy < 1; fy += 0.1) for (let fx = 0.1; fx < 1; fx += 0.1) {
                        const e = document.elementFromPoint(r.left + r.width * fx,
                                                            r.top + r.height * fy);
                        if (e === p) return true; }
                      return false; })"""
            )
            assert seen == [True, True]
            # "Not significant" wards are bounded by the local-authority outlines, which
            # are >= 3:1 against both the map's background and the ward's fill.
            background = page.evaluate(
                "() => getComputedStyle(document.querySelector('.ward-map')).backgroundColor"
            )
            assert background == "rgb(244, 244, 242)"
            outline = page.evaluate(
                """() => [...document.querySelectorAll('.leaflet-overlay-pane path')]
                    .filter(p => !p.classList.contains('leaflet-interactive')
                                 && !p.getAttribute('stroke-dasharray'))
                    .map(p => [p.getAttribute('stroke'), +p.getAttribute('stroke-width')])"""
            )
            assert outline and all(c == "#1b1b1b" and w >= 1.5 for c, w in outline), outline
            assert contrast("#1b1b1b", "#f4f4f2") >= 3 and contrast("#1b1b1b", "#f7f7f7") >= 3
            page.screenshot(path=str(ARTIFACTS / f"map-south-wales-gi-{width}.png"))
        finally:
            page.context.close()


def test_ward_search_in_either_language_zooms_and_offers_the_profile(chromium, dashboard):
    from playwright.sync_api import expect

    sw = "area=south-wales&period=range&from=2018-10&to=2019-02&def=police-uk-proxy"
    page = _open_map(chromium, f"{dashboard}/map?{sw}&lang=cy")
    try:
        # Local-authority names over the wards, in Welsh (LAD22NMW).
        expect(page.locator(".ward-map-area-name")).to_have_count(7)
        names = page.locator(".ward-map-area-name").all_inner_texts()
        assert {"Abertawe", "Caerdydd", "Pen-y-bont ar Ogwr", "Bro Morgannwg"} <= set(names)
        # No base map unless the operator configures one: no tiles, and the page says so.
        assert page.locator(f"{MAP} .leaflet-tile-pane img").count() == 0
        expect(page.get_by_text("Map sylfaen: dim.")).to_be_visible()
        zoom = page.evaluate("() => window.map.getZoom()")
        search = page.get_by_role("combobox", name=re.compile("Dod o hyd i ward"))
        search.click()
        page.keyboard.type("Castell")
        page.get_by_role("option", name="Y Castell / Castle (Abertawe)").click()
        page.wait_for_function(f"() => window.map.getZoom() > {zoom}", timeout=30_000)
        page.wait_for_function(
            "() => (document.activeElement.getAttribute('aria-label') || '')"
            ".startsWith('Y Castell:')",
            timeout=30_000,
        )
        page.screenshot(path=str(ARTIFACTS / "map-search-cy.png"))
        page.get_by_role("button", name="Agor proffil Y Castell / Castle (Abertawe)").click()
        expect(page).to_have_url(re.compile(r"/profile\?.*ward=W05001041"), timeout=30_000)
    finally:
        page.context.close()
    page = _open_map(chromium, f"{dashboard}/map?{sw}")
    try:
        page.get_by_role("combobox", name=re.compile("Find a ward")).click()
        page.keyboard.type("Y Castell")
        expect(page.get_by_role("option", name="Castle / Y Castell (Swansea)")).to_be_visible()
        expect(page.get_by_text("Base map: none.")).to_be_visible()
    finally:
        page.context.close()


def test_configured_basemap_is_shown_and_named(chromium, real_store):
    """With a tile address set by the operator, tiles are asked of that server only (here
    refused: no network), the layer control names it, and the map and the Method page say
    which base map is in use."""
    from playwright.sync_api import expect

    from tests.browser_support import wait_ready

    env = {
        "HOTSPOTS_DATA_DIR": str(real_store.root),
        "HOTSPOTS_ACCOUNTS": str(real_store.root / "no-accounts.toml"),
        "HOTSPOTS_BASEMAP_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
        "HOTSPOTS_BASEMAP_ATTRIBUTION": "© Example tiles",
        "HOTSPOTS_BASEMAP_NAME": "Example tiles",
    }
    with running_app(env) as url:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        context.route(
            lambda u: urlparse(u).hostname not in ("127.0.0.1", None), lambda r: r.abort()
        )
        page = context.new_page()
        try:
            page.goto(f"{url}/map?{DP}")
            wait_ready(page)
            expect(page.locator(POLYGONS)).to_have_count(204, timeout=60_000)
            expect(page.locator(f"{MAP} .leaflet-control-layers")).to_contain_text("Example tiles")
            expect(
                page.get_by_text("Base map: Example tiles, tiles from tiles.example.org")
            ).to_be_visible()
            page.wait_for_function(
                "() => document.querySelectorAll('.leaflet-tile-pane img').length > 0"
            )
            hosts = {urlparse(u).hostname for u in requests} - {"127.0.0.1", None}
            assert hosts == {"tiles.example.org"}, hosts
            page.goto(f"{url}/method?{DP}")
            wait_ready(page)
            expect(
                page.get_by_text("Base map: Example tiles, tiles from tiles.example.org")
            ).to_be_visible()
        finally:
            context.close()


def test_a_focused_wards_details_come_into_view_on_a_phone(chromium, dashboard):
    """At 320 px the details of the ward the keyboard is on are shown directly under the
    map and brought into the window, as far as the ward itself stays in view."""
    from playwright.sync_api import expect

    page = _open_map(chromium, f"{dashboard}/map?{DP}", width=320, height=800)
    try:
        page.locator(".ward-map-skip").focus()
        page.keyboard.press("Tab")
        ward = page.evaluate(JS_ACTIVE)
        assert ward["code"], ward
        details = page.locator(".ward-map-details")
        expect(details).to_be_visible()
        page.wait_for_timeout(300)
        box = details.bounding_box()
        ward = page.evaluate(JS_ACTIVE)  # after any scrolling
        order = page.evaluate(
            "() => [...document.querySelector('[data-testid=wardMap]').children]"
            ".map(e => e.classList[0])"
        )
        assert order.index("ward-map-details") == order.index("ward-map") + 1, order
        # The details end inside the window, or the window's top is at the ward's top.
        assert box["y"] + box["height"] <= 800 + 1 or 0 <= ward["rect"][1] <= 24, (box, ward)
        assert ward["rect"][1] >= 0, ward  # the ward never scrolled out of the top
        page.screenshot(path=str(ARTIFACTS / "map-keyboard-focus-320.png"))
    finally:
        page.context.close()
