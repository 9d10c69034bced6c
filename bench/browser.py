"""Browser benchmark of the ward map: payload, navigation → polygons drawn, rerun time.

Run from the repository root (needs ../shared/data and Debian's /usr/bin/chromium); an
on-demand benchmark, not a test:

    .venv/bin/python bench/browser.py [--repeat 5] [--changes 30] [--classes 10]
                                      [--profile N] [--store PATH] [--no-uk-explore]

What it does, in one run:

1. Builds a real-data store (``python -m hotspots --data-dir TMP load auto ../shared/data
   --quiet``) unless ``--store`` names one.
2. Without a browser: the map of all Wales exactly as pages/map.py builds it (default
   view: smoothed violence rate, Quantiles, 5 classes, drug overlay on) and the map of
   the 8,483 UK wards of ``boundaries/uk_wards_dec2022_bsc.geojson`` (synthetic values),
   each with ``hotspots.outputs.map_data`` + ``dashboard.map_component.map_args``: plain
   GeoJSON bytes, the encoded outlines, the map component's arguments (what a run sends), and
   ``GeoDataFrame.explore()`` of the same wards and properties
   (matplotlib is stubbed as in tests/outputs/test_map_data.py; explore() without ``column``
   never uses it).
3. In Chromium (Playwright, a fresh browser context per navigation, so a cold HTTP cache),
   three Streamlit servers one after another, each visited once to warm it and then
   ``--repeat`` times:
   - the floor: ``bench/apps/empty_app.py`` (``st.write("x")``);
   - the dashboard (``app.py``) at ``/map?area=All%20wards&period=range&from=2018-10&
     to=2019-02&def=police-uk-proxy`` (762 wards); ``/map?...`` is visited once more to
     check that a second visit shows no "Page not found" dialog;
   - ``bench/apps/uk_map_app.py``: the UK wards drawn with ``map_args`` +
     ``render_ward_map``.
   Timed from ``page.goto`` to: the first websocket frame (live connection), the first
   ``script_finished`` message (server done), all ``path.leaflet-interactive`` drawn in
   the page's map (or, for the floor, the "x" on screen), for the dashboard the first
   select box (its controls: a session's first run draws the map before any widget, and
   the map's "drawn" message runs the page again to add them), and idle (no run
   for 1.5 s).
   Bytes: every websocket frame received (CDP ``Network.webSocketFrameReceived``; Streamlit
   sends elements as protobuf ``ForwardMsg`` frames) and every HTTP response
   (``Network.loadingFinished`` ``encodedDataLength``).
4. Reruns on the Wales map: ``--changes`` toggles of "Drug offences overlay" and
   ``--classes`` changes of "Classes". Two clocks per change: **server** = the
   ``rerun_script`` BackMsg leaving the browser → the ``script_finished`` ForwardMsg
   arriving (CDP timestamps: the script run plus loopback), and **change → idle** = just
   before Playwright's click → ``stApp``'s ``data-test-script-state`` back to
   ``notRunning`` (what drives the status widget). These run on a second server whose main
   script is ``bench/apps/timed_app.py`` (runs app.py and logs each run's duration), which
   gives a third clock, **script** = app.py's run inside the server. ``--profile N``
   profiles N more toggles with cProfile (a third server) and prints the top entries.

Targets: Wales payload < 400 KB and >= 5x smaller than explore(); Wales first draw <= 1.5x
the floor; UK < 6 s; rerun p95 < 200 ms. Figures and their reading: bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _web as web

sys.path.insert(0, str(web.ROOT))

from dashboard.map_component import legend_html, map_args
from hotspots.geo.geography import select_wards
from hotspots.outputs import map_data as mapping
from hotspots.stats.analysis import AnalysisSettings, analyse
from hotspots.stats.getis_ord import GI_CLASSES
from hotspots.store.base import Store
from hotspots.store.ward_data import Selection, load_ward_data

WALES_WARDS = 762
UK_FILE = web.SHARED / "boundaries" / "uk_wards_dec2022_bsc.geojson"
#: The map page's own address (the home page is at the root); :func:`map_path_dialog`
#: checks that a second visit to it on a warm server shows no "Page not found" dialog.
WALES_QUERY = f"area={web.ALL_WARDS.replace(' ', '%20')}&{web.PERIOD}"
WALES_URL = f"/map?{WALES_QUERY}"
#: The map page's tooltip fields (hotspots.outputs.map_data.TOOLTIP_FIELDS) plus the value shown.
TOOLTIP_PROPERTIES = [f for f, _ in mapping.TOOLTIP_FIELDS] + ["value"]
TARGETS = {
    "wales_payload_kb": 400,
    "explore_ratio": 5.0,
    "floor_ratio": 1.5,
    "uk_s": 6.0,
    "rerun_p95_ms": 200,
}
JS_COUNT = (
    "n => document.querySelectorAll('path.leaflet-interactive').length >= n ? Date.now() : false"
)
JS_TEXT = """t => { for (const e of document.querySelectorAll(
    '[data-testid="stMarkdownContainer"]')) if (e.textContent.trim() === t) return Date.now();
    return false; }"""
JS_CONTROLS = "() => document.querySelector('[data-testid=\"stSelectbox\"]') ? Date.now() : false"
BIG_FRAME = 100_000  # a websocket frame this large carries the map


# ------------------------------------------------------------------- maps without browser


OVERLAY = "Drug offences: top 12 wards"


def page_args(
    shapes,
    geometry,
    column: str,
    kind: str,
    palette_name: str,
    title: str,
    scheme: str = "Quantiles",
    k: int = 5,
):
    """What pages/map.py does on every run, from the merged values to the component's
    arguments (same calls); returns (shapes, args)."""
    if kind == "category":
        cls = mapping.classify(shapes[column], mapping.CATEGORIES, categories=list(GI_CLASSES))
        colours = mapping.category_colours(list(GI_CLASSES))
    else:
        cls = mapping.classify(shapes[column].astype(float), scheme, k)
        colours = mapping.palette(palette_name, len(cls.labels))
    shapes = shapes.assign(
        fill=mapping.fill_colours(cls.class_index, colours),
        value=shapes[column] if kind == "category" else shapes[column].astype(float).round(2),
        rate=shapes["sv_rate"].round(1),
        rank_text=shapes["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))),
    )
    top = mapping.top_wards(shapes, "drugs_count", 12)
    args = map_args(
        geometry,
        shapes,
        "fill",
        mapping.tooltip_fields(title),
        {"name": OVERLAY, "ward_codes": top},
        legend=legend_html(title, mapping.legend_entries(cls, colours), OVERLAY),
        height=600,
    )
    return shapes, args


def timed_map(shapes, merged):
    """The map page's default view (first indicator, Quantiles, 5 classes, overlay on):
    (geometry, merged, args, seconds to encode the outlines, seconds of per-run work)."""
    title = next(iter(mapping.MAP_INDICATORS))
    column, kind, palette_name = mapping.MAP_INDICATORS[title]
    t = time.perf_counter()
    geometry = mapping.encode_geometry(shapes)
    t_geometry = time.perf_counter() - t
    t = time.perf_counter()
    merged, args = page_args(merged, geometry, column, kind, palette_name, title)
    return geometry, merged, args, t_geometry, time.perf_counter() - t


def args_bytes(args: dict) -> int:
    """Bytes of the component's arguments as JSON (what Streamlit sends, before protobuf)."""
    return len(json.dumps(args, separators=(",", ":")).encode("utf-8"))


