"""The monthly targeting pack: the top wards for a partnership meeting, what changed since
the last *published* pack, a printable PDF and an Excel workbook, and an archive that keeps
every published pack unchanged with a checksum.

Pure functions build the pack (:func:`build_pack`) and render it (:func:`pack_pdf`,
:func:`pack_excel`); :class:`PackArchive` is the only I/O. Rank changes are always against
the previous *published* pack (what the partnership saw), never a recomputation.

Archive layout, under the store folder::

    packs/<area-slug>/<definition>/<YYYY-MM>.json   the pack, with its sha256 checksum
    packs/<area-slug>/<definition>/<YYYY-MM>.pdf    the PDF as published
    packs/.lock                                     held while publishing

The JSON is written last (temporary file + ``os.replace``): it is the commit point, and
once it exists the month is published and can never be written again.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import fcntl
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.stats.analysis import left_out
from hotspots.stats.concordance import named_overlaps
from hotspots.store.files import atomic_write as _atomic_write
from hotspots.validation import MONTH

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

#: Columns the hotspot list must have (a subset of ``HOTSPOT_LIST_COLUMNS``).
REQUIRED_HOTSPOT_COLUMNS = [
    "rank",
    "ward_code",
    "ward_name",
    "local_authority_name",
    "sv_count",
    "sv_rate",
    "drugs_count",
    "dep_share_20",
    "emerging_class",
    "why",
]
#: Columns the trend summary must have (a subset of ``TREND_COLUMNS``).
REQUIRED_TREND_COLUMNS = ["ward_code", "series"]
#: Keys :func:`build_pack` needs in ``metadata`` (see :func:`pack_metadata`).
REQUIRED_METADATA = ["definition", "area", "proxy", "period"]

#: Placeholder until the partnership agrees its small-number rule.
SUPPRESSION_NOTE = (
    "None applied in this pack (placeholder - the partnership's rule for "
    "small numbers goes here before the pack is shared more widely)."
)
#: Licence statements for the sources (from the README).
ATTRIBUTION = (
    "Crime data: police.uk, Open Government Licence v3.0 (contains public sector "
    "information licensed under the Open Government Licence v3.0). Boundaries, lookups and "
    "population: Office for National Statistics, OGL v3.0 (contains OS data (c) Crown "
    "copyright and database right). WIMD 2019: Welsh Government, OGL v3.0. IMD 2019: MHCLG, "
    "OGL v3.0."
)
RANK_CHANGE_RULE = (
    "Places moved since the previous published pack, as published (up = "
    "towards 1st); 'new' = not in that pack's list."
)
DRUGS_RULE = (
    "'Drugs top N': the ward is also among the N wards with most drug offences in "
    "the period (ties by ward code; wards with none excluded)."
)
#: Unicode font embedded in the PDF when it exists (else Helvetica with Latin-1 text).
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FORMAT = 1

_ORDINAL_WORDS = {
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
}
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class PackSettings:
    """Rules of the pack's lists and sentences.

    Parameters
    ----------
    persistent_months, persistence_window : int
        A ward is *persistent* when it was in the top N by monthly violence count in at
        least ``persistent_months`` of the last ``persistence_window`` months.
    big_move : int
        Moves of at least this many places get a sentence in the summary.
    """

    persistent_months: int = 6
    persistence_window: int = 12
    big_move: int = 3

    def __post_init__(self) -> None:
        for name in ("persistent_months", "persistence_window", "big_move"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
        if self.persistent_months > self.persistence_window:
            raise ValueError(
                f"persistent_months ({self.persistent_months}) cannot exceed "
                f"persistence_window ({self.persistence_window})"
            )


@dataclass(frozen=True, eq=False)
class Pack:
    """A monthly targeting pack (built by :func:`build_pack`, not yet published).

    ``rows`` has :data:`PACK_COLUMNS`; ``new_entrants``, ``dropped_out`` and
    ``persistent`` have :data:`CHANGE_COLUMNS`; ``summary`` holds plain-English lines.
    """

    meeting_month: str
    area: str
    definition: str
    top_n: int
    rows: pd.DataFrame = field(repr=False)
    new_entrants: pd.DataFrame = field(repr=False)
    dropped_out: pd.DataFrame = field(repr=False)
    persistent: pd.DataFrame = field(repr=False)
    summary: tuple[str, ...]
    metadata: dict = field(repr=False)
    settings: PackSettings
    previous_month: str | None
    previous_checksum: str | None
    first_streak: int
    persistence_months: int
    persistence_window: int = 0
    overlap: dict = field(default_factory=dict, repr=False)
    left_out: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def months_loaded_note(self) -> str:
        """``"5 of 12 months loaded"`` ("" when the whole persistence window is loaded)."""
        k, n = self.persistence_months, self.settings.persistence_window
        return "" if k >= n else f"{k} of {n} months loaded"

    @property
    def proxy(self) -> bool:
        return bool(self.metadata["proxy"])

    @property
    def changes(self) -> pd.DataFrame:
        """New entrants, dropped out and persistent wards in one table."""
        return pd.concat([self.new_entrants, self.dropped_out, self.persistent], ignore_index=True)[
            CHANGE_COLUMNS
        ]

    @property
    def title(self) -> str:
        return f"Serious violence targeting pack - {month_name(self.meeting_month)}"


@dataclass(frozen=True, eq=False)
class PublishedPack:
    """A pack as stored by :class:`PackArchive` (read back from disk, never recomputed)."""

    meeting_month: str
    area: str
    definition: str
    published_at: str
    checksum: str
    rows: pd.DataFrame = field(repr=False)
    top_n: int = 12
    first_streak: int = 1
    metadata: dict = field(default_factory=dict, repr=False)
    summary: tuple[str, ...] = field(default=(), repr=False)
    path: Path | None = None


# -- small helpers -------------------------------------------------------------------------
def _check_month(month: str, what: str = "meeting month") -> None:
    if not isinstance(month, str) or not MONTH.match(month):
        raise ValueError(f"{what} {month!r} is not YYYY-MM (e.g. 2024-11)")


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:]) - 1


def month_name(month: str) -> str:
    """``"2024-11"`` → ``"November 2024 (2024-11)"``."""
    _check_month(month)
    return f"{_MONTH_NAMES[int(month[5:]) - 1]} {month[:4]} ({month})"


def pack_period(meeting_month: str, months: int = 12) -> tuple[str, str]:
    """First and last month of the ``months`` months ending at the meeting month (the
    window the caller analyses for the pack), e.g. ``("2023-12", "2024-11")``."""
    _check_month(meeting_month)
    i = _month_index(meeting_month) - (months - 1)
    return f"{i // 12:04d}-{i % 12 + 1:02d}", meeting_month


def slug(text: str) -> str:
    """``"Vale of Helig"`` → ``"vale-of-helig"`` (the archive folder of an area).

    A name with no letter or digit in ASCII (``"😀"``, ``"دبي"``) gets ``"x-"`` and the
    first 12 hex digits of its SHA-256, so that every area has a folder.
    """
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    if not out:
        if not str(text).strip():
            raise ValueError(f"cannot make a folder name from {text!r}")
        out = "x-" + hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:12]
    return out


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 22 → "22nd"."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _ordinal_word(n: int) -> str:
    return _ORDINAL_WORDS.get(int(n), ordinal(n))


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _places(k: int) -> str:
    return f"{k} place" if k == 1 else f"{k} places"


def _cell(value):
    """A plain JSON/Excel value: None for missing, Python numbers and bools."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _jsonable(obj):
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return _cell(obj)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {c: _cell(v) for c, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _int_or_na(value):
    v = _cell(value)
    return pd.NA if v is None else int(v)


def _typed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=PACK_COLUMNS).copy()
    for col in ("rank", "sv_count", "drugs_count", "months_in_top_n"):
        if any(isinstance(v, str) for v in out[col]):  # a partner's copy: "<5" kept as text
            out[col] = pd.Series(
                [v if isinstance(v, str) else _cell(v) for v in out[col]],
                index=out.index,
                dtype=object,
            )
        else:
            out[col] = pd.array([_int_or_na(v) for v in out[col]], dtype="Int64")
    for col in ("sv_rate", "dep_share_20"):
        if any(isinstance(v, str) for v in out[col]):
            out[col] = pd.Series(
                [v if isinstance(v, str) else _cell(v) for v in out[col]],
                index=out.index,
                dtype=object,
            )
        else:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["rank_change"] = pd.Series(
        [
            v if isinstance(v, str) else (None if _cell(v) is None else int(v))
            for v in out["rank_change"]
        ],
        index=out.index,
        dtype=object,
    )
    out["new_entrant"] = pd.array([_cell(v) for v in out["new_entrant"]], dtype="boolean")
    out["drugs_top_n"] = out["drugs_top_n"].astype(bool)
    for col in ("ward_code", "ward_name", "local_authority_name", "emerging_class", "why"):
        out[col] = [("" if _cell(v) is None else str(v)) for v in out[col]]
    return out.reset_index(drop=True)


