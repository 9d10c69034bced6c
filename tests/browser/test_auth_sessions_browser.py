"""Sign-in bound to the browser, in a real server and browser: a reload or a new tab stays
signed in; a replayed websocket session ID gets the login; logging out ends the cookie
and the download links; a closed tab's links stop at once; every served file is audited;
failed logins from one address do not lock the user out from another.

Starts ``serve.py`` with ``HOTSPOTS_ACCOUNTS`` pointing at a temporary accounts file and
drives Debian's Chromium with Playwright (see ../shared/notes/browser-testing.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    SESSION_COOKIE,
    download,
    open_idle,
    other_local_address,
    running_app,
    session_cookie,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"alice": "analyst-pass-1", "bob": "partner-pass-1", "dave": "dave-pass-123"}
COOKIE = SESSION_COOKIE
#: Records every websocket the page opens (and the sub-protocols it offers, the third of
#: which is the session ID on a reconnection); with ``window.__forceSession`` set first,
#: offers that session ID instead, as a client replaying a stolen ID would.
WS_RECORDER = """(() => {
  const Real = window.WebSocket;
  window.__wsProtocols = []; window.__sockets = [];
  class Recorded extends Real {
    constructor(url, protocols) {
      if (window.__forceSession)
        protocols = ["streamlit", "PLACEHOLDER_AUTH_TOKEN", window.__forceSession];
      super(url, protocols);
      window.__wsProtocols.push(protocols); window.__sockets.push(this);
    }
  }
  window.WebSocket = Recorded;
})();"""


def _wait(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _server(tmp_path_factory, request, address="127.0.0.1"):
    from hotspots.access.users import add_user
    from hotspots.store.base import Store
    from hotspots.store.location import DEMO_DIR

    tmp = tmp_path_factory.mktemp("auth-sessions")
    accounts = tmp / "config" / "accounts.toml"
    for name, role in (("alice", "analyst"), ("bob", "partner"), ("dave", "partner")):
        add_user(accounts, name, role, PASSWORDS[name], rounds=4)
    data_dir = tmp / "store"
    if not Store(DEMO_DIR).sources():
        data_dir = request.getfixturevalue("demo_store").root
    audit = tmp / "audit.log.jsonl"
    env = {
        "HOTSPOTS_ACCOUNTS": str(accounts),
        "HOTSPOTS_AUDIT_LOG": str(audit),
        "HOTSPOTS_DATA_DIR": str(data_dir),
    }
    return running_app(env, address=address), {"audit": audit, "accounts": accounts}


@pytest.fixture(scope="module")
def app(tmp_path_factory, request):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    server, info = _server(tmp_path_factory, request)
    with server as url:
        yield {"url": url, **info}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser, *, record=False, force_session=None):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    if force_session:
        context.add_init_script(f"window.__forceSession = {json.dumps(force_session)};")
    if record or force_session:
        context.add_init_script(WS_RECORDER)
    return context


def _signed_in(page, name):
    from playwright.sync_api import expect

    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    assert page.get_by_label("User name").count() == 0


def _login_form(page):
    from playwright.sync_api import expect

    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.locator(IDLE)).to_have_count(1)
    assert page.get_by_text("Signed in as").count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_test_id("stDownloadButton").count() == 0


def _audit(app) -> list[dict]:
    from hotspots.access.audit import AuditLog

    return AuditLog(app["audit"]).read()


def _download(page, nth=0) -> str:
    url = download(page, page.get_by_test_id("stDownloadButton").nth(nth)).url
    assert "/media/" in url, url
    return url


def _status(context, url) -> int:
    return context.request.get(url, max_redirects=0).status


def test_reload_and_new_tab_stay_signed_in_with_an_httponly_cookie(app, browser):
    context = _context(browser)
    page = context.new_page()
    open_idle(page, app["url"] + "/method")
    sign_in(page, "alice", PASSWORDS["alice"])
    _signed_in(page, "alice")
    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600 + 5
    assert page.evaluate("document.cookie").find(COOKIE) == -1  # not readable by scripts

    from playwright.sync_api import expect

    page.reload()
    expect(page.locator(IDLE)).to_have_count(1)
    _signed_in(page, "alice")
    expect(page.get_by_role("heading", name="Method")).to_be_visible()  # the same page

    other = context.new_page()  # a shared link opened in a new tab
    open_idle(other, app["url"] + "/hotspots")
    _signed_in(other, "alice")
    expect(other.get_by_test_id("stDownloadButton").first).to_be_visible()
    logins = [r for r in _audit(app) if r["action"] == "login" and r["user"] == "alice"]
    assert len(logins) == 1  # reload and new tab did not sign in again
    context.close()


def test_a_replayed_session_id_gets_the_login_form(app, browser):
    victim = _context(browser, record=True)
    page = victim.new_page()
    open_idle(page, app["url"] + "/hotspots")
    sign_in(page, "alice", PASSWORDS["alice"])
    _signed_in(page, "alice")
    # How the ID travels: the browser offers it as the third websocket sub-protocol when
    # it reconnects. Break the connection to see it.
    page.evaluate("window.__sockets.at(-1).close()")
    _wait(
        lambda: any(len(p) == 3 for p in page.evaluate("window.__wsProtocols")),
        what="a reconnection offering the session ID",
    )
    stolen = next(p for p in page.evaluate("window.__wsProtocols") if len(p) == 3)[2]
    assert len(stolen) >= 32
    _signed_in(page, "alice")  # the reconnected tab is still signed in (its cookie)

    attacker = _context(browser, force_session=stolen)
    evil = attacker.new_page()
    open_idle(evil, app["url"] + "/hotspots")
    assert evil.evaluate("window.__wsProtocols")[0][2] == stolen
    _login_form(evil)
    evil.wait_for_timeout(1000)
    _login_form(evil)
    attacker.close()
    victim.close()


def test_logout_ends_the_cookie_and_the_download_links(app, browser):
    context = _context(browser)
    page = context.new_page()
    open_idle(page, app["url"] + "/hotspots")
    sign_in(page, "bob", PASSWORDS["bob"])
    _signed_in(page, "bob")
    cookie = session_cookie(context)
    csv = _download(page, 0)
    excel = _download(page, 1)  # made on demand, over the websocket
    assert _status(context, csv) == 200 and _status(context, excel) == 200
    # Another browser holding only the link gets nothing.
    stranger = _context(browser)
    assert _status(stranger, csv) == 404 and _status(stranger, excel) == 404

    page.get_by_role("button", name="Log out").click()
    _login_form(page)
    assert _status(context, csv) == 404 and _status(context, excel) == 404
    _wait(
        lambda: not [c for c in context.cookies() if c["name"] == COOKIE],
        what="the cookie cleared at logout",
    )
    # The old cookie, replayed by another browser, is refused (the session was ended).
    stranger.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    assert _status(stranger, csv) == 404
    again = stranger.new_page()
    open_idle(again, app["url"] + "/hotspots")
    _login_form(again)
    stranger.close()

    records = _audit(app)
    served = [r for r in records if r["action"] == "serve" and r["user"] == "bob"]
    names = {r["detail"].get("name") for r in served}
    assert any(n and n.endswith(".csv") for n in names), names
    assert any(n and n.endswith(".xlsx") for n in names), names
    assert all(r["role"] == "partner" and r["time"].endswith("Z") for r in served)
    refused = [r for r in records if r["action"] == "refused"]
    assert len(refused) >= 5  # the stranger's two, the two after logout, the old cookie
    actions = [r["action"] for r in records if r["user"] == "bob"]
    assert actions.index("logout") > actions.index("login")
    context.close()


def test_a_closed_tabs_links_stop_at_once(app, browser):
    context = _context(browser)
    page = context.new_page()
    open_idle(page, app["url"] + "/hotspots")
    sign_in(page, "alice", PASSWORDS["alice"])
    _signed_in(page, "alice")
    csv = _download(page, 0)
    assert _status(context, csv) == 200, json.dumps(_audit(app), indent=0)
    keep = context.new_page()  # the browser (and its cookie) stays; only the tab closes
    open_idle(keep, app["url"] + "/method")
    _signed_in(keep, "alice")
    page.close()
    _wait(lambda: _status(context, csv) == 404, timeout=5, what="the closed tab's link to stop")
    refused = [
        r
        for r in _audit(app)
        if r["action"] == "refused" and r["detail"]["path"] in csv and r["user"] == "alice"
    ]
    assert refused and "no open tab" in refused[-1]["detail"]["reason"]
    context.close()


@pytest.fixture(scope="module")
def two_address_app(tmp_path_factory, request):
    """The dashboard listening on every interface (allowed: it has accounts), reached as
    127.0.0.1 and as this machine's other address."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    other = other_local_address()
    if other is None:
        pytest.skip("this machine has no address besides the loopback one")
    server, info = _server(tmp_path_factory, request, address="0.0.0.0")
    with server as url:
        yield {"url": url, "other_url": url.replace("127.0.0.1", other), "other": other, **info}


