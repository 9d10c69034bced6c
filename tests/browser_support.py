"""Helpers for the browser tests: start the dashboard on a free port, launch Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The map component's box (``dashboard/map_component/ward_map.js``; drawn in the page).
MAP = '[data-testid="wardMap"]'
POLYGONS = f"{MAP} path.leaflet-interactive"
ARTIFACTS = ROOT / "test-artifacts"
#: The first point of a grid over the map (from the middle outwards) that lies on a ward,
#: as [x, y, ward_code] in the page's coordinates (scroll the map into view first).
JS_WARD_AT = """() => {
    const r = window.map.getContainer().getBoundingClientRect();
    for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7]) for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7]) {
        const x = r.left + r.width * fx, y = r.top + r.height * fy;
        const el = document.elementFromPoint(x, y);
        let code = null;
        window.map.eachLayer(l => { if (l._path === el && l.feature)
            code = l.feature.properties.ward_code; });
        if (code) return [x, y, code];
    }
    return null;
}"""


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(
    env: dict[str, str], script: Path = ROOT / "serve.py", address: str = "127.0.0.1"
) -> Iterator[str]:
    """Run ``streamlit run script`` on ``address`` and yield its URL on 127.0.0.1 (by
    default the dashboard's server, ``serve.py``: ``app.py`` with its sign-in routes)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            address,
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def other_local_address() -> str | None:
    """An IPv4 address of this machine that is not a loopback one (a browser that
    connects to it comes from that address), or ``None``."""
    import ipaddress

    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
        ip = s.getsockname()[0]
        if not ipaddress.ip_address(ip).is_loopback:
            return ip
    with contextlib.suppress(OSError):
        ip = socket.gethostbyname(socket.gethostname())
        if not ipaddress.ip_address(ip).is_loopback:
            return ip
    return None


def local_only(context, requests: list[str]) -> None:
    """Record every request and refuse any that would leave 127.0.0.1."""
    context.on("request", lambda r: requests.append(r.url))
    context.route(
        lambda u: urlparse(u).hostname not in ("127.0.0.1", None), lambda route: route.abort()
    )


def outside(requests: list[str]) -> list[str]:
    return [
        u
        for u in requests
        if urlparse(u).hostname not in ("127.0.0.1", None)
        and not u.startswith(("data:", "blob:", "about:"))
    ]


def wait_ready(page, timeout: float = 60_000) -> None:
    """Wait until the page has finished running (no spinner, no running status)."""
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("stApp").wait_for(timeout=timeout)
    with contextlib.suppress(Exception):
        page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=timeout)
    page.wait_for_timeout(300)
    exc = page.get_by_test_id("stException")
    assert exc.count() == 0, exc.first.inner_text()


