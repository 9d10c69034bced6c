"""Keyboard only: an analyst's monthly routine and a partner's route to a ward's profile,
driven with nothing but key presses after each page loads, in a window 320 px wide and at
200 % zoom; after every key press the focused element is on screen (inside the viewport,
with a size).

200 % zoom is a 640 × 450 CSS-pixel viewport drawn at device scale factor 2: what a
1280 × 900 window shows at 200 % (the same layout, breakpoints and text sizes).
"""

from __future__ import annotations

import re

import pytest

from tests.a11y_support import JS_FOCUS, focus_problem
from tests.browser.test_accessibility_browser import PASSWORDS, settle
from tests.browser_support import (
    ARTIFACTS,
    JS_COUNT_RUNS,
    chromium,
    loaded,
    local_only,
    open_idle,
    outside,
    runs,
    settled_after,
    sidebar_at_rest,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: name → (viewport, device scale factor)
#: :data:`JS_FOCUS` once the browser has drawn the next frame after a key press (the
#: focus has moved and anything it scrolled is in place).
JS_FOCUS_NEXT_FRAME = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>"
    f" done(({JS_FOCUS})()))))"
)
SIZES = {
    "320px": ({"width": 320, "height": 640}, 1),
    "200%": ({"width": 640, "height": 450}, 2),
}


@pytest.fixture(scope="module")
def app(accounts_app):
    """The dashboard with alice and bob (tests/conftest.py; shared by the browser tests)."""
    return accounts_app


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Keyboard:
    """Key presses that check, after each, that the focus is visible on screen."""

    def __init__(self, page, where: str):
        self.page, self.where, self.log = page, where, []

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        box = self.page.evaluate(JS_FOCUS_NEXT_FRAME)
        problem = focus_problem(box)
        if box is not None and problem:
            # A key that starts a run (Enter on a select box) moves the page while the run
            # redraws it: judge the focus where it comes to rest, once the run is over.
            settle(self.page)
            box = self.page.evaluate(JS_FOCUS)
            problem = focus_problem(box)
        self.log.append((key, box and f"{box['testid']} {box['label'][:30]!r}"))
        # The document itself (nothing else) has focus right after a page or a run starts.
        if box is not None and problem:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / f"keyboard-{self.where}.png"))
            raise AssertionError(
                f"{self.where}: after {key!r} the focus is not visible: {problem}; "
                f"last keys: {self.log[-8:]}"
            )
        return box

    def follow(self, key: str, url) -> None:
        """Press ``key`` on a link that loads a new document (an HTML link, not a page
        link), wait for ``url`` and the page's run: no focus to check in between."""
        self.page.keyboard.press(key)
        self.log.append((key, "(follows the link)"))
        self.page.wait_for_url(url)
        loaded(self.page, None)

    def focused(self, js_test: str) -> bool:
        """Whether the focused element (through shadow roots) passes ``js_test``."""
        return self.page.evaluate(
            "t => { let el = document.activeElement; "
            "while (el && el.shadowRoot && el.shadowRoot.activeElement) "
            "el = el.shadowRoot.activeElement; "
            "return !!el && (new Function('el', 'return ' + t))(el); }",
            js_test,
        )

    def tab_to(self, js_test: str, what: str, limit: int = 120, back: bool = False) -> None:
        """Press Tab (Shift+Tab with ``back``) until the focused element passes
        ``js_test`` (a JavaScript expression of ``el``)."""
        for _ in range(limit):
            self.press("Shift+Tab" if back else "Tab")
            if self.focused(js_test):
                return
        raise AssertionError(f"{self.where}: {what} not reached in {limit} Tabs: {self.log[-8:]}")

    def open_sidebar(self) -> None:
        """Open the sidebar if it is collapsed (narrow windows)."""
        if self.page.get_by_test_id("stExpandSidebarButton").count() == 0:
            return
        if self.page.get_by_test_id("stSidebar").get_attribute("data-collapsed") != "true":
            return
        self.tab_to("el.dataset.testid === 'stExpandSidebarButton'", "the sidebar's button")
        self.press("Enter")
        sidebar_at_rest(self.page, collapsed=False)

    def close_sidebar(self) -> None:
        """Close the sidebar where it covers the page (narrow windows)."""
        button = self.page.get_by_test_id("stExpandSidebarButton")
        if button.count() == 0 or not self.page.evaluate("window.innerWidth < 768"):
            return
        if self.page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":
            return
        self.tab_to(
            "el.getAttribute('aria-label') === 'Collapse sidebar' || "
            "el.closest('[data-testid=stSidebarCollapseButton]') !== null",
            "the sidebar's close button",
            back=True,
        )
        self.press("Enter")
        sidebar_at_rest(self.page, collapsed=True)

    def follow_page_link(self, path: str) -> None:
        """Follow a link in the page (which keeps the selection in the address)."""
        self.close_sidebar()
        self.tab_to(
            f"el.dataset.testid === 'stPageLink-NavLink' && "
            f"new URL(el.href).pathname.endsWith('/{path}')",
            f"the page's link to /{path}",
        )
        before = runs(self.page)
        self.press("Enter")
        self.page.wait_for_url(re.compile(rf"/{path}\b"))
        settled_after(self.page, before)

    def go_to_page(self, path: str) -> None:
        """Follow the page menu's link to ``/path`` (at the top of the sidebar, opened
        first where it is collapsed) and wait for the page's run."""
        self.open_sidebar()
        self.tab_to(
            f"el.dataset.testid === 'stPageLink-NavLink' && "
            f"el.closest('[data-testid=stSidebar]') !== null && "
            f"new URL(el.href).pathname.endsWith('/{path}')",
            f"the page menu's link to /{path}",
        )
        before = runs(self.page)
        self.press("Enter")
        self.page.wait_for_url(re.compile(rf"/{path}\b"))
        settled_after(self.page, before)