def explore_html(frame) -> str:
    """``GeoDataFrame.explore()`` as HTML, matplotlib stubbed (tests/outputs/test_map_data.py)."""
    try:
        import matplotlib  # noqa: F401

        return frame.explore().get_root().render()
    except ImportError:
        pass
    stub = types.ModuleType("matplotlib")
    stub.pyplot = types.ModuleType("matplotlib.pyplot")
    stub.colors = types.ModuleType("matplotlib.colors")
    stub.colormaps = types.SimpleNamespace()
    names = ("matplotlib", "matplotlib.pyplot", "matplotlib.colors")
    saved = {k: sys.modules.get(k) for k in names}
    sys.modules.update(
        {"matplotlib": stub, "matplotlib.pyplot": stub.pyplot, "matplotlib.colors": stub.colors}
    )
    try:
        return frame.explore().get_root().render()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def wales_offline(store_root: Path) -> dict:
    """The all-Wales map of pages/map.py's default view, and explore() of the same wards."""
    store = Store(store_root)
    geo = store.geography()
    sel = Selection("2018-10", "2019-02", None, "police-uk-proxy")
    data = load_ward_data(store, sel, geo)
    result = analyse(
        data.counts,
        data.monthly,
        data.wards,
        AnalysisSettings(),
        lsoa_deprivation=data.lsoa_deprivation,
        lsoa_weights=data.lsoa_weights,
        harm=data.harm,
    )
    values = result.ranked[["ward_code", "score", "rank", "why"]].merge(
        result.indicators, on="ward_code", how="left"
    )
    if result.gi is not None:
        values = values.merge(result.gi[["ward_code", "gi_class"]], on="ward_code", how="left")
    else:
        values["gi_class"] = "Not significant"
    cols = ["ward_code", "ward_name", "local_authority_name", "geometry"]
    wards = select_wards(geo, None)[cols]
    t = time.perf_counter()
    shapes = mapping.display_geometry(wards)
    t_display = time.perf_counter() - t
    merged = shapes[cols].merge(
        values.drop(columns=["ward_name", "local_authority_name"]), on="ward_code", how="left"
    )
    geometry, merged, args, t_geometry, t_page = timed_map(shapes, merged)
    geojson = mapping.to_geojson(merged, [*TOOLTIP_PROPERTIES, "fill"], float_decimals=2)
    raw = wards.merge(merged[["ward_code", *TOOLTIP_PROPERTIES[2:]]], on="ward_code")
    raw = raw[["ward_code", *TOOLTIP_PROPERTIES, "geometry"]]
    t = time.perf_counter()
    explore = explore_html(raw)
    t_explore = time.perf_counter() - t
    return {
        "wards": len(geometry.codes),
        "geojson": mapping.payload_bytes(geojson),
        "args": args_bytes(args),
        "geometry": len(geometry.encoded.encode()),
        "explore": len(explore.encode()),
        "t_display": t_display,
        "t_geometry": t_geometry,
        "t_page": t_page,
        "t_explore": t_explore,
    }


