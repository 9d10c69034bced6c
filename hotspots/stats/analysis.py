"""The whole analysis for a selection, as pure functions over loaded frames.

:func:`analyse` runs indicators → ranking → Gi* (permutations) and Local Moran →
concordance of violence and drugs → rank intervals → observed/expected → monthly
trends and emerging hot-spot classes. :func:`hotspot_list` is the table the command
line (``rank``) and the dashboard download share, with its columns declared once in
:data:`HOTSPOT_LIST_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.stats.concordance import Concordance, concordance
from hotspots.stats.emerging import EmergingSettings, classify_emerging
from hotspots.stats.expected import observed_expected
from hotspots.stats.getis_ord import GiSettings, gi_star, gi_star_by_month
from hotspots.stats.indicators import DeprivationSettings, ward_deprivation, ward_indicators
from hotspots.stats.moran import local_moran
from hotspots.stats.phrases import Phrase
from hotspots.stats.ranking import (
    COMPONENTS,
    RANK_COLUMNS,
    WHY_THRESHOLD,
    RankSettings,
    rank_hotspots,
    rank_settings,
)
from hotspots.stats.trends import trend_summary
from hotspots.stats.uncertainty import UncertaintySettings, score_rank_intervals
from hotspots.stats.weights import WeightsInfo, build_weights

if TYPE_CHECKING:  # the store's type only: the analysis reads no store
    from hotspots.store.ward_data import WardData

#: The hotspot list: the ranking, then uncertainty, spatial and trend columns.
HOTSPOT_LIST_COLUMNS = [
    *RANK_COLUMNS[:-1],
    "rank_low",
    "rank_high",
    "p_top_n",
    "volatile",
    "gi_z",
    "gi_p_fdr",
    "gi_class",
    "moran_cluster",
    "obs_exp_ratio",
    "higher_than_deprivation_predicts",
    "months_in_top_n",
    "months_loaded",
    "new_entrant",
    "emerging_class",
    "why",
    "data_note",
    "definition",
]
#: Indicator columns that are unknown for a ward without data (empty, never 0).
_NO_DATA_COLUMNS = [
    "sv_rate",
    "sv_rate_smoothed",
    "drugs_rate",
    "drugs_rate_smoothed",
    "harm_score",
    "harm_rate",
]


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything a user can choose about the analysis (small and hashable)."""

    ranking: RankSettings = field(default_factory=rank_settings)
    deprivation: DeprivationSettings = field(default_factory=DeprivationSettings)
    gi: GiSettings = field(default_factory=GiSettings)
    top_n: int = 12
    uncertainty_draws: int = 2000
    seed: int = 20190101
    emerging: EmergingSettings = field(default_factory=EmergingSettings)
    spatial: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.top_n, int) or self.top_n < 1:
            raise ValueError(f"top_n must be a whole number ≥ 1, got {self.top_n!r}")


@dataclass(frozen=True, eq=False)
class Analysis:
    """Results of :func:`analyse` (frames keyed by ``ward_code``)."""

    settings: AnalysisSettings
    indicators: pd.DataFrame = field(repr=False)
    ranked: pd.DataFrame = field(repr=False)
    gi: pd.DataFrame | None = field(repr=False)
    moran: pd.DataFrame | None = field(repr=False)
    weights_info: WeightsInfo | None = field(repr=False)
    concordance: Concordance | None
    intervals: pd.DataFrame = field(repr=False)
    expected: pd.DataFrame | None = field(repr=False)
    trends: pd.DataFrame = field(repr=False)
    emerging: pd.DataFrame | None = field(repr=False)
    gi_by_month: pd.DataFrame | None = field(repr=False)
    coverage: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def analysed(self) -> pd.Series:
        """Ward code → True for the wards every pooled statistic was computed over (the
        wards with data and residents)."""
        return _analysed(self.indicators, self.coverage)


def gi_values(indicators: pd.DataFrame) -> pd.Series:
    """Values Gi* is run on: the smoothed violence rate, with wards that have no residents
    given the mean rate (neutral) so that they neither make nor break a cluster."""
    v = indicators.set_index("ward_code")["sv_rate_smoothed"].astype(float)
    return v.fillna(v.mean() if v.notna().any() else 0.0)


