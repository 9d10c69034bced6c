"""Ward lists, the statement before sign-in, and small screens, in a real browser.

- The ward lists are real tables: each ward's name is a link to its profile that keeps
  the language and the selection; on a phone (390 px) rank, ward and rate are in view
  without scrolling sideways, and the page itself never scrolls sideways.
- The login page links to the accessibility statement (both languages), which opens
  without an account; axe-core finds no WCAG A/AA violation on either, signed out.
- In a window 320 px wide and at 200 % zoom (640 × 450 at device scale 2), on every page:
  nothing scrolls the page sideways, no text is clipped (a chart's labels and titles
  included), nothing focusable lies outside the window sideways, and a ward table's
  headings and caption stay in view while it scrolls.

The dashboard runs on the demo region with an analyst (alice) and a partner (bob).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.a11y_support import describe, run_axe
from tests.browser.test_accessibility_browser import PAGES, PASSWORDS, settle
from tests.browser_support import (
    app_with_accounts,
    chromium,
    loaded,
    local_only,
    outside,
    sign_in,
)
from tests.conftest import DEMO_QUERY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERY = urlencode(DEMO_QUERY)
SIZES = {
    "320px": ({"width": 320, "height": 800}, 1),
    "200%": ({"width": 640, "height": 450}, 2),
}

#: Elements whose own text is cut: their content is wider (or taller) than their box and
#: the overflow is hidden or clipped, outside a region meant to scroll.
JS_CLIPPED = """() => [...document.querySelectorAll('body *')].filter(e => {
  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own) return false;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (s.visibility === 'hidden' || s.display === 'none' || r.width <= 1 || r.height <= 1)
    return false;  // hidden, or shown only when focused (the skip link)
  if (/(hidden|clip)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1) return true;
  if (/(hidden|clip)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 2
      && s.position !== 'absolute') return true;
  return false;
}).filter(e => !e.closest('[data-testid=stSidebar][data-collapsed=true], .leaflet-container,'
  + ' [data-baseweb=popover], [data-testid=stTooltipContent]'))
  .map(e => e.tagName + ' ' + (e.closest('[data-testid]')?.dataset.testid || '') + ': '
  + e.textContent.trim().slice(0, 50))"""

#: Focusable elements (links, buttons, inputs) lying outside the window sideways, except
#: inside a region that scrolls sideways itself (a ward table) or a collapsed sidebar.
JS_OFF_SIDEWAYS = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (!r.width || !r.height || s.visibility === 'hidden') return false;
    if (e.closest('[data-testid=stSidebar][data-collapsed=true], .leaflet-container')) return false;
    let p = e.parentElement;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.scrollWidth > p.clientWidth) return false;
      p = p.parentElement;
    }
    if (r.left >= -1 && r.right <= window.innerWidth + 1) return false;
    // A skip link is off screen until it has the focus: judge it focused.
    e.focus({preventScroll: true});
    const f = e.getBoundingClientRect();
    e.blur();
    return f.left < -1 || f.right > window.innerWidth + 1;
  }).map(e => e.tagName + ' ' + (e.innerText || e.getAttribute('aria-label') || '').slice(0, 40))"""