def _sign_in(page, name: str, lang: str) -> None:
    """Fill the login form, whose labels are in the page's language, and wait for the run
    it starts to finish (the mouse and the form's fill: the keyboard starts after login)."""
    from playwright.sync_api import expect

    from hotspots.i18n import translator
    from tests.browser_support import IDLE, session_cookie

    _ = translator(lang)
    page.get_by_label(_("User name")).fill(name)
    page.get_by_label(_("Password"), exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name=_("Sign in")).click()
    expect(page.locator(IDLE)).to_have_count(1)
    session_cookie(page.context)


def _context(browser, size: str, requests: list[str]):
    viewport, scale = SIZES[size]
    context = browser.new_context(
        viewport=viewport, device_scale_factor=scale, accept_downloads=True
    )
    context.set_default_timeout(60_000)
    context.add_init_script(JS_COUNT_RUNS)
    local_only(context, requests)
    return context


def _choose_next_option(keys: Keyboard, index: int, what: str) -> None:
    """Focus the ``index``-th select box of the sidebar and choose its next option."""
    keys.open_sidebar()
    keys.tab_to(
        "el.tagName === 'INPUT' && [...document.querySelectorAll("
        "'[data-testid=stSidebar] [data-testid=stSelectbox] input')]"
        f".indexOf(el) === {index}",
        what,
    )
    keys.press("ArrowDown")  # opens the list on the chosen option
    keys.press("ArrowDown")
    before = runs(keys.page)
    keys.press("Enter")
    settled_after(keys.page, before)


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("size", list(SIZES))
def test_analyst_monthly_routine_by_keyboard(browser, app, size, lang, tmp_path):
    """Area and period → Hotspot list → a ward's profile → Monthly pack → its PDF."""
    requests: list[str] = []
    context = _context(browser, size, requests)
    try:
        page = context.new_page()
        open_idle(page, f"{app}/?lang={lang}")
        _sign_in(page, "alice", lang)
        loaded(page, lang)
        keys = Keyboard(page, f"analyst-{size}-{lang}")
        area = re.search(r"area=([^&]+)", page.url).group(1)
        _choose_next_option(keys, 0, "the Area select box")
        assert re.search(r"area=([^&]+)", page.url).group(1) != area
        _choose_next_option(keys, 1, "the Period select box")
        period = re.search(r"period=([^&]+)", page.url).group(1)
        assert period != "rolling12"

        # The home page's links keep the selection (as the page menu's do).
        keys.follow_page_link("hotspots")
        assert f"period={period}" in page.url
        keys.tab_to(
            "el.tagName === 'A' && el.closest('.ward-table') !== null && el.href.includes('ward=')",
            "the first ward's profile link (in the list)",
        )
        ward = page.evaluate("new URL(document.activeElement.href).searchParams.get('ward')")
        name = page.evaluate("document.activeElement.innerText.trim()")
        page.keyboard.press("Enter")  # a link that loads the profile: no focus to judge yet
        page.wait_for_url(re.compile(rf"/profile\?.*ward={ward}"))
        loaded(page, lang)
        assert page.get_by_test_id("stHeading").filter(has_text=name).count() >= 1
        assert f"period={period}" in page.url  # the selection followed

        keys.go_to_page("pack")
        assert f"period={period}" in page.url  # the page menu kept the selection
        keys.close_sidebar()
        keys.tab_to(
            "el.tagName === 'BUTTON' && el.closest('[data-testid=stDownloadButton]')",
            "the pack's first download (PDF)",
        )
        with page.expect_download() as d:
            keys.press("Enter")
        path = tmp_path / d.value.suggested_filename
        d.value.save_as(path)
        assert path.suffix == ".pdf" and path.read_bytes()[:5] == b"%PDF-"
        assert outside(requests) == [], outside(requests)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("size", list(SIZES))
def test_partner_route_to_a_ward_profile_by_keyboard(browser, app, size, lang):
    """Map page → the map's skip link → the table of mapped values → a ward's profile."""
    requests: list[str] = []
    context = _context(browser, size, requests)
    try:
        page = context.new_page()
        open_idle(page, f"{app}/map?lang={lang}")
        _sign_in(page, "bob", lang)
        loaded(page, lang)
        page.locator("#ward-map-table").wait_for()  # the controls' run has added the table
        keys = Keyboard(page, f"partner-{size}-{lang}")
        keys.tab_to("el.classList.contains('ward-map-skip')", "the map's skip link")
        keys.press("Enter")
        assert keys.focused("el.id === 'ward-map-table'"), keys.log[-4:]
        keys.tab_to(
            "el.tagName === 'A' && el.closest('#ward-map-table') !== null && "
            "el.href.includes('ward=')",
            "the first ward's profile link in the map's table",
            limit=5,
        )
        ward = page.evaluate("new URL(document.activeElement.href).searchParams.get('ward')")
        name = page.evaluate("document.activeElement.innerText.trim()")
        keys.follow("Enter", re.compile(rf"/profile\?.*ward={ward}"))
        # The language followed (English, the default, is left out of the address).
        assert ("lang=cy" in page.url) == (lang == "cy"), page.url
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.get_by_test_id("stHeading").filter(has_text=name).count() >= 1
        # The profile's own controls are reachable and visible too.
        keys.tab_to(
            "el.tagName === 'INPUT' && el.closest('[data-testid=stMain]')",
            "the profile's ward chooser",
        )
        assert outside(requests) == [], outside(requests)
    finally:
        context.close()
