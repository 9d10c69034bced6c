"""Trends: persistence in the top N, new entrants, rolling comparisons."""

import numpy as np
import pandas as pd
import pytest

from hotspots.stats.trends import TREND_COLUMNS, trend_summary
from tests.stats.support import monthly_panel

# A 3-ward × 14-month panel (2018-01 … 2019-02), top N = 1:
#   A: 10 every month, then 1 in the last month
#   B:  1 every month, then 20 in the last month
#   C:  0, then 3 in the last two months
MONTHS_14 = [str(p) for p in pd.period_range("2018-01", "2019-02", freq="M")]
PANEL_14 = {"A": [10] * 13 + [1], "B": [1] * 13 + [20], "C": [0] * 12 + [3, 3]}


def test_trend_summary_by_hand():
    monthly = monthly_panel(list(PANEL_14), MONTHS_14, list(PANEL_14.values()))
    out = trend_summary(monthly, top_n=1)
    assert list(out.columns) == TREND_COLUMNS
    t = out.set_index("ward_code")
    # the last 12 months are 2018-03 … 2019-02: A tops 11 of them, B the last one
    assert t["months_in_top_n"].to_dict() == {"A": 11, "B": 1, "C": 0}
    assert t["new_entrant"].to_dict() == {"A": False, "B": True, "C": False}
    assert t["dropped_out"].to_dict() == {"A": True, "B": False, "C": False}
    assert t["last_month_rank"].tolist() == [3, 1, 2]
    assert t["previous_month_rank"].tolist() == [1, 3, 2]
    # last 3 months (2018-12 … 2019-02) against the 3 before (2018-09 … 2018-11)
    assert t["last_3"].tolist() == [21, 22, 6]
    assert t["previous_3"].tolist() == [30, 3, 0]
    assert t.loc["A", "change_3"] == pytest.approx(0.7)
    assert t.loc["B", "change_3"] == pytest.approx(22 / 3)
    assert np.isnan(t.loc["C", "change_3"])  # nothing before: no ratio
    # last 12: 11 × 10 + 1, 11 × 1 + 20, 3 + 3; 14 months cannot hold 12 before them
    assert t["last_12"].tolist() == [111, 31, 6]
    assert t["previous_12"].isna().all() and t["change_12"].isna().all()
    assert t.loc["B", "series"] == PANEL_14["B"]
    assert all(isinstance(v, int) for v in t.loc["C", "series"])


def test_trend_summary_top_n_two_and_ties_by_ward_code():
    monthly = monthly_panel(list(PANEL_14), MONTHS_14, list(PANEL_14.values()))
    t = trend_summary(monthly, top_n=2).set_index("ward_code")
    # 2018-03 … 2018-12: A and B are the top two (B's 1 beats C's 0); 2019-01: A and C
    # (C's 3 passes B); 2019-02: B and C (A falls to 1)
    assert t["months_in_top_n"].to_dict() == {"A": 11, "B": 11, "C": 2}
    assert t["new_entrant"].to_dict() == {"A": False, "B": True, "C": False}
    assert t["dropped_out"].to_dict() == {"A": True, "B": False, "C": False}
    tied = monthly_panel(["Z", "Y"], ["2019-01", "2019-02"], [[1, 2], [1, 2]])
    tt = trend_summary(tied, top_n=1).set_index("ward_code")
    assert tt["last_month_rank"].to_dict() == {"Y": 1, "Z": 2}


def test_trend_summary_change_12_with_24_months():
    months = [str(p) for p in pd.period_range("2017-03", "2019-02", freq="M")]
    monthly = monthly_panel(["A", "B"], months, [[2] * 12 + [3] * 12, [5] * 12 + [0] * 12])
    t = trend_summary(monthly, top_n=1).set_index("ward_code")
    assert t["last_12"].tolist() == [36, 0] and t["previous_12"].tolist() == [24, 60]
    assert t["change_12"].tolist() == [pytest.approx(1.5), 0.0]
    assert t.loc["A", "change_3"] == pytest.approx(1.0)  # 9 against 9
    assert np.isnan(t.loc["B", "change_3"])  # 0 against 0


def test_trend_summary_single_month_has_no_entrants_and_bad_top_n():
    one = monthly_panel(["A", "B"], ["2019-01"], [[5], [1]])
    t = trend_summary(one, top_n=1).set_index("ward_code")
    assert not t["new_entrant"].any() and not t["dropped_out"].any()
    assert t["last_month_rank"].tolist() == [1, 2]
    assert t["previous_month_rank"].isna().all()
    assert t["last_3"].isna().all() and t["change_3"].isna().all()
    with pytest.raises(ValueError, match="top_n must be at least 1"):
        trend_summary(one, top_n=0)