def monthly_rates(monthly: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Monthly violence rate per 1,000 residents (``ward_code, month, sv_rate``); a month
    with no data stays missing (a gap); wards with no residents get that month's mean rate
    (neutral for Gi*)."""
    pop = monthly["ward_code"].map(population).astype(float)
    count = monthly["sv_count"].astype(float)
    rate = (count / pop * 1000).where(pop > 0)
    out = monthly[["ward_code", "month"]].copy()
    out["sv_rate"] = rate.fillna(rate.groupby(monthly["month"]).transform("mean")).where(
        count.notna()
    )
    return out


def _analysed(counts: pd.DataFrame, coverage: pd.DataFrame | None) -> pd.Series:
    """Ward code → True when the ward has data and residents (what pooled statistics use)."""
    ok = counts["sv_count"].notna().to_numpy(dtype=bool) & (
        counts["population"].astype(float) > 0
    ).to_numpy(dtype=bool)
    out = pd.Series(ok, index=counts["ward_code"].astype(str).to_numpy())
    if coverage is not None:
        has = coverage.set_index("ward_code")["has_data"]
        out &= out.index.map(has).fillna(False).to_numpy(dtype=bool)
    return out


def _notes(codes: pd.Series, coverage: pd.DataFrame | None, analysed: pd.Series) -> pd.Series:
    """The ``data_note`` of each ward ("" for a ward with data)."""
    notes = (
        coverage.set_index("ward_code")["data_note"]
        if coverage is not None
        else pd.Series(dtype=object)
    )
    out = codes.astype(str).map(notes).astype(object).fillna("")
    bare = (out == "") & ~codes.astype(str).map(analysed).fillna(False).astype(bool)
    return out.mask(bare, Phrase("note.no_data"))


def rank_with_coverage(
    indicators: pd.DataFrame, ranking: RankSettings, coverage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """:func:`hotspots.stats.ranking.rank_hotspots` over the wards with data and residents only
    (percentiles among them); the other wards follow, unranked, with their
    ``data_note`` as "why"."""
    ok = _analysed(indicators, coverage).to_numpy()
    ranked = rank_hotspots(indicators[ok], ranking)
    rest = indicators[~ok]
    if not len(rest):
        return ranked
    tail = rest.reindex(columns=RANK_COLUMNS).sort_values("ward_code", kind="stable")
    tail["rank"] = pd.array([pd.NA] * len(tail), dtype="Int64")
    tail["why"] = _notes(
        tail["ward_code"], coverage, pd.Series(False, index=tail["ward_code"].astype(str))
    ).to_numpy()
    for c in ("score", *[c for c in RANK_COLUMNS if c.startswith("comp_")]):
        tail[c] = np.nan
    out = pd.concat([ranked, tail], ignore_index=True)
    return out[RANK_COLUMNS]


def analyse(
    counts: pd.DataFrame,
    monthly: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: AnalysisSettings | None = None,
    *,
    lsoa_deprivation: pd.DataFrame | None = None,
    lsoa_weights: pd.DataFrame | None = None,
    harm: pd.Series | None = None,
    coverage: pd.DataFrame | None = None,
) -> Analysis:
    """Run the analysis for one selection.

    Parameters
    ----------
    counts, monthly : DataFrame
        Ward counts and monthly counts (:mod:`hotspots.geo.counts`).
    wards : GeoDataFrame
        The wards analysed (EPSG:27700), same codes as ``counts``.
    settings : AnalysisSettings
    lsoa_deprivation, lsoa_weights : DataFrame, optional
        LSOA deprivation and LSOA→ward population weights; without them deprivation is
        missing and deprivation components count as 0.
    harm : Series, optional
        Harm score per ward (:func:`hotspots.io.harm.harm_by_ward`).
    coverage : DataFrame, optional
        :attr:`hotspots.store.ward_data.WardData.coverage`: which wards have data and why not.

    Notes
    -----
    Wards without data (missing counts: their force has no crimes loaded, or they have no
    residents) are left out of everything that pools wards — the empirical-Bayes prior,
    percentile ranks, Gi* and Moran (their weights are built without them), rank
    intervals, observed/expected, concordance and trends — and come back with empty
    values and their ``data_note``.
    """
    settings = settings or AnalysisSettings()
    dep = (
        ward_deprivation(lsoa_deprivation, lsoa_weights, settings.deprivation)
        if lsoa_deprivation is not None and lsoa_weights is not None
        else None
    )
    analysed = _analysed(counts, coverage)
    ok_rows = analysed.to_numpy()
    ind = pd.concat(
        [
            ward_indicators(counts[ok_rows], dep, harm),
            ward_indicators(counts[~ok_rows], dep, harm).assign(
                **{c: np.nan for c in _NO_DATA_COLUMNS}
            ),
        ]
    )
    order = pd.Index(counts["ward_code"].astype(str))
    ind = ind.set_index(ind["ward_code"].astype(str)).loc[order].reset_index(drop=True)
    ranked = rank_with_coverage(ind, settings.ranking, coverage)
    valid = ind[analysed.to_numpy()]
    pop = valid.set_index("ward_code")["population"]
    sv = valid.set_index("ward_code")["sv_count"].astype("int64")
    intervals = score_rank_intervals(
        ranked[ranked["rank"].notna()], settings.ranking, _uncertainty(settings)
    )
    gi = moran = info = conc = emerging = gim = None
    exp = None
    if dep is not None and len(pop) > 10:
        cov = dep.set_index("ward_code")[["dep_share_20"]].reindex(pop.index).fillna(0.0)
        try:
            exp = observed_expected(sv, pop, cov)
        except ValueError:
            exp = None
    keep = set(valid["ward_code"].astype(str))
    shapes = wards[wards["ward_code"].astype(str).isin(keep)]
    monthly_valid = monthly[monthly["ward_code"].astype(str).isin(keep)]
    if settings.spatial and len(shapes) > 3:
        w, info = build_weights(shapes[["ward_code", "geometry"]].reset_index(drop=True))
        values = gi_values(valid).reindex(list(w.id_order))
        gi = gi_star(values, w, settings.gi)
        moran = local_moran(values, w, settings.gi)
        gim = gi_star_by_month(monthly_rates(monthly_valid, pop), w, "sv_rate", settings.gi)
        emerging = classify_emerging(gim, settings.emerging)  # "not enough months" below
    if len(valid) > settings.top_n:
        s = valid.set_index("ward_code")
        conc = concordance(
            s["sv_count"].astype(float),
            s["drugs_count"].astype(float),
            top_n=settings.top_n,
            seed=settings.seed % (2**32),
        )
    trends = trend_summary(monthly_valid, settings.top_n)
    trends = trends.set_index("ward_code").reindex(order).rename_axis("ward_code").reset_index()
    gone = ~trends["ward_code"].isin(keep)
    trends["series"] = [
        list(s) if isinstance(s, list) else [None] * len(monthly["month"].unique())
        for s in trends["series"]
    ]
    trends.loc[gone, "new_entrant"] = False
    trends.loc[gone, "dropped_out"] = False
    return Analysis(
        settings=settings,
        indicators=ind,
        ranked=ranked,
        gi=gi,
        moran=moran,
        weights_info=info,
        concordance=conc,
        intervals=intervals,
        expected=exp,
        trends=trends,
        emerging=emerging,
        gi_by_month=gim,
        coverage=coverage,
    )


def analyse_ward_data(data: WardData, settings: AnalysisSettings | None = None) -> Analysis:
    """Run :func:`analyse` on everything a selection's ward data holds.

    The dashboard, the command line and the pack all analyse this way; :func:`analyse`
    itself takes the frames, for data from elsewhere.

    Parameters
    ----------
    data : WardData
        :func:`hotspots.store.ward_data.load_ward_data`'s result (or a partner's copy,
        :func:`hotspots.access.partner.partner_ward_data`): its counts, monthly counts,
        wards, LSOA deprivation and weights, harm scores and coverage are all used.
    settings : AnalysisSettings, optional

    Returns
    -------
    Analysis
    """
    return analyse(
        data.counts,
        data.monthly,
        data.wards,
        settings,
        lsoa_deprivation=data.lsoa_deprivation,
        lsoa_weights=data.lsoa_weights,
        harm=data.harm,
        coverage=data.coverage,
    )


def rerank(analysis: Analysis, ranking: RankSettings) -> pd.DataFrame:
    """The ranked list under other weights (indicators reused: fast)."""
    return rank_with_coverage(analysis.indicators, ranking, analysis.coverage)


def _uncertainty(settings: AnalysisSettings) -> UncertaintySettings:
    return UncertaintySettings(
        draws=settings.uncertainty_draws, seed=settings.seed, top_n=settings.top_n
    )


def hotspot_list(
    analysis: Analysis,
    definition_label: str,
    ranked: pd.DataFrame | None = None,
    ranking: RankSettings | None = None,
) -> pd.DataFrame:
    """The hotspot list (:data:`HOTSPOT_LIST_COLUMNS`), best first.

    ``ranked`` is the list under other weights (:func:`rerank`); pass those weights as
    ``ranking`` so that the rank ranges are those of the ranks shown.
    """
    out = (ranked if ranked is not None else analysis.ranked).copy()
    intervals = analysis.intervals
    if ranked is not None and ranking is not None and ranking != analysis.settings.ranking:
        intervals = score_rank_intervals(
            ranked[ranked["rank"].notna()], ranking, _uncertainty(analysis.settings)
        )

    def join(frame, cols):
        nonlocal out
        if frame is None:
            for c in cols:
                out[c] = np.nan
        else:
            out = out.merge(frame[["ward_code", *cols]], on="ward_code", how="left")

    join(intervals, ["rank_low", "rank_high", "p_top_n", "volatile"])
    join(analysis.gi, ["gi_z", "gi_p_fdr", "gi_class"])
    join(analysis.moran, ["moran_cluster"])
    join(analysis.expected, ["obs_exp_ratio", "higher_than_deprivation_predicts"])
    join(analysis.trends, ["months_in_top_n", "months_loaded", "new_entrant"])
    join(analysis.emerging, ["emerging_class"])
    out["data_note"] = _notes(out["ward_code"], analysis.coverage, analysis.analysed).to_numpy()
    out["definition"] = definition_label
    return out[HOTSPOT_LIST_COLUMNS]


#: Columns of :func:`left_out`, declared once.
LEFT_OUT_COLUMNS = [
    "ward_code",
    "ward_name",
    "local_authority_name",
    "rank",
    "sv_count",
    "sv_rate",
    "count_place",
    "rate_place",
    "reason",
]


def left_out(
    hotspots: pd.DataFrame, top_n: int, weights: dict[str, float] | None = None
) -> pd.DataFrame:
    """ "High violence, not in the top N": ranked wards in the top N by violence count or
    by violence rate whose composite rank is below N, with the reason in words.

    Parameters
    ----------
    hotspots : DataFrame
        A hotspot list (:data:`HOTSPOT_LIST_COLUMNS`; ``rank``, ``sv_count``, ``sv_rate``
        and the ``comp_*`` percentiles are used).
    top_n : int
    weights : dict, optional
        The ranking's component weights (:attr:`hotspots.stats.ranking.RankSettings.as_dict`);
        only weighted components are named. Default: every component with a percentile.

    Returns
    -------
    DataFrame
        :data:`LEFT_OUT_COLUMNS`, by rank; ``count_place`` / ``rate_place`` are the ward's
        place by violence count / crude rate among ranked wards (1 = most, ties by ward
        code); ``reason`` reads e.g. "highest violence rate (53.3 per 1,000) but low
        deprivation and few drug offences".
    """
    if isinstance(top_n, bool) or not isinstance(top_n, int | np.integer) or top_n < 1:
        raise ValueError(f"top_n must be a whole number ≥ 1, got {top_n!r}")
    ranked = hotspots[hotspots["rank"].notna()].copy()
    ranked["ward_code"] = ranked["ward_code"].astype(str)
    for col, place in (("sv_count", "count_place"), ("sv_rate", "rate_place")):
        v = pd.to_numeric(ranked[col], errors="coerce").astype(float)
        order = ranked.assign(_v=v).sort_values(
            ["_v", "ward_code"], ascending=[False, True], kind="mergesort", na_position="last"
        )
        ranked[place] = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    out = ranked[
        ((ranked["count_place"] <= top_n) | (ranked["rate_place"] <= top_n))
        & (ranked["rank"].astype(int) > top_n)
    ].sort_values("rank", kind="stable")
    weights = weights or {k: 1.0 for k in COMPONENTS}
    reasons = []
    for r in out.itertuples(index=False):
        high = []
        if r.count_place <= top_n:
            k = int(r.count_place)
            n = int(r.sv_count)
            high.append(
                Phrase("high.most_count", n=n) if k == 1 else Phrase("high.nth_count", nth=k, n=n)
            )
        if r.rate_place <= top_n:
            k = int(r.rate_place)
            rate = float(r.sv_rate)
            high.append(
                Phrase("high.most_rate", r=rate)
                if k == 1
                else Phrase("high.nth_rate", nth=k, r=rate)
            )
        weak = []
        for key, w in sorted(weights.items(), key=lambda kw: -kw[1]):
            p = getattr(r, f"comp_{key}", np.nan)
            if not w or p is None or pd.isna(p) or p >= WHY_THRESHOLD:
                continue
            weak.append(
                Phrase(f"weak.low.{key}")
                if p < 0.5
                else Phrase("weak.only_top", what=key, p=round((1 - p) * 100))
            )
        missing = [k for k, w in weights.items() if w and pd.isna(getattr(r, f"comp_{k}", np.nan))]
        if missing:
            weak.append(Phrase("weak.no_figure", what=missing))
        reasons.append(Phrase("left_out", high=high, weak=weak or [Phrase("weak.others")]))
    out = out.assign(reason=reasons)
    return out.reindex(columns=LEFT_OUT_COLUMNS).reset_index(drop=True)