def _typed_changes(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=CHANGE_COLUMNS).copy()
    for col in ("rank", "previous_rank", "months_in_top_n"):
        out[col] = pd.array([_int_or_na(v) for v in out[col]], dtype="Int64")
    for col in ("change", "ward_code", "ward_name", "local_authority_name"):
        out[col] = [("" if _cell(v) is None else str(v)) for v in out[col]]
    return out.reset_index(drop=True)


# -- building ------------------------------------------------------------------------------
def pack_metadata(data, ranking=None) -> dict:
    """The ``metadata`` :func:`build_pack` wants, from a :class:`hotspots.store.ward_data.WardData`
    and the :class:`hotspots.stats.ranking.RankSettings` used (weights and normalisation)."""
    from hotspots.stats.ranking import NORMALISATION

    meta = dict(data.metadata())
    if ranking is not None:
        meta["weights"] = dict(ranking.weights)
        meta["weights_description"] = ranking.describe()
        meta["preset"] = ranking.preset
        meta["normalisation"] = NORMALISATION
    return meta


def persistence(trends: pd.DataFrame, top_n: int, window: int) -> tuple[pd.Series, int]:
    """Months (of the last ``window``) each ward was in the top ``top_n`` by its monthly
    count, from the trend summary's ``series`` (ranked as :func:`hotspots.stats.trends.
    monthly_ranks` does: highest first, ties by ward code, among the wards with a value).
    A month no ward has a value for (not loaded) is not counted, and a ward with no value
    in a month is never in that month's top. Returns the counts by ward code and the
    number of loaded months looked at (see :func:`persistence_window`)."""
    series = list(trends["series"])
    lengths = {len(s) for s in series}
    if len(lengths) > 1:
        raise ValueError("the trend summary's series have different lengths")
    n_window = min(window, lengths.pop() if lengths else 0)
    codes = trends["ward_code"].astype(str).to_numpy()
    counts = np.zeros(len(codes), dtype=int)
    loaded = 0
    if n_window:
        values = np.array(
            [[np.nan if v is None else v for v in s[-n_window:]] for s in series], dtype=float
        )
        by_code = np.argsort(codes, kind="stable")
        for j in range(n_window):
            col = values[by_code, j]
            have = ~np.isnan(col)
            if not have.any():
                continue
            loaded += 1
            order = by_code[have][np.argsort(-col[have], kind="stable")]
            counts[order[:top_n]] += 1
    return pd.Series(counts, index=codes, name="months_in_top_n"), loaded


def persistence_window(trends: pd.DataFrame, window: int) -> int:
    """How many months the persistence window spans (≤ ``window``; loaded or not)."""
    lengths = {len(s) for s in trends["series"]}
    return min(window, max(lengths) if lengths else 0)


def _display_names(hotspots: pd.DataFrame) -> dict[str, str]:
    """Ward name, with its local authority when the name is not unique in the area."""
    names = hotspots["ward_name"].astype(str)
    dup = names.duplicated(keep=False)
    return {
        str(code): (f"{n} ({la})" if d else n)
        for code, n, la, d in zip(
            hotspots["ward_code"].astype(str),
            names,
            hotspots["local_authority_name"].astype(str),
            dup,
            strict=True,
        )
    }


