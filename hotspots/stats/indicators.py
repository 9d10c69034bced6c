"""Ward indicators for a period and area: rates, smoothed rates, drugs, deprivation, harm.

Deprivation is carried from LSOAs to wards the way Welsh Government advises for larger
areas — the share of the ward's population living in the most deprived 10 % and 20 %
of LSOAs, the population-weighted mean score and the most deprived LSOA's rank — never by
averaging ranks. By default the index is recomputed **without the Community Safety
domain** (WIMD) or the Crime domain (IMD), because those domains contain police-recorded
crime and ranking violence against them would be partly circular.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspots.schema import WARD_COUNT_COLUMNS
from hotspots.stats.deprivation_index import (
    INDEX_WEIGHTS,
    combine_domains,
    deciles_from_ranks,
)
from hotspots.stats.rates import empirical_bayes_rate, rate_per_1000
from hotspots.stats.ward_deprivation import (
    summarise_ward_deprivation,
    summarise_ward_domains,
)

#: Deprivation measures a user can choose (registry feeding the selectbox).
DEPRIVATION_MEASURES = {
    "without-crime-domain": "Index recomputed without the Community Safety (crime) domain "
    "(default: avoids circularity)",
    "published": "The published overall index (includes police-recorded crime)",
}
#: Domains that hold police-recorded crime, per index.
CRIME_DOMAINS = {"WIMD 2019": ("community_safety",), "IMD 2019": ("crime",)}

DEPRIVATION_COLUMNS = [
    "ward_code",
    "dep_share_10",
    "dep_share_20",
    "dep_mean_score",
    "dep_most_deprived_rank",
]

#: Indicator columns, after the ward count columns (without the definition's categories).
INDICATOR_COLUMNS = [
    *WARD_COUNT_COLUMNS,
    "sv_rate",
    "sv_rate_smoothed",
    "drugs_rate",
    "drugs_rate_smoothed",
    "harm_score",
    "harm_rate",
    *DEPRIVATION_COLUMNS[1:],
]


@dataclass(frozen=True)
class DeprivationSettings:
    """How deprivation is measured.

    Parameters
    ----------
    measure : str
        A key of :data:`DEPRIVATION_MEASURES`.
    """

    measure: str = "without-crime-domain"

    def __post_init__(self) -> None:
        if self.measure not in DEPRIVATION_MEASURES:
            raise ValueError(
                f"unknown deprivation measure {self.measure!r}; choose one of "
                f"{list(DEPRIVATION_MEASURES)}"
            )


def lsoa_index(lsoa: pd.DataFrame, settings: DeprivationSettings) -> pd.DataFrame:
    """The LSOA index in use: ``lsoa_code, score, rank, decile`` (rank 1 = most deprived)."""
    index = lsoa.attrs.get("index", "WIMD 2019")
    if settings.measure == "published":
        # IMD 2019 publishes no overall score, and deciles are optional in the loader.
        out = lsoa[["lsoa_code", "overall_rank"]].rename(columns={"overall_rank": "rank"})
        out["score"] = (
            lsoa["overall_score"].astype(float) if "overall_score" in lsoa.columns else np.nan
        )
        out["decile"] = (
            lsoa["overall_decile"]
            if "overall_decile" in lsoa.columns
            else deciles_from_ranks(out["rank"].to_numpy(), len(lsoa))
        )
        return out[["lsoa_code", "score", "rank", "decile"]]
    return combine_domains(lsoa, INDEX_WEIGHTS[index], exclude=CRIME_DOMAINS[index], n=len(lsoa))


def ward_deprivation(
    lsoa: pd.DataFrame, weights: pd.DataFrame, settings: DeprivationSettings | None = None
) -> pd.DataFrame:
    """Ward deprivation (:data:`DEPRIVATION_COLUMNS`) from LSOA ranks and LSOA→ward weights.

    Parameters
    ----------
    lsoa : DataFrame
        LSOA deprivation (docs/architecture.md), with ``attrs["index"]``.
    weights : DataFrame
        ``lsoa_code, ward_code, population`` (see :func:`hotspots.io.population.lsoa_ward_weights`).
    settings : DeprivationSettings
    """
    settings = settings or DeprivationSettings()
    idx = lsoa_index(lsoa, settings)
    w = weights[weights["lsoa_code"].isin(idx["lsoa_code"])]
    # No scores (the published IMD 2019): the mean score is left missing.
    score_column = None if idx["score"].isna().all() else "score"
    summary = summarise_ward_deprivation(idx, w, n_lsoas=len(lsoa), score_column=score_column)
    out = summary.rename(
        columns={
            "pop_share_most_deprived_10": "dep_share_10",
            "pop_share_most_deprived_20": "dep_share_20",
            "pop_weighted_mean_score": "dep_mean_score",
            "most_deprived_lsoa_rank": "dep_most_deprived_rank",
        }
    )
    return out[DEPRIVATION_COLUMNS]


def ward_domain_shares(
    lsoa: pd.DataFrame, weights: pd.DataFrame, percent: int = 20
) -> pd.DataFrame:
    """Share of each ward's population in the most deprived ``percent`` % for each domain."""
    index = lsoa.attrs.get("index", "WIMD 2019")
    domains = [d for d in INDEX_WEIGHTS[index] if f"{d}_rank" in lsoa.columns]
    w = weights[weights["lsoa_code"].isin(lsoa["lsoa_code"])]
    return summarise_ward_domains(
        lsoa, w, n_lsoas=len(lsoa), domains=("overall", *domains), percent=percent
    )


def ward_indicators(
    counts: pd.DataFrame, deprivation: pd.DataFrame | None = None, harm: pd.Series | None = None
) -> pd.DataFrame:
    """Rates, smoothed rates, harm and deprivation per ward.

    Parameters
    ----------
    counts : DataFrame
        Ward counts (:data:`hotspots.schema.WARD_COUNT_COLUMNS` + categories).
    deprivation : DataFrame, optional
        :data:`DEPRIVATION_COLUMNS`; missing wards get NaN.
    harm : Series, optional
        Harm score (sum of weights) per ward code.

    Returns
    -------
    DataFrame
        :data:`INDICATOR_COLUMNS`, then the category columns. Rates are per 1,000
        residents; wards with no resident population get no rate (NaN). Smoothed rates are
        global empirical-Bayes estimates (Marshall 1991), so a small ward with two crimes
        does not top the list.
    """
    out = counts.copy()
    pop = out["population"].astype(float)
    for what in ("sv", "drugs"):
        n = out[f"{what}_count"].astype(float)
        out[f"{what}_rate"] = np.asarray(rate_per_1000(n.to_numpy(), pop.to_numpy()))
        out[f"{what}_rate_smoothed"] = np.asarray(
            empirical_bayes_rate(n.to_numpy(), pop.to_numpy())
        )
    h = (
        harm.reindex(out["ward_code"]).fillna(0.0).to_numpy()
        if harm is not None
        else np.full(len(out), np.nan)
    )
    out["harm_score"] = h
    out["harm_rate"] = np.asarray(rate_per_1000(h, pop.to_numpy()))
    if deprivation is not None:
        out = out.merge(deprivation, on="ward_code", how="left")
    else:
        for c in DEPRIVATION_COLUMNS[1:]:
            out[c] = np.nan
    cats = [c for c in counts.columns if c not in WARD_COUNT_COLUMNS]
    return out[[*INDICATOR_COLUMNS, *cats]]
