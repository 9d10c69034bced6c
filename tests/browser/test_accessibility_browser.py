"""Accessibility in a real browser: axe-core's WCAG 2.0/2.1/2.2 A and AA rules find no
violation on any page, for an analyst and a partner, in English and Welsh; each page has
its own title and says its language.

The dashboard runs on the demo region with an analyst (alice) and a partner (bob).
axe-core is injected from disk (tests/a11y_support.py): nothing is fetched at test time.
"""

from __future__ import annotations

import json

import pytest

from tests.a11y_support import describe, run_axe
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    local_only,
    need_chromium,
    open_idle,
    outside,
    running_app,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"alice": "analyst-pass-1", "bob": "partner-pass-1"}
ROLES = {"analyst": "alice", "partner": "bob"}
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
def app(tmp_path_factory, demo_store):
    need_chromium()
    from hotspots.access.accounts import add_user

    tmp = tmp_path_factory.mktemp("a11y-app")
    accounts = tmp / "accounts.toml"
    for name, role in (("alice", "analyst"), ("bob", "partner")):
        add_user(accounts, name, role, PASSWORDS[name], rounds=4)
    env = {
        "HOTSPOTS_ACCOUNTS": str(accounts),
        "HOTSPOTS_AUDIT_LOG": str(tmp / "audit.jsonl"),
        "HOTSPOTS_DATA_DIR": str(demo_store.root),
    }
    with running_app(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def signed_in(browser, app):
    """One browser context per role, signed in once (the sign-in cookie holds for every
    address opened in it afterwards)."""
    contexts, requests = {}, []
    for role, name in ROLES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    settle(page)


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
        page.get_by_label("Password", exact=True).wait_for()
        found = run_axe(page)
        record("login", "-", lang, found)
        assert found["violations"] == [], describe(found["violations"])
    finally:
        context.close()
