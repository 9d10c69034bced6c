"""Analytics benchmark: full refresh, re-rank, and the bare esda Gi* call beside them.

Run from the repository root (needs ../shared/data); not a test:

    .venv/bin/python bench/analytics.py [--repeat 3] [--shared PATH] [--profile]

Three measurements, each beside the bare
``esda.G_Local(y, w, transform="B", star=True, permutations=9999, n_jobs=1, seed=...)``
call on the same values and weights:

- **Wales**: ``analyse(...)`` for all 762 Welsh wards, 2018-10 to 2019-02, from a temporary
  store holding all of ../shared/data (counts, monthly counts, deprivation, harm);
- **UK**: ``analyse(...)`` for the UK wards of ``boundaries/uk_wards_dec2022_bsc.geojson``
  (8,483 features, 8,482 ward codes: one ward comes in two parts) with synthetic Poisson
  counts and populations (five months; no deprivation, no harm);
- **re-rank**: ``rerank(analysis, other weights)`` on each of those analyses.

Fast steps report the best of ``--repeat`` runs; the UK refresh runs once. ``--stages``
times the steps of ``analyse`` one by one (same calls, same order) for each size;
``--profile`` prints the top cProfile entries (by cumulative time) of one full refresh.

Targets: Wales < 1 s, UK < 10 s, re-rank < 50 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
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

from hotspots.schema import WARD_COUNT_COLUMNS  # noqa: E402
from hotspots.stats.analysis import AnalysisSettings, analyse, gi_values, rerank  # noqa: E402
from hotspots.stats.ranking import rank_settings  # noqa: E402
from hotspots.stats.weights import build_weights  # noqa: E402
from hotspots.store.base import Store  # noqa: E402
from hotspots.store.ingest import load_paths  # noqa: E402
from hotspots.store.ward_data import Selection, load_ward_data  # noqa: E402

TARGETS = {"Wales": 1.0, "UK": 10.0, "re-rank": 0.05}
MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
CATEGORIES = ["violence_and_sexual_offences", "robbery", "drugs"]
OTHER_WEIGHTS = rank_settings(
    weights={"violence": 0.4, "drugs": 0.2, "deprivation": 0.2, "harm": 0.2}
)
SEED = 12345


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Best of ``repeat`` wall-clock and CPU timings (seconds), and the last result.

    CPU time (this process, all threads) is reported beside wall time because it is
    less affected by other work on a shared machine.
    """
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, result


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


def stages(counts, monthly, wards, extra, settings: AnalysisSettings) -> pd.Series:
    """Seconds per step of :func:`hotspots.stats.analysis.analyse` (the same calls, in order)."""
    from hotspots.stats.analysis import monthly_rates
    from hotspots.stats.concordance import concordance
    from hotspots.stats.emerging import classify_emerging
    from hotspots.stats.expected import observed_expected
    from hotspots.stats.getis_ord import gi_star, gi_star_by_month
    from hotspots.stats.indicators import ward_deprivation, ward_indicators
    from hotspots.stats.moran import local_moran
    from hotspots.stats.ranking import rank_hotspots
    from hotspots.stats.trends import trend_summary
    from hotspots.stats.uncertainty import UncertaintySettings, rank_intervals

    t: dict[str, float] = {}

    def step(name, fn):
        start = time.perf_counter()
        result = fn()
        t[name] = time.perf_counter() - start
        return result

    lsoa, weights = extra.get("lsoa_deprivation"), extra.get("lsoa_weights")
    dep = step(
        "ward_deprivation",
        lambda: (
            ward_deprivation(lsoa, weights, settings.deprivation)
            if lsoa is not None and weights is not None
            else None
        ),
    )
    ind = step("ward_indicators", lambda: ward_indicators(counts, dep, extra.get("harm")))
    step("rank_hotspots", lambda: rank_hotspots(ind, settings.ranking))
    pop = ind.set_index("ward_code")["population"]
    sv = ind.set_index("ward_code")["sv_count"]
    step(
        "rank_intervals (2,000 draws)",
        lambda: rank_intervals(
            sv,
            pop,
            UncertaintySettings(
                draws=settings.uncertainty_draws, seed=settings.seed, top_n=settings.top_n
            ),
        ),
    )
    if dep is not None:
        ok = pop > 0
        cov = dep.set_index("ward_code")[["dep_share_20"]].reindex(pop.index).fillna(0.0)
        step("observed_expected", lambda: observed_expected(sv[ok], pop[ok], cov[ok]))
    w, _ = step(
        "build_weights",
        lambda: build_weights(wards[["ward_code", "geometry"]].reset_index(drop=True)),
    )
    values = gi_values(ind).reindex(list(w.id_order))
    step("gi_star (9,999 permutations)", lambda: gi_star(values, w, settings.gi))
    step("local_moran (9,999 permutations)", lambda: local_moran(values, w, settings.gi))
    gim = step(
        "gi_star_by_month",
        lambda: gi_star_by_month(monthly_rates(monthly, pop), w, "sv_rate", settings.gi),
    )
    step("classify_emerging", lambda: classify_emerging(gim, settings.emerging))
    s = ind.set_index("ward_code")
    step(
        "concordance",
        lambda: concordance(
            s["sv_count"].astype(float),
            s["drugs_count"].astype(float),
            top_n=settings.top_n,
            seed=settings.seed % (2**32),
        ),
    )
    step("trend_summary", lambda: trend_summary(monthly, settings.top_n))
    return pd.Series(t, name="seconds")


