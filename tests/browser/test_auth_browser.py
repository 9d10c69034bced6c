"""Access control in a real browser: without a session only the login is served; a partner
cannot reach analyst functions by URL or query; five wrong passwords lock an account.

Starts ``app.py`` with ``HOTSPOTS_ACCOUNTS`` pointing at a temporary accounts file and
drives Debian's Chromium with Playwright (see ../shared/notes/browser-testing.md).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, IDLE, open_idle, running_app, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"alice": "analyst-pass-1", "bob": "partner-pass-1", "carol": "carol-pass-1"}


def _wait(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def app(tmp_path_factory, request):
    """The dashboard with an analyst (alice), a partner (bob) and carol (for lockout)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from hotspots.access.users import add_user
    from hotspots.store.base import Store
    from hotspots.store.location import DEMO_DIR

    tmp = tmp_path_factory.mktemp("auth-app")
    accounts = tmp / "config" / "accounts.toml"
    for name, role in (("alice", "analyst"), ("bob", "partner"), ("carol", "analyst")):
        add_user(accounts, name, role, PASSWORDS[name], rounds=4)
    # An empty store makes the app show the demo region; build one if there is none.
    data_dir = tmp / "store"
    if not Store(DEMO_DIR).sources():
        data_dir = request.getfixturevalue("demo_store").root
    audit = tmp / "audit.log.jsonl"
    env = {
        "HOTSPOTS_ACCOUNTS": str(accounts),
        "HOTSPOTS_AUDIT_LOG": str(audit),
        "HOTSPOTS_DATA_DIR": str(data_dir),
    }
    with running_app(env) as url:
        yield {"url": url, "audit": audit, "accounts": accounts}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # generous: the machine may be busy
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def _audit(app) -> list[dict]:
    from hotspots.access.audit import AuditLog

    return AuditLog(app["audit"]).read()


def test_without_a_session_only_the_login_is_served(app, page):
    from playwright.sync_api import expect

    # First a page address on the fresh server: Streamlit runs pages/*.py directly (not
    # app.py) until the first st.navigation call, which the gate must catch.
    for path in ("/data", "/", "/hotspots", "/profile?ward=W05000001"):
        open_idle(page, app["url"] + path)
        expect(page.get_by_label("User name")).to_be_visible()
        expect(page.get_by_label("Password", exact=True)).to_be_visible()
        for test_id in (
            "stDataFrame",
            "stDownloadButton",
            "stFileUploader",
            "stSidebarNav",
            "stPageLink",
            "stMetric",
            "stVegaLiteChart",
            "stTable",
        ):
            assert page.get_by_test_id(test_id).count() == 0, (path, test_id)
        assert page.get_by_text("Hotspot list").count() == 0
        assert page.get_by_text("Open access").count() == 0


@pytest.mark.parametrize(
    "path", ["/media/anything", "/media/0123456789abcdef.csv", "/media/../app.py"]
)
def test_media_urls_without_a_session(app, path):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(app["url"] + path, timeout=5)
    assert err.value.code in (400, 403, 404)


def test_partner_cannot_reach_uploads_by_url_or_query(app, page):
    from playwright.sync_api import expect

    open_idle(page, app["url"] + "/data?role=analyst&user=alice")
    sign_in(page, "bob", PASSWORDS["bob"])
    expect(page.get_by_text("Signed in as bob (partner)")).to_be_visible()
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    expect(page.get_by_text("This section is for analysts.")).to_be_visible()
    assert page.get_by_test_id("stFileUploader").count() == 0
    assert page.get_by_text("Check and load").count() == 0
    # Other pages are open to partners.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Method").click()
    expect(page.get_by_role("heading", name="Method")).to_be_visible()
    assert any(
        r["action"] == "login" and r["user"] == "bob" and r["role"] == "partner"
        for r in _audit(app)
    )


def test_analyst_sees_uploads_and_logging_out_ends_downloads(app, page):
    from playwright.sync_api import expect

    open_idle(page, app["url"] + "/hotspots")
    sign_in(page, "alice", PASSWORDS["alice"])
    expect(page.get_by_text("Signed in as alice (analyst)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").first.click()
    media = download.value.url
    assert "/media/" in media
    page.get_by_test_id("stSidebar").get_by_role("link", name="Data").click()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()
    assert page.get_by_text("This section is for analysts.").count() == 0

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.locator(IDLE)).to_have_count(1)
    assert page.get_by_test_id("stFileUploader").count() == 0
    # The session's files are gone with its pages.
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(media, timeout=5)
    assert err.value.code == 404
    actions = [(r["user"], r["action"]) for r in _audit(app)]
    assert ("alice", "login") in actions and ("alice", "logout") in actions


def test_five_wrong_passwords_lock_the_account(app, page):
    from playwright.sync_api import expect

    def failures():
        return sum(r["action"] == "login_failed" and r["user"] == "carol" for r in _audit(app))

    open_idle(page, app["url"])
    for i in range(1, 6):
        sign_in(page, "carol", "wrong-password", refused=True)
        _wait(lambda i=i: failures() == i, what=f"failure {i} in the audit log")
        if i < 5:
            expect(page.get_by_text("Wrong user name or password.")).to_be_visible()
    expect(page.get_by_text("this account is locked")).to_be_visible()
    # The right password is refused while the lock lasts.
    sign_in(page, "carol", PASSWORDS["carol"], refused=True)
    _wait(lambda: failures() == 6, what="the refused login in the audit log")
    expect(page.get_by_text("this account is locked")).to_be_visible()
    assert page.get_by_text("Signed in as carol").count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0
