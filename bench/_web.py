"""Shared helpers of the browser benchmarks (bench/browser.py, bench/load.py); not a test.

Build a real-data store, start Streamlit on a free port of 127.0.0.1, launch Debian's
Chromium, read a process's memory and CPU time from /proc, decode Streamlit's websocket
frames, percentiles and Markdown tables. See ../shared/notes/browser-testing.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HOTSPOTS_SHARED_DATA", ROOT.parent / "shared" / "data"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POLYGON = "path.leaflet-interactive"
#: The sidebar's value for every ward (dashboard/selection.py: ``ALL``).
ALL_WARDS = "All wards"
PERIOD = "period=range&from=2018-10&to=2019-02&def=police-uk-proxy"

#: Injected into every page (top frame only): counts the runs of the script as the page
#: sees them, from ``stApp``'s ``data-test-script-state`` attribute (what drives the
#: status widget). A run ends when the state comes back to ``notRunning`` after
#: ``running`` / ``rerunRequested``; ``window.__bench.finished`` counts the ends and
#: ``ends`` / ``lastFinished`` hold their ``Date.now()``.
SCRIPT_STATE_JS = """
(() => {
  if (window !== window.top || window.__bench) return;
  const b = window.__bench = {finished: 0, lastFinished: 0, busy: false, state: null,
                              requested: 0, lastRequested: 0, transitions: [], ends: []};
  const check = () => {
    const el = document.querySelector('[data-testid="stApp"]');
    const s = el ? el.getAttribute('data-test-script-state') : null;
    if (s === b.state) return;
    const now = Date.now();
    if (b.transitions.length < 200) b.transitions.push([s, now]);
    if (s === 'rerunRequested') { b.requested++; b.lastRequested = now; }
    if (s === 'running' || s === 'rerunRequested') b.busy = true;
    if (s === 'notRunning' && b.busy) {
      b.busy = false; b.finished++; b.lastFinished = now;
      if (b.ends.length < 5000) b.ends.push(now);
    }
    b.state = s;
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true,
      attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""


def now_ms() -> float:
    """Wall-clock milliseconds, the same clock as the browser's ``Date.now()``."""
    return time.time() * 1000.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(dest: Path, shared: Path = SHARED) -> float:
    """``python -m hotspots --data-dir DEST load auto SHARED --quiet``; returns seconds."""
    if not (shared / "PROVENANCE.md").exists():
        sys.exit(f"the real open data is not at {shared} (set HOTSPOTS_SHARED_DATA)")
    t = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotspots",
            "--data-dir",
            str(dest),
            "load",
            "auto",
            str(shared),
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(
            f"loading the store failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        )
    return time.perf_counter() - t


def app_env(store: Path, work: Path) -> dict[str, str]:
    """Environment for the dashboard on ``store``, open access, audit log in ``work``."""
    return {
        "HOTSPOTS_DATA_DIR": str(store),
        "HOTSPOTS_ACCOUNTS": str(work / "no-accounts.toml"),
        "HOTSPOTS_AUDIT_LOG": str(work / "audit.log.jsonl"),
    }


class App:
    """A running ``streamlit run SCRIPT`` on 127.0.0.1 (``url``, ``pid``, ``log``)."""

    def __init__(self, proc: subprocess.Popen, url: str, log: Path):
        self.proc, self.url, self.log = proc, url, log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def running_app(
    script: Path, env: dict[str, str], cwd: Path = ROOT, log: Path | None = None
) -> Iterator[App]:
    """Run ``streamlit run script`` (static serving on) and yield it once healthy."""
    port = free_port()
    log = log or Path(tempfile.gettempdir()) / f"bench-streamlit-{port}.log"
    with open(log, "wb") as fh:
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
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.enableStaticServing",
                "true",
                "--server.fileWatcherType",
                "none",
                "--server.runOnSave",
                "false",
            ],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    app = App(proc, url, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r,
            ):
                if r.status == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + app.log_text()[-3000:])
            time.sleep(0.1)
        yield app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def timed_app(work: Path, name: str) -> Path:
    """bench/apps/timed_app.py in its own folder beside links to ``pages``, ``static`` and
    ``.streamlit`` (it runs app.py; ``st.Page`` paths are relative to the main script)."""
    script = copy_app(ROOT / "bench/apps/timed_app.py", work / name)
    link = script.parent / "pages"
    if not link.exists():
        link.symlink_to(ROOT / "pages", target_is_directory=True)
    return script


def copy_app(src: Path, folder: Path) -> Path:
    """Copy a bench app into ``folder`` beside links to the repository's ``static``
    (Streamlit serves ``static`` next to the main script) and ``.streamlit`` (settings are
    read from the working directory, which is ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / src.name
    shutil.copy(src, dest)
    for name in ("static", ".streamlit"):  # Leaflet; the app's Streamlit settings
        link = folder / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=True)
    return dest


# ----------------------------------------------------------------------------- /proc


def rss_mb(pid: int) -> float:
    """Resident set size (VmRSS) of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (its threads included), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc/*/stat parent ids)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
    out, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        frontier += kids
    return out


class TreeCpu:
    """CPU seconds used by a process tree (e.g. Chromium and its renderers), from repeated
    samples: a process that exits between two samples loses at most one interval."""

    def __init__(
        self, root: int, exclude: Sequence[int] = (), nice: int | None = None, idle: bool = False
    ):
        self.root, self.exclude, self.nice, self.idle = root, set(exclude), nice, idle
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.rss = 0.0

    def sample(self) -> None:
        rss = 0.0
        for p in descendants(self.root):
            if p in self.exclude:
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                c = cpu_seconds(p)
                r = rss_mb(p)
                rss += 0.0 if r != r else r  # an exiting process has no VmRSS
                self.first.setdefault(p, c)
                self.last[p] = c
            if self.nice is not None or self.idle:
                renice_threads(p, self.nice or 0, idle=self.idle)
        self.rss = rss

    def seconds(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last)


def renice_threads(pid: int, nice: int, idle: bool = False) -> None:
    """Set every thread of ``pid`` to ``nice`` (Linux niceness is per thread; Chromium
    raises some of its own, so ``nice`` at launch is not enough); with ``idle``, to the
    ``SCHED_IDLE`` policy instead: such threads run only when nothing else wants the CPU."""
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                tid = int(task.name)
                if idle:
                    if os.sched_getscheduler(tid) != os.SCHED_IDLE:
                        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
                    continue
                now = int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
                if now != nice:
                    os.setpriority(os.PRIO_PROCESS, tid, nice)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return float(sum(f) - idle), float(sum(f))


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine_note() -> str:
    import streamlit

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{dt.datetime.now().isoformat(timespec='seconds')}; {os.cpu_count()} cores "
        f"({model}), {mem:,} MB RAM; load average {loadavg()}; Python "
        f"{platform.python_version()}, streamlit {streamlit.__version__}, {chromium}"
    )


# ----------------------------------------------------------------------------- numbers


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def markdown_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))

    def fmt(v):
        if isinstance(v, float):
            return "" if v != v else f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def command_line() -> str:
    return ".venv/bin/python " + " ".join(
        [
            str(Path(sys.argv[0]).resolve().relative_to(ROOT))
            if Path(sys.argv[0]).resolve().is_relative_to(ROOT)
            else sys.argv[0],
            *sys.argv[1:],
        ]
    )


def forward_msg_type(payload: bytes) -> tuple[str | None, str | None]:
    """(ForwardMsg type, delta type) of one binary websocket frame from Streamlit."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:
        return None, None
    kind = msg.WhichOneof("type")
    sub = msg.delta.WhichOneof("type") if kind == "delta" else None
    return kind, sub
