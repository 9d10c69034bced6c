"""Disclosure control: no partner cell below the threshold, and no recovery by summing."""

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from hotspots.access.disclosure import (
    DEFAULT_RULE,
    PARTNER_DROPPED,
    RULES,
    DisclosureRule,
    hidden_cells,
    partner_hotspot_list,
    partner_windows,
    primary_mask,
    secondary_suppress,
    suppress_frame,
    suppress_series,
)

RULE = DisclosureRule(5)


def _table():
    return pd.DataFrame(
        {
            "ward_code": ["A", "B", "C", "D", "E"],
            "population": [1000, 2000, 0, 500, 800],
            "sv_count": [12, 3, 0, 40, 9],
            "violence": [10, 3, 0, 38, 5],
            "robbery": [2, 0, 0, 2, 4],
            "sv_rate": [12.0, 1.5, np.nan, 80.0, 11.25],
            "sv_rate_smoothed": [11.0, 2.0, np.nan, 70.0, 10.0],
        }
    )


def _partner(frame, rule=RULE):
    return suppress_frame(
        frame,
        rule,
        groups=[("sv_count", ["violence", "robbery"])],
        rates={"sv_rate": ("sv_count", "population")},
        drop=["sv_rate_smoothed"],
    )


def test_primary_and_secondary_suppression_by_hand():
    out = _partner(_table())
    assert out["sv_count"].tolist() == [12, "<5", 0, 40, 9]
    # A: robbery 2 hidden → the smallest other non-zero part (violence 10) hidden too.
    assert out.loc[0, ["violence", "robbery"]].tolist() == ["<5", "<5"]
    # B: total 3 and violence 3 hidden; robbery 0 stays 0 (two hidden cells already).
    assert out.loc[1, ["violence", "robbery"]].tolist() == ["<5", 0]
    # D: robbery 2 hidden, violence 38 hidden with it.
    assert out.loc[3, ["violence", "robbery"]].tolist() == ["<5", "<5"]
    # E: robbery 4 hidden → violence 5 hidden.
    assert out.loc[4, ["violence", "robbery"]].tolist() == ["<5", "<5"]
    assert out["sv_rate"].tolist() == [12.0, "<5", None, 80.0, 11.2]
    assert "sv_rate_smoothed" not in out.columns


def test_no_partner_cell_below_threshold_in_any_rule():
    for rule in RULES.values():
        out = _partner(_table(), rule)
        for col in ("sv_count", "violence", "robbery"):
            for v in out[col]:
                assert v == rule.mark or v is None or v == 0 or v >= rule.threshold, (col, v)


@pytest.mark.slow
def test_summing_cannot_recover_a_suppressed_cell():
    rng = np.random.default_rng(7)
    for _ in range(200):
        parts = rng.integers(0, 12, size=(1, 4)).astype(float)
        total = parts.sum(axis=1)
        frame = pd.DataFrame(parts, columns=list("wxyz")).assign(total=total)
        out = suppress_frame(frame, RULE, groups=[("total", list("wxyz"))])
        row = out.iloc[0]
        cells = ["total", *"wxyz"]
        hidden = [c for c in cells if row[c] == RULE.mark]
        assert len(hidden) != 1, row.to_dict()
        # With the total and all but one part known, the last part is recoverable:
        # that must never be a suppressed cell.
        if row["total"] != RULE.mark:
            for c in "wxyz":
                others = [o for o in "wxyz" if o != c]
                if all(row[o] != RULE.mark for o in others):
                    assert row[c] != RULE.mark


def test_monthly_series_beside_total():
    shown, hide_total = suppress_series([6, 2, 7, 0], 15, RULE)
    assert shown == [None, None, 7, 0] and hide_total is False  # 2 hidden; smallest (6) too
    shown, hide_total = suppress_series([3, 0, 0], 3, RULE)
    assert shown == [None, 0, 0] and hide_total is True


