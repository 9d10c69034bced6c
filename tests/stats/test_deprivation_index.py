"""Tests for hotspots.stats.deprivation_index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from hotspots.stats.deprivation_index import (
    IMD_2019_WEIGHTS,
    INDEX_COLUMNS,
    INDEX_WEIGHTS,
    WIMD_2019_WEIGHTS,
    combine_domains,
    deciles_from_ranks,
    exponential_transform,
    rescale_weights,
)
from hotspots.stats.ward_deprivation import (
    WARD_DEPRIVATION_COLUMNS,
    summarise_ward_deprivation,
    summarise_ward_domains,
    ward_domain_columns,
)

SHARED = Path(__file__).parents[2].parent / "shared" / "data"
WIMD_CSV = SHARED / "deprivation" / "wimd2019_lsoa11_ranks_deciles_scores.csv"

# Published column -> architecture column (Crime_* is WIMD's Community Safety domain).
WIMD_COLUMNS = {
    "Income_rank": "income_rank",
    "Employment_rank": "employment_rank",
    "Health_rank": "health_rank",
    "Education_rank": "education_rank",
    "Access_rank": "access_rank",
    "Housing_rank": "housing_rank",
    "Crime_rank": "community_safety_rank",
    "Environment_rank": "environment_rank",
    "IMD_rank": "overall_rank",
    "IMD_decile": "overall_decile",
}


# ---------------------------------------------------------------- registries / constants
def test_registries_sum_to_one_and_constants():
    assert WIMD_2019_WEIGHTS == {
        "income": 0.22,
        "employment": 0.22,
        "health": 0.15,
        "education": 0.14,
        "access": 0.10,
        "housing": 0.07,
        "community_safety": 0.05,
        "environment": 0.05,
    }
    assert IMD_2019_WEIGHTS == {
        "income": 0.225,
        "employment": 0.225,
        "education": 0.135,
        "health": 0.135,
        "crime": 0.093,
        "barriers": 0.093,
        "environment": 0.093,
    }
    assert sum(WIMD_2019_WEIGHTS.values()) == pytest.approx(1.0, abs=1e-12)
    # The published IMD 2019 weights sum to 99.9 % (3 x 9.3 %); combine_domains rescales.
    assert sum(IMD_2019_WEIGHTS.values()) == pytest.approx(0.999, abs=1e-12)
    assert INDEX_WEIGHTS == {"WIMD 2019": WIMD_2019_WEIGHTS, "IMD 2019": IMD_2019_WEIGHTS}
    assert INDEX_COLUMNS == ["lsoa_code", "score", "rank", "decile"]
    assert WARD_DEPRIVATION_COLUMNS == [
        "ward_code",
        "pop_share_most_deprived_10",
        "pop_share_most_deprived_20",
        "pop_weighted_mean_score",
        "most_deprived_lsoa_rank",
    ]


# ---------------------------------------------------------------- exponential transform
def test_exponential_transform_end_points_and_monotone():
    n = 1909
    x = exponential_transform(np.arange(1, n + 1), n)
    assert x[0] == pytest.approx(100.0)
    r_least = 1 / n
    assert x[-1] == pytest.approx(-23 * np.log(1 - r_least * (1 - np.exp(-100 / 23))))
    assert np.all(np.diff(x) < 0)  # more deprived -> larger


def test_exponential_transform_keeps_series_index_and_validates():
    s = pd.Series([1, 2], index=["a", "b"], name="r")
    out = exponential_transform(s, 2)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["a", "b"]
    with pytest.raises(ValueError, match="from 1 to n=2"):
        exponential_transform([0, 1], 2)
    with pytest.raises(ValueError, match="missing"):
        exponential_transform([np.nan, 1], 2)
    with pytest.raises(TypeError, match="positive integer"):
        exponential_transform([1], 1.5)


def test_deciles_from_ranks_matches_published_split():
    d = deciles_from_ranks(np.arange(1, 1910), 1909)
    counts = np.bincount(d)[1:]
    assert counts.tolist() == [191] * 9 + [190]
    assert deciles_from_ranks([1, 10], 10).tolist() == [1, 10]


# ---------------------------------------------------------------- weights
def test_rescale_weights_drops_and_rescales_without_mutating():
    original = dict(WIMD_2019_WEIGHTS)
    kept = rescale_weights(WIMD_2019_WEIGHTS)
    assert "community_safety" not in kept
    assert sum(kept.values()) == pytest.approx(1.0)
    assert kept["income"] == pytest.approx(0.22 / 0.95)
    assert original == WIMD_2019_WEIGHTS
    assert rescale_weights(WIMD_2019_WEIGHTS, ()) == pytest.approx(WIMD_2019_WEIGHTS)


def test_rescale_weights_errors_name_valid_domains():
    with pytest.raises(ValueError, match=r"valid domains: .*community_safety"):
        rescale_weights(WIMD_2019_WEIGHTS, ("crime",))
    with pytest.raises(TypeError, match="sequence"):
        rescale_weights(WIMD_2019_WEIGHTS, "community_safety")
    with pytest.raises(ValueError, match="positive weight"):
        rescale_weights({"a": 1.0}, ("a",))
    with pytest.raises(TypeError, match="dict"):
        rescale_weights([("a", 1.0)])


# ---------------------------------------------------------------- combine_domains
def _toy_lsoa() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3", "L4"],
            "a_rank": [1, 2, 3, 4],
            "b_rank": [4, 3, 2, 1],
            "c_rank": [1, 2, 3, 4],
        }
    )


def test_combine_domains_toy_known_answer_and_no_mutation():
    lsoa = _toy_lsoa()
    before = lsoa.copy()
    out = combine_domains(lsoa, {"a": 0.5, "b": 0.25, "c": 0.25}, exclude=("c",))
    assert list(out.columns) == INDEX_COLUMNS
    pd.testing.assert_frame_equal(lsoa, before)
    x = exponential_transform(np.array([1, 2, 3, 4]), 4)
    expected = (2 / 3) * x + (1 / 3) * x[::-1]
    np.testing.assert_allclose(out["score"], expected)
    # The transform is convex: L4, least deprived on "a" but most deprived on "b",
    # outranks L2 and L3, which are middling on both.
    assert out["rank"].tolist() == [1, 3, 4, 2]
    assert out["rank"].dtype == "int64"
    assert out["decile"].tolist() == deciles_from_ranks([1, 3, 4, 2], 4).tolist()


def test_combine_domains_validation():
    lsoa = _toy_lsoa()
    with pytest.raises(ValueError, match="missing column"):
        combine_domains(lsoa, {"a": 1.0, "zzz": 1.0}, exclude=())
    with pytest.raises(ValueError, match="valid domains"):
        combine_domains(lsoa, {"a": 1.0}, exclude=("community_safety",))
    with pytest.raises(ValueError, match="pass n="):
        combine_domains(lsoa.iloc[2:], {"a": 1.0}, exclude=())  # ranks 3-4 of 2 rows
    sub = combine_domains(lsoa.iloc[2:], {"a": 1.0}, exclude=(), n=4)
    assert sub["rank"].tolist() == [1, 2]
    with pytest.raises(TypeError, match="DataFrame"):
        combine_domains(lsoa.to_dict(), {"a": 1.0}, exclude=())


def _real_wimd() -> pd.DataFrame:
    if not WIMD_CSV.exists():
        pytest.skip(f"real WIMD 2019 file not found at {WIMD_CSV} (needs ../shared/data)")
    raw = pd.read_csv(WIMD_CSV, dtype={"lsoa_code": str})
    return raw[["lsoa_code", *WIMD_COLUMNS]].rename(columns=WIMD_COLUMNS)


@pytest.mark.shared
@pytest.mark.slow
def test_real_wimd_all_domains_reproduces_published_ranks():
    lsoa = _real_wimd()
    out = combine_domains(lsoa, WIMD_2019_WEIGHTS, exclude=())
    rho = spearmanr(out["rank"], lsoa["overall_rank"]).statistic
    print(f"WIMD 2019 all eight domains: Spearman {rho:.6f}")
    assert rho >= 0.99
    # In fact every published rank is reproduced exactly.
    assert (out["rank"].to_numpy() == lsoa["overall_rank"].to_numpy()).all()
    assert (out["decile"].to_numpy() == lsoa["overall_decile"].to_numpy()).all()
    assert out.loc[out["rank"] == 1, "lsoa_code"].item() == "W01000240"  # Rhyl West 2


@pytest.mark.shared
@pytest.mark.slow
def test_real_wimd_without_community_safety_differs_but_correlates():
    lsoa = _real_wimd()
    out = combine_domains(lsoa, WIMD_2019_WEIGHTS)  # default drops community_safety
    rho = spearmanr(out["rank"], lsoa["overall_rank"]).statistic
    print(f"WIMD 2019 without community safety: Spearman {rho:.6f}")
    assert 0.99 <= rho < 1.0
    assert (out["rank"].to_numpy() != lsoa["overall_rank"].to_numpy()).sum() > 1000


# ---------------------------------------------------------------- ward summaries
def _ward_fixture() -> tuple[pd.DataFrame, pd.DataFrame]:
    # 20 LSOAs ranked 1..20: most deprived 10 % = ranks 1-2, 20 % = ranks 1-4.
    index = pd.DataFrame(
        {
            "lsoa_code": [f"L{i:02d}" for i in range(1, 21)],
            "rank": list(range(1, 21)),
            "score": [float(100 - i) for i in range(1, 21)],
        }
    )
    weights = pd.DataFrame(
        {
            "lsoa_code": ["L01", "L03", "L10", "L02", "L05", "L05", "L20", "L04"],
            "ward_code": ["W2", "W2", "W2", "W1", "W1", "W3", "W4", "W4"],
            "population": [100.0, 300.0, 600.0, 50.0, 150.0, 200.0, 0.0, 0.0],
        }
    )
    return index, weights


def test_summarise_ward_deprivation_known_answers():
    index, weights = _ward_fixture()
    before = (index.copy(), weights.copy())
    out = summarise_ward_deprivation(index, weights, n_lsoas=20)
    assert list(out.columns) == WARD_DEPRIVATION_COLUMNS
    pd.testing.assert_frame_equal(index, before[0])
    pd.testing.assert_frame_equal(weights, before[1])
    out = out.set_index("ward_code")
    assert out.index.tolist() == ["W1", "W2", "W3", "W4"]
    # W1: 50 people in rank 2 (top 10 %), 150 in rank 5 (neither).
    assert out.loc["W1", "pop_share_most_deprived_10"] == pytest.approx(0.25)
    assert out.loc["W1", "pop_share_most_deprived_20"] == pytest.approx(0.25)
    assert out.loc["W1", "pop_weighted_mean_score"] == pytest.approx((50 * 98 + 150 * 95) / 200)
    assert out.loc["W1", "most_deprived_lsoa_rank"] == 2
    # W2: 100 in rank 1, 300 in rank 3, 600 in rank 10.
    assert out.loc["W2", "pop_share_most_deprived_10"] == pytest.approx(0.1)
    assert out.loc["W2", "pop_share_most_deprived_20"] == pytest.approx(0.4)
    assert out.loc["W2", "most_deprived_lsoa_rank"] == 1
    assert out.loc["W3", "pop_share_most_deprived_20"] == 0.0
    # W4 has no residents: shares and mean undefined, rank still reported.
    assert np.isnan(out.loc["W4", "pop_share_most_deprived_10"])
    assert np.isnan(out.loc["W4", "pop_weighted_mean_score"])
    assert out.loc["W4", "most_deprived_lsoa_rank"] == 4


def test_summarise_ward_deprivation_cut_uses_ceiling():
    # n = 1909: the most deprived 10 % are ranks 1-191 (as in the published deciles).
    index = pd.DataFrame({"lsoa_code": ["A", "B"], "rank": [191, 192], "score": [1.0, 1.0]})
    weights = pd.DataFrame(
        {"lsoa_code": ["A", "B"], "ward_code": ["W", "W"], "population": [1.0, 3.0]}
    )
    out = summarise_ward_deprivation(index, weights, n_lsoas=1909)
    assert out["pop_share_most_deprived_10"].item() == pytest.approx(0.25)


def test_summarise_ward_deprivation_without_scores_and_errors():
    index, weights = _ward_fixture()
    out = summarise_ward_deprivation(index.drop(columns="score"), weights, 20, score_column=None)
    assert out["pop_weighted_mean_score"].isna().all()
    with pytest.raises(ValueError, match="missing column"):
        summarise_ward_deprivation(index.drop(columns="score"), weights, 20)
    bad = weights.assign(lsoa_code=weights["lsoa_code"].replace("L01", "X99"))
    with pytest.raises(ValueError, match="X99"):
        summarise_ward_deprivation(index, bad, 20)
    with pytest.raises(ValueError, match="n_lsoas"):
        summarise_ward_deprivation(index, weights, 10)
    with pytest.raises(ValueError, match="non-negative"):
        summarise_ward_deprivation(index, weights.assign(population=-1.0), 20)


def test_summarise_ward_domains_known_answers():
    _, weights = _ward_fixture()
    lsoa = pd.DataFrame(
        {
            "lsoa_code": [f"L{i:02d}" for i in range(1, 21)],
            "income_rank": list(range(1, 21)),
            "health_rank": list(range(20, 0, -1)),
        }
    )
    out = summarise_ward_domains(lsoa, weights, 20, domains=["income", "health"], percent=20)
    assert ward_domain_columns(["income", "health"], 20) == [
        "ward_code",
        "income_share_20",
        "health_share_20",
    ]
    assert list(out.columns) == ["ward_code", "income_share_20", "health_share_20"]
    out = out.set_index("ward_code")
    assert out.loc["W2", "income_share_20"] == pytest.approx(0.4)
    # health ranks reversed: L20 -> 1, L05 -> 16; nobody in W2 is in the top 4 for health.
    assert out.loc["W2", "health_share_20"] == 0.0
    assert np.isnan(out.loc["W4", "health_share_20"])
    default = summarise_ward_domains(lsoa, weights, 20, domains=["income"])
    assert list(default.columns) == ["ward_code", "income_share_10"]


def test_summarise_ward_domains_errors_list_valid_domains():
    _, weights = _ward_fixture()
    lsoa = pd.DataFrame({"lsoa_code": ["L01"], "income_rank": [1]})
    with pytest.raises(ValueError, match=r"valid domains: \['income'\]"):
        summarise_ward_domains(lsoa, weights, 20)  # default asks for all WIMD domains
    with pytest.raises(TypeError, match="sequence"):
        summarise_ward_domains(lsoa, weights, 20, domains="income")
    with pytest.raises(ValueError, match="1 to 100"):
        summarise_ward_domains(lsoa, weights, 20, domains=["income"], percent=0)


# ---------------------------------------------------------------- boundaries and messages
def test_n_boundaries_accepted_and_rejected():
    assert exponential_transform([1], 1).tolist() == [pytest.approx(100.0)]
    assert deciles_from_ranks([1], 1).tolist() == [1]
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"n must be a positive integer, got {bad}"):
            exponential_transform([1], bad)
    with pytest.raises(TypeError, match="n must be a positive integer, got bool"):
        deciles_from_ranks([1], True)
    with pytest.raises(ValueError, match="n_lsoas must be a positive integer, got 0"):
        summarise_ward_domains(_ward_fixture()[0], _ward_fixture()[1], 0, domains=["x"])


def test_percent_boundaries_accepted_and_rejected():
    assert ward_domain_columns(["income"]) == ["ward_code", "income_share_10"]
    assert ward_domain_columns(["income"], 1) == ["ward_code", "income_share_1"]
    assert ward_domain_columns(["a", "b"], 100) == ["ward_code", "a_share_100", "b_share_100"]
    for bad in (0, 101, -10):
        with pytest.raises(
            ValueError, match=f"percent must be an integer from 1 to 100, got {bad}"
        ):
            ward_domain_columns(["income"], bad)
    for bad in (True, 10.0, "10"):
        with pytest.raises(TypeError, match="percent must be an integer from 1 to 100"):
            ward_domain_columns(["income"], bad)


def _one_lsoa_wards(ranks, population=1.0):
    """One ward per LSOA (ward code W + rank), each with ``population`` residents."""
    codes = [f"L{r:03d}" for r in ranks]
    index = pd.DataFrame(
        {
            "lsoa_code": codes,
            "rank": ranks,
            "income_rank": ranks,
            "score": [float(r) for r in ranks],
        }
    )
    weights = pd.DataFrame(
        {"lsoa_code": codes, "ward_code": [f"W{r:03d}" for r in ranks], "population": population}
    )
    return index, weights


def test_cuts_include_the_last_rank_of_the_most_deprived_share():
    # 100 LSOAs: the most deprived 10 % are ranks 1-10, 20 % ranks 1-20.
    index, weights = _one_lsoa_wards([10, 11, 20, 21])
    out = summarise_ward_deprivation(index, weights, 100).set_index("ward_code")
    assert out["pop_share_most_deprived_10"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert out["pop_share_most_deprived_20"].tolist() == [1.0, 1.0, 1.0, 0.0]
    domains = summarise_ward_domains(index, weights, 100, domains=["income"], percent=20)
    assert domains["income_share_20"].tolist() == [1.0, 1.0, 1.0, 0.0]
    ten = summarise_ward_domains(index, weights, 100, domains=["income"])
    assert ten["income_share_10"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_cut_is_the_ceiling_of_a_share_just_over_a_whole_rank():
    # 1 % of 101 LSOAs is 1.01 ranks: ranks 1 and 2 are in the most deprived 1 %.
    index, weights = _one_lsoa_wards([2, 3])
    out = summarise_ward_domains(index, weights, 101, domains=["income"], percent=1)
    assert out["income_share_1"].tolist() == [1.0, 0.0]


def test_a_ward_with_one_resident_has_shares_and_a_mean():
    index, weights = _one_lsoa_wards([1, 30], population=1.0)
    out = summarise_ward_deprivation(index, weights, 100)
    assert out["pop_share_most_deprived_10"].tolist() == [1.0, 0.0]
    assert out["pop_weighted_mean_score"].tolist() == [1.0, 30.0]
    half = summarise_ward_deprivation(index, weights.assign(population=0.5), 100)
    assert half["pop_weighted_mean_score"].tolist() == [1.0, 30.0]


def test_wards_listed_out_of_order_are_summarised_in_code_order():
    index, weights = _ward_fixture()
    shuffled = weights.iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        summarise_ward_deprivation(index, shuffled, 20),
        summarise_ward_deprivation(index, weights, 20),
    )
    lsoa = index.rename(columns={"rank": "income_rank"})
    pd.testing.assert_frame_equal(
        summarise_ward_domains(lsoa, shuffled, 20, domains=["income"], percent=20),
        summarise_ward_domains(lsoa, weights, 20, domains=["income"], percent=20),
    )
    out = summarise_ward_deprivation(index, shuffled, 20).set_index("ward_code")
    assert out.loc["W2", "pop_share_most_deprived_20"] == pytest.approx(0.4)


def test_rescale_weights_zero_negative_and_missing_weights():
    assert rescale_weights({"a": 0.0, "b": 2.0}, ()) == {"a": 0.0, "b": 1.0}
    for bad in (-0.5, -1e-9, float("nan"), float("inf")):
        with pytest.raises(
            ValueError,
            match=r"weights must be finite and non-negative; "
            r"check \['a'\]",
        ):
            rescale_weights({"a": bad, "b": 1.0}, ())
    with pytest.raises(
        ValueError,
        match=r"no domain with a positive weight is left after "
        r"excluding \['b'\]; valid domains: \['a', 'b'\]",
    ):
        rescale_weights({"a": 0.0, "b": 1.0}, ("b",))


def test_messages_list_the_first_five():
    lsoa = pd.DataFrame({"lsoa_code": [f"L{i}" for i in range(7)] * 2, "a_rank": range(14)})
    with pytest.raises(
        ValueError,
        match=r"lsoa_code must be unique; repeated: "
        r"\['L0', 'L1', 'L2', 'L3', 'L4'\]$",
    ):
        combine_domains(lsoa, {"a": 1.0}, exclude=())
    index, weights = _ward_fixture()
    missing = [f"X{i}" for i in range(7)]
    bad = pd.DataFrame({"lsoa_code": missing, "ward_code": "W1", "population": 1.0})
    with pytest.raises(
        ValueError,
        match=r"7 LSOA\(s\) in weights have no rank in "
        r"lsoa_index, e\.g\. \['X0', 'X1', 'X2', 'X3', 'X4'\]; check",
    ):
        summarise_ward_deprivation(index, pd.concat([weights, bad]), 20)


def test_combine_domains_names_the_column_with_a_rank_below_one():
    lsoa = _toy_lsoa().assign(a_rank=[0, 2, 3, 4])
    with pytest.raises(
        ValueError,
        match=r"column a_rank must hold ranks from 1 to n=4; "
        r"got 0 to 4",
    ):
        combine_domains(lsoa, {"a": 1.0}, exclude=())


def test_domains_empty_or_repeated_rejected():
    index, weights = _ward_fixture()
    lsoa = index.rename(columns={"rank": "income_rank"})
    for domains in ([], ["income", "income"]):
        with pytest.raises(ValueError, match="domains must be a non-empty list without repeats"):
            summarise_ward_domains(lsoa, weights, 20, domains=domains)
