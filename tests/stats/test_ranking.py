"""Ranking: presets and user weights over percentile-normalised components."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hotspots.stats.ranking import (
    COMPONENTS,
    DEFAULT_PRESET,
    PRESETS,
    RANK_COLUMNS,
    SCORE_DECIMALS,
    WHY_THRESHOLD,
    RankSettings,
    parse_weights,
    rank_hotspots,
    rank_settings,
)


def indicators(rows) -> pd.DataFrame:
    """Indicator rows (code, population, sv_count, violence, drugs, deprivation, harm)."""
    out = pd.DataFrame(
        rows,
        columns=[
            "ward_code",
            "population",
            "sv_count",
            "sv_rate_smoothed",
            "drugs_rate_smoothed",
            "dep_share_20",
            "harm_rate",
        ],
    )
    out["ward_name"] = "Ward " + out["ward_code"]
    out["local_authority_code"] = "W06000001"
    out["local_authority_name"] = "Somewhere"
    out["police_force"] = "Dyfed-Powys"
    out["sv_rate"] = out["sv_rate_smoothed"]
    out["drugs_count"] = 1
    out["drugs_rate"] = out["drugs_rate_smoothed"]
    out["dep_most_deprived_rank"] = pd.array([5] * len(out), dtype="Int64")
    return out


# Five wards whose percentiles (0, .25, .5, .75, 1) are, per component:
#            violence  drugs  deprivation  harm
#   A          1       0       .25        .5
#   B         .75     .25      0          1
#   C         .5       1       .5         .25
#   D         .25     .5       1          0
#   E          0      .75      .75        .75
FIVE = indicators(
    [
        ("A", 1000, 50, 50.0, 1.0, 0.2, 30.0),
        ("B", 1000, 40, 40.0, 2.0, 0.1, 50.0),
        ("C", 1000, 30, 30.0, 5.0, 0.3, 20.0),
        ("D", 1000, 20, 20.0, 3.0, 0.5, 10.0),
        ("E", 1000, 10, 10.0, 4.0, 0.4, 40.0),
    ]
)


def test_rank_columns_exact():
    assert RANK_COLUMNS == [
        "rank",
        "ward_code",
        "ward_name",
        "local_authority_code",
        "local_authority_name",
        "police_force",
        "population",
        "sv_count",
        "sv_rate",
        "sv_rate_smoothed",
        "drugs_count",
        "drugs_rate",
        "harm_rate",
        "dep_share_20",
        "dep_most_deprived_rank",
        "score",
        "comp_violence",
        "comp_drugs",
        "comp_deprivation",
        "comp_harm",
        "why",
    ]
    out = rank_hotspots(FIVE)
    assert list(out.columns) == RANK_COLUMNS
    assert out["rank"].dtype == "Int64"


@pytest.mark.parametrize(
    ("preset", "order", "scores"),
    [
        # 0.5 violence + 0.25 drugs + 0.25 deprivation
        ("violence-drugs-deprivation", "CADBE", [0.625, 0.5625, 0.5, 0.4375, 0.375]),
        ("violence", "ABCDE", [1.0, 0.75, 0.5, 0.25, 0.0]),
        # 0.6 violence + 0.4 deprivation
        ("violence-deprivation", "ADCBE", [0.7, 0.55, 0.5, 0.45, 0.3]),
        # 0.6 harm + 0.2 drugs + 0.2 deprivation
        ("harm-weighted", "EBCAD", [0.75, 0.65, 0.45, 0.35, 0.3]),
    ],
)
def test_known_ranking_under_each_preset(preset, order, scores):
    assert preset in PRESETS
    out = rank_hotspots(FIVE, rank_settings(preset))
    assert "".join(out["ward_code"]) == order
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(out["score"], scores, atol=1e-12)


def test_default_preset_is_the_default():
    assert DEFAULT_PRESET == "violence-drugs-deprivation"
    pd.testing.assert_frame_equal(
        rank_hotspots(FIVE), rank_hotspots(FIVE, rank_settings("violence-drugs-deprivation"))
    )
    assert rank_settings().preset == DEFAULT_PRESET


def test_percentiles_by_hand_with_ties_missing_and_unranked_wards():
    ind = indicators(
        [
            ("A", 1000, 1, 10.0, 1.0, 0.1, 1.0),
            ("B", 1000, 2, 20.0, 1.0, 0.2, 1.0),
            ("C", 1000, 3, 20.0, 1.0, np.nan, 1.0),  # deprivation unknown
            ("D", 1000, 4, 40.0, 1.0, 0.4, 1.0),
            ("Z", 0, 9, 99.0, 9.0, 0.9, 9.0),  # no residents: not in anyone's percentile
        ]
    )
    out = rank_hotspots(ind, rank_settings("violence")).set_index("ward_code")
    # violence 10, 20, 20, 40: average ranks 1, 2.5, 2.5, 4 → (r − 1) / 3
    np.testing.assert_allclose(out.loc[list("ABCD"), "comp_violence"], [0, 0.5, 0.5, 1])
    # deprivation over the three known values: 0, 0.5, 1; C unknown
    np.testing.assert_allclose(out.loc[list("ABD"), "comp_deprivation"], [0, 0.5, 1])
    assert np.isnan(out.loc["C", "comp_deprivation"])
    # all drugs equal: every ward shares the middle
    np.testing.assert_allclose(out.loc[list("ABCD"), "comp_drugs"], [0.5] * 4)
    assert (
        out.loc["Z", ["comp_violence", "comp_drugs", "comp_deprivation", "comp_harm", "score"]]
        .isna()
        .all()
    )
    # an unknown component counts as 0 in the score
    c = rank_hotspots(ind, rank_settings(weights={"violence": 0.5, "deprivation": 0.5}))
    assert c.set_index("ward_code").loc["C", "score"] == pytest.approx(0.25)


def test_ties_broken_by_violence_count_then_ward_code():
    # Under 0.6 violence + 0.4 deprivation, P scores 0.6·0 + 0.4·1 and Q 0.6·2/3 + 0.4·0:
    # both 0.4 exactly, though floating point makes Q 0.39999999999999997.
    ind = indicators(
        [
            ("P", 1000, 5, 1.0, 1.0, 0.9, 1.0),
            ("Q", 1000, 50, 3.0, 1.0, 0.1, 1.0),
            ("R", 1000, 7, 2.0, 1.0, 0.6, 1.0),
            ("S", 1000, 8, 4.0, 1.0, 0.3, 1.0),
        ]
    )
    out = rank_hotspots(ind, rank_settings("violence-deprivation"))
    assert out["ward_code"].tolist() == ["S", "R", "Q", "P"]
    assert out.loc[2, "score"] == out.loc[3, "score"] == 0.4
    # identical wards with identical counts: ward code decides
    twins = indicators(
        [
            ("W2", 1000, 3, 5.0, 1.0, 0.5, 1.0),
            ("W1", 1000, 3, 5.0, 1.0, 0.5, 1.0),
            ("W0", 1000, 4, 5.0, 1.0, 0.5, 1.0),
        ]
    )
    out = rank_hotspots(twins)
    assert out["ward_code"].tolist() == ["W0", "W1", "W2"]
    assert out["rank"].tolist() == [1, 2, 3]


def test_wards_without_residents_come_last_unranked():
    ind = pd.concat(
        [
            FIVE,
            indicators(
                [
                    ("Y", 0, 500, np.nan, np.nan, np.nan, np.nan),
                    ("X", 0, 0, np.nan, np.nan, np.nan, np.nan),
                ]
            ),
        ],
        ignore_index=True,
    )
    out = rank_hotspots(ind)
    assert out["ward_code"].tolist()[-2:] == ["Y", "X"]  # by violence count, then code
    assert out["rank"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert out["rank"].iloc[-2:].isna().all()
    assert str(out["rank"].iloc[-1]) == "<NA>"
    assert out["why"].iloc[-2:].tolist() == ["no resident population: not ranked"] * 2
    assert out["score"].iloc[-2:].isna().all()
    # the others are ranked exactly as without them
    base = rank_hotspots(FIVE)
    assert out["ward_code"].tolist()[:5] == base["ward_code"].tolist()


def test_rank_settings_errors():
    with pytest.raises(
        ValueError,
        match=r"unknown preset 'hot'; choose one of "
        r"\['violence-drugs-deprivation', 'violence', "
        r"'violence-deprivation', 'harm-weighted'\]",
    ):
        rank_settings("hot")
    with pytest.raises(
        ValueError,
        match=r"unknown component\(s\) \['knives'\]; choose from "
        r"\['violence', 'drugs', 'deprivation', 'harm'\]",
    ):
        rank_settings(weights={"violence": 0.5, "knives": 0.5})
    with pytest.raises(ValueError, match="weights must be numbers ≥ 0"):
        rank_settings(weights={"violence": 1.5, "drugs": -0.5})
    with pytest.raises(ValueError, match="weights must be numbers ≥ 0"):
        rank_settings(weights={"violence": float("nan")})
    with pytest.raises(ValueError, match=r"weights must sum to 1 \(they sum to 0\.75\)"):
        rank_settings(weights={"violence": 0.5, "drugs": 0.25})
    with pytest.raises(ValueError, match=r"they sum to 1\.2\)"):
        rank_settings(weights={"violence": 0.6, "drugs": 0.6})


def test_rank_settings_from_weights():
    s = rank_settings(weights={"deprivation": 0.3, "violence": 0.7})
    assert s.preset is None
    # every component, in the declared order, zero where not given
    assert s.weights == (("violence", 0.7), ("drugs", 0.0), ("deprivation", 0.3), ("harm", 0.0))
    assert s.describe() == "violence 70%, deprivation 30%"
    assert rank_settings("harm-weighted").as_dict == {
        "violence": 0.0,
        "drugs": 0.2,
        "deprivation": 0.2,
        "harm": 0.6,
    }
    assert list(COMPONENTS) == ["violence", "drugs", "deprivation", "harm"]


def test_parse_weights():
    assert parse_weights(" violence=0.5, drugs=0.25 ,deprivation=0.25,") == {
        "violence": 0.5,
        "drugs": 0.25,
        "deprivation": 0.25,
    }
    for bad, part in (
        ("violence=half", "violence=half"),
        ("violence", "violence"),
        ("violence=0.5;drugs=0.5", "violence=0.5;drugs=0.5"),
    ):
        with pytest.raises(
            ValueError,
            match=rf"cannot read weight '{part}'; write them "
            r"like violence=0\.5,drugs=0\.25,deprivation=0\.25",
        ):
            parse_weights(bad)


def test_why_names_the_top_components_by_weight():
    # 11 wards: percentiles are multiples of 0.1. K10: violence 1, drugs 0.9,
    # deprivation 0.9, harm 1 (harm has no weight in the default preset);
    # K00: violence 0, drugs 1, deprivation 1; K05: violence 0.5, drugs and deprivation 0.4.
    n = 11
    rows = [
        (
            f"K{i:02d}",
            1000,
            i,
            float(i),
            float((i + 10) % n if i < 10 else 9),
            float(i - 1 if i else 10),
            float(i),
        )
        for i in range(n)
    ]
    out = rank_hotspots(indicators(rows)).set_index("ward_code")
    k = out.loc["K10"]
    assert (k["comp_violence"], k["comp_drugs"], k["comp_deprivation"], k["comp_harm"]) == (
        pytest.approx(1.0),
        pytest.approx(0.9),
        pytest.approx(0.9),
        pytest.approx(1.0),
    )
    assert out.index[0] == "K10"
    assert k["why"] == (
        "violence rate in the top 1%; drug offence rate in the top 10%; "
        "share of residents in the 20% most deprived areas in the top 10%"
    )
    assert out.loc["K00", "why"] == (
        "drug offence rate in the top 1%; share of residents in the 20% most deprived "
        "areas in the top 1%"
    )
    assert out.loc["K05", "why"] == "no component in the top fifth of wards"
    # the heaviest weight is named first, and a component without weight never is
    hw = rank_hotspots(indicators(rows), rank_settings("harm-weighted")).set_index("ward_code")
    assert hw.loc["K10", "why"] == (
        "harm-weighted violence rate in the top 1%; drug offence rate in the top 10%; "
        "share of residents in the 20% most deprived areas in the top 10%"
    )
    vo = rank_hotspots(indicators(rows), rank_settings("violence")).set_index("ward_code")
    assert vo.loc["K10", "why"] == "violence rate in the top 1%"
    assert vo.loc["K08", "why"] == "violence rate in the top 20%"
    assert vo.loc["K07", "why"] == "no component in the top fifth of wards"


def test_ranking_is_pure_and_repeatable():
    ind = pd.concat(
        [FIVE, indicators([("Y", 0, 5, np.nan, np.nan, np.nan, np.nan)])], ignore_index=True
    )
    before = ind.copy()
    first = rank_hotspots(ind, rank_settings("harm-weighted"))
    again = rank_hotspots(ind, rank_settings("harm-weighted"))
    other = rank_hotspots(ind, rank_settings("violence"))
    pd.testing.assert_frame_equal(ind, before)
    pd.testing.assert_frame_equal(first, again)
    assert first["ward_code"].tolist() != other["ward_code"].tolist()
    assert list(ind.columns) == list(before.columns)


def test_rank_settings_frozen_hashable_and_equal_by_value():
    s = rank_settings("violence")
    assert isinstance(s, RankSettings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.preset = "harm-weighted"
    assert s == rank_settings("violence") and hash(s) == hash(rank_settings("violence"))
    assert len({s, rank_settings("violence"), rank_settings("harm-weighted")}) == 2


def test_a_zero_weight_is_accepted_and_not_named():
    s = rank_settings(weights={"violence": 1.0, "drugs": 0.0})
    assert s.as_dict == {"violence": 1.0, "drugs": 0.0, "deprivation": 0.0, "harm": 0.0}
    assert s.describe() == "violence 100%"
    out = rank_hotspots(FIVE, s)
    pd.testing.assert_frame_equal(out, rank_hotspots(FIVE, rank_settings("violence")))


def test_weights_sum_tolerance():
    # Rounding in a typed-in sum is forgiven up to 1e-6, no further.
    rank_settings(weights={"violence": 0.5 + 5e-7, "drugs": 0.5})
    rank_settings(weights={"violence": 0.5 - 5e-7, "drugs": 0.5})
    for off in (2e-6, -2e-6):
        with pytest.raises(ValueError, match="weights must sum to 1"):
            rank_settings(weights={"violence": 0.5 + off, "drugs": 0.5})


def test_one_or_two_ranked_wards_get_whole_percentiles():
    one = rank_hotspots(FIVE.iloc[:1], rank_settings("violence"))
    assert one["comp_violence"].tolist() == [1.0] and one["score"].tolist() == [1.0]
    assert one["rank"].tolist() == [1]
    two = rank_hotspots(FIVE.iloc[[3, 0]], rank_settings("violence"))
    assert two["ward_code"].tolist() == ["A", "D"]
    assert two["comp_violence"].tolist() == [1.0, 0.0]
    assert two["comp_drugs"].tolist() == [0.0, 1.0]
    assert two["score"].tolist() == [1.0, 0.0]
    # One ranked ward beside one without residents: 1 for it, NaN for the other.
    lone = pd.concat(
        [FIVE.iloc[:1], indicators([("Y", 0, 5, 9.0, 9.0, 0.9, 9.0)])], ignore_index=True
    )
    out = rank_hotspots(lone, rank_settings("violence"))
    assert out["comp_violence"].iloc[0] == 1.0 and np.isnan(out["comp_violence"].iloc[1])


def test_a_ward_with_one_resident_is_ranked():
    ind = pd.concat([FIVE, indicators([("Y", 1, 1, 99.0, 0.0, 0.0, 0.0)])], ignore_index=True)
    out = rank_hotspots(ind, rank_settings("violence"))
    assert out["ward_code"].iloc[0] == "Y" and out["rank"].iloc[0] == 1


def test_scores_rounded_to_twelve_places_and_index_reset():
    assert SCORE_DECIMALS == 12
    rows = [(f"W{k}", 1000, k, float(k), 1.0, 0.5, 1.0) for k in range(8)]
    out = rank_hotspots(indicators(rows)[::-1], rank_settings("violence"))
    # Percentiles k / 7: 1/7 = 0.142857142857142857… is stored as 0.142857142857.
    assert out["score"].tolist() == [round(k / 7, 12) for k in range(7, -1, -1)]
    assert out.loc[6, "score"] == 0.142857142857 != 1 / 7
    assert out.index.tolist() == list(range(8))  # a fresh index, best first


def test_why_rounds_the_top_share_to_whole_percent():
    assert WHY_THRESHOLD == 0.8
    # 501 wards: percentiles k / 500. 0.834 → top 16.6% → "17%"; 0.836 → 16.4% → "16%";
    # 0.8 exactly is in the top fifth, 0.798 is not.
    rows = [(f"W{k:03d}", 1000, k, float(k), 1.0, 0.5, 1.0) for k in range(501)]
    out = rank_hotspots(indicators(rows), rank_settings("violence")).set_index("ward_code")
    assert out.loc["W417", "why"] == "violence rate in the top 17%"
    assert out.loc["W418", "why"] == "violence rate in the top 16%"
    assert out.loc["W400", "why"] == "violence rate in the top 20%"
    assert out.loc["W399", "why"] == "no component in the top fifth of wards"