def test_rounding_rule_and_rates_from_rounded_counts():
    out = _partner(_table(), RULES["under-5-round-5"])
    assert out["sv_count"].tolist() == [10, "<5", 0, 40, 10]
    assert out.loc[0, "sv_rate"] == 10.0  # 10 / 1000 residents, not the exact 12


def test_inputs_not_mutated_and_rule_validation():
    t = _table()
    before = t.copy()
    _partner(t)
    pd.testing.assert_frame_equal(t, before)
    with pytest.raises(ValueError, match="threshold must be a whole number ≥ 2"):
        DisclosureRule(1)
    with pytest.raises(ValueError, match="round_to must be None"):
        DisclosureRule(5, 1)


def test_secondary_all_zero_parts():
    ht, hp = secondary_suppress(
        np.array([3.0]), np.array([[3.0, 0.0]]), np.array([True]), np.array([[True, False]])
    )
    assert ht.tolist() == [True] and hp.tolist() == [[True, False]]
    assert list(itertools.chain(*hp.tolist())).count(True) == 1


def _month_set(window: tuple[str, str]) -> set[str]:
    first, last = (pd.Period(m, freq="M") for m in window)
    return {str(p) for p in pd.period_range(first, last, freq="M")}


@pytest.mark.parametrize(
    "loaded",
    [
        ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"],  # fewer than 12
        [str(p) for p in pd.period_range("2023-01", "2024-12", freq="M")],  # 24 months
        [str(p) for p in pd.period_range("2023-01", "2023-12", freq="M")]
        + [str(p) for p in pd.period_range("2024-03", "2024-12", freq="M")],  # a gap
    ],
)
def test_partner_windows_never_isolate_a_month(loaded):
    from hotspots.access.disclosure import partner_windows

    windows = partner_windows(loaded)
    assert windows and len(set(windows)) == len(windows)
    sets = [_month_set(w) for w in windows]
    for a in sets:
        assert a <= set(loaded)  # only loaded months
        for b in sets:
            # No window inside another: a difference of two partner views is never a
            # set of whole months that one view adds to the other.
            assert not (a < b)
    if len(loaded) < 12:
        assert windows == [(min(loaded), max(loaded))]
    else:
        assert all(len(s) == 12 for s in sets)
        ends = [w[1] for w in windows]
        assert ends == sorted(ends, reverse=True)  # latest first
        # With a gap (Jan–Feb 2024 not loaded) the latest whole window ends before it.
        assert ends[0] == (max(loaded) if len(loaded) == 24 else "2023-12")


def test_partner_windows_rejects_bad_length():
    from hotspots.access.disclosure import partner_windows

    with pytest.raises(ValueError, match="length must be a positive integer"):
        partner_windows(["2024-01"], length=0)
    assert partner_windows([]) == []


