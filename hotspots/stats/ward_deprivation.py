"""Deprivation summarised for electoral wards, the way Welsh Government advises for larger
areas: the share of a ward's residents living in the most deprived 10 % and 20 % of small
areas, the population-weighted mean score and the most deprived small area's rank — never
an average of ranks (see :mod:`hotspots.stats.deprivation_index` for the index itself and
the conventions: rank 1 = most deprived, the most deprived ``p`` % of ``N`` areas are ranks
``1 … ceil(p·N/100)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hotspots.stats.deprivation_index import WIMD_2019_WEIGHTS, n_most_deprived
from hotspots.validation import check_frame, check_percent, check_positive_int

__all__ = [
    "WARD_DEPRIVATION_COLUMNS",
    "WARD_DOMAINS_KEY_COLUMNS",
    "summarise_ward_deprivation",
    "summarise_ward_domains",
    "ward_domain_columns",
]

#: Columns returned by :func:`summarise_ward_deprivation`.
WARD_DEPRIVATION_COLUMNS: list[str] = [
    "ward_code",
    "pop_share_most_deprived_10",
    "pop_share_most_deprived_20",
    "pop_weighted_mean_score",
    "most_deprived_lsoa_rank",
]

#: Leading column(s) of :func:`summarise_ward_domains`; the domain columns follow
#: (see :func:`ward_domain_columns`).
WARD_DOMAINS_KEY_COLUMNS: list[str] = ["ward_code"]

_WEIGHT_COLUMNS = ["lsoa_code", "ward_code", "population"]


# --------------------------------------------------------------------------------------
# Ward summaries
# --------------------------------------------------------------------------------------
def _join_weights(
    lsoa: pd.DataFrame, weights: pd.DataFrame, value_columns: list[str], n_lsoas: int
) -> pd.DataFrame:
    """Join LSOA values onto the LSOA→ward weights after validating both."""
    check_frame(lsoa, "lsoa_index", ["lsoa_code", *value_columns])
    check_frame(weights, "weights", _WEIGHT_COLUMNS)
    if lsoa["lsoa_code"].astype(str).duplicated().any():
        raise ValueError("lsoa_index must have one row per lsoa_code")
    population = pd.to_numeric(weights["population"], errors="coerce")
    if population.isna().any() or (population < 0).any():
        raise ValueError("weights.population must be non-negative numbers with no gaps")
    left = pd.DataFrame(
        {
            "lsoa_code": weights["lsoa_code"].astype(str).to_numpy(),
            "ward_code": weights["ward_code"].astype(str).to_numpy(),
            "population": population.to_numpy(dtype=float),
        }
    )
    right = lsoa[["lsoa_code", *value_columns]].copy()
    right["lsoa_code"] = right["lsoa_code"].astype(str)
    joined = left.merge(right, on="lsoa_code", how="left", validate="many_to_one")
    for column in value_columns:
        if column.endswith("rank"):
            ranks = pd.to_numeric(joined[column], errors="coerce")
            missing = joined.loc[ranks.isna(), "lsoa_code"].unique().tolist()
            if missing:
                raise ValueError(
                    f"{len(missing)} LSOA(s) in weights have no {column} in lsoa_index, "
                    f"e.g. {missing[:5]}; check the LSOA vintage (2011 vs 2021 codes)"
                )
            if ranks.max() > n_lsoas:
                raise ValueError(
                    f"{column} goes up to {ranks.max():g} but n_lsoas={n_lsoas}; "
                    "n_lsoas must be the number of areas ranked (1,909 for WIMD 2019)"
                )
            joined[column] = ranks.to_numpy(dtype=float)
    return joined


def _share_by_ward(joined: pd.DataFrame, in_group: pd.Series) -> pd.Series:
    """Population share of each ward living where ``in_group`` is true (NaN if no one)."""
    population = joined["population"]
    total = population.groupby(joined["ward_code"], sort=True).sum()
    inside = population.where(in_group, 0.0).groupby(joined["ward_code"], sort=True).sum()
    return (inside / total.where(total > 0)).astype(float)


def summarise_ward_deprivation(
    lsoa_index: pd.DataFrame,
    weights: pd.DataFrame,
    n_lsoas: int,
    score_column: str | None = "score",
) -> pd.DataFrame:
    """Summarise small-area deprivation for wards, weighted by population.

    Parameters
    ----------
    lsoa_index : pandas.DataFrame
        One row per LSOA with ``lsoa_code``, ``rank`` (1 = most deprived) and, unless
        ``score_column`` is None, a score column. The output of :func:`combine_domains`
        fits as it is; for the LSOA deprivation frame rename ``overall_rank`` to ``rank``
        (and pass ``score_column="overall_score"``).
    weights : pandas.DataFrame
        LSOA→ward weights: ``lsoa_code, ward_code, population`` (the population of the
        LSOA living in the ward). Every LSOA in it must be in ``lsoa_index``.
    n_lsoas : int
        The number of LSOAs the ranks are over (1,909 for WIMD 2019). The most deprived
        10 % are ranks ``1 … ceil(0.1·n_lsoas)``, 20 % likewise.
    score_column : str or None, default ``"score"``
        Column of ``lsoa_index`` averaged into ``pop_weighted_mean_score``. None (e.g. for
        the English IMD frame, which has no scores) fills that column with NaN.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WARD_DEPRIVATION_COLUMNS`, one row per ward in ``weights``, sorted
        by ``ward_code``:

        * ``pop_share_most_deprived_10`` / ``_20`` – share (0–1) of the ward's population
          living in LSOAs among the most deprived 10 % / 20 % by rank;
        * ``pop_weighted_mean_score`` – population-weighted mean LSOA score;
        * ``most_deprived_lsoa_rank`` (Int64) – the lowest rank among the LSOAs listed
          for the ward in ``weights`` (whatever their population).

        The shares and mean are NaN for a ward whose total population is 0.

    Raises
    ------
    TypeError
        If an input is not a DataFrame or ``n_lsoas`` is not an integer.
    ValueError
        If a column is missing, a population is negative or missing, an LSOA in
        ``weights`` is absent from ``lsoa_index``, or a rank exceeds ``n_lsoas``.
    """
    n_lsoas = check_positive_int(n_lsoas, "n_lsoas")
    value_columns = ["rank"] if score_column is None else ["rank", score_column]
    joined = _join_weights(lsoa_index, weights, value_columns, n_lsoas)
    by_ward = joined.groupby("ward_code", sort=True)
    total = by_ward["population"].sum()
    if score_column is None:
        mean_score = pd.Series(np.nan, index=total.index)
    else:
        scores = pd.to_numeric(joined[score_column], errors="coerce")
        if scores.isna().any():
            raise ValueError(f"lsoa_index.{score_column} must be numeric with no gaps")
        weighted = (scores * joined["population"]).groupby(joined["ward_code"]).sum()
        mean_score = weighted / total.where(total > 0)
    out = pd.DataFrame(
        {
            "ward_code": total.index.to_numpy(dtype=object),
            "pop_share_most_deprived_10": _share_by_ward(
                joined, joined["rank"] <= n_most_deprived(n_lsoas, 10)
            ).to_numpy(),
            "pop_share_most_deprived_20": _share_by_ward(
                joined, joined["rank"] <= n_most_deprived(n_lsoas, 20)
            ).to_numpy(),
            "pop_weighted_mean_score": mean_score.to_numpy(dtype=float),
            "most_deprived_lsoa_rank": pd.array(by_ward["rank"].min().to_numpy(), dtype="Int64"),
        },
        columns=WARD_DEPRIVATION_COLUMNS,
    )
    return out


def ward_domain_columns(domains: Sequence[str], percent: int = 10) -> list[str]:
    """Output columns of :func:`summarise_ward_domains` for these domains and percent.

    Parameters
    ----------
    domains : sequence of str
        Domain names, e.g. ``list(WIMD_2019_WEIGHTS)`` (``"overall"`` is allowed too).
    percent : int, default 10
        The "most deprived" cut-off in percent.

    Returns
    -------
    list of str
        ``["ward_code", "{domain}_share_{percent}", ...]``.
    """
    percent = check_percent(percent)
    return [*WARD_DOMAINS_KEY_COLUMNS, *(f"{d}_share_{percent}" for d in domains)]


def summarise_ward_domains(
    lsoa: pd.DataFrame,
    weights: pd.DataFrame,
    n_lsoas: int,
    domains: Sequence[str] = tuple(WIMD_2019_WEIGHTS),
    percent: int = 10,
) -> pd.DataFrame:
    """Share of each ward's population in the most deprived LSOAs, domain by domain.

    Parameters
    ----------
    lsoa : pandas.DataFrame
        One row per LSOA with ``lsoa_code`` and ``{domain}_rank`` for each domain
        (rank 1 = most deprived), e.g. the LSOA deprivation frame.
    weights : pandas.DataFrame
        LSOA→ward weights: ``lsoa_code, ward_code, population``.
    n_lsoas : int
        The number of LSOAs the ranks are over (1,909 for WIMD 2019).
    domains : sequence of str, default all WIMD 2019 domains
        Domains to summarise; ``"overall"`` uses ``overall_rank``. For the English IMD
        pass ``tuple(IMD_2019_WEIGHTS)``.
    percent : int, default 10
        The cut-off: LSOAs ranked ``1 … ceil(percent·n_lsoas/100)`` count as most deprived.

    Returns
    -------
    pandas.DataFrame
        Columns ``ward_domain_columns(domains, percent)``: ``ward_code`` then one
        ``{domain}_share_{percent}`` column (0–1) per domain; one row per ward in
        ``weights``, sorted by ``ward_code``. NaN for a ward whose population is 0.

    Raises
    ------
    TypeError
        If an input has the wrong type (``domains`` given as one string included).
    ValueError
        If ``domains`` is empty or repeats a name, a ``{domain}_rank`` column is missing
        (the message lists the domains the frame has), a population is negative or
        missing, or an LSOA in ``weights`` is absent from ``lsoa``.
    """
    n_lsoas = check_positive_int(n_lsoas, "n_lsoas")
    percent = check_percent(percent)
    if isinstance(domains, str):
        raise TypeError(f"domains must be a sequence of names, e.g. ({domains!r},)")
    domains = list(domains)
    if not domains or len(set(domains)) != len(domains):
        raise ValueError(f"domains must be a non-empty list without repeats, got {domains}")
    if isinstance(lsoa, pd.DataFrame):
        available = [c[: -len("_rank")] for c in lsoa.columns if str(c).endswith("_rank")]
        missing = [d for d in domains if f"{d}_rank" not in lsoa.columns]
        if missing:
            raise ValueError(
                f"lsoa has no rank column for domain(s) {missing}; valid domains: {available}"
            )
    rank_columns = [f"{d}_rank" for d in domains]
    joined = _join_weights(lsoa, weights, rank_columns, n_lsoas)
    cut = n_most_deprived(n_lsoas, percent)
    columns = ward_domain_columns(domains, percent)
    ward_codes = np.sort(joined["ward_code"].unique())
    data: dict[str, object] = {"ward_code": ward_codes.astype(object)}
    for column, rank_column in zip(columns[1:], rank_columns, strict=True):
        share = _share_by_ward(joined, joined[rank_column] <= cut)
        data[column] = share.reindex(ward_codes).to_numpy(dtype=float)
    return pd.DataFrame(data, columns=columns)