def build_pack(
    hotspots: pd.DataFrame,
    trends: pd.DataFrame,
    meeting_month: str,
    top_n: int = 12,
    previous: PublishedPack | None = None,
    metadata: Mapping | None = None,
    settings: PackSettings | None = None,
) -> Pack:
    """Build the targeting pack for a meeting month.

    Parameters
    ----------
    hotspots : DataFrame
        The hotspot list (:data:`hotspots.stats.analysis.HOTSPOT_LIST_COLUMNS`) for the 12
        months ending at ``meeting_month`` (see :func:`pack_period`), every ward of the area.
    trends : DataFrame
        The trend summary (:data:`hotspots.stats.trends.TREND_COLUMNS`) over the same window.
    meeting_month : str
        ``YYYY-MM``; must be the last month of ``metadata["period"]``.
    top_n : int
        How many wards the pack lists.
    previous : PublishedPack, optional
        The last pack published before this one (:meth:`PackArchive.latest_before`); rank
        changes and new entrants are against it. None: no changes are reported.
    metadata : mapping
        :func:`pack_metadata` (``WardData.metadata()`` plus the ranking weights); needs
        :data:`REQUIRED_METADATA`.
    settings : PackSettings

    Raises
    ------
    ValueError
        Bad month, ``top_n`` or settings; missing columns or metadata; a period that does
        not end at the meeting month; a ``previous`` pack of another area, definition, or
        not earlier than the meeting month.
    """
    settings = settings or PackSettings()
    _check_month(meeting_month)
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        raise ValueError(f"top_n must be a whole number ≥ 1, got {top_n!r}")
    if metadata is None:
        raise ValueError("metadata is needed (use pack_metadata(data, ranking))")
    meta = copy.deepcopy(_jsonable(dict(metadata)))
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ValueError(f"metadata lacks {missing} (use hotspots.outputs.pack.pack_metadata)")
    period_end = str(meta["period"]).split(" to ")[-1].strip()
    if period_end != meeting_month:
        raise ValueError(
            f"the period ({meta['period']}) must end at the meeting month "
            f"({meeting_month}); analyse the 12 months pack_period() gives"
        )
    for frame, cols, what in (
        (hotspots, REQUIRED_HOTSPOT_COLUMNS, "hotspot list"),
        (trends, REQUIRED_TREND_COLUMNS, "trend summary"),
    ):
        lacking = [c for c in cols if c not in frame.columns]
        if lacking:
            raise ValueError(f"the {what} lacks columns {lacking}")
    area, definition = str(meta["area"]), str(meta["definition"])
    if previous is not None:
        if slug(previous.area) != slug(area) or previous.definition != definition:
            raise ValueError(
                f"the previous pack is for {previous.area} ({previous.definition})"
                f", not {area} ({definition})"
            )
        if previous.meeting_month >= meeting_month:
            raise ValueError(
                f"the previous pack ({previous.meeting_month}) is not before {meeting_month}"
            )

    hot = hotspots.copy()
    hot["ward_code"] = hot["ward_code"].astype(str)
    names = _display_names(hot)
    rank_now = {c: _int_or_na(r) for c, r in zip(hot["ward_code"], hot["rank"], strict=True)}
    in_top, n_months = persistence(trends, top_n, settings.persistence_window)
    n_window = persistence_window(trends, settings.persistence_window)
    drugs = hot[pd.to_numeric(hot["drugs_count"], errors="coerce") > 0].sort_values(
        ["drugs_count", "ward_code"], ascending=[False, True], kind="stable"
    )
    drugs_top = set(drugs["ward_code"].head(top_n))
    top = hot[hot["rank"].notna()].sort_values("rank", kind="stable").head(top_n)
    overlap = named_overlaps(hot, top_n)
    weights = meta.get("weights") or None
    missed = (
        left_out(hot, top_n, weights)
        if all(f"comp_{k}" in hot.columns for k in (weights or {})) and "sv_rate" in hot.columns
        else None
    )

    prev_rank: dict[str, int] = {}
    if previous is not None:
        prev_rank = {
            str(c): int(r)
            for c, r in zip(previous.rows["ward_code"], previous.rows["rank"], strict=True)
        }
    rows = top[
        [
            "rank",
            "ward_code",
            "ward_name",
            "local_authority_name",
            "sv_count",
            "sv_rate",
            "drugs_count",
            "emerging_class",
            "dep_share_20",
            "why",
        ]
    ].copy()
    codes = list(rows["ward_code"])
    if previous is None:
        rows["rank_change"] = [None] * len(rows)
        rows["new_entrant"] = [None] * len(rows)
    else:
        rows["rank_change"] = [
            prev_rank[c] - int(r) if c in prev_rank else "new"
            for c, r in zip(codes, rows["rank"], strict=True)
        ]
        rows["new_entrant"] = [c not in prev_rank for c in codes]
    rows["months_in_top_n"] = [int(in_top.get(c, 0)) for c in codes]
    rows["drugs_top_n"] = [c in drugs_top for c in codes]
    rows = _typed_rows(rows)

    def change_rows(kind: str, wards: list[str], extra: dict[str, dict]) -> pd.DataFrame:
        la = dict(zip(hot["ward_code"], hot["local_authority_name"], strict=True))
        wn = dict(zip(hot["ward_code"], hot["ward_name"], strict=True))
        recs = [
            {
                "change": kind,
                "ward_code": c,
                "ward_name": wn[c] if c in wn else extra[c]["name"],
                "local_authority_name": la[c] if c in la else extra[c]["la"],
                "rank": rank_now.get(c, pd.NA),
                "previous_rank": prev_rank.get(c),
                "months_in_top_n": int(in_top.get(c, 0)),
            }
            for c in wards
        ]
        return _typed_changes(pd.DataFrame(recs, columns=CHANGE_COLUMNS))

    empty: dict[str, dict] = {}
    new = change_rows(
        "new entrant", [c for c in codes if previous is not None and c not in prev_rank], empty
    )
    dropped_codes: list[str] = []
    prev_info: dict[str, dict] = {}
    if previous is not None:
        prows = previous.rows.sort_values("rank", kind="stable")
        for c, n, la in zip(
            prows["ward_code"].astype(str),
            prows["ward_name"],
            prows["local_authority_name"],
            strict=True,
        ):
            prev_info[c] = {"name": n, "la": la}
            if c not in codes:
                dropped_codes.append(c)
                names.setdefault(c, str(n))
    dropped = change_rows("dropped out", dropped_codes, prev_info)
    # Persistence is judged only when enough months are loaded to reach the threshold.
    judged = n_months >= settings.persistent_months
    pers = in_top[
        (in_top >= settings.persistent_months) & in_top.index.isin(list(rank_now)) & judged
    ]
    pers_codes = sorted(
        pers.index, key=lambda c: (-int(pers[c]), 10**9 if rank_now[c] is pd.NA else rank_now[c], c)
    )
    persistent = change_rows("persistent", pers_codes, empty)

    first_streak = 1
    if len(rows) and previous is not None:
        prev_first = previous.rows.loc[previous.rows["rank"] == 1, "ward_code"]
        consecutive = _month_index(meeting_month) - _month_index(previous.meeting_month) == 1
        if consecutive and len(prev_first) and str(prev_first.iloc[0]) == codes[0]:
            first_streak = int(previous.first_streak) + 1

    pack = Pack(
        meeting_month=meeting_month,
        area=area,
        definition=definition,
        top_n=top_n,
        rows=rows,
        new_entrants=new,
        dropped_out=dropped,
        persistent=persistent,
        summary=(),
        metadata=meta,
        settings=settings,
        previous_month=previous.meeting_month if previous is not None else None,
        previous_checksum=previous.checksum if previous is not None else None,
        first_streak=first_streak,
        persistence_months=n_months,
        persistence_window=n_window,
        overlap=overlap.as_dict(),
        left_out=missed,
    )
    pack.metadata["overlap"] = overlap.as_dict()
    lines = summary_lines(pack, previous, names)
    return dataclasses.replace(pack, summary=tuple(lines))


