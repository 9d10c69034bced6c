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


def sign_in(page, name: str, password: str) -> None:
    """Fill the login form and wait for the run it starts to finish."""
    from playwright.sync_api import expect

    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(IDLE)).to_have_count(1)


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
def app_with_accounts(folder: Path, store_root: Path, passwords: dict[str, str]):
    """The dashboard on ``store_root`` with one account per (name, password): ``alice``
    an analyst, everyone else a partner; yields its address."""
    from hotspots.access.users import add_user

    need_chromium()
    accounts = folder / "accounts.toml"
    for name, password in passwords.items():
        add_user(accounts, name, "analyst" if name == "alice" else "partner", password, rounds=4)
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
