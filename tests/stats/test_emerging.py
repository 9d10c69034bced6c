"""Tests of hotspots.stats.emerging: Mann-Kendall by hand, and one hand-made ward per class."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from hotspots.stats.emerging import (
    EMERGING_CLASSES,
    EMERGING_COLUMNS,
    EmergingSettings,
    classify_emerging,
    mann_kendall,
    mann_kendall_rows,
)

MONTHS = [f"2023-{m:02d}" for m in range(1, 11)]  # 10 months


# --------------------------------------------------------------------------------------
# Mann-Kendall
# --------------------------------------------------------------------------------------


def test_mann_kendall_by_hand_without_ties():
    # S = 10 (all 10 pairs increase); Var(S) = 5 * 4 * 15 / 18 = 50 / 3
    # z = (10 - 1) / sqrt(50 / 3) = 2.2045...; p = 2 * (1 - Phi(z)) = 0.0275
    result = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    assert result.s == 10
    assert result.tau == pytest.approx(1.0)
    assert result.z == pytest.approx(9 / math.sqrt(50 / 3))
    assert result.z == pytest.approx(2.2045, abs=1e-4)
    assert result.p == pytest.approx(0.0275, abs=1e-4)


def test_mann_kendall_by_hand_with_ties():
    # pairs of [1, 2, 2, 3]: five increase, one tie -> S = 5
    # Var(S) = (4 * 3 * 13 - 2 * 1 * 9) / 18 = 138 / 18; z = 4 / sqrt(138 / 18)
    result = mann_kendall(pd.Series([1.0, 2.0, 2.0, 3.0]))
    assert result.s == 5
    assert result.z == pytest.approx(4 / math.sqrt(138 / 18))
    assert result.p == pytest.approx(2 * scipy.stats.norm.sf(4 / math.sqrt(138 / 18)))
    assert result.tau == pytest.approx(5 / math.sqrt(6 * 5))  # tau-b


@pytest.mark.parametrize("ties", [False, True])
def test_mann_kendall_agrees_with_kendalltau_against_time(ties):
    rng = np.random.default_rng(5)
    x = rng.normal(size=25).cumsum()
    if ties:
        x = np.round(x)
    result = mann_kendall(x)
    expected = scipy.stats.kendalltau(np.arange(x.size), x, method="asymptotic")
    assert result.tau == pytest.approx(expected.statistic)
    # scipy's asymptotic p has no continuity correction: undo ours and compare
    _, counts = np.unique(x, return_counts=True)
    t = counts[counts > 1]
    var = (25 * 24 * 55 - (t * (t - 1) * (2 * t + 5)).sum()) / 18
    assert 2 * scipy.stats.norm.sf(abs(result.s) / math.sqrt(var)) == pytest.approx(expected.pvalue)


def test_mann_kendall_decreasing_constant_and_invalid():
    assert mann_kendall([5.0, 4.0, 3.0, 1.0]).z < 0
    assert tuple(mann_kendall([2.0, 2.0, 2.0])) == (0.0, 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="at least 3"):
        mann_kendall([1.0, 2.0])
    with pytest.raises(ValueError, match="missing"):
        mann_kendall([1.0, np.nan, 2.0])
    with pytest.raises(TypeError, match="one-dimensional"):
        mann_kendall([[1.0, 2.0, 3.0]])


# --------------------------------------------------------------------------------------
# classify_emerging
# --------------------------------------------------------------------------------------

HOT_Z, COLD_Z, QUIET_Z = 3.0, -3.0, 0.5

# ward -> (pattern over 10 months, expected class); H hot, C cold, . not significant.
# Patterns with a z-series instead of a string drive the trend classes.
CASES = {
    "new_hot": (".........H", "New hot spot"),
    "consecutive_hot": ("........HH", "Consecutive hot spot"),
    "consecutive_80pct": ("..HHHHHHHH", "Consecutive hot spot"),  # 8 of 10 < 90 %
    "persistent_hot": ("HHHHHHHHHH", "Persistent hot spot"),
    "persistent_90pct": (".HHHHHHHHH", "Persistent hot spot"),  # 9 of 10 = 90 %
    # falling a little, not significantly (Mann-Kendall p > 0.05): still persistent
    "persistent_falling": (
        [5.0, 6.0, 5.5, 6.2, 5.1, 5.8, 4.9, 5.6, 5.0, 5.2],
        "Persistent hot spot",
    ),
    "intensifying_hot": ([2.0 + i for i in range(10)], "Intensifying hot spot"),
    "diminishing_hot": ([11.0 - i for i in range(10)], "Diminishing hot spot"),
    "sporadic_hot": ("H..H...H.H", "Sporadic hot spot"),
    "oscillating_hot": ("C....H...H", "Oscillating hot spot"),
    "oscillating_not_new": ("C........H", "Oscillating hot spot"),
    "historical_hot": ("HHHHHHHHH.", "Historical hot spot"),
    "new_cold": (".........C", "New cold spot"),
    "consecutive_cold": ("........CC", "Consecutive cold spot"),
    "persistent_cold": ("CCCCCCCCCC", "Persistent cold spot"),
    "intensifying_cold": ([-2.0 - i for i in range(10)], "Intensifying cold spot"),
    "diminishing_cold": ([-11.0 + i for i in range(10)], "Diminishing cold spot"),
    "sporadic_cold": ("C..C...C.C", "Sporadic cold spot"),
    "oscillating_cold": ("H....C...C", "Oscillating cold spot"),
    "hot_then_cold_last": ("HHHHHHHHHC", "Oscillating cold spot"),
    "historical_cold": ("CCCCCCCCC.", "Historical cold spot"),
    "sporadic_with_run": ("H.....H.HH", "Sporadic hot spot"),  # a run, but hot before
    "sporadic_cold_run": ("C.....C.CC", "Sporadic cold spot"),
    "first_month_then_run": ("H.......HH", "Sporadic hot spot"),
    "cold_just_before": ("........CH", "Oscillating hot spot"),
    "no_pattern": ("..HH......", "No pattern"),
    "never": ("..........", "No pattern"),
}


def _series(pattern) -> tuple[list[float], list[float]]:
    """z and p for a pattern string, or for an explicit z series (all significant)."""
    if isinstance(pattern, list):
        return pattern, [0.001] * len(pattern)
    z = [{"H": HOT_Z, "C": COLD_Z, ".": QUIET_Z}[ch] for ch in pattern]
    p = [0.001 if ch in "HC" else 0.5 for ch in pattern]
    return z, p


def _frame(cases: dict) -> pd.DataFrame:
    rows = []
    for ward, (pattern, _) in cases.items():
        z, p = _series(pattern)
        rows += [(ward, month, zi, pi, pi) for month, zi, pi in zip(MONTHS, z, p, strict=True)]
    return pd.DataFrame(rows, columns=["ward_code", "month", "gi_z", "gi_p", "gi_p_fdr"])


@pytest.fixture(scope="module")
def classified() -> pd.DataFrame:
    return classify_emerging(_frame(CASES))


def test_columns_exact(classified):
    assert list(classified.columns) == EMERGING_COLUMNS
    assert EMERGING_COLUMNS == [
        "ward_code",
        "emerging_class",
        "hot_steps",
        "cold_steps",
        "trend_z",
        "trend_p",
    ]
    assert classified["ward_code"].tolist() == list(CASES)


@pytest.mark.parametrize("ward", list(CASES))
def test_each_class(classified, ward):
    got = classified.set_index("ward_code").loc[ward, "emerging_class"]
    assert got == CASES[ward][1]


def test_every_class_is_hit(classified):
    assert set(classified["emerging_class"]) == set(EMERGING_CLASSES)


def test_counts_and_trend(classified):
    by_ward = classified.set_index("ward_code")
    assert by_ward.loc["sporadic_hot", "hot_steps"] == 4
    assert by_ward.loc["sporadic_hot", "cold_steps"] == 0
    assert by_ward.loc["oscillating_hot", "cold_steps"] == 1
    assert by_ward.loc["persistent_90pct", "hot_steps"] == 9
    z, _ = _series(CASES["intensifying_hot"][0])
    expected = mann_kendall(z)
    assert by_ward.loc["intensifying_hot", "trend_z"] == pytest.approx(expected.z)
    assert by_ward.loc["intensifying_hot", "trend_p"] == pytest.approx(expected.p)
    assert by_ward.loc["intensifying_hot", "trend_p"] < 0.05
    assert by_ward.loc["persistent_hot", "trend_p"] == 1.0


def test_row_order_does_not_matter():
    frame = _frame(CASES)
    shuffled = frame.sample(frac=1.0, random_state=2)
    result = classify_emerging(shuffled).set_index("ward_code").sort_index()
    expected = classify_emerging(frame).set_index("ward_code").sort_index()
    pd.testing.assert_frame_equal(result, expected)


def test_p_column_setting_and_input_unchanged():
    frame = _frame({"w": ("........HH", None)})
    frame["gi_p_fdr"] = 0.2  # raw p significant, adjusted not
    before = frame.copy()
    assert classify_emerging(frame).loc[0, "emerging_class"] == "No pattern"
    raw = classify_emerging(frame, EmergingSettings(p_column="gi_p"))
    assert raw.loc[0, "emerging_class"] == "Consecutive hot spot"
    pd.testing.assert_frame_equal(frame, before)


def test_share_setting():
    frame = _frame({"w": ("..HHHHHHHH", None)})
    looser = EmergingSettings(share=0.8)
    assert classify_emerging(frame, looser).loc[0, "emerging_class"] == "Persistent hot spot"


def test_classify_validation():
    frame = _frame({"a": ("........HH", None), "b": ("..........", None)})
    with pytest.raises(TypeError, match="DataFrame"):
        classify_emerging(frame.to_dict())
    with pytest.raises(ValueError, match=r"missing column\(s\) \['gi_p_fdr'\]"):
        classify_emerging(frame.drop(columns="gi_p_fdr"))
    with pytest.raises(ValueError, match="duplicated"):
        classify_emerging(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(ValueError, match="every ward and month"):
        classify_emerging(frame.iloc[1:])
    with pytest.raises(ValueError, match="YYYY-MM"):
        classify_emerging(frame.replace({"month": {"2023-01": "2023-13"}}))
    with pytest.raises(ValueError, match="missing values"):
        classify_emerging(frame.assign(gi_z=np.nan))
    with pytest.raises(ValueError, match="gi_p_fdr"):
        EmergingSettings(p_column="fdr")
    with pytest.raises(ValueError, match=r"above 0\.5"):
        EmergingSettings(share=0.4)
    with pytest.raises(ValueError, match="min_steps must be at least 3"):
        EmergingSettings(min_steps=2)
    with pytest.raises(TypeError, match="min_steps must be a whole number"):
        EmergingSettings(min_steps=True)
    with pytest.raises(TypeError, match="min_steps must be a whole number"):
        EmergingSettings(min_steps=10.0)
    assert EmergingSettings(min_steps=3).min_steps == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        EmergingSettings().alpha = 0.1


# --------------------------------------------------------------------------------------
# Mann-Kendall for many wards at once
# --------------------------------------------------------------------------------------


def test_mann_kendall_rows_equals_one_at_a_time():
    rng = np.random.default_rng(4)
    x = np.vstack(
        [
            rng.integers(0, 4, size=(40, 15)).astype(float),  # many ties
            rng.normal(size=(40, 15)),
            np.ones((1, 15)),
            np.arange(15.0)[None, :],
        ]
    )
    z, p = mann_kendall_rows(x)
    for i, row in enumerate(x):
        one = mann_kendall(row)
        assert abs(z[i] - one.z) < 1e-12 and abs(p[i] - one.p) < 1e-12, i


# --------------------------------------------------------------------------------------
# Too few months
# --------------------------------------------------------------------------------------


def test_default_needs_ten_months():
    assert EmergingSettings().min_steps == 10


@pytest.mark.parametrize("k", [1, 2, 3, 5, 9])
def test_fewer_than_ten_months_say_so_instead_of_classes(k):
    frame = _frame(CASES)
    frame = frame[frame["month"] <= MONTHS[k - 1]]
    result = classify_emerging(frame)
    assert list(result.columns) == EMERGING_COLUMNS
    assert result["ward_code"].tolist() == list(CASES)
    assert set(result["emerging_class"]) == {f"Not enough months ({k} of 10)"}
    assert result["trend_z"].isna().all() and result["trend_p"].isna().all()
    by_ward = result.set_index("ward_code")
    # the hot and cold months are still counted
    assert by_ward.loc["persistent_hot", "hot_steps"] == k
    assert by_ward.loc["persistent_cold", "cold_steps"] == k
    assert by_ward.loc["never", "hot_steps"] == 0
    assert result["hot_steps"].dtype == "int64" and result["cold_steps"].dtype == "int64"


def test_ten_months_are_classified_and_the_minimum_is_a_setting():
    assert "Not enough" not in " ".join(classify_emerging(_frame(CASES))["emerging_class"])
    frame = _frame({"w": ("HHHHHHHHHH", None)})
    five = frame[frame["month"] <= MONTHS[4]]
    assert (
        classify_emerging(five, EmergingSettings(min_steps=5)).loc[0, "emerging_class"]
        == "Persistent hot spot"
    )
    assert (
        classify_emerging(five, EmergingSettings(min_steps=6)).loc[0, "emerging_class"]
        == "Not enough months (5 of 6)"
    )
    assert (
        classify_emerging(frame, EmergingSettings(min_steps=11)).loc[0, "emerging_class"]
        == "Not enough months (10 of 11)"
    )


def test_settings_bounds_and_defaults():
    s = EmergingSettings()
    assert (s.alpha, s.share, s.trend_alpha, s.p_column) == (0.05, 0.90, 0.05, "gi_p_fdr")
    EmergingSettings(alpha=0.5, trend_alpha=0.5, share=1.0)  # the largest accepted
    for bad in (
        {"alpha": 0.51},
        {"alpha": 0.0},
        {"trend_alpha": 0.6},
        {"share": 1.01},
        {"share": 0.5},
        {"trend_alpha": -0.1},
    ):
        with pytest.raises(ValueError):
            EmergingSettings(**bad)
    for bad in ({"alpha": True}, {"share": "0.9"}, {"trend_alpha": None}):
        with pytest.raises(TypeError, match="must be a number in"):
            EmergingSettings(**bad)


def test_the_sign_of_z_decides_hot_or_cold_whatever_its_size():
    rows = []
    for ward, z in (("weak_hot", 0.5), ("weak_cold", -0.5), ("zero", 0.0)):
        rows += [(ward, month, z, 0.001, 0.001) for month in MONTHS]
    frame = pd.DataFrame(rows, columns=["ward_code", "month", "gi_z", "gi_p", "gi_p_fdr"])
    out = classify_emerging(frame).set_index("ward_code")
    assert out.loc["weak_hot", "emerging_class"] == "Persistent hot spot"
    assert out.loc["weak_cold", "emerging_class"] == "Persistent cold spot"
    assert out.loc["zero", "emerging_class"] == "No pattern"
    assert (out.loc["zero", "hot_steps"], out.loc["zero", "cold_steps"]) == (0, 0)


def test_incomplete_panel_names_the_short_ward():
    frame = _frame({"a": ("..........", None), "b": ("..........", None)})
    frame = _frame(
        {"a": ("..........", None), "b": ("..........", None), "c": ("..........", None)}
    )
    short = frame.drop(
        index=[
            *frame.index[frame["ward_code"] == "b"][:1],
            *frame.index[frame["ward_code"] == "c"][:2],
        ]
    )
    with pytest.raises(ValueError, match=r"e\.g\. ward 'b' has 9 months"):
        classify_emerging(short)


def test_a_non_significant_fall_is_not_diminishing():
    z, _ = _series(CASES["persistent_falling"][0])
    trend = mann_kendall(z)
    assert trend.z < 0 and trend.p > 0.05


# a weak rise and fall (Mann-Kendall S = +-11, z = +-0.894, p = 0.371), hot every month
WEAK_RISE = [9.0, 4.0, 8.0, 6.0, 3.0, 10.0, 11.0, 5.0, 7.0, 12.0]


def test_trend_level_is_inclusive_and_any_significant_trend_counts():
    rise = {"w": (WEAK_RISE, None)}
    fall = {"w": ([20.0 - v for v in WEAK_RISE], None)}
    p = mann_kendall(WEAK_RISE).p
    at = EmergingSettings(trend_alpha=p)
    assert classify_emerging(_frame(rise), at).loc[0, "emerging_class"] == ("Intensifying hot spot")
    assert classify_emerging(_frame(fall), at).loc[0, "emerging_class"] == ("Diminishing hot spot")
    below = EmergingSettings(trend_alpha=p * 0.999)
    assert classify_emerging(_frame(rise), below).loc[0, "emerging_class"] == (
        "Persistent hot spot"
    )


def test_p_equal_to_alpha_is_significant():
    rows = [("w", m, 2.5, 0.05, 0.05) for m in MONTHS]
    frame = pd.DataFrame(rows, columns=["ward_code", "month", "gi_z", "gi_p", "gi_p_fdr"])
    out = classify_emerging(frame)
    assert out.loc[0, "hot_steps"] == 10


def test_mann_kendall_rows_zero_s_gives_zero_z():
    z, p = mann_kendall_rows(np.array([[1.0, 2.0, 2.0, 1.0], [5.0, 5.0, 5.0, 5.0]]))
    assert z.tolist() == [0.0, 0.0] and p.tolist() == [1.0, 1.0]


def test_panel_messages_name_the_first_problem():
    frame = _frame({"z": ("..........", None), "b": ("..........", None)})
    bad = frame.replace({"month": {"2023-01": "2023-13", "2023-02": "Feb"}})
    with pytest.raises(ValueError, match=r"got e\.g\. '2023-13'$"):
        classify_emerging(bad)
    dup = pd.concat([frame, frame.iloc[[3, 12]]])
    with pytest.raises(
        ValueError,
        match=r"2 duplicated \(ward_code, month\) rows, e\.g\. "
        r"\('z', '2023-04'\)",
    ):
        classify_emerging(dup)
    gone = ((frame["ward_code"] == "z") & (frame["month"] == "2023-05")) | (
        (frame["ward_code"] == "b") & frame["month"].isin(["2023-03", "2023-04"])
    )
    short = frame[~gone]
    with pytest.raises(
        ValueError,
        match=r"\(2 wards x 10 months = 20 rows\), got 17; "
        r"e\.g\. ward 'b' has 8 months",
    ):
        classify_emerging(short)