def _method_differences(pack: Pack, previous: PublishedPack) -> list[str]:
    diffs = []
    if int(previous.top_n) != pack.top_n:
        diffs.append(f"top {previous.top_n}")
    before, now = previous.metadata.get("weights"), pack.metadata.get("weights")
    if before is not None and now is not None and before != now:
        desc = previous.metadata.get("weights_description") or ", ".join(
            f"{k} {v:.0%}" for k, v in before.items() if v
        )
        diffs.append(f"weights {desc}")
    return diffs


def summary_lines(pack: Pack, previous: PublishedPack | None, names: dict[str, str]) -> list[str]:
    """The plain-English lines of a pack (deterministic wording; see the tests)."""
    n, rows = pack.top_n, pack.rows
    lines: list[str] = []
    if rows.empty:
        return ["No ward is ranked in this period."]
    since = "this month"
    if (
        previous is not None
        and _month_index(pack.meeting_month) - _month_index(previous.meeting_month) != 1
    ):
        since = f"since the {previous.meeting_month} pack"
    first_code = rows["ward_code"].iloc[0]
    first = names.get(first_code, rows["ward_name"].iloc[0])
    change = rows["rank_change"].iloc[0]
    if previous is None:
        lines.append(f"{first} is first.")
        lines.append(
            "No earlier pack has been published for this area and definition, so "
            "there are no changes to report."
        )
    elif pack.first_streak >= 2:
        lines.append(f"{first} is first for the {_ordinal_word(pack.first_streak)} month running.")
    elif change == "new":
        lines.append(f"{first} is first and new to the top {n} {since}.")
    elif change == 0:
        lines.append(f"{first} is first again, as in the {previous.meeting_month} pack.")
    else:
        lines.append(f"{first} moved up {_places(int(change))} to 1st.")
    if previous is not None:
        diffs = _method_differences(pack, previous)
        if diffs:
            lines.append(
                f"The {previous.meeting_month} pack was made with other settings "
                f"({'; '.join(diffs)}), so rank changes compare lists made "
                "differently."
            )
        for code, rank, ch in zip(
            rows["ward_code"].iloc[1:],
            rows["rank"].iloc[1:],
            rows["rank_change"].iloc[1:],
            strict=True,
        ):
            if isinstance(ch, int) and abs(ch) >= pack.settings.big_move:
                way = "up" if ch > 0 else "down"
                lines.append(
                    f"{names.get(code, code)} moved {way} {_places(abs(ch))} to {ordinal(rank)}."
                )
        new = [names.get(c, c) for c in pack.new_entrants["ward_code"] if c != first_code]
        if new:
            verb = "is" if len(new) == 1 else "are"
            lines.append(f"{_join(new)} {verb} new to the top {n} {since}.")
        gone = []
        for code, rank in zip(pack.dropped_out["ward_code"], pack.dropped_out["rank"], strict=True):
            gone.append(
                (
                    names.get(code, code),
                    "now not ranked" if pd.isna(rank) else f"now {ordinal(rank)}",
                )
            )
        if len(gone) == 1:
            lines.append(f"{gone[0][0]} dropped out of the top {n} {since} ({gone[0][1]}).")
        elif gone:
            lines.append(
                f"{_join([f'{w} ({r})' for w, r in gone])} dropped out of the top {n} {since}."
            )
    if pack.overlap:
        lines.extend(_overlap_lines(pack.overlap, names))
    if pack.left_out is not None and len(pack.left_out):
        lines.append(
            f"High violence, not in the top {n}: "
            + "; ".join(
                f"{names.get(c, w)} (ranked {ordinal(r)}): {why}"
                for c, w, r, why in zip(
                    pack.left_out["ward_code"],
                    pack.left_out["ward_name"],
                    pack.left_out["rank"],
                    pack.left_out["reason"],
                    strict=True,
                )
            )
            + "."
        )
    pers = pack.persistent
    s = pack.settings
    window = s.persistence_window
    loaded_note = pack.months_loaded_note
    rule = (
        f"in the top {n} for violence counts in at least "
        f"{s.persistent_months} of the last {window} months"
        + (f" ({loaded_note})" if loaded_note else "")
    )
    inside = int(pers["ward_code"].isin(rows["ward_code"]).sum())
    if pack.persistence_months and pack.persistence_months < s.persistent_months:
        best = int(rows["months_in_top_n"].max()) if len(rows) else 0
        at_best = int((rows["months_in_top_n"] == best).sum()) if len(rows) else 0
        have = loaded_note or f"{pack.persistence_months} months loaded"
        lines.append(
            f"Persistence (in the top {n} in at least {s.persistent_months} of "
            f"{s.persistence_window} months) cannot be judged: only {have}"
            + (
                f"; {at_best} of this pack's wards were in the top {n} in "
                f"{best} of the {pack.persistence_months} loaded months."
                if best
                else "."
            )
        )
    elif pack.persistence_months and len(pers) == 0:
        lines.append(f"No ward was {rule}.")
    elif len(pers) == 1:
        lines.append(f"1 ward was {rule}; it is {'' if inside else 'not '}in this pack.")
    elif len(pers) > 1:
        which = (
            "all of them are"
            if inside == len(pers)
            else "none of them is"
            if inside == 0
            else "1 of them is"
            if inside == 1
            else f"{inside} of them are"
        )
        lines.append(f"{len(pers)} wards were {rule}; {which} in this pack.")
    loaded = pack.metadata.get("months_with_data")
    if loaded is not None:
        start = str(pack.metadata["period"]).split(" to ")[0].strip()
        if MONTH.match(start):
            span = range(_month_index(start), _month_index(pack.meeting_month) + 1)
            absent = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in span]
            absent = [m for m in absent if m not in set(loaded)]
            if absent:
                verb = "is" if len(absent) == 1 else "are"
                lines.append(
                    f"No crimes are loaded for {_join(absent)}: "
                    f"{'that month' if len(absent) == 1 else 'those months'} "
                    f"{verb} left out (a gap, not zero); counts cover the "
                    f"{len(span) - len(absent)} loaded months of {len(span)}."
                )
    return lines