#: The app element once a run has finished (nothing running).
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def open_idle(page, url: str) -> None:
    """Go to ``url`` and wait until the page's run has finished."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.locator(IDLE)).to_have_count(1)


#: What a page opened with ``page.goto`` has still to draw once its runs are over (an
#: empty list once it is drawn): the language script (``<html lang>``), elements waiting
#: for their script (Streamlit shows a placeholder, ``stSkeleton``, until an element
#: type's script has loaded), the grids of the tables in view, charts and the fonts.
JS_UNDRAWN = """lang => [
  [lang != null && document.documentElement.lang !== lang, 'the page language'],
  [!!document.querySelector('[data-testid=stSkeleton]'), 'an element placeholder'],
  [[...document.querySelectorAll('[data-testid=stDataFrame]')].some(e => {
     const r = e.getBoundingClientRect();  // a grid is drawn once it is in view
     return r.bottom > 0 && r.top < innerHeight && !e.querySelector('[role=grid]');
   }), 'a table in view'],
  [[...document.querySelectorAll('.vega-embed')].some(e => !e.querySelector('canvas, svg')),
   'a chart'],
  [document.fonts.status !== 'loaded', 'the fonts'],
].filter(c => c[0]).map(c => c[1])"""


def loading_texts() -> list[str]:
    """The caption a run without controls shows (the map page's first run, drawn before
    its controls; ``dashboard.selection.LOADING``), in every language."""
    from dashboard.selection import LOADING
    from hotspots.i18n import LANGUAGES, translator

    return sorted({translator(lang)(LOADING) for lang in LANGUAGES})


#: Counts the page's runs (an init script: ``context.add_init_script(JS_COUNT_RUNS)``):
#: ``window.__runs`` goes up each time the app's script state leaves "notRunning".
JS_COUNT_RUNS = """window.__runs = 0;
new MutationObserver(ms => { for (const m of ms)
  if (m.oldValue === 'notRunning' && m.target.getAttribute(m.attributeName) !== 'notRunning')
    window.__runs += 1;
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});"""


def runs(page) -> int:
    """How many runs the page has started (:data:`JS_COUNT_RUNS`; 0 without it)."""
    return page.evaluate("window.__runs || 0")


def settled_after(page, before: int, lang: str | None = None, start: float = 2_000) -> None:
    """Wait until the run a key or click started (``runs(page)`` was ``before``) and the
    runs after it are over (:func:`loaded`). If no run is seen to start within ``start``
    ms the page is taken as it is once idle."""
    with contextlib.suppress(Exception):
        page.wait_for_function("n => (window.__runs || 0) > n", arg=before, timeout=start)
    loaded(page, lang)


def loaded(page, lang: str | None = "en", timeout: float = 60_000) -> None:
    """Wait until a page just opened with ``page.goto`` has finished: its first run (the
    app says "initial" until a run has ended, so :data:`IDLE` cannot match earlier), then
    the run the map page's first visit starts once its map is drawn (the first run shows
    :func:`loading_texts` in the sidebar until that run replaces it), then what the
    browser draws after a run (:data:`JS_UNDRAWN`; ``lang=None``: whatever the page's
    language). No fixed pause: each is a condition."""
    from playwright.sync_api import expect

    expect(page.locator(IDLE)).to_have_count(1, timeout=timeout)
    for text in loading_texts():
        expect(page.get_by_text(text, exact=True)).to_have_count(0, timeout=timeout)
    expect(page.locator(IDLE)).to_have_count(1, timeout=timeout)
    try:
        page.wait_for_function(
            f"lang => ({JS_UNDRAWN})(lang).length === 0", arg=lang, timeout=timeout
        )
    except Exception as exc:
        raise AssertionError(f"{page.url}: not drawn: {page.evaluate(JS_UNDRAWN, lang)}") from exc
    exc = page.get_by_test_id("stException")
    assert exc.count() == 0, exc.first.inner_text()


#: Notes in ``window.__ranSince`` when the app's next run starts (evaluated just before a
#: click: the run a click starts may begin before or after the browser's download event).
JS_WATCH_NEXT_RUN = """() => { window.__ranSince = false;
  new MutationObserver((ms, o) => { for (const m of ms)
    if (m.oldValue === 'notRunning' && m.target.getAttribute(m.attributeName) !== 'notRunning') {
      window.__ranSince = true; o.disconnect(); return; }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']}); }"""


def download(page, button, timeout: float = 60_000):
    """Click a download ``button`` (a locator) and return the download, once the run the
    click starts (every download button here writes to the audit log, so it reruns the
    page) is over: a second button clicked during that run could be re-drawn under the
    click, and one whose file is made on click would be asked for a file of the run
    before."""
    from playwright.sync_api import expect

    expect(page.locator(IDLE)).to_have_count(1, timeout=timeout)
    page.evaluate(JS_WATCH_NEXT_RUN)
    with page.expect_download(timeout=timeout) as made:
        button.click()
    with contextlib.suppress(Exception):
        page.wait_for_function("window.__ranSince === true", timeout=5_000)
    expect(page.locator(IDLE)).to_have_count(1, timeout=timeout)
    return made.value


#: Whether the sidebar is open (``collapsed`` false) or closed and no longer moving (no
#: CSS transition or animation that ends is running in it).
JS_SIDEBAR_AT_REST = """collapsed => {
  const s = document.querySelector('[data-testid=stSidebar]');
  return !!s && s.getAttribute('data-collapsed') === String(collapsed)
    && s.getAnimations({subtree: true})
         .every(a => a.effect.getComputedTiming().iterations === Infinity);
}"""


def sidebar_at_rest(page, collapsed: bool, timeout: float = 10_000) -> None:
    """Wait until the sidebar has opened (or closed) and stopped moving."""
    page.wait_for_function(JS_SIDEBAR_AT_REST, arg=collapsed, timeout=timeout)


#: The session cookie's name (``hotspots.access.sessions.COOKIE_NAME``).
SESSION_COOKIE = "hotspots_session"


def session_cookie(context, timeout: float = 30.0) -> dict:
    """The context's session cookie, once the browser has it: a sign-in's run ends before
    the page's script has fetched the cookie, so a page opened straight after it could
    still find no session. AssertionError if it does not come within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no session cookie within {timeout} s of signing in")
        time.sleep(0.1)


def sign_in(page, name: str, password: str, *, refused: bool = False) -> None:
    """Fill the login form and wait for the run it starts to finish and, unless the
    sign-in is meant to be ``refused``, for the session cookie (:func:`session_cookie`),
    so that the next ``page.goto`` is signed in."""
    from playwright.sync_api import expect

    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(IDLE)).to_have_count(1)
    if not refused:
        session_cookie(page.context)


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the server at ``url`` answers its health check; RuntimeError with the end
    of its error output if it stops or does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                "streamlit did not start: " + proc.stderr.read().decode(errors="replace")[-2000:]
            )
        time.sleep(0.2)


@contextlib.contextmanager
def app_with_accounts(
    folder: Path,
    store_root: Path,
    passwords: dict[str, str],
    roles: dict[str, str] | None = None,
):
    """The dashboard on ``store_root`` with one account per (name, password), each with
    its role in ``roles`` (by default ``alice`` an analyst, everyone else a partner);
    yields its address."""
    from hotspots.access.users import add_user

    need_chromium()
    accounts = folder / "accounts.toml"
    for name, password in passwords.items():
        role = (roles or {}).get(name, "analyst" if name == "alice" else "partner")
        add_user(accounts, name, role, password, rounds=4)
    env = {
        "HOTSPOTS_ACCOUNTS": str(accounts),
        "HOTSPOTS_AUDIT_LOG": str(folder / "audit.jsonl"),
        "HOTSPOTS_DATA_DIR": str(store_root),
    }
    with running_app(env) as url:
        yield url


@contextlib.contextmanager
def chromium():
    """Debian's Chromium through Playwright, with a 60 s default for ``expect``."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
