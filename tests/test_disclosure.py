"""Disclosure control: no partner cell below the threshold, and no recovery by summing."""

import itertools

import numpy as np
import pandas as pd
import pytest

from hotspots.disclosure import (
    RULES,
    DisclosureRule,
    secondary_suppress,
    suppress_frame,
    suppress_series,
)

RULE = DisclosureRule(5)


def _table():
    return pd.DataFrame({
        "ward_code": ["A", "B", "C", "D", "E"],
        "population": [1000, 2000, 0, 500, 800],
        "sv_count": [12, 3, 0, 40, 9],
        "violence": [10, 3, 0, 38, 5],
        "robbery": [2, 0, 0, 2, 4],
        "sv_rate": [12.0, 1.5, np.nan, 80.0, 11.25],
        "sv_rate_smoothed": [11.0, 2.0, np.nan, 70.0, 10.0],
    })


def _partner(frame, rule=RULE):
    return suppress_frame(frame, rule, groups=[("sv_count", ["violence", "robbery"])],
                          rates={"sv_rate": ("sv_count", "population")},
                          drop=["sv_rate_smoothed"])


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
    ht, hp = secondary_suppress(np.array([3.0]), np.array([[3.0, 0.0]]),
                                np.array([True]), np.array([[True, False]]))
    assert ht.tolist() == [True] and hp.tolist() == [[True, False]]
    assert list(itertools.chain(*hp.tolist())).count(True) == 1


def _month_set(window: tuple[str, str]) -> set[str]:
    first, last = (pd.Period(m, freq="M") for m in window)
    return {str(p) for p in pd.period_range(first, last, freq="M")}


@pytest.mark.parametrize("loaded", [
    ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"],        # fewer than 12
    [str(p) for p in pd.period_range("2023-01", "2024-12", freq="M")],   # 24 months
    [str(p) for p in pd.period_range("2023-01", "2023-12", freq="M")]
    + [str(p) for p in pd.period_range("2024-03", "2024-12", freq="M")],  # a gap
])
def test_partner_windows_never_isolate_a_month(loaded):
    from hotspots.disclosure import partner_windows

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
    from hotspots.disclosure import partner_windows

    with pytest.raises(ValueError, match="length must be a positive integer"):
        partner_windows(["2024-01"], length=0)
    assert partner_windows([]) == []
