"""Analytics benchmark: full refresh, re-rank, and the bare esda Gi* call beside them.

Run from the repository root (needs ../shared/data); not a test:

    .venv/bin/python bench/analytics.py [--repeat 3] [--shared PATH] [--profile]

Three measurements, each beside the bare
``esda.G_Local(y, w, transform="B", star=True, permutations=9999, n_jobs=1, seed=...)``
call on the same values and weights:

- **Wales**: ``analyse(...)`` for all 762 Welsh wards, 2018-10 to 2019-02, from a temporary
  store holding all of ../shared/data (counts, monthly counts, deprivation, harm);
- **UK**: ``analyse(...)`` for the UK wards of ``boundaries/uk_wards_dec2022_bsc.geojson``
  (8,483 features, 8,482 ward codes: one ward comes in two parts) with synthetic Poisson counts and populations
  (five months; no deprivation, no harm);
- **re-rank**: ``rerank(analysis, other weights)`` on each of those analyses.

Fast steps report the best of ``--repeat`` runs; the UK refresh runs once. ``--profile``
prints the top cProfile entries (by cumulative time) of one full refresh of each size.

Targets: Wales < 1 s, UK < 10 s, re-rank < 50 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import W

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotspots.analysis import AnalysisSettings, analyse, gi_values, rerank  # noqa: E402
from hotspots.dataset import Selection, load_ward_data  # noqa: E402
from hotspots.ingest import load_paths  # noqa: E402
from hotspots.ranking import rank_settings  # noqa: E402
from hotspots.schema import WARD_COUNT_COLUMNS  # noqa: E402
from hotspots.spatial import build_weights  # noqa: E402
from hotspots.store import Store  # noqa: E402

TARGETS = {"Wales": 1.0, "UK": 10.0, "re-rank": 0.05}
MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
CATEGORIES = ["violence_and_sexual_offences", "robbery", "drugs"]
OTHER_WEIGHTS = rank_settings(weights={"violence": 0.4, "drugs": 0.2, "deprivation": 0.2,
                                       "harm": 0.2})
SEED = 12345


def timed(fn, repeat: int) -> tuple[float, object]:
    """Best of ``repeat`` wall-clock timings, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def bare_gi(analysis, wards: gpd.GeoDataFrame, repeat: int) -> float:
    """The bare esda call on the same values and weights (a fresh copy of W each time)."""
    w, _ = build_weights(wards[["ward_code", "geometry"]].reset_index(drop=True))
    y = gi_values(analysis.indicators).reindex(list(w.id_order)).to_numpy(dtype=float)
    best = float("inf")
    for _ in range(repeat):
        wc = W(w.neighbors, id_order=list(w.id_order), silence_warnings=True)
        t = time.perf_counter()
        esda.G_Local(y, wc, transform="B", star=True, permutations=9999, n_jobs=1, seed=SEED)
        best = min(best, time.perf_counter() - t)
    return best


def profile(label: str, fn, top: int = 25) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    print(f"\n--- cProfile: {label} (top {top} by cumulative time) ---")
    print(buf.getvalue())


def wales_inputs(shared: Path):
    store = Store(Path(tempfile.mkdtemp(prefix="bench-analytics-")) / "store")
    load_paths(store, "auto", [shared])
    data = load_ward_data(store, Selection(MONTHS[0], MONTHS[-1]))
    return (data.counts, data.monthly, data.wards,
            {"lsoa_deprivation": data.lsoa_deprivation, "lsoa_weights": data.lsoa_weights,
             "harm": data.harm})


def uk_inputs(shared: Path, seed: int = 2019):
    """The 8,483 UK wards with synthetic Poisson counts and populations."""
    raw = gpd.read_file(shared / "boundaries" / "uk_wards_dec2022_bsc.geojson")
    # 8,483 features but 8,482 codes: E05014284 comes in two parts; join them.
    raw = raw.dissolve(by="ward22_code", aggfunc="first", as_index=False)
    wards = gpd.GeoDataFrame({
        "ward_code": raw["ward22_code"].astype(str), "ward_name": raw["ward22_name"],
        "local_authority_code": "", "local_authority_name": "", "police_force": "",
    }, geometry=raw.geometry.to_crs(27700).to_numpy(), crs="EPSG:27700")
    wards = wards.sort_values("ward_code").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    n = len(wards)
    population = rng.lognormal(np.log(6000), 0.5, n).round().astype("int64")
    population[rng.choice(n, 5, replace=False)] = 0  # a few wards without residents
    risk = rng.gamma(2.0, 0.5, n)  # over-dispersed ward risk
    monthly = pd.DataFrame({"ward_code": np.repeat(wards["ward_code"].to_numpy(), len(MONTHS)),
                            "month": np.tile(MONTHS, n)})
    mean = np.repeat(population * risk / 1000, len(MONTHS))
    monthly["violence_and_sexual_offences"] = rng.poisson(1.6 * mean)
    monthly["robbery"] = rng.poisson(0.05 * mean)
    monthly["drugs"] = rng.poisson(0.3 * mean)
    monthly["sv_count"] = monthly["violence_and_sexual_offences"] + monthly["robbery"]
    monthly["drugs_count"] = monthly["drugs"]
    monthly = monthly[["ward_code", "month", "sv_count", "drugs_count", *CATEGORIES]]
    sums = monthly.groupby("ward_code", sort=True)[["sv_count", "drugs_count", *CATEGORIES]].sum()
    counts = wards.drop(columns="geometry").set_index("ward_code").join(sums).reset_index()
    counts["population"] = population
    counts = pd.DataFrame(counts[[*WARD_COUNT_COLUMNS, *CATEGORIES]])
    return counts, monthly, wards, {}


def run(shared: Path, repeat: int, do_profile: bool) -> pd.DataFrame:
    rows = []
    for label, make in (("Wales", wales_inputs), ("UK", uk_inputs)):
        counts, monthly, wards, extra = make(shared)
        settings = AnalysisSettings()

        def full(counts=counts, monthly=monthly, wards=wards, extra=extra,
                 settings=settings):
            return analyse(counts, monthly, wards, settings, **extra)

        reps = repeat if label == "Wales" else 1
        t_full, result = timed(full, reps)
        t_bare = bare_gi(result, wards, reps)
        rows.append({"what": f"{label}: full refresh analyse()", "wards": len(counts),
                     "seconds": t_full, "bare_esda_G_Local_s": t_bare,
                     "target_s": TARGETS[label]})
        t_rr, _ = timed(lambda result=result: rerank(result, OTHER_WEIGHTS), max(repeat, 3))
        rows.append({"what": f"{label}: re-rank (rerank, new weights)", "wards": len(counts),
                     "seconds": t_rr, "bare_esda_G_Local_s": t_bare,
                     "target_s": TARGETS["re-rank"]})
        if do_profile:
            profile(f"{label} full refresh", full)
    out = pd.DataFrame(rows)
    out["met"] = np.where(out["seconds"] < out["target_s"], "yes", "NO")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    p.add_argument("--profile", action="store_true", help="print cProfile top entries")
    args = p.parse_args()
    out = run(Path(args.shared), args.repeat, args.profile)
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3f}".format):
        print(out.to_string(index=False))


if __name__ == "__main__":
    main()
