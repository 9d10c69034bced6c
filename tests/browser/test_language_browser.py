"""Welsh and English in a real browser (Debian's Chromium), on the demo region with
accounts: the login form in the address's language, and no page file names before it;
the language toggle kept in the address (``?lang=cy``) across pages; and a phone's
screen (390×844), where the area, the period and the language are reached without
opening the sidebar and the hotspot list shows rank, ward and rate without scrolling
sideways. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    local_only,
    outside,
    session_cookie,
)
from tests.conftest import APP_PASSWORDS, DEMO_QUERY

pytestmark = pytest.mark.browser

PASSWORDS = APP_PASSWORDS
QUERY = urlencode(DEMO_QUERY)
#: Records whether Streamlit's page menu (which lists the pages folder's file names)
#: ever appears, from the very first paint.
WATCH_NAV = """
window.__navSeen = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll('[data-testid="stSidebarNav"], '
       + '[data-testid="stSidebarNavItems"], [data-testid="stSidebarNavLink"]')) {
    window.__navSeen.push(el.innerText);
  }
}).observe(document, {subtree: true, childList: true});
"""


@pytest.fixture(scope="module")
def app(accounts_app):
    """The dashboard with alice and bob (tests/conftest.py; shared by the browser tests)."""
    return accounts_app


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser, width=1400, height=1000, mobile=False):
    requests: list[str] = []
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=mobile,
        has_touch=mobile,
        accept_downloads=True,
    )
    local_only(context, requests)
    context.add_init_script(WATCH_NAV)
    page = context.new_page()
    page.requests = requests
    return context, page


def _idle(page):
    from playwright.sync_api import expect

    expect(page.locator(IDLE)).to_have_count(1, timeout=120_000)
    page.wait_for_timeout(300)


def _sign_in(page, user="alice", label_user="Enw defnyddiwr", label_pw="Cyfrinair"):
    page.get_by_label(label_user).fill(user)
    page.get_by_label(label_pw, exact=True).fill(PASSWORDS[user])
    page.get_by_role("button", name=re.compile("^(Mewngofnodi|Sign in)$")).click()
    _idle(page)
    session_cookie(page.context)


def _lang(page) -> str | None:
    found = re.search(r"[?&]lang=([a-z]+)", page.url)
    return found.group(1) if found else None


def test_login_in_welsh_then_every_page_keeps_the_language(browser, app):
    from playwright.sync_api import expect

    context, page = _page(browser)
    try:
        page.goto(f"{app}/hotspots?{QUERY}&lang=cy")
        _idle(page)
        # The login form in Welsh, and never the pages folder's file names before it.
        expect(page.get_by_role("heading", name="Mannau problemus trais difrifol")).to_be_visible()
        expect(page.get_by_label("Enw defnyddiwr")).to_be_visible()
        assert page.evaluate("window.__navSeen") == []
        body = page.locator("body").inner_text()
        for name in ("app", "home", "hotspots", "profile"):
            assert not re.search(rf"(?m)^\s*{name}\s*$", body), name
        _sign_in(page)
        expect(page.get_by_role("heading", name="Rhestr mannau problemus")).to_be_visible()
        assert _lang(page) == "cy"
        page.screenshot(path=str(ARTIFACTS / "lang-hotspots-cy.png"), full_page=True)
        # The menu's links keep the language (and the selection).
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("link", name="Dull").click()
        _idle(page)
        expect(page.get_by_role("heading", name="Dull", exact=True)).to_be_visible()
        assert _lang(page) == "cy" and "area=cantre-gwaelod" in page.url
        sidebar.get_by_role("link", name="Proffil ward").click()
        _idle(page)
        assert _lang(page) == "cy"
        expect(sidebar.get_by_text("Ardal", exact=True)).to_be_visible()
        # The toggle: English, and the address says so (no lang: the default).
        sidebar.get_by_role("button", name="English").click()
        _idle(page)
        assert _lang(page) is None
        expect(sidebar.get_by_text("Area", exact=True)).to_be_visible()
        sidebar.get_by_role("link", name="Hotspot list").click()
        _idle(page)
        expect(page.get_by_role("heading", name="Hotspot list")).to_be_visible()
        assert _lang(page) is None
        # A shared Welsh link opens in Welsh in a new tab (same sign-in).
        other = context.new_page()
        other.goto(f"{app}/method?{QUERY}&lang=cy")
        _idle(other)
        expect(other.get_by_role("heading", name="Dull", exact=True)).to_be_visible()
        assert page.evaluate("window.__navSeen") == []
    finally:
        context.close()
    assert outside(page.requests) == [], outside(page.requests)


def test_a_phone_reaches_area_period_and_language_without_the_sidebar(browser, app):
    from playwright.sync_api import expect

    context, page = _page(browser, 390, 844, mobile=True)
    try:
        page.goto(f"{app}/?{QUERY}")
        _idle(page)
        assert page.evaluate("window.__navSeen") == []
        _sign_in(page, "bob", "User name", "Password")
        sidebar = page.get_by_test_id("stSidebar")
        # A phone: the sidebar starts closed (off the screen), so all below is in the page.
        closed = "el => el.getBoundingClientRect().right <= 1 || el.offsetWidth === 0"
        assert sidebar.count() == 0 or sidebar.evaluate(closed)
        # The language, from the page itself.
        page.get_by_test_id("stMain").get_by_role("button", name="Cymraeg").click()
        _idle(page)
        assert _lang(page) == "cy"
        expect(page.get_by_role("heading", name="Mannau problemus trais difrifol")).to_be_visible()
        # Area and period: a button above the page, and in it the area.
        bar = page.get_by_role("button", name=re.compile("Heddlu Cantre'r Gwaelod · "))
        expect(bar).to_be_visible()
        assert "Ion 2024 i Rhag 2024" in bar.inner_text()
        bar.click()
        expect(page.get_by_text("Ardal", exact=True).filter(visible=True).first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "lang-phone-bar-cy.png"))
        page.keyboard.press("Escape")
        # The hotspot list: rank, ward and rate in view without scrolling sideways.
        page.goto(f"{app}/hotspots?{QUERY}&lang=cy")
        _idle(page)
        grid = page.locator(".ward-table").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
        page.wait_for_function(
            """() => document.querySelectorAll('.ward-table th[scope=col]').length >= 4""",
            timeout=60_000,
        )
        headers = page.evaluate(
            """() => [...document.querySelectorAll('.ward-table th[scope=col]')]
                 .slice(0, 4).map(th => { const r = th.getBoundingClientRect();
                   return [th.innerText.trim(), r.left, r.right]; })"""
        )
        page.screenshot(path=str(ARTIFACTS / "lang-phone-hotspots-cy.png"), full_page=True)
        shown = {name: right for name, _left, right in headers}
        for name in ("Safle", "Ward", "Fesul 1,000"):
            assert name in shown, headers
            assert shown[name] <= 390, headers
    finally:
        context.close()
    assert outside(page.requests) == [], outside(page.requests)
