"""The whole analysis for a selection, as pure functions over loaded frames.

:func:`analyse` runs indicators → ranking → Gi* (permutations) and Local Moran →
concordance of violence and drugs → rank intervals → observed/expected → monthly
trends and emerging hot-spot classes. :func:`hotspot_list` is the table the command
line (``rank``) and the dashboard download share, with its columns declared once in
:data:`HOTSPOT_LIST_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.concordance import Concordance, concordance
from hotspots.emerging import EmergingSettings, classify_emerging
from hotspots.expected import observed_expected
from hotspots.indicators import DeprivationSettings, ward_deprivation, ward_indicators
from hotspots.ranking import RANK_COLUMNS, RankSettings, rank_hotspots, rank_settings
from hotspots.spatial import GiSettings, WeightsInfo, build_weights, gi_star, local_moran
from hotspots.trends import monthly_gi, trend_summary
from hotspots.uncertainty import UncertaintySettings, score_rank_intervals

#: The hotspot list: the ranking, then uncertainty, spatial and trend columns.
HOTSPOT_LIST_COLUMNS = [
    *RANK_COLUMNS[:-1], "rank_low", "rank_high", "p_top_n", "volatile", "gi_z", "gi_p_fdr",
    "gi_class", "moran_cluster", "obs_exp_ratio", "higher_than_deprivation_predicts",
    "months_in_top_n", "new_entrant", "emerging_class", "why", "definition",
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


def gi_values(indicators: pd.DataFrame) -> pd.Series:
    """Values Gi* is run on: the smoothed violence rate, with wards that have no residents
    given the mean rate (neutral) so that they neither make nor break a cluster."""
    v = indicators.set_index("ward_code")["sv_rate_smoothed"].astype(float)
    return v.fillna(v.mean() if v.notna().any() else 0.0)


def monthly_rates(monthly: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Monthly violence rate per 1,000 residents (``ward_code, month, sv_rate``); wards with
    no residents get that month's mean rate (neutral for Gi*)."""
    pop = monthly["ward_code"].map(population).astype(float)
    rate = (monthly["sv_count"] / pop * 1000).where(pop > 0)
    out = monthly[["ward_code", "month"]].copy()
    out["sv_rate"] = rate.fillna(rate.groupby(monthly["month"]).transform("mean")).fillna(0.0)
    return out


def analyse(
    counts: pd.DataFrame,
    monthly: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    settings: AnalysisSettings | None = None,
    *,
    lsoa_deprivation: pd.DataFrame | None = None,
    lsoa_weights: pd.DataFrame | None = None,
    harm: pd.Series | None = None,
) -> Analysis:
    """Run the analysis for one selection.

    Parameters
    ----------
    counts, monthly : DataFrame
        Ward counts and monthly counts (:mod:`hotspots.counts`).
    wards : GeoDataFrame
        The wards analysed (EPSG:27700), same codes as ``counts``.
    settings : AnalysisSettings
    lsoa_deprivation, lsoa_weights : DataFrame, optional
        LSOA deprivation and LSOA→ward population weights; without them deprivation is
        missing and deprivation components count as 0.
    harm : Series, optional
        Harm score per ward (:func:`hotspots.harm.harm_by_ward`).
    """
    settings = settings or AnalysisSettings()
    dep = (ward_deprivation(lsoa_deprivation, lsoa_weights, settings.deprivation)
           if lsoa_deprivation is not None and lsoa_weights is not None else None)
    ind = ward_indicators(counts, dep, harm)
    ranked = rank_hotspots(ind, settings.ranking)
    pop = ind.set_index("ward_code")["population"]
    sv = ind.set_index("ward_code")["sv_count"]
    intervals = score_rank_intervals(ranked, settings.ranking, _uncertainty(settings))
    gi = moran = info = conc = emerging = gim = None
    exp = None
    ok = pop > 0
    if dep is not None and int(ok.sum()) > 10:
        cov = dep.set_index("ward_code")[["dep_share_20"]].reindex(pop.index).fillna(0.0)
        try:
            exp = observed_expected(sv[ok], pop[ok], cov[ok])
        except ValueError:
            exp = None
    if settings.spatial and len(wards) > 3:
        w, info = build_weights(wards[["ward_code", "geometry"]].reset_index(drop=True))
        values = gi_values(ind).reindex(list(w.id_order))
        gi = gi_star(values, w, settings.gi)
        moran = local_moran(values, w, settings.gi)
        gim = monthly_gi(monthly_rates(monthly, pop), w, "sv_rate", settings.gi)
        emerging = classify_emerging(gim, settings.emerging)
    if len(ind) > settings.top_n:
        s = ind.set_index("ward_code")
        conc = concordance(s["sv_count"].astype(float), s["drugs_count"].astype(float),
                           top_n=settings.top_n, seed=settings.seed % (2**32))
    trends = trend_summary(monthly, settings.top_n)
    return Analysis(settings=settings, indicators=ind, ranked=ranked, gi=gi, moran=moran,
                    weights_info=info, concordance=conc, intervals=intervals, expected=exp,
                    trends=trends, emerging=emerging, gi_by_month=gim)


def rerank(analysis: Analysis, ranking: RankSettings) -> pd.DataFrame:
    """The ranked list under other weights (indicators reused: fast)."""
    return rank_hotspots(analysis.indicators, ranking)


def _uncertainty(settings: AnalysisSettings) -> UncertaintySettings:
    return UncertaintySettings(draws=settings.uncertainty_draws, seed=settings.seed,
                               top_n=settings.top_n)


def hotspot_list(analysis: Analysis, definition_label: str,
                 ranked: pd.DataFrame | None = None,
                 ranking: RankSettings | None = None) -> pd.DataFrame:
    """The hotspot list (:data:`HOTSPOT_LIST_COLUMNS`), best first.

    ``ranked`` is the list under other weights (:func:`rerank`); pass those weights as
    ``ranking`` so that the rank ranges are those of the ranks shown.
    """
    out = (ranked if ranked is not None else analysis.ranked).copy()
    intervals = analysis.intervals
    if ranked is not None and ranking is not None and ranking != analysis.settings.ranking:
        intervals = score_rank_intervals(ranked, ranking, _uncertainty(analysis.settings))
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
    join(analysis.trends, ["months_in_top_n", "new_entrant"])
    join(analysis.emerging, ["emerging_class"])
    out["definition"] = definition_label
    return out[HOTSPOT_LIST_COLUMNS]
