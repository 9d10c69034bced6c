"""The pack itself: its settings, the built and the published pack, and how a pack is built
from a hotspot list and its trends (:func:`build_pack`) or from a selection's data and
analysis (:func:`assemble_pack`).

Rank changes are always against the previous *published* pack (what the partnership saw),
never a recomputation. Building is pure: no file is read or written here.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.access.partner import hotspot_table, partner_pack_rows, suppression_note
from hotspots.i18n import check_language
from hotspots.outputs.pack.cells import (
    CHANGE_COLUMNS,
    check_month,
    int_or_na,
    jsonable,
    month_index,
    period_bounds,
    typed_changes,
    typed_rows,
)
from hotspots.outputs.pack.figures import PackFigures, pack_figures
from hotspots.outputs.pack.names import area_label, display_names, local_names
from hotspots.outputs.pack.summary import summary_lines
from hotspots.outputs.pack.words import month_name, tr
from hotspots.slugs import folder_slug as slug
from hotspots.stats.analysis import left_out, rerank
from hotspots.stats.concordance import named_overlaps
from hotspots.stats.ranking import NORMALISATION

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
    ``persistent`` have :data:`CHANGE_COLUMNS`; ``summary`` holds plain sentences in the
    pack's language ``lang``; ``figures`` the map and the monthly series (None when the
    pack was built without the selection's data).
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
    lang: str = "en"
    figures: PackFigures | None = field(default=None, repr=False)
    #: Ward code → name as the pack shows it (with its local authority where the name is
    #: not unique), for every ward of the area and those that dropped out.
    names: dict = field(default_factory=dict, repr=False)

    @property
    def months_loaded_note(self) -> str:
        """``"5 of 12 months loaded"`` ("" when the whole persistence window is loaded)."""
        k, n = self.persistence_months, self.settings.persistence_window
        return "" if k >= n else tr(self.lang)("{k} of {n} months loaded").format(k=k, n=n)

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
    def area_label(self) -> str:
        """The area in words ("Dyfed-Powys Police", "Swansea", "All wards loaded")."""
        return str(self.metadata.get("area_label") or self.area)

    @property
    def title(self) -> str:
        return tr(self.lang)("Serious violence targeting pack - {month}").format(
            month=month_name(self.meeting_month, self.lang)
        )


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


def pack_metadata(data, ranking=None) -> dict:
    """The ``metadata`` :func:`build_pack` wants, from a :class:`hotspots.store.ward_data.WardData`
    and the :class:`hotspots.stats.ranking.RankSettings` used (weights and normalisation)."""

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


def _check_inputs(hotspots, trends, meeting_month, top_n, metadata, previous) -> dict:
    check_month(meeting_month)
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        raise ValueError(f"top_n must be a whole number ≥ 1, got {top_n!r}")
    if metadata is None:
        raise ValueError("metadata is needed (use pack_metadata(data, ranking))")
    meta = copy.deepcopy(jsonable(dict(metadata)))
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ValueError(f"metadata lacks {missing} (use hotspots.outputs.pack.pack_metadata)")
    if period_bounds(meta["period"])[1] != meeting_month:
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
    return meta


def build_pack(
    hotspots: pd.DataFrame,
    trends: pd.DataFrame,
    meeting_month: str,
    top_n: int = 12,
    previous: PublishedPack | None = None,
    metadata: Mapping | None = None,
    settings: PackSettings | None = None,
    lang: str = "en",
) -> Pack:
    """Build the targeting pack for a meeting month.

    Parameters
    ----------
    hotspots : DataFrame
        The hotspot list (:data:`hotspots.stats.analysis.HOTSPOT_LIST_COLUMNS`) for the 12
        months ending at ``meeting_month`` (see :func:`pack_period`), every ward of the area,
        its names in the pack's language.
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
    lang : str
        ``"en"`` or ``"cy"``: the language of the sentences.

    Raises
    ------
    ValueError
        Bad month, ``top_n`` or settings; missing columns or metadata; a period that does
        not end at the meeting month; a ``previous`` pack of another area, definition, or
        not earlier than the meeting month.
    """
    settings = settings or PackSettings()
    lang = check_language(lang)
    meta = _check_inputs(hotspots, trends, meeting_month, top_n, metadata, previous)
    area, definition = str(meta["area"]), str(meta["definition"])
    meta["lang"] = lang

    hot = hotspots.copy()
    hot["ward_code"] = hot["ward_code"].astype(str)
    names = display_names(hot)
    rank_now = {c: int_or_na(r) for c, r in zip(hot["ward_code"], hot["rank"], strict=True)}
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
    rows = top[REQUIRED_HOTSPOT_COLUMNS].copy()
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
    rows = typed_rows(rows)

    la = dict(zip(hot["ward_code"], hot["local_authority_name"], strict=True))
    wn = dict(zip(hot["ward_code"], hot["ward_name"], strict=True))

    def change_rows(kind: str, wards: list[str], extra: dict[str, dict]) -> pd.DataFrame:
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
        return typed_changes(pd.DataFrame(recs, columns=CHANGE_COLUMNS))

    new = change_rows(
        "new entrant", [c for c in codes if previous is not None and c not in prev_rank], {}
    )
    dropped_codes: list[str] = []
    prev_info: dict[str, dict] = {}
    if previous is not None:
        prows = previous.rows.sort_values("rank", kind="stable")
        for c, n, la_name in zip(
            prows["ward_code"].astype(str),
            prows["ward_name"],
            prows["local_authority_name"],
            strict=True,
        ):
            prev_info[c] = {"name": n, "la": la_name}
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
    persistent = change_rows("persistent", pers_codes, {})

    first_streak = 1
    if len(rows) and previous is not None:
        prev_first = previous.rows.loc[previous.rows["rank"] == 1, "ward_code"]
        consecutive = month_index(meeting_month) - month_index(previous.meeting_month) == 1
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
        lang=lang,
        names=names,
    )
    pack.metadata["overlap"] = overlap.as_dict()
    lines = summary_lines(pack, previous, names)
    return dataclasses.replace(pack, summary=tuple(lines))


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
    lang: str = "en",
    welsh_names: Mapping[str, str] | None = None,
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
    lang : str
        ``"en"`` or ``"cy"``: the pack's language.
    welsh_names : mapping, optional
        Ward and local-authority code → Welsh name (:func:`hotspots.outputs.pack.names.
        welsh_names`); used when ``lang`` is ``"cy"`` (English names where none is given).
    """

    lang = check_language(lang)
    ranking = ranking or result.settings.ranking
    ranked = None if ranking == result.settings.ranking else rerank(result, ranking)
    hot = hotspot_table(data, result, ranked)
    local = local_names(data.wards, welsh_names if lang == "cy" else None)
    hot = hot.assign(
        ward_name=hot["ward_code"].astype(str).map(local.wards).fillna(hot["ward_name"]),
        local_authority_name=[
            local.authorities.get(str(n), n) for n in hot["local_authority_name"]
        ],
    )
    meta = pack_metadata(data, ranking)
    meta["definition_title"] = data.definition.title_in(lang)  # English when none in Welsh
    meta["suppression"] = suppression_note(rule)
    if rule is not None:
        meta["suppression_rule"] = {
            "threshold": int(rule.threshold),
            "round_to": rule.round_to,
            "stand_in": int(rule.stand_in),
        }
    meta["audience"] = "analyst" if rule is None else "partner"
    meta["area_label"] = area_label(data.wards, meta["area"], lang, local)
    pack = build_pack(
        hot,
        result.trends,
        meeting_month,
        top_n=top_n,
        previous=previous,
        metadata=meta,
        settings=settings,
        lang=lang,
    )
    if rule is not None:
        population = data.counts.set_index("ward_code")["population"]
        pack = dataclasses.replace(
            pack, rows=typed_rows(partner_pack_rows(pack.rows, population, rule))
        )
    figures = pack_figures(data, list(pack.rows["ward_code"]), local, rule)
    return dataclasses.replace(pack, figures=figures)