def uk_offline(spec_path: Path, do_explore: bool, seed: int = 2019) -> dict:
    """The UK wards with synthetic values, as the map page would ship them; writes the spec
    read by bench/apps/uk_map_app.py."""
    import geopandas as gpd

    raw = gpd.read_file(UK_FILE)
    codes = raw["ward22_code"].astype(str)
    repeat = codes.groupby(codes).cumcount()  # one code has two features: keep both
    codes = codes.where(repeat == 0, codes + "-" + repeat.astype(str))
    wards = gpd.GeoDataFrame(
        {
            "ward_code": codes,
            "ward_name": raw["ward22_name"].astype(str),
            "local_authority_name": "",
        },
        geometry=raw.geometry.to_crs(27700).to_numpy(),
        crs="EPSG:27700",
    )
    t = time.perf_counter()
    shapes = mapping.display_geometry(wards)
    t_display = time.perf_counter() - t
    rng = np.random.default_rng(seed)
    n = len(shapes)
    population = rng.lognormal(np.log(6000), 0.5, n).round()
    sv = rng.poisson(population * rng.gamma(2.0, 0.5, n) * 8 / 1000)
    rate = sv / population * 1000
    merged = shapes.assign(
        sv_count=sv,
        drugs_count=rng.poisson(sv * 0.2),
        sv_rate=rate,
        sv_rate_smoothed=rate,
        rank=pd.Series(rate)
        .rank(ascending=False, method="first")
        .where(lambda r: r <= 50)
        .to_numpy(),
    )
    geometry, merged, args, t_geometry, t_page = timed_map(shapes, merged)
    geojson = mapping.to_geojson(merged, [*TOOLTIP_PROPERTIES, "fill"], float_decimals=2)
    spec_path.write_text(json.dumps(args, separators=(",", ":")), encoding="utf-8")
    out = {
        "wards": n,
        "geojson": mapping.payload_bytes(geojson),
        "args": args_bytes(args),
        "geometry": len(geometry.encoded.encode()),
        "t_display": t_display,
        "t_geometry": t_geometry,
        "t_page": t_page,
        "explore": float("nan"),
        "t_explore": float("nan"),
    }
    if do_explore:
        rawp = wards[["ward_code", "geometry"]].copy()
        for c in TOOLTIP_PROPERTIES:
            rawp[c] = merged[c].to_numpy()
        rawp = rawp[["ward_code", *TOOLTIP_PROPERTIES, "geometry"]]
        t = time.perf_counter()
        out["explore"] = len(explore_html(rawp).encode())
        out["t_explore"] = time.perf_counter() - t
    return out


# ------------------------------------------------------------------------------ browser


