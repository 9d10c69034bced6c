"""How far two ward rankings agree.

Used to compare, for example, the top wards by serious-violence count with the top wards
by Gi* z-score, by rate, or by another period. Two measures:

* the **overlap** of the two top-N lists, with a permutation p-value saying how
  surprising that overlap is if the second ranking were unrelated to the first;
* **Spearman's rank correlation** over all wards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["Concordance", "NamedOverlap", "concordance", "named_overlaps", "top_codes"]


@dataclass(frozen=True)
class Concordance:
    """Agreement between two ward rankings (see :func:`concordance`).

    Parameters
    ----------
    top_n : int
        Length of the top lists compared.
    overlap : int
        Number of wards in both top-N lists.
    overlap_codes : tuple of str
        Those wards, in the order of the first ranking (highest first).
    spearman_rho : float
        Spearman's rank correlation over all wards (NaN if either ranking is constant).
    spearman_p : float
        Its two-sided p-value (NaN if ``spearman_rho`` is NaN).
    overlap_p : float
        Permutation p-value ``(M + 1) / (R + 1)``: ``M`` of ``R`` random top-N lists
        overlapped the first top-N list at least as much as the second did.
    n_wards : int
        Number of wards ranked.
    permutations : int
        ``R``.
    """

    top_n: int
    overlap: int
    overlap_codes: tuple[str, ...]
    spearman_rho: float
    spearman_p: float
    overlap_p: float
    n_wards: int
    permutations: int

    @property
    def overlap_share(self) -> float:
        """``overlap / top_n``."""
        return self.overlap / self.top_n


def _check_series(s: object, name: str) -> pd.Series:
    if not isinstance(s, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series indexed by ward_code, got {type(s).__name__}"
        )
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        raise TypeError(f"{name} must hold numbers, got dtype {s.dtype}")
    if s.index.has_duplicates:
        dupes = s.index[s.index.duplicated()].unique().tolist()
        raise ValueError(f"{name} has duplicated ward codes: {dupes[:5]}")
    if s.isna().any():
        raise ValueError(f"{name} has {int(s.isna().sum())} missing value(s); fill or drop them")
    if not np.isfinite(s.to_numpy(dtype=float)).all():
        raise ValueError(f"{name} must be finite numbers")
    return s


def top_codes(values: pd.Series, top_n: int) -> list:
    """The ``top_n`` ward codes with the highest values.

    Ties are broken by ward code ascending: the series is sorted by value descending,
    then by code ascending, and the first ``top_n`` codes are taken. So at a tie at the
    N-th place the alphabetically first codes get in, and the result is deterministic.

    Parameters
    ----------
    values : pandas.Series
        Numbers indexed by ward code.
    top_n : int
        How many codes to return (at most ``len(values)``).

    Returns
    -------
    list
        Codes, highest value first.
    """
    frame = pd.DataFrame(
        {
            "code": values.index.astype(str),
            "key": values.index,
            "value": values.to_numpy(dtype=float),
        }
    )
    frame = frame.sort_values(["value", "code"], ascending=[False, True], kind="mergesort")
    return frame["key"].iloc[:top_n].tolist()


def concordance(
    a: pd.Series,
    b: pd.Series,
    top_n: int = 12,
    permutations: int = 9999,
    seed: int = 12345,
) -> Concordance:
    """Overlap of two top-N ward lists, and Spearman's correlation of the rankings.

    Parameters
    ----------
    a, b : pandas.Series
        One number per ward, indexed by ward code; the same wards in both (order does
        not matter). Higher values rank higher.
    top_n : int, default 12
        Length of the top lists, 1 <= top_n < number of wards.
    permutations : int, default 9999
        Random top-N lists drawn for ``overlap_p`` (at least 99).
    seed : int, default 12345
        Seed of ``numpy.random.default_rng`` for those draws (>= 0).

    Returns
    -------
    Concordance

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a numeric Series, or an integer argument is not an
        integer.
    ValueError
        If they hold missing or duplicated codes or values, different wards, or
        ``top_n``, ``permutations`` or ``seed`` is out of range.

    Notes
    -----
    Top lists: sorted by value descending, then ward code ascending (see
    :func:`top_codes`), so ties at the N-th place are settled by code.

    ``overlap_p``: under the null hypothesis the top-N list of ``b`` is a random set
    of N wards, unrelated to ``a``. The overlap of such a set with the top-N of ``a``
    is hypergeometric (``n`` wards, N "successes", N draws), so the ``R`` random lists
    are simulated as ``R`` hypergeometric draws - the same distribution as shuffling
    ``b`` over the wards, without building ``R`` lists. ``overlap_p = (M + 1) / (R + 1)``
    with ``M`` the number of draws with overlap >= the observed one. The exact value
    is ``scipy.stats.hypergeom.sf(overlap - 1, n, N, N)``.

    Spearman's rho uses average ranks for ties (``scipy.stats.spearmanr``).
    """
    a = _check_series(a, "a")
    b = _check_series(b, "b")
    if set(a.index) != set(b.index):
        only_a = sorted(set(a.index) - set(b.index), key=str)
        only_b = sorted(set(b.index) - set(a.index), key=str)
        raise ValueError(
            "a and b must cover the same wards; "
            f"only in a: {len(only_a)} (e.g. {only_a[:3]}), "
            f"only in b: {len(only_b)} (e.g. {only_b[:3]})"
        )
    n = len(a)
    for value, name, minimum in (
        (top_n, "top_n", 1),
        (permutations, "permutations", 99),
        (seed, "seed", 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be a whole number, got {value!r}")
        if value < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if top_n >= n:
        raise ValueError(
            f"top_n must be smaller than the number of wards ({n}), got {top_n}; "
            "with every ward in the list the overlap says nothing"
        )
    b = b.reindex(a.index)
    top_a = top_codes(a, top_n)
    top_b = set(top_codes(b, top_n))
    shared = tuple(code for code in top_a if code in top_b)
    overlap = len(shared)

    rng = np.random.default_rng(seed)
    draws = rng.hypergeometric(ngood=top_n, nbad=n - top_n, nsample=top_n, size=permutations)
    overlap_p = (int((draws >= overlap).sum()) + 1) / (permutations + 1)

    x = a.to_numpy(dtype=float)
    y = b.to_numpy(dtype=float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        rho = p = float("nan")
    else:
        result = stats.spearmanr(x, y)
        rho, p = float(result.statistic), float(result.pvalue)

    return Concordance(
        top_n=int(top_n),
        overlap=overlap,
        overlap_codes=shared,
        spearman_rho=rho,
        spearman_p=p,
        overlap_p=float(overlap_p),
        n_wards=n,
        permutations=int(permutations),
    )


@dataclass(frozen=True)
class NamedOverlap:
    """The two overlaps a meeting is told, each named for what it is.

    Parameters
    ----------
    top_n : int
    violence_vs_drugs : tuple of str
        Wards in both the top N by violence count and the top N by drug count (the needs
        assessment's figure), in violence order.
    list_vs_drugs : tuple of str
        Wards of this list's top N (by the composite score) also in the top N by drug
        count, in list order.
    """

    top_n: int
    violence_vs_drugs: tuple[str, ...]
    list_vs_drugs: tuple[str, ...]

    def as_dict(self) -> dict:
        """``{n, violence_vs_drugs, list_vs_drugs, ..._wards}`` for a JSON or metadata."""
        return {
            "n": self.top_n,
            "violence_vs_drugs": len(self.violence_vs_drugs),
            "list_vs_drugs": len(self.list_vs_drugs),
            "violence_vs_drugs_wards": list(self.violence_vs_drugs),
            "list_vs_drugs_wards": list(self.list_vs_drugs),
        }

    def lines(self, names: dict[str, str] | None = None) -> list[str]:
        """Two sentences: the violence-vs-drugs overlap, then this list's, naming wards."""
        names = names or {}
        n = self.top_n
        which = ", ".join(names.get(c, c) for c in self.list_vs_drugs)
        return [
            f"Top {n} by violence count vs top {n} by drug count: {len(self.violence_vs_drugs)}.",
            f"Of this list's top {n}, {len(self.list_vs_drugs)} "
            f"{'is' if len(self.list_vs_drugs) == 1 else 'are'} in the drug top {n}"
            + (f": {which}." if which else "."),
        ]


def named_overlaps(hotspots: pd.DataFrame, top_n: int) -> NamedOverlap:
    """Both overlaps of a hotspot list (columns ``rank, ward_code, sv_count,
    drugs_count``): top N by violence count vs top N by drug count, and the list's top N
    (by ``rank``) vs the drug top N.

    Only ranked wards take part (wards with no data or no residents are not compared);
    a top list holds wards with a count above 0, highest first, ties by ward code.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, int | np.integer) or top_n < 1:
        raise ValueError(f"top_n must be a whole number ≥ 1, got {top_n!r}")
    ranked = hotspots[hotspots["rank"].notna()]
    codes = ranked["ward_code"].astype(str).to_numpy()

    def top(column: str) -> list[str]:
        v = pd.Series(
            pd.to_numeric(ranked[column], errors="coerce").astype(float).to_numpy(), index=codes
        )
        return top_codes(v[v > 0], top_n)

    drugs = set(top("drugs_count"))
    listed = ranked.sort_values("rank", kind="stable")["ward_code"].astype(str).head(top_n)
    return NamedOverlap(
        top_n=int(top_n),
        violence_vs_drugs=tuple(c for c in top("sv_count") if c in drugs),
        list_vs_drugs=tuple(c for c in listed if c in drugs),
    )
