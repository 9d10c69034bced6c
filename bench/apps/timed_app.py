"""The dashboard's ``app.py`` run under a stopwatch, for bench/browser.py.

Streamlit runs this file as the main script; it runs ``app.py`` (``runpy``, as
``__main__``) and appends one line per script run to ``$HOTSPOTS_BENCH_RUNS``:
``<start, ms since the epoch> <duration ms> <outcome>`` (outcome ``finished``, or the
exception that ended the run, e.g. ``RerunException``). With ``$HOTSPOTS_BENCH_PROFILE``
(a folder) each run is also profiled with cProfile into ``run-<start>.pstats`` there.

With ``$HOTSPOTS_BENCH_SERVER_CLOCK`` (a file) it also times every rerun inside the server:
from the ``rerun_script`` BackMsg being handled (``AppSession.handle_backmsg``) to the
``script_finished`` ForwardMsg being queued for the browser, one line per rerun:
``<BackMsg handled, ms since the epoch> <ms> <widgets in the BackMsg's widget states>``
(0 widgets: a new session's first run). Installed on the first run (instrumentation of
Streamlit's server for benchmarks only).

Run from a folder holding this file and links ``pages`` and ``static`` to the
repository's (``st.Page`` paths are relative to the main script); ``HOTSPOTS_ROOT`` is
the repository.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("HOTSPOTS_ROOT", Path(__file__).resolve().parents[2]))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _install_server_clock(path: str) -> None:
    from streamlit.runtime import app_session

    cls = app_session.AppSession
    if getattr(cls, "_bench_clock", None) == path:
        return
    handle, enqueue = cls.handle_backmsg, cls._enqueue_forward_msg

    def handle_backmsg(self, msg):
        if msg.WhichOneof("type") == "rerun_script":
            self._bench_pending = (time.time(), len(msg.rerun_script.widget_states.widgets))
        return handle(self, msg)

    def enqueue_forward_msg(self, msg):
        enqueue(self, msg)
        pending = getattr(self, "_bench_pending", None)
        if pending and msg.WhichOneof("type") == "script_finished":
            self._bench_pending = None
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(
                    f"{pending[0] * 1000:.1f} {(time.time() - pending[0]) * 1000:.1f} "
                    f"{pending[1]}\n"
                )

    cls.handle_backmsg, cls._enqueue_forward_msg = handle_backmsg, enqueue_forward_msg
    cls._bench_clock = path


if os.environ.get("HOTSPOTS_BENCH_SERVER_CLOCK"):
    _install_server_clock(os.environ["HOTSPOTS_BENCH_SERVER_CLOCK"])

start = time.time()
t0 = time.perf_counter()
profile_dir = os.environ.get("HOTSPOTS_BENCH_PROFILE")
profiler = None
if profile_dir:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
outcome = "finished"
try:
    runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
except BaseException as exc:  # Streamlit ends runs with exceptions (rerun, stop)
    outcome = type(exc).__name__
    raise
finally:
    elapsed = (time.perf_counter() - t0) * 1000
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(Path(profile_dir) / f"run-{start:.6f}.pstats"))
    with open(os.environ["HOTSPOTS_BENCH_RUNS"], "a", encoding="utf-8") as fh:
        fh.write(f"{start * 1000:.1f} {elapsed:.1f} {outcome}\n")
