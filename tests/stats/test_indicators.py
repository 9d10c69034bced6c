"""Ward indicators: rates, smoothed rates, harm, and deprivation carried from LSOAs."""

import numpy as np
import pandas as pd
import pytest

from hotspots.schema import WARD_COUNT_COLUMNS
from hotspots.stats.deprivation_index import exponential_transform
from hotspots.stats.indicators import (
    DEPRIVATION_COLUMNS,
    DEPRIVATION_MEASURES,
    INDICATOR_COLUMNS,
    DeprivationSettings,
    lsoa_index,
    ward_deprivation,
    ward_indicators,
)

CATS = ["violence_and_sexual_offences", "robbery", "drugs"]
WIMD_DOMAINS = [
    "income",
    "employment",
    "health",
    "education",
    "access",
    "housing",
    "community_safety",
    "environment",
]


def counts_frame(rows):
    """Ward counts from (code, population, violence, robbery, drugs) tuples."""
    out = pd.DataFrame(rows, columns=["ward_code", "population", *CATS])
    out["ward_name"] = "Ward " + out["ward_code"]
    out["local_authority_code"] = "W06000001"
    out["local_authority_name"] = "Somewhere"
    out["police_force"] = "Dyfed-Powys"
    out["sv_count"] = out["violence_and_sexual_offences"] + out["robbery"]
    out["drugs_count"] = out["drugs"]
    return out[[*WARD_COUNT_COLUMNS, *CATS]]


# A: 4,000 residents, 10 + 2 violent crimes, 2 drug offences; B: 2,000 residents;
# C: no residents; D: a tiny ward (50 residents) with 2 crimes.
COUNTS = counts_frame(
    [
        ("W05000001", 4000, 10, 2, 2),
        ("W05000002", 2000, 5, 1, 6),
        ("W05000003", 0, 3, 0, 1),
        ("W05000004", 50, 2, 0, 0),
    ]
)


def test_columns_are_the_declared_ones_then_categories():
    want = [
        *WARD_COUNT_COLUMNS,
        "sv_rate",
        "sv_rate_smoothed",
        "drugs_rate",
        "drugs_rate_smoothed",
        "harm_score",
        "harm_rate",
        "dep_share_10",
        "dep_share_20",
        "dep_mean_score",
        "dep_most_deprived_rank",
    ]
    assert want == INDICATOR_COLUMNS
    assert DEPRIVATION_COLUMNS == [
        "ward_code",
        "dep_share_10",
        "dep_share_20",
        "dep_mean_score",
        "dep_most_deprived_rank",
    ]
    out = ward_indicators(COUNTS)
    assert list(out.columns) == [*INDICATOR_COLUMNS, *CATS]
    assert list(out["ward_code"]) == list(COUNTS["ward_code"])


def test_rates_per_1000_by_hand_and_nan_without_residents():
    out = ward_indicators(COUNTS).set_index("ward_code")
    assert out.loc["W05000001", "sv_rate"] == pytest.approx(12 / 4000 * 1000)  # 3.0
    assert out.loc["W05000001", "drugs_rate"] == pytest.approx(0.5)
    assert out.loc["W05000002", "sv_rate"] == pytest.approx(3.0)
    assert out.loc["W05000002", "drugs_rate"] == pytest.approx(3.0)
    assert out.loc["W05000004", "sv_rate"] == pytest.approx(40.0)
    no_one = out.loc["W05000003"]
    for col in ("sv_rate", "sv_rate_smoothed", "drugs_rate", "drugs_rate_smoothed", "harm_rate"):
        assert np.isnan(no_one[col]), col
    # counts are carried unchanged, never turned into rates
    assert no_one["sv_count"] == 3 and no_one["drugs_count"] == 1


