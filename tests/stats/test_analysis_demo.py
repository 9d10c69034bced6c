"""The whole analysis on the synthetic demo region finds what was planted in it.

The demo's planted truth (``planted_truth.json``, see :mod:`hotspots.demo.synth`) has three
violence hotspot clusters (a core ward and its ring: ``hotspot_wards``) with a raised
fringe around each, one isolated hotspot ward, drug hotspots on most violence hotspots,
and two emerging areas whose violence rises in the last months. The analysis is run
once, on the full period, with the default settings.
"""

from __future__ import annotations

import json

import pytest

from hotspots.stats.analysis import analyse
from hotspots.stats.emerging import NO_PATTERN
from hotspots.store.ward_data import Selection, load_ward_data

pytestmark = pytest.mark.slow

FDR = 0.05
TOP_N = 12


@pytest.fixture(scope="module")
def truth(demo_store) -> dict:
    return json.loads((demo_store.root / "planted_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def analysis(demo_store):
    months = demo_store.months()
    wd = load_ward_data(demo_store, Selection(months[0], months[-1]))
    return analyse(
        wd.counts,
        wd.monthly,
        wd.wards,
        lsoa_deprivation=wd.lsoa_deprivation,
        lsoa_weights=wd.lsoa_weights,
        harm=wd.harm,
    )


def test_gi_star_finds_the_planted_clusters(analysis, truth):
    """Acceptance: recall >= 0.9 and <= 5 % of the other wards called hot at FDR 0.05."""
    gi = analysis.gi.set_index("ward_code")
    assert len(gi) == truth["counts"]["wards"]
    called = set(gi.index[(gi["gi_z"] > 0) & (gi["gi_p_fdr"] <= FDR)])
    planted = set(truth["hotspot_wards"])
    others = set(gi.index) - planted
    found, false = called & planted, called - planted
    recall = len(found) / len(planted)
    fp_share = len(false) / len(others)
    worst = gi.loc[sorted(planted), "gi_p_fdr"].max()
    assert recall >= 0.9, (
        f"recall {recall:.3f}: {len(found)} of {len(planted)} planted cluster wards called "
        f"hot; missed {sorted(planted - called)} (largest BH p among planted {worst:.4f})"
    )
    assert fp_share <= 0.05, (
        f"{len(false)} of {len(others)} other wards called hot ({fp_share:.1%}): {sorted(false)}"
    )
    # Gi* judges a ward with its neighbours: the isolated hot ward is not a Gi* hot spot
    # (the ranking finds it instead, below).
    assert not called & set(truth["isolated_hotspot_wards"])


def test_ranking_puts_the_planted_hotspots_first(analysis, truth):
    ranked = analysis.ranked.sort_values("rank")
    top = list(ranked["ward_code"].head(TOP_N))
    violent = set(truth["violence_hotspot_wards"])  # clusters and the isolated hotspot
    hits = [w for w in top if w in violent]
    assert len(hits) >= 10, (
        f"only {len(hits)} of the top {TOP_N} of the default ranking are planted violence "
        f"hotspots; the others are {sorted(set(top) - violent)}"
    )
    isolated = truth["isolated_hotspot_wards"]
    assert set(isolated) <= set(top), (
        f"isolated hotspot {isolated} ranked "
        f"{ranked.set_index('ward_code').loc[isolated, 'rank'].tolist()}"
    )


def test_emerging_wards_trend_up_and_are_classed(analysis, truth):
    emerging = analysis.emerging.set_index("ward_code")
    for ward in truth["emerging_wards"]:
        row = emerging.loc[ward]
        assert row["trend_z"] > 0 and row["trend_p"] < 0.05, (
            f"{ward}: Mann-Kendall z {row['trend_z']:.2f}, p {row['trend_p']:.4f}"
        )
        assert row["emerging_class"] != NO_PATTERN, (
            f"{ward}: {row['emerging_class']} ({row['hot_steps']} hot months, "
            f"trend z {row['trend_z']:.2f})"
        )


def test_concordance_reflects_drug_colocation(analysis, truth):
    conc = analysis.concordance
    assert conc.top_n == TOP_N
    chance = TOP_N * TOP_N / conc.n_wards  # expected overlap of two unrelated top 12s
    assert conc.overlap >= 5, (
        f"top-{TOP_N} overlap of violence and drugs {conc.overlap} (chance {chance:.1f})"
    )
    assert conc.overlap_p <= 0.01, f"overlap p {conc.overlap_p}"
    # Every ward in both top 12s is a planted violence hotspot with a planted drug market.
    both = set(truth["violence_hotspot_wards"]) & set(truth["drug_hotspot_wards"])
    assert set(conc.overlap_codes) <= both, sorted(set(conc.overlap_codes) - both)
