"""Screenshots for a reviewer: every page, in English and Welsh, as an analyst and as a
partner, in a window 320 pixels wide (400 % zoom of a 1280-pixel screen) and at 200 %
zoom (640 × 450 at device scale 2), plus the map with a ward's details open (the window
as shown, ``...-map-details.png``, and the whole page, ``...-map-details-full.png``), and
before signing in the login page and the accessibility statement (``signed-out-...``).

    .venv/bin/python scripts/screenshots.py OUT_FOLDER [--store DIR] [--pages map,hotspots]

Starts the dashboard (``serve.py``) on a free local port on the demo region (built in a
temporary folder unless ``--store`` names a store) with two accounts made for the run, an
analyst and a partner, signs each in with Debian's Chromium and writes full-page PNGs
named ``ROLE-SIZE-LANG-PAGE.png`` (e.g. ``partner-320-cy-hotspots.png``) into OUT_FOLDER,
then lists them. Nothing leaves this machine: the browser may reach 127.0.0.1 only.

A full-page screenshot of a Streamlit page needs the page's own scrolling area to show
everything: the window is made as tall as the page for the picture (its width, which is
what the review is about, is unchanged).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
#: Address path of each page (home is "").
PAGES = {
    "home": "",
    "map": "map",
    "hotspots": "hotspots",
    "pack": "pack",
    "profile": "profile",
    "data": "data",
    "method": "method",
    "accessibility": "accessibility",
}
#: Window sizes: name → (width, height, device scale).
SIZES = {"320": (320, 800, 1), "200pct": (640, 450, 2)}
ROLES = ("analyst", "partner")
LANGS = ("en", "cy")
#: The app's element once a run has finished.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
#: The height of everything on the page (the app scrolls inside its own element).
JS_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer],'
    + ' [data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))"""


def _settle(page) -> None:
    """Wait until the page's runs are over (the map page runs twice on a first visit)."""
    for _ in range(2):
        page.wait_for_selector(IDLE, timeout=120_000)
        page.wait_for_timeout(800)
    page.wait_for_selector(IDLE, timeout=120_000)


def _sign_in(page, url: str, name: str, password: str) -> None:
    from tests.browser_support import sign_in

    page.goto(url)
    _settle(page)
    sign_in(page, name, password)
    _settle(page)


def _shoot(page, path: Path, width: int, height: int) -> None:
    """A full-page picture: the window made as tall as the page, then put back."""
    full = int(page.evaluate(JS_HEIGHT))
    page.set_viewport_size({"width": width, "height": max(height, min(full, 12_000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": height})


def _map_details(page) -> bool:
    """Give the map's ward nearest the middle the keyboard's focus (its details open under
    the map) and move once with an arrow key; False when the map has no ward."""
    ward = page.locator('[data-testid="wardMap"] path.leaflet-interactive[tabindex="0"]')
    if ward.count() == 0:
        return False
    ward.first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    return True


def take(out: Path, store: Path, pages: list[str], roles, langs, sizes) -> list[Path]:
    """Take the screenshots; the files written."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import app_with_accounts

    out.mkdir(parents=True, exist_ok=True)
    passwords = {role: secrets.token_urlsafe(12) for role in roles}
    written = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        app_with_accounts(Path(tmp), store, passwords, {r: r for r in roles}) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for role in roles:
            for size in sizes:
                width, height, scale = SIZES[size]
                context = browser.new_context(
                    viewport={"width": width, "height": height}, device_scale_factor=scale
                )
                context.route(
                    lambda u: urlparse(u).hostname not in ("127.0.0.1", None),
                    lambda route: route.abort(),
                )
                page = context.new_page()
                page.set_default_timeout(120_000)
                if role == roles[0]:  # before signing in: the login and the statement
                    for lang in langs:
                        for name, path in (("login", ""), ("accessibility", "accessibility")):
                            page.goto(f"{url}/{path}?lang={lang}")
                            _settle(page)
                            shot = out / f"signed-out-{size}-{lang}-{name}.png"
                            _shoot(page, shot, width, height)
                            written.append(shot)
                            print(shot.name, flush=True)
                _sign_in(page, url, role, passwords[role])
                for lang in langs:
                    for name in pages:
                        page.goto(f"{url}/{PAGES[name]}?lang={lang}")
                        _settle(page)
                        path = out / f"{role}-{size}-{lang}-{name}.png"
                        _shoot(page, path, width, height)
                        written.append(path)
                        if name == "map":  # again, without the full-page resizing before it
                            page.reload()
                            _settle(page)
                            if _map_details(page):
                                path = out / f"{role}-{size}-{lang}-map-details.png"
                                page.screenshot(path=str(path))  # as the window shows it
                                written.append(path)
                                path = out / f"{role}-{size}-{lang}-map-details-full.png"
                                _shoot(page, path, width, height)
                                written.append(path)
                        print(path.name, flush=True)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--store", type=Path, help="a store (default: the demo region, built)")
    parser.add_argument("--pages", default=",".join(PAGES), help="pages, comma-separated")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--sizes", default=",".join(SIZES), help="320, 200pct")
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    if not Path(CHROMIUM).exists():
        parser.error(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            from hotspots.demo.build import build_demo

            store = build_demo(Path(tmp) / "store").root
        written = take(
            args.out,
            store,
            pages,
            args.roles.split(","),
            args.langs.split(","),
            args.sizes.split(","),
        )
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