class Recorder:
    """Websocket frames and HTTP responses of one page, from the Chrome DevTools Protocol;
    CDP timestamps (monotonic seconds) converted to wall-clock ms."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.offset: float | None = None
        self.ws_in: list[tuple[float, int, str | None, str | None]] = []
        self.ws_out: list[tuple[float, int, str | None]] = []
        self.urls: dict[str, str] = {}
        self.http: list[tuple[str, int]] = []
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._in)
        self.cdp.on("Network.webSocketFrameSent", self._out)
        self.cdp.send("Network.enable", {"maxTotalBufferSize": 200_000_000})

    def wall(self, ts: float) -> float:
        return (ts + (self.offset or 0.0)) * 1000.0

    def _request(self, e):
        self.urls[e["requestId"]] = e["request"]["url"]
        if self.offset is None and e.get("wallTime"):
            self.offset = e["wallTime"] - e["timestamp"]

    def _finished(self, e):
        self.http.append((self.urls.get(e["requestId"], "?"), int(e["encodedDataLength"])))

    @staticmethod
    def _payload(r) -> bytes:
        return base64.b64decode(r["payloadData"]) if r["opcode"] == 2 else r["payloadData"].encode()

    def _in(self, e):
        data = self._payload(e["response"])
        kind, sub = web.forward_msg_type(data) if e["response"]["opcode"] == 2 else (None, None)
        self.ws_in.append((self.wall(e["timestamp"]), len(data), kind, sub))

    def _out(self, e):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        data = self._payload(e["response"])
        kind = None
        with contextlib.suppress(Exception):
            kind = BackMsg.FromString(data).WhichOneof("type")
        self.ws_out.append((self.wall(e["timestamp"]), len(data), kind))

    def http_bytes(self) -> dict[str, int]:
        out = {"streamlit": 0, "component": 0, "leaflet": 0, "other": 0}
        for url, n in self.http:
            key = (
                "leaflet"
                if "/app/static/" in url
                else "component"
                if "/component/" in url
                else "streamlit"
                if "/static/" in url
                else "other"
            )
            out[key] += n
        return out

    def first_finished_after(self, t: float) -> float | None:
        return next((ts for ts, _, k, _ in self.ws_in if k == "script_finished" and ts >= t), None)


def new_page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_init_script(web.SCRIPT_STATE_JS)
    page = ctx.new_page()
    return ctx, page, Recorder(ctx, page)


def bench_state(page) -> dict:
    return page.evaluate(
        "({f: window.__bench.finished, busy: window.__bench.busy, ends: window.__bench.ends || []})"
    )


def wait_quiet(page, quiet_ms: float = 1500, timeout_s: float = 120) -> dict:
    """Wait until no script has run for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        s = page.evaluate(
            "({f: window.__bench.finished, busy: window.__bench.busy, "
            "t: window.__bench.lastFinished})"
        )
        key = (s["f"], s["busy"])
        if key != last:
            last, since = key, time.monotonic()
        elif not s["busy"] and s["f"] > 0 and (time.monotonic() - since) * 1000 >= quiet_ms:
            return s
        page.wait_for_timeout(100)
    raise TimeoutError("the page did not go idle")


def wait_polygons(page, n: int, timeout_s: float = 180) -> float:
    """Date.now() when the page's map holds ``n`` ward polygons."""
    return float(
        page.wait_for_function(
            JS_COUNT, arg=n, polling="raf", timeout=timeout_s * 1000
        ).json_value()
    )


def visit(
    browser, url: str, polygons: int | None = None, text: str | None = None, controls: bool = False
) -> dict:
    """One navigation in a fresh context; times are ms from ``page.goto``. ``controls``:
    also time the first select box (the dashboard's map page draws its map first and its
    controls in the run that follows)."""
    ctx, page, rec = new_page(browser)
    try:
        t0 = web.now_ms()
        page.goto(url, wait_until="commit", timeout=120_000)
        out: dict = {}
        if text is not None:
            out["shown"] = (
                page.wait_for_function(
                    JS_TEXT, arg=text, polling="raf", timeout=120_000
                ).json_value()
                - t0
            )
        if polygons is not None:
            out["shown"] = wait_polygons(page, polygons) - t0
        if controls:
            out["controls"] = (
                page.wait_for_function(JS_CONTROLS, polling="raf", timeout=120_000).json_value()
                - t0
            )
        state = wait_quiet(page)
        out["idle"] = state["t"] - t0
        out["runs"] = state["f"]
        exc = page.get_by_test_id("stException")
        if exc.count():
            raise RuntimeError("stException: " + exc.first.inner_text()[:500])
        out["connected"] = rec.ws_in[0][0] - t0 if rec.ws_in else float("nan")
        big = [i for i, f in enumerate(rec.ws_in) if f[1] >= BIG_FRAME]
        first = big[0] if big else 0
        fin = next(
            (
                rec.ws_in[i][0]
                for i in range(first, len(rec.ws_in))
                if rec.ws_in[i][2] == "script_finished"
            ),
            float("nan"),
        )
        out["server_done"] = fin - t0
        out["ws_total"] = sum(f[1] for f in rec.ws_in)
        out["ws_first_run"] = sum(f[1] for f in rec.ws_in if f[0] <= fin)
        out["map_msg"] = max((rec.ws_in[i][1] for i in big), default=0)
        out["map_msgs"] = len(big)
        out["http"] = rec.http_bytes()
        return out
    finally:
        ctx.close()