def test_rule_defaults_registry_and_marks():
    assert DisclosureRule() == DisclosureRule(5, None)
    assert DisclosureRule().mark == "<5"
    assert DEFAULT_RULE == "under-5"
    assert {name: (r.threshold, r.round_to, r.mark) for name, r in RULES.items()} == {
        "under-5": (5, None, "<5"),
        "under-5-round-5": (5, 5, "<5"),
        "under-10": (10, None, "<10"),
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULE.threshold = 3
    assert len({RULE, DisclosureRule(5)}) == 1  # hashable, equal by value


def test_rule_boundaries_accepted_and_rejected():
    assert DisclosureRule(2).mark == "<2"  # the smallest threshold
    assert DisclosureRule(5, 2).round_to == 2  # the smallest rounding
    for bad in (1, 0, -5, 5.0, "5"):
        with pytest.raises(ValueError, match="threshold must be a whole number ≥ 2"):
            DisclosureRule(bad)
    for bad in (1, 0, -5, 2.5, "5"):
        with pytest.raises(ValueError, match="round_to must be None or a whole number ≥ 2"):
            DisclosureRule(5, bad)


def test_describe_states_the_rule():
    tail = (
        "; rates from suppressed counts suppressed; secondary suppression where a total "
        "and its parts are shown"
    )
    assert RULES["under-5"].describe() == 'counts from 1 to 4 shown as "<5"' + tail
    assert RULES["under-10"].describe() == 'counts from 1 to 9 shown as "<10"' + tail
    assert RULES["under-5-round-5"].describe() == (
        'counts from 1 to 4 shown as "<5"; other counts rounded to the nearest 5' + tail
    )


def test_primary_mask_boundaries():
    values = [0, 0.5, 1, 4, 4.5, 5, 6, np.nan]
    assert primary_mask(values, RULE).tolist() == [
        False,
        False,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert primary_mask([1, 9, 10], RULES["under-10"]).tolist() == [True, True, False]
    assert primary_mask([1, 2], DisclosureRule(2)).tolist() == [True, False]


def _secondary(total, parts, hidden_total, hidden_parts):
    ht, hp = secondary_suppress(
        np.array(total, float),
        np.array(parts, float),
        np.array(hidden_total),
        np.array(hidden_parts),
    )
    return ht.tolist(), hp.tolist()


def test_secondary_hidden_total_with_every_part_zero():
    # The parts (all 0) do not add up to the hidden total, so they cannot reveal it:
    # nothing more is hidden (and no part is picked from an empty set).
    assert _secondary([3.0], [[0.0, 0.0]], [True], [[False, False]]) == ([True], [[False, False]])


def test_secondary_hidden_total_hides_the_smallest_non_zero_part():
    assert _secondary([3.0], [[0.0, 2.0, 1.0]], [True], [[False, False, False]]) == (
        [True],
        [[False, False, True]],
    )
    assert _secondary([9.0], [[7.0, 0.0, 2.0]], [True], [[False, False, False]]) == (
        [True],
        [[False, False, True]],
    )


def test_secondary_hidden_part_hides_the_smallest_other_non_zero_part():
    # Zeros are never picked (a 0 shown is no secret); the smallest positive one is.
    assert _secondary([10.0], [[3.0, 0.0, 7.0, 9.0]], [False], [[True, False, False, False]]) == (
        [False],
        [[True, False, True, False]],
    )
    # A part of 1 shown (a caller's own mask) is still a candidate.
    assert _secondary([4.0], [[3.0, 1.0]], [False], [[True, False]]) == ([False], [[True, True]])


def test_secondary_hidden_part_with_no_other_non_zero_part_hides_the_total():
    assert _secondary([8.0], [[3.0, 0.0]], [False], [[True, False]]) == ([True], [[True, False]])
    shown, hide_total = suppress_series([3, 0, 0], 8, RULE)
    assert shown == [None, 0, 0] and hide_total is True


def test_secondary_leaves_rows_with_zero_or_two_hidden_cells():
    ht, hp = _secondary(
        [10.0, 2.0, 12.0],
        [[5.0, 5.0], [1.0, 1.0], [2.0, 10.0]],
        [False, True, False],
        [[False, False], [True, True], [True, False]],
    )
    assert ht == [False, True, False]
    assert hp == [[False, False], [True, True], [True, True]]


def test_secondary_does_not_change_its_inputs():
    hidden_total, hidden_parts = np.array([True]), np.array([[False, False]])
    secondary_suppress(np.array([3.0]), np.array([[1.0, 2.0]]), hidden_total, hidden_parts)
    assert hidden_total.tolist() == [True] and hidden_parts.tolist() == [[False, False]]


def test_rates_with_no_or_one_resident():
    frame = pd.DataFrame(
        {
            "population": [0, 1, np.nan, 200],
            "sv_count": [7, 0, 6, 8],
            "sv_rate": [np.inf, 0.0, 1.0, 40.0],
        }
    )
    out = suppress_frame(
        frame, RULE, counts=["sv_count"], rates={"sv_rate": ("sv_count", "population")}
    )
    # No residents (or unknown): no rate, never inf or 0.
    assert out["sv_rate"].tolist() == [None, 0.0, None, 40.0]
    assert out["sv_count"].tolist() == [7, 0, 6, 8]


def test_rates_skipped_when_the_column_is_not_shown():
    frame = pd.DataFrame({"population": [100], "sv_count": [7]})
    out = suppress_frame(
        frame, RULE, counts=["sv_count"], rates={"sv_rate": ("sv_count", "population")}
    )
    assert list(out.columns) == ["population", "sv_count"]


def _hotspots():
    return pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "ward_code": ["A", "B", "C"],
            "population": [1000, 0, 400],
            "sv_count": [12, 7, 3],
            "sv_rate": [12.0, np.inf, 7.5],
            "sv_rate_smoothed": [11.0, 9.0, 7.0],
            "drugs_count": [4, 0, 10],
            "drugs_rate": [4.0, np.nan, 25.0],
            "harm_rate": [1.0, 2.0, 3.0],
            "obs_exp_ratio": [1.2, 1.0, 0.9],
            "gi_z": [2.0, 0.1, -1.0],
        }
    )