def test_failures_from_one_address_do_not_lock_the_user_out_from_another(two_address_app, browser):
    from playwright.sync_api import expect

    app = two_address_app
    attacker = _context(browser)
    page = attacker.new_page()
    open_idle(page, app["other_url"])
    for i in range(1, 6):
        sign_in(page, "dave", "wrong-password", refused=True)
        _wait(
            lambda i=i: (
                sum(r["action"] == "login_failed" and r["user"] == "dave" for r in _audit(app)) == i
            ),
            what=f"failure {i}",
        )
    expect(page.get_by_text("this account is locked")).to_be_visible()
    sign_in(page, "dave", PASSWORDS["dave"], refused=True)  # even the right password, from there
    expect(page.get_by_text("this account is locked")).to_be_visible()
    failed = [r for r in _audit(app) if r["action"] == "login_failed"]
    assert {r["detail"]["address"] for r in failed} == {app["other"]}

    user = _context(browser)  # dave, from 127.0.0.1
    mine = user.new_page()
    open_idle(mine, app["url"])
    sign_in(mine, "dave", PASSWORDS["dave"])
    _signed_in(mine, "dave")
    login = [r for r in _audit(app) if r["action"] == "login" and r["user"] == "dave"]
    assert login[-1]["detail"]["address"] == "127.0.0.1"
    attacker.close()
    user.close()