def wales_inputs(shared: Path):
    work = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    try:
        store = Store(work / "store")
        load_paths(store, "auto", [shared])
        data = load_ward_data(store, Selection(MONTHS[0], MONTHS[-1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # everything needed is in memory now
    return (
        data.counts,
        data.monthly,
        data.wards,
        {
            "lsoa_deprivation": data.lsoa_deprivation,
            "lsoa_weights": data.lsoa_weights,
            "harm": data.harm,
        },
    )


def uk_inputs(shared: Path, seed: int = 2019):
    """The 8,483 UK wards with synthetic Poisson counts and populations."""
    raw = gpd.read_file(shared / "boundaries" / "uk_wards_dec2022_bsc.geojson")
    # 8,483 features but 8,482 codes: E05014284 comes in two parts; join them.
    raw = raw.dissolve(by="ward22_code", aggfunc="first", as_index=False)
    wards = gpd.GeoDataFrame(
        {
            "ward_code": raw["ward22_code"].astype(str),
            "ward_name": raw["ward22_name"],
            "local_authority_code": "",
            "local_authority_name": "",
            "police_force": "",
        },
        geometry=raw.geometry.to_crs(27700).to_numpy(),
        crs="EPSG:27700",
    )
    wards = wards.sort_values("ward_code").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    n = len(wards)
    population = rng.lognormal(np.log(6000), 0.5, n).round().astype("int64")
    population[rng.choice(n, 5, replace=False)] = 0  # a few wards without residents
    risk = rng.gamma(2.0, 0.5, n)  # over-dispersed ward risk
    monthly = pd.DataFrame(
        {
            "ward_code": np.repeat(wards["ward_code"].to_numpy(), len(MONTHS)),
            "month": np.tile(MONTHS, n),
        }
    )
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


def run(shared: Path, repeat: int, do_profile: bool, do_stages: bool) -> pd.DataFrame:
    rows = []
    for label, make in (("Wales", wales_inputs), ("UK", uk_inputs)):
        counts, monthly, wards, extra = make(shared)
        settings = AnalysisSettings()

        def full(counts=counts, monthly=monthly, wards=wards, extra=extra, settings=settings):
            return analyse(counts, monthly, wards, settings, **extra)

        reps = repeat if label == "Wales" else 1
        t_full, c_full, result = timed(full, reps)
        t_bare = bare_gi(result, wards, reps)
        rows.append(
            {
                "what": f"{label}: full refresh analyse()",
                "wards": len(counts),
                "seconds": t_full,
                "cpu_s": c_full,
                "bare_esda_G_Local_s": t_bare,
                "target_s": TARGETS[label],
            }
        )
        t_rr, c_rr, _ = timed(lambda result=result: rerank(result, OTHER_WEIGHTS), max(repeat, 3))
        rows.append(
            {
                "what": f"{label}: re-rank (rerank, new weights)",
                "wards": len(counts),
                "seconds": t_rr,
                "cpu_s": c_rr,
                "bare_esda_G_Local_s": t_bare,
                "target_s": TARGETS["re-rank"],
            }
        )
        if do_stages:
            steps = stages(counts, monthly, wards, extra, settings)
            print(f"\n--- {label}: seconds per step of analyse() (sum {steps.sum():.2f} s) ---")
            print(steps.sort_values(ascending=False).round(3).to_string())
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
    p.add_argument("--stages", action="store_true", help="time each step of analyse()")
    args = p.parse_args()
    out = run(Path(args.shared), args.repeat, args.profile, args.stages)
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3f}".format):
        print(out.to_string(index=False))
    print(
        f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
        if Path("/proc/loadavg").exists()
        else ""
    )


if __name__ == "__main__":
    main()