def _overlap_lines(overlap: Mapping, names: dict[str, str]) -> list[str]:
    """The pack's two overlap sentences from ``Pack.overlap``."""
    from hotspots.stats.concordance import NamedOverlap

    return NamedOverlap(
        top_n=int(overlap["n"]),
        violence_vs_drugs=tuple(overlap["violence_vs_drugs_wards"]),
        list_vs_drugs=tuple(overlap["list_vs_drugs_wards"]),
    ).lines(names)


# -- method text ---------------------------------------------------------------------------
def method_items(pack: Pack) -> list[tuple[str, str]]:
    """(item, text) pairs of the "Method and data" notes shared by the PDF and Excel."""
    m = pack.metadata
    weights = m.get("weights_description") or (
        ", ".join(f"{k} {float(v):.0%}" for k, v in m["weights"].items() if v)
        if m.get("weights")
        else "not stated"
    )
    definition = f"{m.get('definition_title') or pack.definition} ({pack.definition})"
    if pack.proxy:
        definition = "PROXY - " + definition
    s = pack.settings
    items = [
        ("Meeting month", pack.meeting_month),
        ("Area", pack.area),
        ("Definition", definition),
        (
            "Definition note",
            str(m.get("definition_note") or ("PROXY definition" if pack.proxy else "")),
        ),
        ("Period", str(m["period"])),
        ("Data cut-off", str(m.get("data_cut_off") or "no crimes loaded")),
        ("Months with data", ", ".join(m.get("months_with_data") or []) or "not stated"),
        ("Months not loaded", ", ".join(m.get("months_not_loaded") or []) or "none"),
        ("Forces without crimes loaded", ", ".join(m.get("forces_without_data") or []) or "none"),
        ("Missing data", str(m.get("coverage_note") or "not stated")),
        ("Overlap", "; ".join(_overlap_lines(pack.overlap, {})) if pack.overlap else "not stated"),
        ("Weights", weights),
        ("Normalisation", str(m.get("normalisation") or "not stated")),
        ("Top N", str(pack.top_n)),
        (
            "Rank change",
            RANK_CHANGE_RULE
            + (
                f" Previous pack: {pack.previous_month} (checksum {pack.previous_checksum[:12]})."
                if pack.previous_month and pack.previous_checksum
                else " No earlier pack was published."
            ),
        ),
        (
            "Persistence",
            f"'Months in top N': loaded months of the last "
            f"{pack.persistence_window or pack.persistence_months} in which the "
            f"ward was in the top {pack.top_n} by its monthly violence count "
            f"({pack.persistence_months} loaded; months not loaded are not "
            f"counted); persistent = at least {s.persistent_months} of "
            f"{s.persistence_window}.",
        ),
        ("Drug co-location", DRUGS_RULE),
        (
            "Population",
            " ".join(
                x
                for x in (
                    f"Year {m['population_year']}." if m.get("population_year") else "",
                    str(m.get("population_method") or ""),
                )
                if x
            )
            or "not stated",
        ),
        ("Harm weights", str(m.get("harm_weights") or "not used")),
        ("Suppression", str(m.get("suppression") or SUPPRESSION_NOTE)),
        ("Sources", ", ".join(m.get("sources") or []) or "not stated"),
        ("Licences", ATTRIBUTION),
    ]
    if m.get("label"):
        items.insert(
            0, ("Label", f"{str(m['label']).upper()}: invented places and crimes, not real data")
        )
    return items


# -- PDF -----------------------------------------------------------------------------------
_PUNCTUATION = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "≥": ">=",
    "≤": "<=",
    "→": "->",
    "•": "-",
    "×": "x",
    "−": "-",
}


def latin1_safe(text: str) -> str:
    """``text`` in Latin-1 for PDF core fonts: Latin-1 characters kept (â, ê, ô...), others
    (ŵ, ŷ) without their accents, typographic punctuation as ASCII, anything else "?"."""
    out = []
    for ch in str(text):
        ch = _PUNCTUATION.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            try:
                base.encode("latin-1")
                ch = base or "?"
            except UnicodeEncodeError:
                ch = "?"
        out.append(ch)
    return "".join(out)


def _change_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if isinstance(value, str):
        return value
    v = int(value)
    return "same" if v == 0 else (f"up {v}" if v > 0 else f"down {-v}")


def _fmt(value, spec: str) -> str:
    v = _cell(value)
    if v is None:
        return "-"
    return v if isinstance(v, str) else format(v, spec)  # text: a partner's "<5"