def test_smoothed_rate_is_marshall_and_shrinks_the_tiny_ward():
    out = ward_indicators(COUNTS).set_index("ward_code")
    # Marshall (1991) global empirical Bayes, by hand over the wards with residents.
    e = np.array([12.0, 6.0, 2.0])
    b = np.array([4000.0, 2000.0, 50.0])
    m = e.sum() / b.sum()
    r = e / b
    s2 = (b * (r - m) ** 2).sum() / b.sum()
    a = max(s2 - m / b.mean(), 0.0)
    w = a / (a + m / b)
    want = 1000 * (w * r + (1 - w) * m)
    got = out.loc[["W05000001", "W05000002", "W05000004"], "sv_rate_smoothed"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    tiny = out.loc["W05000004"]
    # 2 crimes among 50 residents: crude 40 per 1,000, pulled most of the way to the mean
    assert tiny["sv_rate"] == pytest.approx(40.0)
    assert 1000 * m < tiny["sv_rate_smoothed"] < 0.5 * tiny["sv_rate"]
    big = out.loc["W05000001"]
    assert abs(big["sv_rate_smoothed"] - big["sv_rate"]) < abs(
        tiny["sv_rate_smoothed"] - tiny["sv_rate"]
    )


def test_harm_and_deprivation_are_joined_by_ward_and_inputs_untouched():
    before = COUNTS.copy()
    harm = pd.Series({"W05000002": 30.0, "W05000001": 8.0, "W99999999": 1.0})
    dep = pd.DataFrame(
        {
            "ward_code": ["W05000002"],
            "dep_share_10": [0.5],
            "dep_share_20": [1.0],
            "dep_mean_score": [33.0],
            "dep_most_deprived_rank": pd.array([7], dtype="Int64"),
        }
    )
    out = ward_indicators(COUNTS, dep, harm).set_index("ward_code")
    pd.testing.assert_frame_equal(COUNTS, before)
    assert out.loc["W05000001", "harm_score"] == 8.0
    assert out.loc["W05000001", "harm_rate"] == pytest.approx(2.0)  # 8 / 4,000 × 1,000
    assert out.loc["W05000002", "harm_rate"] == pytest.approx(15.0)
    assert out.loc["W05000004", "harm_score"] == 0.0  # no harm recorded → 0, not NaN
    assert "W99999999" not in out.index  # harm outside the wards is not added
    assert out.loc["W05000002", "dep_share_20"] == 1.0
    assert out.loc["W05000002", "dep_most_deprived_rank"] == 7
    assert out.loc[["W05000001", "W05000003", "W05000004"], "dep_share_20"].isna().all()
    plain = ward_indicators(COUNTS)
    assert plain["harm_score"].isna().all() and plain["dep_share_10"].isna().all()


# --- deprivation ------------------------------------------------------------------------
def lsoa_frame(n: int, index: str = "WIMD 2019", scores: bool = True) -> pd.DataFrame:
    """``n`` LSOAs X01000001… with 'true' rank r = 1..n (1 = most deprived).

    Every WIMD domain except Community Safety ranks the LSOA at r; Community Safety and
    the published overall rank put it at n + 1 − r, so the two measures disagree.
    """
    r = np.arange(1, n + 1)
    out = pd.DataFrame({"lsoa_code": [f"X01{i:06d}" for i in r]})
    out["overall_rank"] = n + 1 - r
    out["overall_decile"] = (np.ceil(10 * (n + 1 - r) / n)).astype(int)
    if scores:
        out["overall_score"] = 100.0 - r  # published score: 99, 98, …
    for d in WIMD_DOMAINS:
        out[f"{d}_rank"] = n + 1 - r if d == "community_safety" else r
    out.attrs["index"] = index
    return out


# Two wards over four of the LSOAs: ward A = LSOAs of true rank 1 (100 people) and 5
# (300 people); ward B = ranks 2 and 3 (200 people each).
WEIGHTS = pd.DataFrame(
    {
        "lsoa_code": ["X01000001", "X01000005", "X01000002", "X01000003"],
        "ward_code": ["A", "A", "B", "B"],
        "population": [100, 300, 200, 200],
    }
)


@pytest.mark.parametrize(
    ("n", "want"),
    [
        # n = 10: the most deprived 10 % are rank 1, 20 % ranks 1–2
        (10, {"A": (0.25, 0.25), "B": (0.0, 0.5)}),
        # n = 20: 10 % are ranks 1–2, 20 % ranks 1–4
        (20, {"A": (0.25, 0.25), "B": (0.5, 1.0)}),
    ],
)
def test_ward_deprivation_by_hand_default_measure(n, want):
    lsoa = lsoa_frame(n)
    out = ward_deprivation(lsoa, WEIGHTS)
    assert list(out.columns) == DEPRIVATION_COLUMNS
    got = out.set_index("ward_code")
    for ward, (s10, s20) in want.items():
        assert got.loc[ward, "dep_share_10"] == pytest.approx(s10)
        assert got.loc[ward, "dep_share_20"] == pytest.approx(s20)
    # without Community Safety every kept domain ranks the LSOA at r, so its score is
    # the exponential transform of r and the recombined rank is r itself
    x = dict(zip(range(1, n + 1), exponential_transform(np.arange(1, n + 1), n), strict=True))
    assert got.loc["A", "dep_mean_score"] == pytest.approx((100 * x[1] + 300 * x[5]) / 400)
    assert got.loc["B", "dep_mean_score"] == pytest.approx((x[2] + x[3]) / 2)
    assert got.loc["A", "dep_most_deprived_rank"] == 1
    assert got.loc["B", "dep_most_deprived_rank"] == 2


def test_ward_deprivation_by_hand_published_measure():
    lsoa = lsoa_frame(10)
    out = ward_deprivation(lsoa, WEIGHTS, DeprivationSettings("published")).set_index("ward_code")
    # published rank = 11 − r: A holds ranks 10 and 6, B ranks 9 and 8; none in the top 20 %
    assert out["dep_share_10"].tolist() == [0.0, 0.0]
    assert out["dep_share_20"].tolist() == [0.0, 0.0]
    assert out.loc["A", "dep_mean_score"] == pytest.approx((100 * 99 + 300 * 95) / 400)
    assert out.loc["B", "dep_mean_score"] == pytest.approx((98 + 97) / 2)
    assert out.loc["A", "dep_most_deprived_rank"] == 6
    assert out.loc["B", "dep_most_deprived_rank"] == 8


def test_published_imd_without_scores_leaves_the_mean_score_missing():
    lsoa = lsoa_frame(10, index="IMD 2019", scores=False).drop(columns="overall_decile")
    out = ward_deprivation(lsoa, WEIGHTS, DeprivationSettings("published")).set_index("ward_code")
    assert out["dep_mean_score"].isna().all()
    assert out.loc["A", "dep_most_deprived_rank"] == 6
    idx = lsoa_index(lsoa, DeprivationSettings("published"))
    assert list(idx.columns) == ["lsoa_code", "score", "rank", "decile"]
    assert idx.set_index("lsoa_code").loc["X01000010", "decile"] == 1  # rank 1


def test_invalid_measure_names_the_choices():
    with pytest.raises(
        ValueError,
        match=r"unknown deprivation measure 'average'.*"
        r"without-crime-domain.*published",
    ):
        DeprivationSettings("average")
    assert set(DEPRIVATION_MEASURES) == {"without-crime-domain", "published"}


@pytest.mark.slow
def test_real_wimd_published_and_without_community_safety_differ(real_store):
    from hotspots.store.ward_data import ward_population_for

    wimd = real_store.reference("deprivation:WIMD 2019")
    assert wimd.attrs["index"] == "WIMD 2019" and len(wimd) == 1909
    pop, year, weights = ward_population_for(real_store, real_store.geography(), ["2019-01"])
    assert year == 2019 and len(pop) == 762
    default = ward_deprivation(wimd, weights).set_index("ward_code")
    published = ward_deprivation(wimd, weights, DeprivationSettings("published")).set_index(
        "ward_code"
    )
    # one row per ward with a best-fit LSOA: the 752 wards with residents
    assert len(default) == len(published) == int((pop > 0).sum()) == 752
    assert set(default.index) == set(pop.index[pop > 0])
    # The published measure, independently: share of people in LSOAs ranked 1–191 / 1–382.
    j = weights.merge(wimd[["lsoa_code", "overall_rank", "overall_score"]], on="lsoa_code")
    total = j.groupby("ward_code")["population"].sum()
    for pct, cut in ((10, 191), (20, 382)):
        share = (
            j["population"].where(j["overall_rank"] <= cut, 0).groupby(j["ward_code"]).sum() / total
        )
        np.testing.assert_allclose(
            published[f"dep_share_{pct}"], share.reindex(published.index), rtol=1e-12
        )
    assert (
        published["dep_most_deprived_rank"]
        == j.groupby("ward_code")["overall_rank"].min().reindex(published.index)
    ).all()
    # Dropping Community Safety moves wards in and out of the most deprived fifth.
    moved = (default["dep_share_20"] - published["dep_share_20"]).abs() > 1e-9
    assert 0 < int(moved.sum()) < 752
    assert not np.allclose(default["dep_mean_score"], published["dep_mean_score"])
    # Both are population shares in [0, 1] with the 10 % share inside the 20 % share.
    for frame in (default, published):
        assert frame["dep_share_10"].between(0, 1).all()
        assert (frame["dep_share_10"] <= frame["dep_share_20"] + 1e-12).all()
