"""The values of a pack's tables: declared columns, typed cells, JSON-safe values, months.

Every rendering of a pack (PDF, Excel, page, JSON, archive) reads its rows through these
helpers, so that a missing value is one thing everywhere (None / ``pd.NA``, never 0) and a
partner's "<5" stays text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.validation import check_month as validate_month

#: Columns of a pack's table of top wards, declared once.
PACK_COLUMNS = [
    "rank",
    "ward_code",
    "ward_name",
    "local_authority_name",
    "sv_count",
    "sv_rate",
    "drugs_count",
    "rank_change",
    "new_entrant",
    "months_in_top_n",
    "emerging_class",
    "drugs_top_n",
    "dep_share_20",
    "why",
]

#: Columns of the change lists (new entrants, dropped out, persistent), declared once.
CHANGE_COLUMNS = [
    "change",
    "ward_code",
    "ward_name",
    "local_authority_name",
    "rank",
    "previous_rank",
    "months_in_top_n",
]


# -- months --------------------------------------------------------------------------------
def check_month(month: str, what: str = "meeting month") -> None:
    """Raise ValueError unless ``month`` is ``YYYY-MM`` (the shared rule,
    :func:`hotspots.validation.check_month`)."""
    validate_month(month, what, "2024-11")


def month_index(month: str) -> int:
    """``"2024-11"`` → a whole number that grows by one a month."""
    return int(month[:4]) * 12 + int(month[5:]) - 1


def month_of(index: int) -> str:
    """The inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_span(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive."""
    return [month_of(i) for i in range(month_index(start), month_index(end) + 1)]


def pack_period(meeting_month: str, months: int = 12) -> tuple[str, str]:
    """First and last month of the ``months`` months ending at the meeting month (the
    window the caller analyses for the pack), e.g. ``("2023-12", "2024-11")``."""
    check_month(meeting_month)
    return month_of(month_index(meeting_month) - (months - 1)), meeting_month


def period_bounds(period: str) -> tuple[str, str]:
    """``"2024-01 to 2024-12"`` → ``("2024-01", "2024-12")``."""
    parts = [p.strip() for p in str(period).split(" to ")]
    return parts[0], parts[-1]


# -- cells ---------------------------------------------------------------------------------
def cell(value):
    """A plain JSON/Excel value: None for missing, Python numbers and bools."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def jsonable(obj):
    """``obj`` with every value made a plain JSON value (:func:`cell`)."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return cell(obj)


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as plain dicts (:func:`cell` values)."""
    return [
        {c: cell(v) for c, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def int_or_na(value):
    """A whole number, or ``pd.NA`` for a missing value."""
    v = cell(value)
    return pd.NA if v is None else int(v)


def _kept_text(values) -> pd.Series:
    return pd.Series([v if isinstance(v, str) else cell(v) for v in values], dtype=object)


def typed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of top wards with :data:`PACK_COLUMNS` and their types (a partner's "<5"
    kept as text)."""
    out = frame.reindex(columns=PACK_COLUMNS).copy()
    for col in ("rank", "sv_count", "drugs_count", "months_in_top_n"):
        if any(isinstance(v, str) for v in out[col]):
            out[col] = _kept_text(out[col]).set_axis(out.index)
        else:
            out[col] = pd.array([int_or_na(v) for v in out[col]], dtype="Int64")
    for col in ("sv_rate", "dep_share_20"):
        if any(isinstance(v, str) for v in out[col]):
            out[col] = _kept_text(out[col]).set_axis(out.index)
        else:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["rank_change"] = pd.Series(
        [
            v if isinstance(v, str) else (None if cell(v) is None else int(v))
            for v in out["rank_change"]
        ],
        index=out.index,
        dtype=object,
    )
    out["new_entrant"] = pd.array([cell(v) for v in out["new_entrant"]], dtype="boolean")
    out["drugs_top_n"] = out["drugs_top_n"].astype(bool)
    for col in ("ward_code", "ward_name", "local_authority_name", "emerging_class", "why"):
        # a str (the analysis' phrases included: they keep their parts) stays as it is
        out[col] = [
            "" if cell(v) is None else v if isinstance(v, str) else str(v) for v in out[col]
        ]
    return out.reset_index(drop=True)


def typed_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """A change list with :data:`CHANGE_COLUMNS` and their types."""
    out = frame.reindex(columns=CHANGE_COLUMNS).copy()
    for col in ("rank", "previous_rank", "months_in_top_n"):
        out[col] = pd.array([int_or_na(v) for v in out[col]], dtype="Int64")
    for col in ("change", "ward_code", "ward_name", "local_authority_name"):
        out[col] = [("" if cell(v) is None else str(v)) for v in out[col]]
    return out.reset_index(drop=True)