def test_partner_hotspot_list_by_hand():
    out = partner_hotspot_list(_hotspots(), RULE)
    assert PARTNER_DROPPED == ("sv_rate_smoothed", "harm_rate", "obs_exp_ratio", "gi_z")
    assert list(out.columns) == [
        "rank",
        "ward_code",
        "population",
        "sv_count",
        "sv_rate",
        "drugs_count",
        "drugs_rate",
    ]
    assert out["sv_count"].tolist() == [12, 7, "<5"]
    assert out["sv_rate"].tolist() == [12.0, None, "<5"]  # no residents: no rate
    assert out["drugs_count"].tolist() == ["<5", 0, 10]
    assert out["drugs_rate"].tolist() == ["<5", None, 25.0]
    assert "series" not in out.columns
    assert hidden_cells(out, RULE, ["sv_count", "drugs_count"]) == 0


def test_partner_hotspot_list_with_monthly_series():
    series = pd.Series([[6, 2, 4], [7, 0, 0], [1, 1, 1]])
    out = partner_hotspot_list(_hotspots(), RULE, series)
    # A: 2 and 4 hidden (two cells) → total shown; B: nothing small; C: all hidden.
    assert out["series"].tolist() == [[6, None, None], [7, 0, 0], [None, None, None]]
    assert out["sv_count"].tolist() == [12, 7, "<5"]
    # A month series with one small month beside a shown total hides the total too.
    one_small = partner_hotspot_list(_hotspots(), RULE, pd.Series([[10, 2], [7, 0], [3, 0]]))
    assert one_small["series"].tolist() == [[None, None], [7, 0], [None, 0]]
    assert one_small["sv_count"].tolist() == [12, 7, "<5"]
    alone = partner_hotspot_list(_hotspots().iloc[:1], RULE, pd.Series([[12, 0]]))
    assert alone["series"].tolist() == [[12, 0]]
    hides = partner_hotspot_list(_hotspots().iloc[:1], RULE, pd.Series([[3, 0, 0]]))
    assert hides["series"].tolist() == [[None, 0, 0]]
    assert hides["sv_count"].tolist() == ["<5"] and hides["sv_rate"].tolist() == ["<5"]


def test_hidden_cells_counts_small_numbers_only():
    frame = pd.DataFrame(
        {
            "a": pd.Series([0, 1, 4, 5, "<5", None, np.nan, np.int64(3), 4.0, 4.99], dtype=object),
            "b": [0.0, 1.0, 2.0, 5.0, 6.0, np.nan, 10.0, 0.5, 4.0, 7.0],
            "c": ["<5"] * 10,
        }
    )
    assert hidden_cells(frame, RULE, ["a"]) == 5  # 1, 4, 3, 4.0, 4.99
    assert hidden_cells(frame, RULE, ["b"]) == 3  # 1.0, 2.0, 4.0 (0.5 is not a count ≥ 1)
    assert hidden_cells(frame, RULE, ["a", "b", "c", "missing"]) == 8
    assert hidden_cells(frame, RULES["under-10"], ["b"]) == 6  # 5.0, 6.0 and 7.0 too
    assert hidden_cells(frame, RULES["under-10"], ["c"]) == 0
    assert hidden_cells(frame, RULE, []) == 0