#: Chart texts (axis labels and titles) shortened with "…" or cut at the chart's edge.
JS_CHART_CUT = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg')]
  .flatMap(svg => { const b = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter(t => {
      const r = t.getBoundingClientRect(), s = t.textContent.trim();
      // (a glyph's box is a little wider than its ink: 3 px allowed)
      return s && (s.endsWith('…') || r.left < b.left - 3 || r.right > b.right + 3);
    }).map(t => t.textContent.trim().slice(0, 40)); })"""

#: The width the page scrolls sideways by (0 when it does not).
JS_SIDEWAYS = """() => Math.max(...[document.documentElement,
  ...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]
  .map(e => e.scrollWidth - e.clientWidth))"""


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_store):
    with app_with_accounts(tmp_path_factory.mktemp("lists-app"), demo_store.root, PASSWORDS) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _context(browser, viewport, scale=1):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    context.set_default_timeout(60_000)
    context.requests = []
    local_only(context, context.requests)
    return context


# ------------------------------------------------------------------ before sign-in


@pytest.mark.parametrize(
    ("lang", "link", "title"),
    [
        ("en", "Accessibility statement", "Accessibility statement"),
        ("cy", "Datganiad hygyrchedd", "Datganiad hygyrchedd"),
    ],
)
def test_statement_is_reachable_before_sign_in(browser, app, lang, link, title):
    from playwright.sync_api import expect

    context = _context(browser, {"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{app}/?lang={lang}")
        loaded(page, lang)
        page.locator("input[type=password]").wait_for()
        found = run_axe(page)
        assert found["violations"] == [], "login: " + describe(found["violations"])
        anchor = page.get_by_role("link", name=link, exact=True)
        expect(anchor).to_be_visible()
        anchor.click()
        page.wait_for_url(re.compile(r"/accessibility\b"))
        loaded(page, lang)
        assert (f"lang={lang}" in page.url) == (lang == "cy")
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        # The statement, and nothing else: no login form, no data, no page menu.
        assert page.locator("input[type=password]").count() == 0
        for test_id in ("stDataFrame", "stDownloadButton", "stPageLink", "stSidebarNav"):
            assert page.get_by_test_id(test_id).count() == 0, test_id
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
        found = run_axe(page)
        assert found["violations"] == [], "statement: " + describe(found["violations"])
        # Back to the login, in the same language.
        page.get_by_role("link", name="Mewngofnodi" if lang == "cy" else "Sign in").click()
        settle(page)
        page.locator("input[type=password]").wait_for()
        # Any other page still needs an account.
        for path in ("hotspots", "profile?ward=X05000021", "data", "method"):
            page.goto(f"{app}/{path}")
            loaded(page, "en")
            page.locator("input[type=password]").wait_for()
            assert page.locator(".ward-table").count() == 0, path
            assert page.get_by_role("heading", name=title).count() == 0, path
    finally:
        context.close()
    assert outside(context.requests) == []


# ------------------------------------------------------------------ the ward lists


@pytest.mark.parametrize("role", ["analyst", "partner"])
def test_ward_list_on_a_phone_links_to_profiles(browser, app, role):
    name = {"analyst": "alice", "partner": "bob"}[role]
    context = _context(browser, {"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{app}/?lang=en")  # the login's labels in English
        loaded(page, "en")
        sign_in(page, name, PASSWORDS[name])
        page.goto(f"{app}/hotspots?{QUERY}&lang=cy")
        loaded(page, "cy")
        region = page.locator("#hotspot-list-table")
        region.wait_for(timeout=120_000)  # the list is ranked first (a slow machine)
        region.scroll_into_view_if_needed()
        heads = region.evaluate(
            """r => [...r.querySelectorAll('th[scope=col]')].slice(0, 3).map(th => {
                const b = th.getBoundingClientRect();
                return [th.dataset.col, b.left, b.right]; })"""
        )
        assert [h[0] for h in heads] == ["rank", "ward_name", "sv_rate"]
        assert all(left >= 0 and right <= 390 for _c, left, right in heads), heads
        assert page.evaluate(JS_SIDEWAYS) <= 0  # the page never scrolls sideways
        # The rest of the table is reached by scrolling the region itself.
        assert region.evaluate("r => r.scrollWidth > r.clientWidth")
        # Every row's ward is a link to its profile keeping the language and selection.
        rows = region.locator("tbody tr")
        links = region.locator("tbody th[scope=row] a")
        assert links.count() == rows.count() >= 10
        first = links.first
        ward = first.inner_text().strip()
        href = first.get_attribute("href")
        assert "lang=cy" in href and "area=cantre-gwaelod" in href and "from=2024-01" in href
        first.click()
        page.wait_for_url(re.compile(r"/profile\?.*ward=X05\d{6}"))
        loaded(page, "cy")
        assert "lang=cy" in page.url and "from=2024-01" in page.url
        assert page.get_by_test_id("stHeading").filter(has_text=ward).count() >= 1
        # The profile's neighbouring wards are links too.
        assert page.locator("#neighbours-table tbody th a[href*='ward=']").count() >= 1
    finally:
        context.close()
    assert outside(context.requests) == []


# ------------------------------------------------------------------ small screens


JS_WIDE_CHART_UNREACHABLE = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .filter(c => c.tabIndex !== 0 || c.getAttribute('role') !== 'region'
                 || !c.getAttribute('aria-label'))
    .map(c => c.scrollWidth + '/' + c.clientWidth)"""


@pytest.mark.parametrize("size", list(SIZES))
def test_small_screens_nothing_cut_or_out_of_reach(browser, app, size):
    viewport, scale = SIZES[size]
    context = _context(browser, viewport, scale)
    problems = []
    try:
        page = context.new_page()
        page.goto(f"{app}/?lang=en")  # the login's labels in English
        loaded(page, "en")
        sign_in(page, "alice", PASSWORDS["alice"])
        for lang in ("en", "cy"):
            for name, path in PAGES.items():
                page.goto(f"{app}/{path}?{QUERY}&lang={lang}")
                loaded(page, lang)
                where = f"{size} {lang} /{path or name}"
                sideways = page.evaluate(JS_SIDEWAYS)
                if sideways > 0:
                    problems.append(f"{where}: the page scrolls sideways by {sideways}px")
                if clipped := page.evaluate(JS_CLIPPED):
                    problems.append(f"{where}: text clipped: {clipped[:5]}")
                if cut := page.evaluate(JS_CHART_CUT):
                    problems.append(f"{where}: chart text cut: {cut[:5]}")
                if off := page.evaluate(JS_OFF_SIDEWAYS):
                    problems.append(f"{where}: focusable outside the window: {off[:5]}")
                # A chart wider than its box scrolls in it: a named region the keyboard
                # can reach (Tab) and scroll (arrow keys).
                if stuck := page.evaluate(JS_WIDE_CHART_UNREACHABLE):
                    problems.append(f"{where}: a wide chart the keyboard cannot scroll: {stuck}")
                # The ward tables' headings stay in view when the region scrolls down.
                for region in page.locator(".ward-table[role=region]").all():
                    moved = region.evaluate(
                        """r => { if (r.scrollHeight <= r.clientHeight + 4) return null;
                          r.scrollTop = r.scrollHeight;
                          const h = r.querySelector('thead th').getBoundingClientRect(),
                                b = r.getBoundingClientRect();
                          const ok = h.top >= b.top - 1 && h.bottom <= b.bottom;
                          r.scrollTop = 0; return ok; }"""
                    )
                    if moved is False:
                        problems.append(f"{where}: a table's headings scroll out of view")
                    # Its caption is read whole, even when the table is wider than the
                    # window (it stays at the region's left edge, wrapped).
                    cut = region.evaluate(
                        """r => { r.scrollLeft = r.scrollWidth;
                          const c = r.querySelector('caption span').getBoundingClientRect(),
                                b = r.getBoundingClientRect();
                          const ok = c.left >= b.left - 1 && c.right <= b.right + 1;
                          r.scrollLeft = 0; return !ok; }"""
                    )
                    if cut:
                        problems.append(f"{where}: a table's caption is cut")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
