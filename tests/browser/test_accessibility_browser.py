"""Accessibility in a real browser: axe-core's WCAG 2.0/2.1/2.2 A and AA rules find no
violation on any page, for an analyst and a partner, in English and Welsh; each page has
its own title and says its language.

The dashboard runs on the demo region with an analyst (alice) and a partner (bob).
axe-core is injected from disk (tests/a11y_support.py): nothing is fetched at test time.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.a11y_support import describe, run_axe
from tests.browser_support import (
    ARTIFACTS,
    IDLE,
    chromium,
    loaded,
    local_only,
    open_idle,
    outside,
    sidebar_at_rest,
    sign_in,
)
from tests.conftest import APP_PASSWORDS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = APP_PASSWORDS
ROLES = {"analyst": "alice", "partner": "bob"}
#: The signed-in windows' size.
VIEWPORT = {"width": 1280, "height": 900}
#: Every page: (address path, the English page title, the Welsh one).
PAGES = {
    "home": "",
    "map": "map",
    "hotspots": "hotspots",
    "profile": "profile",
    "pack": "pack",
    "data": "data",
    "method": "method",
    "accessibility": "accessibility",
}


@pytest.fixture(scope="module")
def app(accounts_app):
    """The dashboard with alice and bob (tests/conftest.py; shared by the browser tests)."""
    return accounts_app


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def signed_in(browser, app):
    """One browser context per role, signed in once (the sign-in cookie holds for every
    address opened in it afterwards)."""
    contexts, requests = {}, []
    for role, name in ROLES.items():
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(60_000)
        local_only(context, requests)
        page = context.new_page()
        open_idle(page, app)
        sign_in(page, name, PASSWORDS[name])
        contexts[role] = page
    yield contexts
    for page in contexts.values():
        page.context.close()
    assert outside(requests) == [], outside(requests)


def settle(page) -> None:
    """Wait until the page's runs are over (the map page runs twice on a first visit)."""
    from playwright.sync_api import expect

    for _ in range(2):
        expect(page.locator(IDLE)).to_have_count(1)
        page.wait_for_timeout(700)
    expect(page.locator(IDLE)).to_have_count(1)
    exc = page.get_by_test_id("stException")
    assert exc.count() == 0, exc.first.inner_text()