def pack_pdf(
    pack: Pack, map_png: bytes | None = None, font_path: str | Path | None = DEJAVU
) -> bytes:
    """The pack as a printable A4 (landscape) PDF.

    Parameters
    ----------
    pack : Pack
    map_png : bytes, optional
        A small map (PNG or JPEG bytes) shown beside the summary, fitted in 80 × 70 mm.
    font_path : path, optional
        A TrueType font to embed (default DejaVu Sans when installed, with its bold beside
        it); None or a missing file: Helvetica, with text made Latin-1 (ŵ → w, ŷ → y).
    """
    from fpdf import FPDF

    unicode_font = font_path is not None and Path(font_path).is_file()
    text = (lambda s: str(s)) if unicode_font else latin1_safe
    family = "DejaVu" if unicode_font else "Helvetica"
    label = str(pack.metadata.get("label") or "").upper()
    footer = text(
        " | ".join(
            x
            for x in (
                pack.area,
                pack.meeting_month,
                pack.definition + (" (PROXY)" if pack.proxy else ""),
                label,
            )
            if x
        )
    )

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(family, "", 7)
            self.set_text_color(90)
            self.cell(0, 5, footer + f" | page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0)

    pdf = _PDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    if unicode_font:
        path = Path(font_path)
        bold = path.with_name(path.stem + "-Bold" + path.suffix)
        pdf.add_font(family, "", path)
        pdf.add_font(family, "B", bold if bold.is_file() else path)
    pdf.set_title(text(pack.title))
    pdf.set_author("hotspots")
    # Dated by its meeting month, so the same pack always gives the same bytes.
    pdf.set_creation_date(
        dt.datetime(int(pack.meeting_month[:4]), int(pack.meeting_month[5:]), 1, tzinfo=dt.UTC)
    )
    pdf.add_page()
    width = pdf.epw
    m = pack.metadata

    def para(s: str, size: float = 9, style: str = "", w: float = 0, h: float = 4.5) -> None:
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(w or width, h, text(s), align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(s: str) -> None:
        pdf.ln(2)
        para(s, size=12, style="B", h=6)

    if m.get("label"):
        pdf.set_text_color(170, 0, 0)
        para(
            f"{str(m['label']).upper()}: invented places and crimes, not real data",
            size=10,
            style="B",
        )
        pdf.set_text_color(0)
    para(pack.title, size=16, style="B", h=8)
    para(
        f"Area: {pack.area}    Period: {m['period']}    Data cut-off: "
        f"{m.get('data_cut_off') or 'no crimes loaded'}",
        size=10,
    )
    definition = f"Definition: {m.get('definition_title') or pack.definition} ({pack.definition})"
    para(definition, size=10)
    if pack.proxy:
        pdf.set_text_color(170, 0, 0)
        note = str(m.get("definition_note") or "")
        para(
            note if note.startswith("PROXY") else f"PROXY definition. {note}".strip(),
            size=10,
            style="B",
        )
        pdf.set_text_color(0)
    para(
        f"Previous published pack: {pack.previous_month}"
        if pack.previous_month
        else "Previous published pack: none",
        size=9,
    )

    heading("Summary")
    top_y = pdf.get_y()
    text_w = width
    image_bottom = top_y
    if map_png:
        map_w = 80.0
        text_w = width - map_w - 5
        info = pdf.image(
            io.BytesIO(map_png),
            x=pdf.l_margin + width - map_w,
            y=top_y,
            w=map_w,
            h=70,
            keep_aspect_ratio=True,
        )
        image_bottom = top_y + float(info.rendered_height)
        pdf.set_y(top_y)
    for line in pack.summary:
        para(f"- {line}", size=10, w=text_w, h=5)
    pdf.set_y(max(pdf.get_y(), image_bottom))

    heading(f"Top {pack.top_n} wards")
    headers = [
        "Rank",
        "Change",
        "Ward",
        "Local authority",
        "Violence",
        "Rate per 1,000",
        "Drugs",
        f"Drugs top {pack.top_n}",
        f"Months in top {pack.top_n} (of {pack.persistence_months} loaded)",
        "Emerging hot spot",
        "Most deprived 20%",
        "Why",
    ]
    widths = (10, 14, 30, 28, 16, 17, 14, 15, 17, 30, 18, 68)
    pdf.set_font(family, "", 8)
    with pdf.table(
        col_widths=widths,
        width=width,
        text_align="LEFT",
        line_height=4,
        headings_style=_heading_style(),
    ) as table:
        row = table.row()
        for h in headers:
            row.cell(text(h))
        for r in pack.rows.itertuples(index=False):
            row = table.row()
            for value in (
                str(r.rank),
                _change_text(r.rank_change),
                r.ward_name,
                r.local_authority_name,
                _fmt(r.sv_count, "d"),
                _fmt(r.sv_rate, ".1f"),
                _fmt(r.drugs_count, "d"),
                "yes" if r.drugs_top_n else "no",
                str(r.months_in_top_n),
                r.emerging_class or "-",
                _fmt(r.dep_share_20, ".0%"),
                r.why,
            ):
                row.cell(text(value))

    heading(f"Changes since the {pack.previous_month} pack" if pack.previous_month else "Changes")
    if pack.previous_month is None:
        para("No earlier pack has been published for this area and definition.")
    else:
        new = [
            f"{w} ({ordinal(r)})"
            for w, r in zip(pack.new_entrants["ward_name"], pack.new_entrants["rank"], strict=True)
        ]
        para("New entrants: " + ("; ".join(new) if new else "none"))
        gone = [
            f"{w} (was {ordinal(p)}, {'now not ranked' if pd.isna(r) else 'now ' + ordinal(r)})"
            for w, p, r in zip(
                pack.dropped_out["ward_name"],
                pack.dropped_out["previous_rank"],
                pack.dropped_out["rank"],
                strict=True,
            )
        ]
        para("Dropped out: " + ("; ".join(gone) if gone else "none"))
    pers = [
        f"{w} ({k} of {pack.persistence_months} loaded months"
        f"{'' if pd.isna(r) else ', now ' + ordinal(r)})"
        for w, k, r in zip(
            pack.persistent["ward_name"],
            pack.persistent["months_in_top_n"],
            pack.persistent["rank"],
            strict=True,
        )
    ]
    note = pack.months_loaded_note
    para(
        f"Persistent (in the top {pack.top_n} for violence counts in at least "
        f"{pack.settings.persistent_months} of the last {pack.settings.persistence_window} "
        f"months{f'; {note}' if note else ''}): "
        + (
            "; ".join(pers)
            if pers
            else "none"
            if pack.persistence_months >= pack.settings.persistent_months
            else "not judged (too few months loaded)"
        )
    )
    if pack.left_out is not None and len(pack.left_out):
        heading(f"High violence, not in the top {pack.top_n}")
        for w, r, why in zip(
            pack.left_out["ward_name"], pack.left_out["rank"], pack.left_out["reason"], strict=True
        ):
            para(f"{w} (ranked {ordinal(r)}): {why}.")

    heading("Method and data")
    for item, value in method_items(pack):
        para(f"{item}: {value}", size=8, h=4)
    return bytes(pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 225, 225))


# -- Excel ---------------------------------------------------------------------------------
def pack_excel(pack: Pack) -> bytes:
    """The pack as an Excel workbook: sheets "Top wards", "Changes", "Method and data".

    Written by :func:`hotspots.outputs.exports.excel_bytes`, the one writer of spreadsheets: text
    cells are never formulas (a leading apostrophe where one would start); numbers stay
    numbers (``rank_change`` holds whole numbers, "new", or nothing when there was no
    earlier pack).
    """
    from hotspots.outputs.exports import Sheet, excel_bytes

    items = [("Title", pack.title), *method_items(pack)] + [
        (f"Summary {i}", s) for i, s in enumerate(pack.summary, 1)
    ]
    return excel_bytes(
        [
            Sheet("Top wards", pack.rows, freeze=True),
            Sheet("Changes", pack.changes, freeze=True),
            Sheet(
                "Method and data",
                pd.DataFrame(items, columns=["Item", "Value"]),
                widths={"A": 20, "B": 120},
            ),
        ],
        title=pack.title,
    )


# -- archive -------------------------------------------------------------------------------
def _canonical(doc: dict) -> bytes:
    return json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class PackArchive:
    """Published packs, kept unchanged under ``<root>/packs`` (``root``: the store folder).

    Parameters
    ----------
    root : path
        The store folder (``Store.root``); packs go in its ``packs`` folder.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.folder = self.root / "packs"

    def __repr__(self) -> str:
        return f"PackArchive({str(self.root)!r})"

    def _dir(self, area: str, definition: str) -> Path:
        return self.folder / slug(area) / slug(definition)

    def path(self, area: str, definition: str, month: str, audience: str = "analyst") -> Path:
        """The JSON file of a pack (whether published or not); a partner's rendering of
        the same publication is ``<month>.partner.json``."""
        _check_month(month, "month")
        if audience not in ("analyst", "partner"):
            raise ValueError(f"audience must be 'analyst' or 'partner', got {audience!r}")
        suffix = "" if audience == "analyst" else ".partner"
        return self._dir(area, definition) / f"{month}{suffix}.json"

    def months(self, area: str, definition: str, audience: str = "analyst") -> list[str]:
        """Meeting months published for an area and definition (for ``audience``: those
        with a partner rendering), oldest first."""
        folder = self._dir(area, definition)
        if not folder.is_dir():
            return []
        done = sorted(p.stem for p in folder.glob("*.json") if MONTH.match(p.stem))
        if audience == "analyst":
            return done
        return [m for m in done if self.path(area, definition, m, audience).is_file()]

    def load(
        self, area: str, definition: str, month: str, audience: str = "analyst"
    ) -> PublishedPack:
        """A published pack as stored (``audience="partner"``: its partner rendering).

        Raises
        ------
        ValueError
            When no pack is published for that month (naming the months that are).
        """
        path = self.path(area, definition, month, audience)
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise ValueError(
                f"no pack is published for {area} ({definition}) in {month}"
                f"{'' if audience == 'analyst' else ' for partners'}; published: "
                f"{self.months(area, definition, audience) or 'none'}"
            ) from None
        return PublishedPack(
            meeting_month=doc["meeting_month"],
            area=doc["area"],
            definition=doc["definition"],
            published_at=doc["published_at"],
            checksum=doc["checksum"],
            rows=_typed_rows(pd.DataFrame(doc["rows"], columns=PACK_COLUMNS)),
            top_n=int(doc["top_n"]),
            first_streak=int(doc["first_streak"]),
            metadata=doc["metadata"],
            summary=tuple(doc["summary"]),
            path=path,
        )

    def latest_before(
        self, area: str, definition: str, month: str, audience: str = "analyst"
    ) -> PublishedPack | None:
        """The last pack published for a meeting month strictly before ``month`` (for
        ``audience="partner"``: the last partner rendering, which a partner's pack is
        compared with — never the analysts' exact ranks)."""
        _check_month(month, "month")
        earlier = [m for m in self.months(area, definition, audience) if m < month]
        return self.load(area, definition, earlier[-1], audience) if earlier else None

    def pdf(self, published: PublishedPack) -> bytes:
        """The PDF bytes stored with a published pack (or its partner rendering)."""
        path = published.path or self.path(
            published.area, published.definition, published.meeting_month
        )
        return path.with_suffix(".pdf").read_bytes()

    @contextlib.contextmanager
    def _lock(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _document(
        self, pack: Pack, pdf: bytes, path: Path, published_at: str, audience: str
    ) -> dict:
        latest = self.latest_before(pack.area, pack.definition, pack.meeting_month, audience)
        expected = (latest.meeting_month, latest.checksum) if latest else (None, None)
        if (pack.previous_month, pack.previous_checksum) != expected:
            raise ValueError(
                f"this {'partner ' if audience == 'partner' else ''}pack was built against "
                f"the previous pack {pack.previous_month or 'none'}, but the latest "
                f"published before {pack.meeting_month} is {expected[0] or 'none'}; build it "
                "again with previous=archive.latest_before(area, definition, meeting_month"
                f"{', audience=' + repr(audience) if audience != 'analyst' else ''})"
            )
        doc = {
            "format": FORMAT,
            "meeting_month": pack.meeting_month,
            "area": pack.area,
            "area_slug": slug(pack.area),
            "definition": pack.definition,
            "audience": audience,
            "published_at": published_at,
            "top_n": pack.top_n,
            "first_streak": pack.first_streak,
            "persistence_months": pack.persistence_months,
            "overlap": _jsonable(pack.overlap),
            "previous_month": pack.previous_month,
            "previous_checksum": pack.previous_checksum,
            "settings": dataclasses.asdict(pack.settings),
            "metadata": _jsonable(pack.metadata),
            "summary": list(pack.summary),
            "columns": PACK_COLUMNS,
            "rows": _records(pack.rows),
            "changes": _records(pack.changes),
            "pdf": {
                "file": path.with_suffix(".pdf").name,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "bytes": len(pdf),
            },
        }
        doc["checksum"] = hashlib.sha256(_canonical(doc)).hexdigest()
        return doc

    def publish(
        self,
        pack: Pack,
        pdf: bytes | None = None,
        published_at: str | None = None,
        partner: Pack | None = None,
        partner_pdf: bytes | None = None,
    ) -> PublishedPack:
        """Store ``pack`` (and its PDF, made with :func:`pack_pdf` when not given) for good,
        with ``partner`` — the same pack built from the partner view — as the rendering
        partners are shown.

        Raises
        ------
        ValueError
            When a pack is already published for that area, definition and month (published
            packs are immutable), when ``pack`` (or ``partner``) was built against another
            previous pack than the latest one published before its month, or when
            ``partner`` is for another month, area or definition.
        """
        pdf = pack_pdf(pack) if pdf is None else bytes(pdf)
        path = self.path(pack.area, pack.definition, pack.meeting_month)
        if partner is not None and (
            partner.meeting_month,
            slug(partner.area),
            partner.definition,
        ) != (pack.meeting_month, slug(pack.area), pack.definition):
            raise ValueError("the partner rendering is of another month, area or definition")
        when = published_at or _now()
        with self._lock():
            if path.exists():
                done = json.loads(path.read_bytes())
                raise ValueError(
                    f"the {pack.meeting_month} pack for {pack.area} ({pack.definition}) is "
                    f"already published (at {done.get('published_at')}, {path}); published "
                    "packs are immutable and cannot be replaced"
                )
            doc = self._document(pack, pdf, path, when, "analyst")
            path.parent.mkdir(parents=True, exist_ok=True)
            if partner is not None:
                ppdf = pack_pdf(partner) if partner_pdf is None else bytes(partner_pdf)
                ppath = self.path(pack.area, pack.definition, pack.meeting_month, "partner")
                pdoc = self._document(partner, ppdf, ppath, when, "partner")
                _atomic_write(ppath.with_suffix(".pdf"), ppdf)
                _atomic_write(
                    ppath,
                    json.dumps(pdoc, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"),
                )
            # The analysts' JSON last: it is the commit point of the publication.
            _atomic_write(path.with_suffix(".pdf"), pdf)
            _atomic_write(
                path, json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
            )
        return self.load(pack.area, pack.definition, pack.meeting_month)

    def verify(self, published: PublishedPack) -> bool:
        """True when the stored pack still matches its checksum (JSON and PDF) and
        ``published`` (its checksum and rows) matches what is stored."""
        path = published.path or self.path(
            published.area, published.definition, published.meeting_month
        )
        try:
            doc = json.loads(path.read_bytes())
            pdf = path.with_suffix(".pdf").read_bytes()
        except (FileNotFoundError, ValueError):
            return False
        recorded = doc.pop("checksum", None)
        try:
            actual = hashlib.sha256(_canonical(doc)).hexdigest()
        except ValueError:
            return False
        return (
            recorded == actual == published.checksum
            and hashlib.sha256(pdf).hexdigest() == doc.get("pdf", {}).get("sha256")
            and doc.get("rows") == _records(published.rows.reindex(columns=PACK_COLUMNS))
        )


# -- assembly (shared by the dashboard and the command line) -------------------------------
def assemble_pack(
    data,
    result,
    meeting_month: str,
    *,
    top_n: int,
    ranking=None,
    previous: PublishedPack | None = None,
    rule=None,
    settings: PackSettings | None = None,
) -> Pack:
    """The pack for a meeting month from a selection's data and analysis.

    Parameters
    ----------
    data : hotspots.store.ward_data.WardData
        The pack's period (:func:`pack_period`, from the first loaded month at most).
    result : hotspots.stats.analysis.Analysis
        The analysis of ``data`` with ``top_n``.
    ranking : hotspots.stats.ranking.RankSettings, optional
        The weights (default: those of ``result``).
    previous : PublishedPack, optional
        The last pack published before, for the same audience
        (:meth:`PackArchive.latest_before`).
    rule : hotspots.access.disclosure.DisclosureRule, optional
        A partner's rule: ``data`` and ``result`` must be the partner view
        (:func:`hotspots.access.partner.partner_ward_data`); the table shows counts as the rule
        says. None: the analysts' pack with exact counts.
    """
    from hotspots.access.partner import hotspot_table, partner_pack_rows, suppression_note
    from hotspots.stats.analysis import rerank

    ranking = ranking or result.settings.ranking
    ranked = None if ranking == result.settings.ranking else rerank(result, ranking)
    hot = hotspot_table(data, result, ranked)
    meta = pack_metadata(data, ranking)
    meta["suppression"] = suppression_note(rule)
    meta["audience"] = "analyst" if rule is None else "partner"
    pack = build_pack(
        hot,
        result.trends,
        meeting_month,
        top_n=top_n,
        previous=previous,
        metadata=meta,
        settings=settings,
    )
    if rule is not None:
        population = data.counts.set_index("ward_code")["population"]
        pack = dataclasses.replace(
            pack, rows=_typed_rows(partner_pack_rows(pack.rows, population, rule))
        )
    return pack


def pack_json(pack: Pack) -> dict:
    """The pack as a JSON document (``python -m hotspots pack --json``): what a script
    needs to follow the meeting's list. Counts are as the pack's audience sees them."""
    m = pack.metadata
    start, end = [*str(m["period"]).split(" to "), pack.meeting_month][:2]
    loaded = list(m.get("months_with_data") or [])
    span = range(_month_index(start.strip()), _month_index(end.strip()) + 1)
    every = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in span]
    shown = [
        "rank",
        "ward_code",
        "ward_name",
        "local_authority_name",
        "sv_count",
        "sv_rate",
        "drugs_count",
        "rank_change",
        "months_in_top_n",
        "drugs_top_n",
        "emerging_class",
        "dep_share_20",
        "why",
    ]
    return _jsonable(
        {
            "month": pack.meeting_month,
            "area": pack.area,
            "definition": pack.definition,
            "proxy": pack.proxy,
            "audience": m.get("audience", "analyst"),
            "period": {"from": start.strip(), "to": end.strip()},
            "months_loaded": [x for x in every if x in set(loaded)],
            "months_missing": [x for x in every if x not in set(loaded)],
            "top": _records(pack.rows[shown]),
            "persistent": list(pack.persistent["ward_code"]),
            "persistent_rule": {
                "top_n": pack.top_n,
                "min_months": pack.settings.persistent_months,
                "window_months": pack.settings.persistence_window,
            },
            "overlap": dict(pack.overlap or {"n": pack.top_n}),
            "previous_pack": pack.previous_month,
            "summary": list(pack.summary),
            "suppression": m.get("suppression"),
        }
    )
