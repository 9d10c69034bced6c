"""Ingest benchmark: rows/s end to end for police.uk CSVs at three sizes.

Run from the repository root (needs ../shared/data):

    .venv/bin/python bench/ingest.py [--repeat 3] [--shared PATH]

Sizes: one force-month (Dyfed-Powys 2019-01), the five shared months of both forces
(10 files), and an England-and-Wales-size month (about 500,000 rows in 43 force files,
made by replicating the real files with fresh Crime IDs). For each size, one run reports
the best of ``--repeat`` timings (taken in rounds of one of each, so that all three see
much the same load on a shared machine) of:

- ``end to end``: ``load_paths(store, "crimes", files)`` into a fresh copy of a store that
  already holds the Welsh wards and lookups (read, checksum, validate, place in wards,
  reconcile, write, commit) — the copy is made outside the timing;
- ``pandas.read_csv`` of the same files;
- ``pyarrow.csv.read_csv`` of the same files (the raw read: all columns, type inference).

Targets: end to end >= 1,000,000 rows/s and within 1.5x of the raw pyarrow read.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotspots.io.forces import POLICE_UK_FORCES  # noqa: E402
from hotspots.store.base import Store  # noqa: E402
from hotspots.store.ingest import load_paths  # noqa: E402

FORCES_EW = 43


def make_national_month(shared: Path, out: Path, rows: int = 500_000) -> list[Path]:
    """Replicate the real files into ``FORCES_EW`` force files for one month, fresh IDs."""
    frames = [
        pd.read_csv(f, dtype=str, keep_default_na=False)
        for f in sorted((shared / "crime" / "police_uk").glob("*/*-street.csv"))
    ]
    base = pd.concat(frames, ignore_index=True)
    big = pd.concat([base] * (rows // len(base) + 1), ignore_index=True).iloc[:rows].copy()
    has_id = big["Crime ID"] != ""
    big.loc[has_id, "Crime ID"] = [
        hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in range(int(has_id.sum()))
    ]
    big["Month"] = "2019-01"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    # Each file is one real force's (the loader takes a file's force from its rows).
    forces = sorted(POLICE_UK_FORCES.items())
    for i, part in enumerate(range(0, rows, rows // FORCES_EW + 1)):
        slug, (name, *_) = forces[i]
        path = out / f"2019-01-{slug}-street.csv"
        chunk = big.iloc[part : part + rows // FORCES_EW + 1].copy()
        chunk["Reported by"] = chunk["Falls within"] = name
        chunk.to_csv(path, index=False)
        paths.append(path)
    return paths


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(shared: Path, repeat: int) -> pd.DataFrame:
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    base = Store(work / "base")
    load_paths(
        base,
        "auto",
        [shared / "boundaries" / "wales_wards_dec2022_bsc.geojson", shared / "lookups"],
    )
    police = shared / "crime" / "police_uk"
    sizes = {
        "one force-month": [police / "2019-01" / "2019-01-dyfed-powys-street.csv"],
        "five months, both forces": sorted(police.glob("*/*-street.csv")),
        "England-and-Wales-size month": make_national_month(shared, work / "national"),
    }
    rows = []
    for label, files in sizes.items():
        n = sum(f.read_bytes().count(b"\n") - 1 for f in files)

        def fresh_store() -> Store:
            target = work / "run"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(base.root, target)
            return Store(target)

        # The three timings are interleaved, a round at a time, so that on a shared machine
        # each sees much the same load; the best round of each is kept.
        times: dict[str, list[float]] = {"e2e": [], "pd": [], "pa": []}
        for _ in range(repeat):
            store = fresh_store()
            times["e2e"].append(timed(lambda s=store, f=files: load_paths(s, "crimes", f)))
            times["pd"].append(timed(lambda f=files: [pd.read_csv(x) for x in f]))
            times["pa"].append(timed(lambda f=files: [pacsv.read_csv(x) for x in f]))
        t_e2e, t_pd, t_pa = (min(times[k]) for k in ("e2e", "pd", "pa"))
        rows.append(
            {
                "size": label,
                "files": len(files),
                "rows": n,
                "end_to_end_s": t_e2e,
                "pandas_s": t_pd,
                "pyarrow_s": t_pa,
                "end_to_end_rows_per_s": n / t_e2e,
                "ratio_to_pyarrow": t_e2e / t_pa,
            }
        )
    shutil.rmtree(work, ignore_errors=True)
    return pd.DataFrame(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    args = p.parse_args()
    out = run(Path(args.shared), args.repeat)
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3f}".format):
        print(out.to_string(index=False))


if __name__ == "__main__":
    main()