def test_without_accounts_other_machines_are_refused(two_address_app, browser):
    """Accounts removed while the server listens on every interface: open access, but
    for this computer only (the server refuses to start that way; this is the case of a
    file deleted while it runs)."""
    from playwright.sync_api import expect

    app = two_address_app
    app["accounts"].unlink()
    try:
        remote = _context(browser)
        page = remote.new_page()
        open_idle(page, app["other_url"] + "/hotspots")
        expect(page.get_by_text("The dashboard is closed to other machines")).to_be_visible()
        assert page.get_by_text("Open access: no accounts are configured").count() == 0
        assert page.get_by_test_id("stDownloadButton").count() == 0
        local = _context(browser)
        mine = local.new_page()
        open_idle(mine, app["url"] + "/hotspots")
        expect(mine.get_by_text("Open access: no accounts are configured")).to_be_visible()
        remote.close()
        local.close()
    finally:
        from hotspots.access.users import add_user

        add_user(app["accounts"], "dave", "partner", PASSWORDS["dave"], rounds=4)


def test_a_failed_upload_is_in_the_audit_log(app, browser, tmp_path):
    from playwright.sync_api import expect

    bad = tmp_path / "2024-01-not-police-street.csv"
    bad.write_text("this,is,not\na,police,file\n", encoding="utf-8")
    context = _context(browser)
    page = context.new_page()
    open_idle(page, app["url"] + "/data")
    sign_in(page, "alice", PASSWORDS["alice"])
    _signed_in(page, "alice")
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_text("Nothing was stored.")).to_be_visible()
    _wait(
        lambda: any(r["action"] == "upload_failed" for r in _audit(app)),
        what="the failed upload in the audit log",
    )
    record = next(r for r in _audit(app) if r["action"] == "upload_failed")
    assert (record["user"], record["role"]) == ("alice", "analyst")
    assert record["detail"]["files"] == [bad.name] and record["detail"]["error"]
    context.close()
