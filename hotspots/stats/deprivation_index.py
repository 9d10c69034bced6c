"""Recombine deprivation domains and summarise deprivation for electoral wards.

The Welsh Index of Multiple Deprivation (WIMD) and the English Index of Multiple
Deprivation (IMD) both combine their domain *ranks* after an exponential
transformation: with ``R`` the domain rank scaled to ``(0, 1]`` so that the least
deprived small area has ``R = 1/N`` and the most deprived ``R = 1``,

.. math:: X = -23 \\ln\\left(1 - R\\,(1 - e^{-100/23})\\right),

which runs from about 0 (least deprived) to 100 (most deprived). The overall score is
the weighted sum of the ``X`` values and is then ranked (rank 1 = most deprived).

The WIMD Community Safety domain contains police-recorded crime, violence among it,
so ranking violence against the overall WIMD is partly circular. :func:`combine_domains`
therefore drops ``community_safety`` by default and rescales the remaining weights to
sum to 1.

Welsh Government advises summarising WIMD for larger areas by the share of small areas
(or of population) in the most deprived 10 %, 20 %, … rather than by averaging ranks;
:mod:`hotspots.stats.ward_deprivation` does that for wards.

Conventions used throughout
---------------------------
* Rank 1 is the most deprived small area; decile 1 is the most deprived tenth.
* The "most deprived p %" of ``N`` ranked areas are ranks ``1 … ceil(p·N/100)``. For
  WIMD 2019 (N = 1,909) the most deprived 10 % are ranks 1–191 and decile ``d`` ends at
  rank ``ceil(d·N/10)``, which matches the published deciles (191 areas in deciles 1–9
  and 190 in decile 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from hotspots.validation import check_frame, check_positive_int

__all__ = [
    "IMD_2019_WEIGHTS",
    "INDEX_COLUMNS",
    "INDEX_WEIGHTS",
    "WIMD_2019_WEIGHTS",
    "combine_domains",
    "deciles_from_ranks",
    "exponential_transform",
    "n_most_deprived",
    "rescale_weights",
]

#: WIMD 2019 domain weights (Welsh Government, WIMD 2019 technical report).
WIMD_2019_WEIGHTS: dict[str, float] = {
    "income": 0.22,
    "employment": 0.22,
    "health": 0.15,
    "education": 0.14,
    "access": 0.10,
    "housing": 0.07,
    "community_safety": 0.05,
    "environment": 0.05,
}

#: English IMD 2019 domain weights (MHCLG, English Indices of Deprivation 2019).
IMD_2019_WEIGHTS: dict[str, float] = {
    "income": 0.225,
    "employment": 0.225,
    "education": 0.135,
    "health": 0.135,
    "crime": 0.093,
    "barriers": 0.093,
    "environment": 0.093,
}

#: Registry of domain weights by index name (the values of ``frame.attrs["index"]``).
INDEX_WEIGHTS: dict[str, dict[str, float]] = {
    "WIMD 2019": WIMD_2019_WEIGHTS,
    "IMD 2019": IMD_2019_WEIGHTS,
}

#: Columns returned by :func:`combine_domains`.
INDEX_COLUMNS: list[str] = ["lsoa_code", "score", "rank", "decile"]


# The constant of the exponential transformation (as in WIMD and the English IMD).
_EXP_CONSTANT = 23.0
_EXP_FACTOR = 1.0 - np.exp(-100.0 / _EXP_CONSTANT)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------
def n_most_deprived(n: int, percent: int) -> int:
    """Number of ranks in the most deprived ``percent`` % of ``n`` (``ceil(p·n/100)``)."""
    return (n * percent + 99) // 100


def _check_ranks(ranks: np.ndarray, n: int, name: str) -> None:
    if np.isnan(ranks).any():
        raise ValueError(f"{name} contains missing values; every rank must be from 1 to {n}")
    if ranks.size and (ranks.min() < 1 or ranks.max() > n):
        raise ValueError(
            f"{name} must lie from 1 to n={n} (rank 1 = most deprived); "
            f"got {ranks.min():g} to {ranks.max():g}"
        )


# --------------------------------------------------------------------------------------
# Index construction
# --------------------------------------------------------------------------------------
def exponential_transform(ranks: pd.Series | np.ndarray | Sequence[float], n: int):
    """Exponentially transform deprivation ranks as WIMD and the English IMD do.

    Parameters
    ----------
    ranks : pandas.Series or array-like of float
        Ranks from 1 (most deprived) to ``n`` (least deprived). Ties given as average
        ranks (non-integers) are accepted.
    n : int
        The number of ranked areas (1,909 for WIMD 2019).

    Returns
    -------
    pandas.Series or numpy.ndarray
        ``X = -23 ln(1 - R (1 - exp(-100/23)))`` with ``R = (n + 1 - rank) / n``, so the
        most deprived area (rank 1, ``R = 1``) gets exactly 100 and the least deprived
        (rank ``n``, ``R = 1/n``) a value just above 0. A Series input gives a Series
        with the same index; anything else gives a float array.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n < 1`` or a rank is missing or outside ``1 … n``.

    Examples
    --------
    >>> exponential_transform([1, 1909], 1909).round(4).tolist()
    [100.0, 0.0119]
    """
    n = check_positive_int(n, "n")
    values = np.asarray(ranks, dtype=float)
    _check_ranks(values, n, "ranks")
    scaled = (n + 1.0 - values) / n
    transformed = -_EXP_CONSTANT * np.log1p(-scaled * _EXP_FACTOR)
    if isinstance(ranks, pd.Series):
        return pd.Series(transformed, index=ranks.index, name=ranks.name, dtype=float)
    return transformed


def rescale_weights(
    weights: Mapping[str, float], exclude: Iterable[str] = ("community_safety",)
) -> dict[str, float]:
    """Drop domains from a weight registry and rescale the rest to sum to 1.

    Parameters
    ----------
    weights : mapping of str to float
        Domain name to weight, e.g. :data:`WIMD_2019_WEIGHTS`. Weights must be
        non-negative and finite.
    exclude : iterable of str, default ``("community_safety",)``
        Domains to drop. Each must be a key of ``weights``. Pass ``()`` to keep all.

    Returns
    -------
    dict of str to float
        The remaining domains, in their original order, with weights summing to 1.

    Raises
    ------
    TypeError
        If ``weights`` is not a mapping or ``exclude`` is a plain string.
    ValueError
        If a domain in ``exclude`` is not in ``weights`` (the message lists the valid
        domains), a weight is negative or not finite, or no positive weight remains.
    """
    if not isinstance(weights, Mapping):
        raise TypeError(
            "weights must be a dict of domain -> weight, e.g. WIMD_2019_WEIGHTS; "
            f"got {type(weights).__name__}"
        )
    if isinstance(exclude, str):
        raise TypeError(f"exclude must be a sequence of domain names, e.g. ({exclude!r},)")
    exclude = tuple(exclude)
    unknown = [d for d in exclude if d not in weights]
    if unknown:
        raise ValueError(
            f"cannot exclude unknown domain(s) {unknown}; valid domains: {list(weights)}"
        )
    kept = {str(d): float(w) for d, w in weights.items() if d not in exclude}
    bad = [d for d, w in kept.items() if not np.isfinite(w) or w < 0]
    if bad:
        raise ValueError(f"weights must be finite and non-negative; check {bad}")
    total = sum(kept.values())
    if not kept or total <= 0:
        raise ValueError(
            f"no domain with a positive weight is left after excluding {list(exclude)}; "
            f"valid domains: {list(weights)}"
        )
    return {d: w / total for d, w in kept.items()}


def deciles_from_ranks(ranks: pd.Series | np.ndarray | Sequence[int], n: int) -> np.ndarray:
    """Deciles (1 = most deprived) from ranks, with decile ``d`` ending at ``ceil(d·n/10)``.

    Parameters
    ----------
    ranks : array-like of int
        Ranks from 1 (most deprived) to ``n``.
    n : int
        The number of ranked areas.

    Returns
    -------
    numpy.ndarray of int64
        Deciles 1 to 10. For ``n = 1909`` deciles 1–9 hold 191 ranks and decile 10 holds
        190, as in the published WIMD 2019.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n < 1`` or a rank is missing or outside ``1 … n``.
    """
    n = check_positive_int(n, "n")
    values = np.asarray(ranks, dtype=float)
    _check_ranks(values, n, "ranks")
    upper = (np.arange(1, 11) * n + 9) // 10  # last rank of each decile
    return (np.searchsorted(upper, values, side="left") + 1).astype("int64")


def combine_domains(
    lsoa: pd.DataFrame,
    weights: Mapping[str, float],
    exclude: Iterable[str] = ("community_safety",),
    n: int | None = None,
) -> pd.DataFrame:
    """Recombine domain ranks into an overall deprivation score, rank and decile.

    Each domain rank is exponentially transformed (:func:`exponential_transform`), the
    excluded domains are dropped, the remaining weights are rescaled to sum to 1
    (:func:`rescale_weights`) and the weighted sum of the transformed values is the score.

    Parameters
    ----------
    lsoa : pandas.DataFrame
        One row per small area with ``lsoa_code`` and a ``{domain}_rank`` column for each
        domain kept (rank 1 = most deprived), e.g. the LSOA deprivation frame.
    weights : mapping of str to float
        Domain weights, e.g. :data:`WIMD_2019_WEIGHTS` or :data:`IMD_2019_WEIGHTS`
        (see :data:`INDEX_WEIGHTS`).
    exclude : iterable of str, default ``("community_safety",)``
        Domains to leave out. The default removes the WIMD Community Safety domain,
        which contains police-recorded crime. Pass ``()`` to use every domain. With
        :data:`IMD_2019_WEIGHTS` pass ``("crime",)`` or ``()``.
    n : int, optional
        The number of areas the domain ranks were computed over. Defaults to the number
        of rows; pass it (1,909 for WIMD 2019) when ``lsoa`` is a subset.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDEX_COLUMNS` (``lsoa_code, score, rank, decile``), one row per
        input row in the input order. ``score`` runs from 0 to 100 (higher = more
        deprived); ``rank`` (int64) is 1 for the highest score, ties sharing the lowest
        rank; ``decile`` (int64) is 1 for the most deprived tenth, computed over the
        rows given.

    Raises
    ------
    TypeError
        If ``lsoa`` is not a DataFrame or ``weights`` not a mapping.
    ValueError
        If a needed column is missing, a rank is missing or out of range, the frame is
        empty, ``lsoa_code`` repeats, or ``exclude`` names an unknown domain.
    """
    kept = rescale_weights(weights, exclude)
    rank_columns = [f"{d}_rank" for d in kept]
    check_frame(lsoa, "lsoa", ["lsoa_code", *rank_columns])
    if lsoa.empty:
        raise ValueError("lsoa has no rows")
    if lsoa["lsoa_code"].duplicated().any():
        dups = lsoa.loc[lsoa["lsoa_code"].duplicated(), "lsoa_code"].head(5).tolist()
        raise ValueError(f"lsoa_code must be unique; repeated: {dups}")
    n_areas = len(lsoa) if n is None else check_positive_int(n, "n")

    score = np.zeros(len(lsoa))
    for domain, weight in kept.items():
        column = f"{domain}_rank"
        try:
            values = lsoa[column].to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"column {column} must be numeric ranks") from exc
        if np.isnan(values).any():
            raise ValueError(f"column {column} contains missing ranks")
        if values.min() < 1 or values.max() > n_areas:
            raise ValueError(
                f"column {column} must hold ranks from 1 to n={n_areas}; got "
                f"{values.min():g} to {values.max():g} (pass n= when lsoa is a subset)"
            )
        score += weight * exponential_transform(values, n_areas)

    rank = pd.Series(score).rank(ascending=False, method="min").to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "lsoa_code": lsoa["lsoa_code"].astype(str).to_numpy(),
            "score": score,
            "rank": rank,
            "decile": deciles_from_ranks(rank, len(lsoa)),
        },
        columns=INDEX_COLUMNS,
    )