def record(name: str, role: str, lang: str, found: dict) -> None:
    """Add the page's violation counts to test-artifacts/axe-summary.jsonl."""
    ARTIFACTS.mkdir(exist_ok=True)
    line = {
        "page": name,
        "role": role,
        "lang": lang,
        "axe": found["version"],
        "violations": {v["id"]: len(v["nodes"]) for v in found["violations"]},
    }
    with (ARTIFACTS / "axe-summary.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def open_page(page, app: str, path: str, lang: str) -> None:
    page.goto(f"{app}/{path}?lang={lang}")
    loaded(page, lang)


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(signed_in, app, role, name, lang):
    page = signed_in[role]
    open_page(page, app, PAGES[name], lang)
    found = run_axe(page)
    record(name, role, lang, found)
    if found["violations"]:
        page.screenshot(path=str(ARTIFACTS / f"axe-{name}-{role}-{lang}.png"), full_page=True)
    assert found["violations"] == [], (
        f"axe-core {found['version']} on /{PAGES[name]} ({role}, {lang}):\n"
        + describe(found["violations"])
    )


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_login_page_has_no_axe_violations(browser, app, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        open_page(page, app, "", lang)
        page.locator("input[type=password]").wait_for()  # the form, in either language
        found = run_axe(page)
        record("login", "-", lang, found)
        assert found["violations"] == [], describe(found["violations"])
    finally:
        context.close()


#: Each page's title in the navigation (the browser tab shows "<title> – <product>").
TITLES = {
    "home": "Home",
    "map": "Map",
    "hotspots": "Hotspot list",
    "profile": "Ward profile",
    "pack": "Monthly pack",
    "data": "Data",
    "method": "Method",
    "accessibility": "Accessibility",
}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_each_page_has_its_own_title_and_says_its_language(signed_in, app, lang):
    from hotspots.i18n import translator

    t = translator(lang)
    page = signed_in["analyst"]
    seen = {}
    for name, path in PAGES.items():
        open_page(page, app, path, lang)
        want = t("{page} – {product}").format(
            page=t(TITLES[name]), product=t("Serious violence hotspots")
        )
        assert page.title() == want, (name, page.title())
        page.wait_for_function(
            "lang => document.documentElement.lang === lang", arg=lang, timeout=15_000
        )
        seen[name] = page.title()
    assert len(set(seen.values())) == len(PAGES), seen
    if lang == "cy":
        assert seen["accessibility"] == "Hygyrchedd – Mannau problemus trais difrifol"


#: A cell of a table's hidden accessible copy holding a raw value: more than two
#: decimals, or a bare true/false.
RAW = re.compile(r"\d\.\d{3,}|^(true|false)$")


@pytest.mark.parametrize("role", list(ROLES))
def test_tables_give_assistive_technology_the_values_shown(signed_in, app, role):
    page = signed_in[role]
    for path in ("hotspots", "pack", "profile"):
        open_page(page, app, path, "en")
        tables = page.locator(".ward-table table")
        assert tables.count(), path
        cells = page.evaluate(
            "() => [...document.querySelectorAll('.ward-table tbody td, "
            ".ward-table tbody th')].map(c => c.textContent)"
        )
        assert len(cells) > 10, (path, cells)
        assert [c for c in cells if RAW.search(c) or re.search(r"\b(None|nan|NaN)\b", c)] == []
        # Every row's heading is its ward, a link to the ward's profile.
        rows = page.locator(".ward-table tbody tr")
        links = page.locator(".ward-table tbody th[scope=row] a[href*='ward=']")
        assert links.count() == rows.count() > 0, path
        assert re.match(r"/?profile\?", links.first.get_attribute("href"))
        if path == "hotspots":
            heads = page.locator(".ward-table").first.locator("th[scope=col]")
            assert heads.count() > 5
            shares = page.evaluate(
                "() => { const t = document.querySelector('#hotspot-list-table table');"
                " const i = [...t.querySelectorAll('th[scope=col]')]"
                ".findIndex(h => h.dataset.col === 'dep_share_20');"
                " return [...t.querySelectorAll('tbody tr')]"
                ".map(r => r.children[i].textContent); }"
            )
            assert all(re.fullmatch(r"\d{1,3}\.\d%|—", c) for c in shares), shares
            assert len([c for c in shares if c != "—"]) > 10


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def lum(c):
        v = [x / 255 for x in c[:3]]
        v = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in v]
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def test_sidebar_page_links_show_focus_at_3_to_1(signed_in, app):
    page = signed_in["analyst"]
    open_page(page, app, "method", "en")
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.dataset.testid,"
            " !!document.activeElement.closest('[data-testid=stSidebar]')]"
        )
        if focused == ["stPageLink-NavLink", True]:  # the dashboard's own page menu
            break
    else:
        raise AssertionError("no sidebar page link reached with Tab")
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
        let bg = 'rgba(0, 0, 0, 0)', e = document.activeElement.parentElement;
        while (e && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
          bg = getComputedStyle(e).backgroundColor; e = e.parentElement; }
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                color: s.outlineColor, bg}; }"""
    )
    assert style["style"] == "solid" and style["width"] >= 2, style
    assert _contrast(_rgb(style["color"]), _rgb(style["bg"])) >= 3, style


def test_collapsed_sidebar_holds_no_tab_stop(browser, app):
    """At 320 px the sidebar starts collapsed: Tab never lands in it."""
    from tests.a11y_support import JS_FOCUS, focus_problem

    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        open_idle(page, f"{app}/?lang=en")
        sign_in(page, "alice", PASSWORDS["alice"])
        settle(page)
        assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"
        inside = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stSidebar] a, "
            "[data-testid=stSidebar] button, [data-testid=stSidebar] input')].length"
        )
        assert inside >= 11  # the page links, the select boxes, help and log out
        for i in range(25):
            page.keyboard.press("Tab")
            box = page.evaluate(JS_FOCUS)
            assert box is None or focus_problem(box) is None, (i, focus_problem(box))
    finally:
        context.close()


#: Text cut with an ellipsis: elements showing "…" because their text does not fit.
JS_CUT = """() => [...document.querySelectorAll('body *')].filter(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.textOverflow === 'ellipsis' && s.visibility !== 'hidden' && r.width > 0
    && e.scrollWidth > e.clientWidth + 1 && e.innerText.trim();
}).map(e => e.innerText.slice(0, 60))"""


@pytest.mark.parametrize("width", [320, 640, 900])
def test_no_label_is_cut_with_an_ellipsis(signed_in, app, width):
    """At 320 px (sidebar opened), 640 px (200 % of 1280) and 900 px (200 % of 1800): the
    analyst's signed-in window made that wide (each page opened anew at that width)."""
    page = signed_in["analyst"]
    page.set_viewport_size({"width": width, "height": 700})
    try:
        for path in ("", "map", "hotspots", "profile", "pack", "data"):
            open_page(page, app, path, "en")
            button = page.get_by_test_id("stExpandSidebarButton")
            if button.count() and button.is_visible():
                button.click()
                sidebar_at_rest(page, collapsed=False)
            assert page.evaluate(JS_CUT) == [], (path, width)
    finally:
        page.set_viewport_size(VIEWPORT)
