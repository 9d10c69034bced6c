"""The offline ward map in a real browser: Leaflet from the app, no request leaves 127.0.0.1.

Starts ``tests/apps/map_app.py`` (the 204 Dyfed-Powys wards) with Streamlit and drives
Debian's Chromium with Playwright (see ../shared/notes/browser-testing.md).
"""

from __future__ import annotations

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
            expect(frame.locator(".ward-map-legend")).to_contain_text("Rate per 1,000")
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