def map_path_dialog(browser, base: str) -> str:
    """The text of a dialog shown by ``/map?...`` on a warm server ("" when none)."""
    ctx, page, _ = new_page(browser)
    try:
        page.goto(f"{base}/map?{WALES_QUERY}", timeout=120_000)
        page.wait_for_function("() => window.__bench.finished > 0", timeout=120_000)
        wait_quiet(page)
        dialog = page.get_by_role("dialog")
        if dialog.count() and dialog.first.is_visible():
            return " ".join(dialog.first.inner_text().split())[:160]
        return ""
    finally:
        ctx.close()


def end_of_run(page, rec, f0: int, t0: float, timeout_s: float = 120) -> tuple[float, bool]:
    """When the first run after a click at ``t0`` ended: the page's counter
    (``SCRIPT_STATE_JS``), or — when that misses a run that was over before React showed
    it as running — the ``script_finished`` message's arrival (CDP). Returns (ms, missed)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if bench_state(page)["f"] > f0:
            return page.evaluate(f"window.__bench.ends[{f0}]"), False
        done = rec.first_finished_after(t0)
        if done is not None:
            page.wait_for_timeout(200)  # let the page's counter catch up if it will
            if bench_state(page)["f"] > f0:
                return page.evaluate(f"window.__bench.ends[{f0}]"), False
            return done, True
        page.wait_for_timeout(50)
    raise TimeoutError("no script run ended after the click")


def reruns(browser, url: str, changes: int, classes: int) -> dict[str, list[dict]]:
    """Widget changes on one map page; per change: server time, change → idle, runs."""
    from playwright.sync_api import Error as PlaywrightError

    ctx, page, rec = new_page(browser)
    results: dict[str, list[dict]] = {"overlay toggle": [], "Classes": []}
    retries: list[str] = []
    results["_retries"] = retries  # type: ignore[assignment]
    try:
        page.goto(url, timeout=120_000)
        wait_polygons(page, WALES_WARDS)
        wait_quiet(page)
        toggle = page.get_by_text("Drug offences overlay", exact=True)
        classes_box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").nth(1)
        schemes = [s for s in mapping.SCHEMES if s != "Quantiles"] + ["Quantiles"]
        plan = [("overlay toggle", None)] * changes + [
            ("Classes", schemes[i % len(schemes)]) for i in range(classes)
        ]
        for what, scheme in plan:
            wait_quiet(page, 800)
            page.evaluate("() => { window.__benchMap = window.map; }")
            n_out, n_in = len(rec.ws_out), len(rec.ws_in)
            f0 = bench_state(page)["f"]
            for attempt in range(3):  # Streamlit sometimes marks the page inert briefly
                try:
                    if what == "Classes":
                        classes_box.click(timeout=15_000)
                        option = page.get_by_role("option", name=scheme, exact=True)
                        option.wait_for(timeout=15_000)
                        t0 = web.now_ms()
                        option.click(timeout=15_000)
                    else:
                        t0 = web.now_ms()
                        toggle.click(timeout=15_000)
                    break
                except PlaywrightError:
                    if attempt == 2:
                        raise
                    retries.append(what)
                    page.keyboard.press("Escape")
                    wait_quiet(page, 800)
            first_end, missed = end_of_run(page, rec, f0, t0)
            if missed:
                retries.append("run seen by CDP only")
            state = wait_quiet(page, 1500)
            t_quiet = web.now_ms()
            sent = next((ts for ts, _, k in rec.ws_out[n_out:] if k == "rerun_script"), None)
            done = rec.first_finished_after(sent) if sent is not None else None
            redrawn = page.evaluate("() => window.map !== window.__benchMap")
            results[what].append(
                {
                    "server": (done - sent) if done is not None else float("nan"),
                    "idle": first_end - t0,
                    "runs": max(1, state["f"] - f0),
                    "bytes": sum(f[1] for f in rec.ws_in[n_in:]),
                    "redrawn": bool(redrawn),
                    "t0": t0,
                    "t_quiet": t_quiet,
                }
            )
        exc = page.get_by_test_id("stException")
        if exc.count():
            raise RuntimeError("stException: " + exc.first.inner_text()[:500])
        return results
    finally:
        ctx.close()


def script_runs(log: Path) -> list[tuple[float, float, str]]:
    """(start ms, duration ms, outcome) of every run recorded by timed_app.py."""
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        start, ms, outcome = line.split()
        out.append((float(start), float(ms), outcome))
    return out


def attribute_runs(results: dict[str, list[dict]], runs) -> None:
    """Give each change the script runs that started between its click and idle."""
    for what, items in results.items():
        if what.startswith("_"):  # "_retries": notes, not changes
            continue
        for r in items:
            mine = [x for x in runs if r["t0"] - 50 <= x[0] <= r["t_quiet"]]
            r["script"] = mine[0][1] if mine else float("nan")
            r["script_more"] = [x[1] for x in mine[1:]]


def print_profile(folder: Path, after_ms: float, top: int = 30) -> None:
    import io
    import pstats

    files = sorted(
        p for p in folder.glob("run-*.pstats") if float(p.stem.split("-", 1)[1]) * 1000 >= after_ms
    )
    if not files:
        print("no profiled runs")
        return
    stats = pstats.Stats(str(files[0]))
    for f in files[1:]:
        stats.add(str(f))
    out = io.StringIO()
    stats.stream = out
    print(
        f"cProfile of {len(files)} script runs of the map page (overlay toggles), by "
        "cumulative time, the project's functions and the main costs inside Streamlit "
        "and json; cProfile slows Python about 2x"
    )
    stats.sort_stats("cumulative").print_stats(
        r"/(pages|dashboard|hotspots)/.*\.py|iterencode|components|enqueue\)|"
        r"cache_utils|mapclassify",
        top,
    )
    print(
        "\n".join(line for line in out.getvalue().splitlines() if ".pstats" not in line).strip("\n")
    )


def summarise(runs: list[dict]) -> dict:
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in ("connected", "server_done", "shown", "controls", "idle")
        if k in runs[0]
    }
    med["shown_min"] = min(r["shown"] for r in runs)
    med["shown_max"] = max(r["shown"] for r in runs)
    med["runs"] = statistics.median(r["runs"] for r in runs)
    return med


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed navigations per page")
    ap.add_argument("--changes", type=int, default=30, help="overlay toggles")
    ap.add_argument("--classes", type=int, default=10, help="'Classes' changes")
    ap.add_argument("--store", type=Path, help="use this store instead of building one")
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N overlay toggles with cProfile (separate server)",
    )
    ap.add_argument(
        "--no-uk-explore", action="store_true", help="skip explore() of the UK wards (slow)"
    )
    args = ap.parse_args(argv)
    if not Path(web.CHROMIUM).exists():
        sys.exit(f"no Chromium at {web.CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    print(f"command: {web.command_line()}")
    print(f"machine at start: {web.machine_note()}")
    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    try:
        if args.store:
            store, t_store = args.store.resolve(), float("nan")
        else:
            store = work / "store"
            t_store = web.build_store(store)
            print(f"store built in {t_store:.1f} s ({store})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wales = wales_offline(store)
            uk = uk_offline(work / "uk_map.json", not args.no_uk_explore)
        print("offline maps done; load average", web.loadavg())

        env = web.app_env(store, work)
        nav: dict[str, dict] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=web.CHROMIUM, args=web.CHROMIUM_ARGS)
            plans = [
                (
                    "floor (st.write)",
                    web.copy_app(web.ROOT / "bench/apps/empty_app.py", work / "floor"),
                    web.ROOT,
                    "/",
                    None,
                    "x",
                ),
                ("Wales, 762 wards", web.ROOT / "app.py", web.ROOT, WALES_URL, WALES_WARDS, None),
                (
                    "UK, 8,483 wards",
                    web.copy_app(web.ROOT / "bench/apps/uk_map_app.py", work / "uk"),
                    work / "uk",
                    "/",
                    uk["wards"],
                    None,
                ),
            ]
            rerun_results, dialog, profile_after = {}, "", None
            for label, script, cwd, path, polygons, text in plans:
                # PYTHONPATH: Streamlit may run a page file before the main script (its
                # pages-folder mode) when a session opens at /map; pages import dashboard.
                extra = {
                    "HOTSPOTS_ROOT": str(web.ROOT),
                    "PYTHONPATH": str(web.ROOT),
                    "HOTSPOTS_BENCH_MAP": str(work / "uk_map.json"),
                }
                with web.running_app(
                    script, {**env, **extra}, cwd=cwd, log=work / f"{script.stem}.log"
                ) as app:
                    is_wales = polygons == WALES_WARDS
                    cold = visit(browser, app.url + path, polygons, text, is_wales)
                    runs = [
                        visit(browser, app.url + path, polygons, text, is_wales)
                        for _ in range(args.repeat)
                    ]
                    nav[label] = {
                        "cold": cold,
                        "runs": runs,
                        "median": summarise(runs),
                        "load": web.loadavg(),
                    }
                    print(f"{label}: done; load average {web.loadavg()}")
                    if polygons == WALES_WARDS:
                        dialog = map_path_dialog(browser, app.url)
                # Reruns: the same app under a stopwatch (bench/apps/timed_app.py).
                if polygons == WALES_WARDS:
                    log = work / "runs.log"
                    with web.running_app(
                        web.timed_app(work, "timed"),
                        {**env, **extra, "HOTSPOTS_BENCH_RUNS": str(log)},
                        cwd=work / "timed",
                        log=work / "timed.log",
                    ) as app:
                        rerun_results = reruns(browser, app.url + path, args.changes, args.classes)
                    attribute_runs(rerun_results, script_runs(log))
                    print(f"reruns: done; load average {web.loadavg()}")
                    if args.profile:
                        prof = work / "profile"
                        prof.mkdir()
                        with web.running_app(
                            web.timed_app(work, "timed"),
                            {
                                **env,
                                **extra,
                                "HOTSPOTS_BENCH_RUNS": str(work / "prof-runs.log"),
                                "HOTSPOTS_BENCH_PROFILE": str(prof),
                            },
                            cwd=work / "timed",
                            log=work / "prof.log",
                        ) as app:
                            profiled = reruns(browser, app.url + path, args.profile, 0)
                        profile_after = profiled["overlay toggle"][0]["t0"] - 50
            browser.close()
        report(args, t_store, wales, uk, nav, rerun_results)
        if profile_after is not None:
            print()
            print_profile(work / "profile", profile_after)
        print(
            f"/map?{WALES_QUERY} on a warm server: "
            + (f"DIALOG: {dialog}" if dialog else "no dialog")
        )
        print(f"machine at end: load average {web.loadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(args, t_store, wales, uk, nav, rr) -> None:
    kb = 1000.0
    floor = nav["floor (st.write)"]["median"]
    print()
    print(f"store: {t_store:.1f} s to load ../shared/data")
    print()
    print(
        "Payload (bytes; KB = 1,000 B). websocket = CDP frames received; HTTP = responses "
        "with a cold browser cache"
    )
    rows = []
    for label, off in (("Wales, 762 wards", wales), ("UK, 8,483 wards", uk)):
        m = nav[label]["runs"][-1]
        rows.append(
            {
                "map": label,
                "GeoJSON KB": off["geojson"] / kb,
                "encoded outlines KB": off["geometry"] / kb,
                "component args KB": off["args"] / kb,
                "ws map message KB": m["map_msg"] / kb,
                "maps sent per visit": m["map_msgs"],
                "ws first run KB": m["ws_first_run"] / kb,
                "ws whole visit KB": m["ws_total"] / kb,
                "HTTP Streamlit KB": m["http"]["streamlit"] / kb,
                "HTTP component+Leaflet KB": (m["http"]["component"] + m["http"]["leaflet"]) / kb,
                "explore() HTML KB": off["explore"] / kb,
                "explore / ws map message": off["explore"] / m["map_msg"]
                if m["map_msg"]
                else float("nan"),
            }
        )
    print(web.markdown_table(rows))
    print()
    print(
        "Server-side work per map, seconds in this process (not in Streamlit): "
        "display_geometry and encode_geometry (once per area and store version, cached "
        "by the app), page = merge → classify → map_args (every run), explore() for "
        "comparison"
    )
    print(
        web.markdown_table(
            [
                {
                    "map": label,
                    "display_geometry s": d["t_display"],
                    "encode_geometry s": d["t_geometry"],
                    "page s": d["t_page"],
                    "explore() s": d["t_explore"],
                }
                for label, d in (("Wales", wales), ("UK", uk))
            ]
        )
    )
    print()
    print(
        f"Navigation, ms from page.goto (median of {args.repeat}, fresh context each, warm "
        "server; 'cold' = first visit after the server started)"
    )
    rows = []
    for label, d in nav.items():
        m, c = d["median"], d["cold"]
        rows.append(
            {
                "page": label,
                "→ websocket": m["connected"],
                "→ script finished": m["server_done"],
                "→ drawn/shown": m["shown"],
                "min–max": f"{m['shown_min']:,.0f}–{m['shown_max']:,.0f}",
                "→ controls": m.get("controls", float("nan")),
                "→ idle": m["idle"],
                "runs": m["runs"],
                "cold → drawn": c["shown"],
                "÷ floor": m["shown"] / floor["shown"],
                "load avg": d["load"],
            }
        )
    print(web.markdown_table(rows))
    print()
    rows = []
    retries = rr.pop("_retries", [])
    for what, items in rr.items():
        if not items:
            continue
        server = [r["server"] for r in items]
        idle = [r["idle"] for r in items]
        script = [r["script"] for r in items]
        more = [x for r in items for x in r["script_more"]]
        rows.append(
            {
                "change": what,
                "n": len(items),
                "script p50 ms": web.pct(script, 50),
                "script p95 ms": web.pct(script, 95),
                "server p50 ms": web.pct(server, 50),
                "server p95 ms": web.pct(server, 95),
                "server max ms": max(server),
                "→ idle p50 ms": web.pct(idle, 50),
                "→ idle p95 ms": web.pct(idle, 95),
                "runs/change": statistics.mean(r["runs"] for r in items),
                "follow-up run p50 ms": web.pct(more, 50) if more else float("nan"),
                "KB/change": statistics.mean(r["bytes"] for r in items) / kb,
                "map redrawn": f"{sum(r['redrawn'] for r in items)}/{len(items)}",
            }
        )
    allserver = [r["server"] for items in rr.values() for r in items]
    allscript = [r["script"] for items in rr.values() for r in items]
    print(
        "Reruns on the Wales map (script = app.py's run, timed inside the server by "
        "bench/apps/timed_app.py; server = rerun_script BackMsg sent → script_finished "
        "received, CDP; → idle = click → stApp notRunning; follow-up = any further "
        "run before the page went quiet)"
    )
    print(web.markdown_table(rows))
    inert = retries.count("overlay toggle") + retries.count("Classes")
    print(
        f"clicks retried (element inert): {inert}; runs seen by CDP only (the page's "
        f"counter missed them; → idle is then the script_finished arrival): "
        f"{retries.count('run seen by CDP only')}"
    )
    print()
    wm = nav["Wales, 762 wards"]["runs"][-1]
    ratio_explore = wales["explore"] / wm["map_msg"]
    checks = [
        (
            "Wales payload < 400 KB (websocket map message)",
            wm["map_msg"] / kb,
            wm["map_msg"] < TARGETS["wales_payload_kb"] * kb,
        ),
        (
            "Wales GeoJSON alone < 400 KB",
            wales["geojson"] / kb,
            wales["geojson"] < TARGETS["wales_payload_kb"] * kb,
        ),
        (
            "explore() >= 5x the Wales map message",
            ratio_explore,
            ratio_explore >= TARGETS["explore_ratio"],
        ),
        (
            "Wales first draw <= 1.5x floor",
            nav["Wales, 762 wards"]["median"]["shown"] / floor["shown"],
            nav["Wales, 762 wards"]["median"]["shown"] <= TARGETS["floor_ratio"] * floor["shown"],
        ),
        (
            "UK drawn < 6 s (ms)",
            nav["UK, 8,483 wards"]["median"]["shown"],
            nav["UK, 8,483 wards"]["median"]["shown"] < TARGETS["uk_s"] * 1000,
        ),
        (
            "rerun p95 < 200 ms (server: BackMsg → script_finished)",
            web.pct(allserver, 95),
            web.pct(allserver, 95) < TARGETS["rerun_p95_ms"],
        ),
        (
            "rerun p95 < 200 ms (script run inside the server)",
            web.pct(allscript, 95),
            web.pct(allscript, 95) < TARGETS["rerun_p95_ms"],
        ),
    ]
    print(
        web.markdown_table(
            [{"target": t, "value": v, "met": "yes" if ok else "NO"} for t, v, ok in checks]
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
