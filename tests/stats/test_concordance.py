"""Tests of hotspots.stats.concordance with hand-made rankings whose overlap is known."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from hotspots.stats.concordance import Concordance, concordance, top_codes

CODES = [f"W{i:02d}" for i in range(20)]


@pytest.fixture
def a() -> pd.Series:
    """W00 highest (20) down to W19 lowest (1)."""
    return pd.Series(np.arange(20, 0, -1, dtype=float), index=CODES)


@pytest.fixture
def b(a) -> pd.Series:
    """Top 5 of b: W00, W01, W02 (shared with a) and W10, W11 (not in a's top 5)."""
    values = a.copy()
    values["W03"], values["W04"] = 5.0, 4.0
    values["W10"], values["W11"] = 30.0, 29.0
    return values


def test_known_overlap(a, b):
    result = concordance(a, b, top_n=5, permutations=999)
    assert isinstance(result, Concordance)
    assert result.top_n == 5
    assert result.overlap == 3
    assert result.overlap_codes == ("W00", "W01", "W02")
    assert result.overlap_share == pytest.approx(0.6)
    assert result.n_wards == 20
    assert result.permutations == 999


def test_overlap_p_is_close_to_the_exact_hypergeometric_tail(a, b):
    result = concordance(a, b, top_n=5, permutations=9999, seed=1)
    exact = scipy.stats.hypergeom.sf(3 - 1, 20, 5, 5)  # P(overlap >= 3) = 0.0726...
    assert result.overlap_p == pytest.approx(exact, abs=4 * np.sqrt(exact / 9999) + 1e-4)
    # (M + 1) / (R + 1) is a multiple of 1 / 10,000
    assert round(result.overlap_p * 10_000) == pytest.approx(result.overlap_p * 10_000)


def test_identical_rankings(a):
    result = concordance(a, a, top_n=5)
    assert result.overlap == 5
    assert result.overlap_codes == tuple(CODES[:5])
    assert result.spearman_rho == pytest.approx(1.0)
    # P(overlap = 5) = 1 / C(20, 5) = 6.5e-5
    assert result.overlap_p < 6e-4


def test_disjoint_top_lists_give_p_one(a):
    result = concordance(a, -a, top_n=5)
    assert result.overlap == 0
    assert result.overlap_codes == ()
    assert result.overlap_p == 1.0
    assert result.spearman_rho == pytest.approx(-1.0)


def test_spearman_matches_scipy(a, b):
    result = concordance(a, b, top_n=5)
    expected = scipy.stats.spearmanr(a.to_numpy(), b.to_numpy())
    assert result.spearman_rho == pytest.approx(expected.statistic)
    assert result.spearman_p == pytest.approx(expected.pvalue)


def test_order_of_b_does_not_matter(a, b):
    shuffled = b.sample(frac=1.0, random_state=3)
    assert concordance(a, shuffled, top_n=5) == concordance(a, b, top_n=5)


def test_ties_at_the_nth_place_go_to_the_first_code():
    values = pd.Series({"W05": 9.0, "W03": 7.0, "W01": 8.0, "W07": 7.0, "W02": 7.0})
    # sorted: W05 9, W01 8, then the 7s by code: W02, W03, W07
    assert top_codes(values, 3) == ["W05", "W01", "W02"]
    assert top_codes(values, 4) == ["W05", "W01", "W02", "W03"]


def test_deterministic_and_inputs_unchanged(a, b):
    a_before, b_before = a.copy(), b.copy()
    first = concordance(a, b, top_n=5, seed=4)
    assert concordance(a, b, top_n=5, seed=4) == first
    pd.testing.assert_series_equal(a, a_before)
    pd.testing.assert_series_equal(b, b_before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.overlap = 0


def test_constant_ranking_gives_nan_rho(a):
    result = concordance(a, pd.Series(1.0, index=a.index), top_n=3)
    assert np.isnan(result.spearman_rho) and np.isnan(result.spearman_p)
    assert result.overlap == 3  # ties settled by code: W00, W01, W02


def test_validation(a, b):
    with pytest.raises(TypeError, match="pandas Series"):
        concordance(a.to_numpy(), b)
    with pytest.raises(ValueError, match="same wards"):
        concordance(a, b.drop("W19"), top_n=5)
    with pytest.raises(ValueError, match="smaller than the number of wards"):
        concordance(a, b, top_n=20)
    with pytest.raises(ValueError, match="top_n must be at least 1"):
        concordance(a, b, top_n=0)
    with pytest.raises(TypeError, match="whole number"):
        concordance(a, b, top_n=True)
    with pytest.raises(ValueError, match="permutations must be at least 99"):
        concordance(a, b, permutations=10)
    with pytest.raises(ValueError, match="missing"):
        concordance(a, b.where(b.index != "W03", np.nan))
    with pytest.raises(ValueError, match="duplicated"):
        concordance(pd.concat([a, a.iloc[:1]]), b)
    with pytest.raises(TypeError, match="numbers"):
        concordance(a.astype(str), b)


def test_boundaries_accepted(a, b):
    one = concordance(a, b, top_n=1, permutations=99, seed=0)
    assert (one.top_n, one.permutations) == (1, 99)
    assert one.overlap == 0 and one.overlap_codes == ()  # W10 tops b, W00 tops a
    assert one.overlap_p == 1.0  # every draw overlaps at least 0
    same = concordance(a, a, top_n=1, permutations=99, seed=0)
    assert same.overlap == 1 and same.overlap_codes == ("W00",)
    # P(overlap ≥ 1) = 1/20 for one ward out of 20: (M + 1) / 100 with M about 5.
    assert same.overlap_p == pytest.approx(0.05, abs=0.05)
    assert round(same.overlap_p * 100) == pytest.approx(same.overlap_p * 100)
    # The largest top list is one short of every ward.
    last = concordance(a, b, top_n=19, permutations=99)
    assert last.overlap == 19 and last.overlap_codes == tuple(CODES[:19])  # W19 last in both
    assert last.overlap_share == 1.0
    assert concordance(a, b, top_n=5, seed=np.int64(3)) == concordance(a, b, top_n=5, seed=3)


def test_boundaries_rejected(a, b):
    with pytest.raises(ValueError, match="permutations must be at least 99, got 98"):
        concordance(a, b, permutations=98)
    with pytest.raises(ValueError, match="seed must be at least 0, got -1"):
        concordance(a, b, seed=-1)
    with pytest.raises(
        ValueError,
        match=r"top_n must be smaller than the number of wards "
        r"\(20\), got 21",
    ):
        concordance(a, b, top_n=21)
    for name in ("top_n", "permutations", "seed"):
        with pytest.raises(TypeError, match=f"{name} must be a whole number, got 5.0"):
            concordance(a, b, **{name: 5.0})
    with pytest.raises(ValueError, match="b must be finite numbers"):
        concordance(a, b.replace(30.0, np.inf))
    with pytest.raises(TypeError, match="b must hold numbers, got dtype bool"):
        concordance(a, b > 10)
    with pytest.raises(TypeError, match="b must be a pandas Series indexed by ward_code, got list"):
        concordance(a, list(b))


def test_documented_defaults(a, b):
    result = concordance(a, b)
    assert (result.top_n, result.permutations) == (12, 9999)
    assert result == concordance(a, b, top_n=12, permutations=9999, seed=12345)
    assert result != concordance(a, b, top_n=12, permutations=9999, seed=12346)


def test_overlap_p_counts_draws_at_least_the_observed_overlap(a, b):
    # With top_n = 5 of 20 an overlap of 0 is always reached (p = 1); of 5 hardly ever.
    assert concordance(a, -a, top_n=5, permutations=99).overlap_p == 1.0
    assert concordance(a, a, top_n=5, permutations=99).overlap_p == pytest.approx(0.01)
    # The exact tail at the observed overlap (≥ 3), not beyond it (≥ 4 is 0.0049).
    result = concordance(a, b, top_n=5, permutations=99_999, seed=2)
    exact = scipy.stats.hypergeom.sf(2, 20, 5, 5)
    assert result.overlap_p == pytest.approx(exact, abs=0.005)


def test_top_codes_keeps_the_keys_and_their_type():
    values = pd.Series([3.0, 9.0, 9.0, 1.0], index=[30, 2, 10, 4])
    # Ties by code as text: "10" before "2".
    assert top_codes(values, 2) == [10, 2]
    assert top_codes(values, 4) == [10, 2, 30, 4]
    assert top_codes(values, 1) == [10]


def test_messages_list_a_few_codes(a, b):
    dupes = pd.concat([a, a.iloc[:6]])
    with pytest.raises(
        ValueError,
        match=r"a has duplicated ward codes: "
        r"\['W00', 'W01', 'W02', 'W03', 'W04'\]$",
    ):
        concordance(dupes, b)
    with pytest.raises(
        ValueError,
        match=r"only in a: 4 \(e\.g\. \['W16', 'W17', 'W18'\]\), "
        r"only in b: 0 \(e\.g\. \[\]\)",
    ):
        concordance(a, b.drop(["W16", "W17", "W18", "W19"]), top_n=5)
    with pytest.raises(
        ValueError,
        match=r"only in a: 0 \(e\.g\. \[\]\), only in b: 4 "
        r"\(e\.g\. \['W16', 'W17', 'W18'\]\)",
    ):
        concordance(a.drop(["W16", "W17", "W18", "W19"]), b, top_n=5)


def test_constant_or_two_valued_rankings_without_warnings(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flat = pd.Series(1.0, index=a.index)
        for x, y in ((flat, a), (a, flat), (flat, flat)):
            result = concordance(x, y, top_n=3, permutations=99)
            assert np.isnan(result.spearman_rho) and np.isnan(result.spearman_p)
        # Values 0 and 1 (a range of exactly 1) still have a correlation.
        split = pd.Series((a > 10).astype(float), index=a.index)
        result = concordance(split, a, top_n=3, permutations=99)
        expected = scipy.stats.spearmanr(split.to_numpy(), a.to_numpy())
        assert result.spearman_rho == pytest.approx(expected.statistic)
        result = concordance(a, split, top_n=3, permutations=99)
        assert result.spearman_rho == pytest.approx(expected.statistic)


def test_named_overlaps_known_answer():
    """Both overlaps by hand: the violence top 2 vs the drug top 2, and the list's top 2
    vs the drug top 2; unranked wards and zero counts take no part."""
    from hotspots.stats.concordance import NamedOverlap, named_overlaps

    hot = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4, 5, np.nan],
            "ward_code": ["A", "B", "C", "D", "E", "F"],
            "sv_count": [5, 30, 20, 1, 0, 99],
            "drugs_count": [9, 0, 7, 8, 0, 50],
        }
    )
    got = named_overlaps(hot, 2)
    # violence top 2: B (30), C (20); drug top 2: A (9), D (8) -> no overlap
    assert got == NamedOverlap(2, (), ("A",))
    assert got.as_dict() == {
        "n": 2,
        "violence_vs_drugs": 0,
        "list_vs_drugs": 1,
        "violence_vs_drugs_wards": [],
        "list_vs_drugs_wards": ["A"],
    }
    got = named_overlaps(hot, 3)
    # violence top 3: B, C, A; drug top 3: A, D, C -> C and A (violence order)
    assert got.violence_vs_drugs == ("C", "A") and got.list_vs_drugs == ("A", "C")
    assert got.lines({"A": "Alpha", "C": "Gamma"}) == [
        "Top 3 by violence count vs top 3 by drug count: 2.",
        "Of this list's top 3, 2 are in the drug top 3: Alpha, Gamma.",
    ]
    # zero counts never make a top list, even when the list is short of N; one does
    assert named_overlaps(hot.assign(drugs_count=0), 3).list_vs_drugs == ()
    assert named_overlaps(hot.assign(drugs_count=[1, 0, 0, 0, 0, 0]), 3).list_vs_drugs == ("A",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.top_n = 4
    assert NamedOverlap(5, ("X",), ("X",)).lines() == [
        "Top 5 by violence count vs top 5 by drug count: 1.",
        "Of this list's top 5, 1 is in the drug top 5: X.",
    ]
    assert NamedOverlap(1, (), ()).lines()[1] == "Of this list's top 1, 0 are in the drug top 1."
    assert named_overlaps(hot, 1).as_dict()["n"] == 1
    for bad in (0, -1, True, 2.0, "3"):
        with pytest.raises(ValueError, match=r"top_n must be a whole number ≥ 1"):
            named_overlaps(hot, bad)