def test_partner_windows_length_one_and_a_gap_before_the_last_month():
    months = ["2024-01", "2024-02", "2024-04", "2024-05"]
    assert partner_windows(months, length=1) == [
        ("2024-05", "2024-05"),
        ("2024-04", "2024-04"),
        ("2024-02", "2024-02"),
        ("2024-01", "2024-01"),
    ]
    # A window needs every month up to its last: 2024-03 is missing.
    assert partner_windows(months, length=2) == [("2024-04", "2024-05"), ("2024-01", "2024-02")]
    assert partner_windows(["2024-01", "2024-03"], length=2) == [("2024-01", "2024-03")]
    assert partner_windows([*months, "2024-02"], length=3) == [("2024-01", "2024-05")]


def test_partner_windows_default_length_is_twelve():
    months = [str(p) for p in pd.period_range("2023-01", "2023-12", freq="M")]
    assert partner_windows(months) == [("2023-01", "2023-12")]
    assert partner_windows([*months, "2024-01"]) == [("2023-02", "2024-01"), ("2023-01", "2023-12")]
    assert partner_windows(months[1:]) == [("2023-02", "2023-12")]  # 11: one window


def test_partner_windows_rejects_non_integer_lengths():
    for bad in (-1, True, 1.0, "12"):
        with pytest.raises(ValueError, match="length must be a positive integer"):
            partner_windows(["2024-01"], length=bad)


def test_partner_hotspot_list_series_must_match_the_rows():
    with pytest.raises(ValueError, match="zip"):
        partner_hotspot_list(_hotspots(), RULE, pd.Series([[12, 0], [7, 0]]))


def test_stand_in_and_the_deployments_rule(monkeypatch):
    """One whole-number stand-in per rule; the deployment's rule from the environment."""
    from hotspots.access.disclosure import rule_from_env

    assert [RULES[k].stand_in for k in ("under-5", "under-5-round-5", "under-10")] == [2, 2, 5]
    assert DisclosureRule(7).stand_in == 3 and DisclosureRule(2).stand_in == 1
    assert isinstance(DisclosureRule(7).stand_in, int)
    monkeypatch.delenv("HOTSPOTS_SUPPRESSION", raising=False)
    assert rule_from_env() is RULES["under-5"]
    monkeypatch.setenv("HOTSPOTS_SUPPRESSION", "under-10")
    assert rule_from_env() is RULES["under-10"]
    monkeypatch.setenv("HOTSPOTS_SUPPRESSION", "no-such-rule")
    assert rule_from_env() is RULES["under-5"]


def test_partner_series_with_no_data_and_gaps():
    """A ward without data gets no series and no mark; a month not loaded stays a gap and
    is not counted beside the total."""
    rule = RULES["under-5"]
    table = pd.DataFrame(
        {
            "ward_code": ["a", "b", "c"],
            "sv_count": pd.array([pd.NA, 11, 12], dtype="Int64"),
            "drugs_count": pd.array([pd.NA, 0, 1], dtype="Int64"),
            "population": [100, 200, 300],
            "sv_rate": [np.nan, 45.0, 40.0],
            "drugs_rate": [np.nan, 0.0, 3.3],
        }
    )
    series = pd.Series([[None, None, None], [5, np.nan, 6], [4, 4, 4]])
    out = partner_hotspot_list(table, rule, series)
    assert out["series"].tolist() == [[None, None, None], [5, None, 6], [None, None, None]]
    assert out["sv_count"].tolist()[0] is None
    assert out["sv_count"].tolist()[1:] == [11, 12]
    assert out["drugs_count"].tolist()[1:] == [0, "<5"]
