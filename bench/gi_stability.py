"""Gi* stability: how much does the All-Wales hot set move with the seed?

Run from the repository root (needs ../shared/data); not a test:

    .venv/bin/python bench/gi_stability.py [--seeds 8] [--shared PATH]

For all 762 Welsh wards, 2018-10 to 2019-02 (the dashboard's values: smoothed violence
rates, :func:`hotspots.stats.analysis.gi_values`; queen weights, islands joined), it runs
:func:`hotspots.stats.getis_ord.gi_star` with ``--seeds`` different seeds (``GiSettings.seed``
1, 2, ...) for each method and prints, per method, the number of hot wards at a false
discovery rate of 0.05 (``gi_z > 0`` and ``gi_p_fdr <= 0.05``) for every seed, their
range, the wards that are hot under some seeds but not all, and the best wall time of
one call. It then times one whole All-Wales :func:`hotspots.stats.analysis.analyse` (best of 3).

Target: the hot set varies by at most 2 wards across seeds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotspots.stats.analysis import AnalysisSettings, analyse, gi_values  # noqa: E402
from hotspots.stats.getis_ord import GiSettings, gi_star  # noqa: E402
from hotspots.stats.indicators import ward_indicators  # noqa: E402
from hotspots.stats.weights import build_weights  # noqa: E402
from hotspots.store.base import Store  # noqa: E402
from hotspots.store.ingest import load_paths  # noqa: E402
from hotspots.store.ward_data import Selection, load_ward_data  # noqa: E402

METHODS = {
    "permutation, 9,999": GiSettings(method="permutation"),
    "permutation, 99,999": GiSettings(method="permutation", permutations=99_999),
    "exact (default)": GiSettings(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-gi-"))
    try:
        store = Store(work / "store")
        load_paths(store, "auto", [args.shared])
        data = load_ward_data(store, Selection("2018-10", "2019-02"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    w, _ = build_weights(data.wards[["ward_code", "geometry"]].reset_index(drop=True))
    values = gi_values(ward_indicators(data.counts)).reindex(list(w.id_order))
    print(f"{len(values)} wards, {args.seeds} seeds")
    for label, base in METHODS.items():
        sets, best = [], float("inf")
        for seed in range(1, args.seeds + 1):
            settings = GiSettings(**{**base.__dict__, "seed": seed})
            start = time.perf_counter()
            result = gi_star(values, w, settings)
            best = min(best, time.perf_counter() - start)
            hot = result[(result["gi_z"] > 0) & (result["gi_p_fdr"] <= 0.05)]
            sets.append(set(hot["ward_code"]))
        sizes = [len(s) for s in sets]
        moving = set.union(*sets) - set.intersection(*sets)
        print(
            f"{label:>22}: hot {sizes}  range {min(sizes)}-{max(sizes)} "
            f"(spread {max(sizes) - min(sizes)}); wards that move {len(moving)}; "
            f"best {best:.2f} s per call"
        )
    times = []
    for _ in range(3):
        start = time.perf_counter()
        analyse(
            data.counts,
            data.monthly,
            data.wards,
            AnalysisSettings(),
            lsoa_deprivation=data.lsoa_deprivation,
            lsoa_weights=data.lsoa_weights,
            harm=data.harm,
        )
        times.append(time.perf_counter() - start)
    print(
        f"analyse (All Wales): best of 3 {min(times):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
