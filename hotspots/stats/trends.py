"""Change over time: monthly ranks, persistence in the top N, new entrants and rolling
comparisons.

The Gi* of every month (the input of the emerging hot-spot classes) is
:func:`hotspots.stats.getis_ord.gi_star_by_month`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TREND_COLUMNS = [
    "ward_code",
    "months_in_top_n",
    "months_loaded",
    "new_entrant",
    "dropped_out",
    "last_month_rank",
    "previous_month_rank",
    "last_3",
    "previous_3",
    "change_3",
    "last_12",
    "previous_12",
    "change_12",
    "series",
]


def monthly_ranks(monthly: pd.DataFrame, value_col: str = "sv_count") -> pd.DataFrame:
    """Rank of each ward in each month by ``value_col`` (1 = highest; ties: ward code),
    among the wards with a value that month; a missing value (a month not loaded) has no
    rank (``<NA>``)."""
    m = monthly[["ward_code", "month", value_col]].sort_values(
        ["month", value_col, "ward_code"], ascending=[True, False, True], na_position="last"
    )
    have = m[value_col].notna()
    m["rank"] = pd.array((have.groupby(m["month"]).cumsum()).where(have), dtype="Int64")
    return m.reset_index(drop=True)


def trend_summary(
    monthly: pd.DataFrame, top_n: int = 12, value_col: str = "sv_count"
) -> pd.DataFrame:
    """Per ward: months in the top N of the last 12, new entrant / dropped out (vs the
    month before), last 3 and 12 months against the 3 and 12 before, and the series.

    Missing values (months not loaded) are gaps: ``months_in_top_n`` counts loaded months
    only and ``months_loaded`` says how many of the last 12 (or fewer) months were
    loaded; a window sum with a gap is missing; a gap in the series is None.

    Returns
    -------
    DataFrame with :data:`TREND_COLUMNS`; ``change_*`` are ratios (NaN when the earlier
    window is 0, has a gap or the data are too short); ``series`` is the list of monthly
    values (ints for counts, None for a gap). With a single month, or when the last month
    or the one before is a gap, ``new_entrant`` and ``dropped_out`` are False.
    """
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    whole = pd.api.types.is_integer_dtype(monthly[value_col])
    if monthly.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    monthly = monthly.assign(**{value_col: monthly[value_col].astype(float)})
    ranks = monthly_ranks(monthly, value_col)
    ranks["rank"] = ranks["rank"].astype(float)
    months = sorted(monthly["month"].unique())
    wide_rank = ranks.pivot(index="ward_code", columns="month", values="rank")[months]
    wide = monthly.pivot(index="ward_code", columns="month", values=value_col)[months]
    last12 = months[-12:]
    out = pd.DataFrame(index=wide.index)
    out["months_in_top_n"] = (wide_rank[last12] <= top_n).sum(axis=1).astype(int)
    out["months_loaded"] = wide[last12].notna().sum(axis=1).astype(int)
    last = wide_rank[months[-1]]
    prev = wide_rank[months[-2]] if len(months) > 1 else pd.Series(np.nan, index=wide.index)
    # With a single month (or a gap) there is no month before: nobody entered or left.
    has_prev = last.notna() & prev.notna()
    out["new_entrant"] = (last <= top_n) & ~(prev <= top_n) & has_prev
    out["dropped_out"] = ~(last <= top_n) & (prev <= top_n) & has_prev
    out["last_month_rank"] = last.astype("Int64")
    out["previous_month_rank"] = prev.astype("Int64")
    for n in (3, 12):
        cur = wide[months[-n:]].sum(axis=1, skipna=False) if len(months) >= n else np.nan
        before = (
            wide[months[-2 * n : -n]].sum(axis=1, skipna=False)
            if len(months) >= 2 * n
            else pd.Series(np.nan, index=wide.index)
        )
        out[f"last_{n}"] = cur
        out[f"previous_{n}"] = before
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"change_{n}"] = (pd.Series(cur, index=wide.index) / before).where(before > 0)
    cast = int if whole else float
    out["series"] = [[None if np.isnan(v) else cast(v) for v in r] for r in wide.to_numpy()]
    return out.reset_index()[TREND_COLUMNS]
