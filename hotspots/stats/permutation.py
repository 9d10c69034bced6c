"""The conditional-permutation engine: the one source of local p-values.

Gi* (binary weights, self included) and local Moran's I (row-standardised) are both
monotone in a ward's neighbour sum for a fixed value of the ward itself, so both take
their two-sided conditional-permutation p-values from the tail counts of that sum
(:func:`two_sided_pvalues`), found one of two ways (:data:`METHODS`):

* ``"exact"``: *every* conditional permutation, counted exactly on the values rounded to
  ``bins`` steps of their range (:func:`exact_tails`; no random draws, so nothing moves
  with a seed. A random sample of 9,999 permutations moved the All-Wales hot set between
  42 and 56 wards from one seed to another; the exact count does not move);
* ``"permutation"``: random conditional permutations (:func:`conditional_tails`), seeded
  from a hash of the data (:func:`permutation_seed`).

Notes
-----
The p-values are two-sided, twice the smaller tail (:func:`two_sided_p`), the rule the
esda maintainers describe for ``alternative="two-sided"`` (pysal/esda#199). esda 2.9's
own ``p_sim`` is the old "directed" pseudo p-value (the smaller tail, one-sided), and
``esda.significance.calculate_significance(..., alternative="two-sided")`` is *not* used:
with tied permutation values (usual for counts) it counts the whole tied minimum of the
reference distribution as "outside", so a ward whose Gi* exceeds all 9,999 permuted
values can get p = 0.2 (shown in ``tests/stats/test_permutation.py``).

esda's permutation engine seeds NumPy's *global* random generator;
:func:`global_rng_preserved` saves and restores the global state around calls into
esda, so they do not change the random numbers other code sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
from libpysal.weights import W

from hotspots.seeds import data_seed
from hotspots.stats.weights import neighbour_lists

__all__ = [
    "METHODS",
    "conditional_tails",
    "exact_tails",
    "global_rng_preserved",
    "permutation_seed",
    "two_sided_from_tails",
    "two_sided_p",
    "two_sided_pvalues",
]

#: How the p-values are found (registry of :attr:`hotspots.stats.getis_ord.GiSettings.method`).
METHODS = {
    "exact": "every conditional permutation, counted exactly (values rounded to 1/bins "
    "of their range)",
    "permutation": "random conditional permutations (seeded from the data)",
}


def two_sided_pvalues(
    y: np.ndarray, w: W, method: str, *, bins: int, permutations: int, seed: int
) -> np.ndarray:
    """Two-sided conditional-permutation p-values of each ward's neighbour sum.

    Parameters
    ----------
    y : numpy.ndarray
        One value per ward, in ``w.id_order``.
    w : libpysal.weights.W
        Binary weights (only the neighbour structure is used).
    method : {"exact", "permutation"}
        :data:`METHODS`.
    bins : int
        Steps of the value range for ``"exact"`` (:func:`exact_tails`).
    permutations, seed : int
        Number of random permutations and the salt of their seed for ``"permutation"``
        (:func:`conditional_tails`, :func:`permutation_seed`).

    Returns
    -------
    numpy.ndarray
        ``"exact"``: twice the smaller exact tail share (at most 1). ``"permutation"``:
        ``min(1, 2 (M + 1) / (R + 1))`` (:func:`two_sided_from_tails`).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    if method == "exact":
        ge, le = exact_tails(y, w, bins)
        return np.minimum(1.0, 2.0 * np.minimum(ge, le))
    ge, le = conditional_tails(y, w, permutations, permutation_seed(y, w, seed))
    return two_sided_from_tails(ge, le, permutations)


def two_sided_p(observed: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Two-sided conditional-permutation pseudo p-values: twice the smaller tail.

    For each observation ``i`` with ``R`` permuted values ``reference[i]``::

        p_i = min(1, 2 * (min(#{r >= observed_i}, #{r <= observed_i}) + 1) / (R + 1))

    Ties count as at least as extreme (conservative); values equal up to a relative
    1e-10 are ties, so that rounding in the permutation engine does not break them.

    Parameters
    ----------
    observed : numpy.ndarray
        Shape ``(n,)``: the observed local statistics.
    reference : numpy.ndarray
        Shape ``(n, R)``: the statistics under conditional permutation (esda's
        ``G_Local.rGs`` or ``Moran_Local.rlisas``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, each in ``[2 / (R + 1), 1]``.

    Raises
    ------
    ValueError
        If the shapes do not fit or there are no permutations.
    """
    obs = np.asarray(observed, dtype=float).reshape(-1)
    ref = np.asarray(reference, dtype=float)
    if ref.ndim != 2 or ref.shape[0] != obs.size or ref.shape[1] == 0:
        raise ValueError(
            f"reference must have shape (n, R) with n = {obs.size} and R >= 1, got {ref.shape}"
        )
    tol = 1e-10 * np.maximum(np.abs(obs), np.finfo(float).tiny)[:, None]
    ge = (ref >= obs[:, None] - tol).sum(axis=1)
    le = (ref <= obs[:, None] + tol).sum(axis=1)
    r = ref.shape[1]
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / (r + 1))


def _structure(nbrs: list[np.ndarray]) -> bytes:
    """The neighbour lists as bytes (a cache key that cannot be confused with another
    weights object's)."""
    return np.concatenate([[len(a) for a in nbrs], *nbrs]).astype(np.int64).tobytes()


def _draws(n_other: int, k: int, permutations: int, seed: int) -> np.ndarray:
    """``permutations`` rows of ``k`` distinct positions in ``range(n_other)`` (each row a
    random draw without replacement), from one seeded generator."""
    rng = np.random.default_rng(seed)
    k = min(k, n_other)
    draws = rng.integers(0, n_other, size=(permutations, k))
    while k > 1:
        ordered = np.sort(draws, axis=1)
        bad = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not bad.any():
            break
        draws[bad] = rng.integers(0, n_other, size=(int(bad.sum()), k))
    return draws


def conditional_tails(
    y: np.ndarray, w: W, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Conditional-permutation tail counts of each ward's neighbour sum.

    For ward ``i`` with ``k_i`` neighbours, its value is held fixed and ``k_i`` values
    are drawn without replacement from the other ``n - 1`` wards, ``permutations``
    times (the same random draws for every ward, as esda does). Returns, per ward, how
    many permuted sums are ≥ and ≤ the observed sum of its neighbours' values (ties —
    equal up to a relative 1e-10 — count on both sides).

    Gi* (binary weights, self included) and local Moran's I (row-standardised) are both
    monotone in this sum for a fixed focal value, so their two-sided pseudo p-values
    both follow from these counts (:func:`two_sided_from_tails`).
    """
    y = np.asarray(y, dtype=float)
    nbrs = neighbour_lists(w)
    key = (y.tobytes(), tuple(w.id_order), _structure(nbrs), permutations, seed)
    if key in _TAILS:
        return _TAILS[key]
    n = len(y)
    k_max = max((len(a) for a in nbrs), default=0)
    draws = np.ascontiguousarray(_draws(n - 1, k_max, permutations, seed).T)  # (k, R)
    y0 = y[draws]  # value drawn when the focal ward comes later
    d = y[np.minimum(draws + 1, n - 1)] - y0  # correction when the draw skips the focal
    base = np.cumsum(y0, axis=0)  # base[k - 1]: sum of the first k draws
    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    for i, nb in enumerate(nbrs):
        k = len(nb)
        if k == 0:
            ge[i] = le[i] = permutations
            continue
        sums = base[k - 1] + (d[:k] * (draws[:k] >= i)).sum(axis=0)
        obs = y[nb].sum()
        tol = 1e-10 * max(abs(obs), np.finfo(float).tiny)
        ge[i] = np.count_nonzero(sums >= obs - tol)
        le[i] = np.count_nonzero(sums <= obs + tol)
    if len(_TAILS) > 8:
        _TAILS.clear()
    _TAILS[key] = (ge, le)
    return ge, le


#: Tail counts of the last few runs: Gi* and local Moran on the same values and
#: weights share one set of permutations (the statistics are monotone in the same sum).
_TAILS: dict = {}


def two_sided_from_tails(ge: np.ndarray, le: np.ndarray, permutations: int) -> np.ndarray:
    """``min(1, 2 * (min(ge, le) + 1) / (R + 1))`` — as :func:`two_sided_p`."""
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / (permutations + 1))


def permutation_seed(y: np.ndarray, w: W, salt: int) -> int:
    """The seed of the permutations for values ``y`` (in ``w.id_order``) on ``w``: a hash
    of the values, the ward codes, the neighbours and ``salt``."""
    return data_seed(
        y,
        list(w.id_order),
        np.frombuffer(_structure(neighbour_lists(w)), dtype=np.int64),
        salt=salt,
    )


def exact_tails(y: np.ndarray, w: W, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact conditional-permutation tail shares of each ward's neighbour sum.

    The values are rounded to ``bins`` steps of their range, ``b_j = round((y_j - min) /
    (max - min) * bins)``. The number of ``m``-sets of wards with rounded sum ``s`` is the
    coefficient ``c[m, s]`` of ``u^m x^s`` in ``prod_j (1 + u x^(b_j))``, built once for
    all wards. The sets of ``k`` wards *without* ward ``i`` are
    ``c_i[k] = sum_j (-1)^j x^(j b_i) c[k - j]`` (dividing out ward ``i``'s factor), so
    their tail sums are alternating sums of the tail sums of the rows of ``c``. This
    counts every one of the ``C(n - 1, k_i)`` conditional permutations of ward ``i``'s
    neighbours — none is sampled.

    Returns
    -------
    ge, le : numpy.ndarray
        Per ward, the share of those sets whose (rounded) sum is ≥ and ≤ the ward's own
        neighbours' (rounded) sum. Wards without neighbours get 1 and 1.
    """
    y = np.asarray(y, dtype=float)
    nbrs = neighbour_lists(w)
    key = ("exact", y.tobytes(), tuple(w.id_order), _structure(nbrs), bins)
    if key in _TAILS:
        return _TAILS[key]
    ks = np.array([len(a) for a in nbrs], dtype=np.int64)
    k_max = int(ks.max(initial=0))
    spread = float(np.ptp(y))
    b = (
        np.rint((y - y.min()) / spread * bins).astype(np.int64)
        if spread > 0
        else np.zeros(y.size, dtype=np.int64)
    )
    length = k_max * bins + 1
    c = np.zeros((k_max + 1, length))
    c[0, 0] = 1.0
    for v in b.tolist():  # add one ward at a time: c[m] += x^v c[m - 1]
        for m in range(k_max, 0, -1):
            top = (m - 1) * bins + 1  # c[m - 1] is 0 beyond (m - 1) bins; v <= bins
            c[m, v : v + top] += c[m - 1, :top]
    upper = np.cumsum(c[:, ::-1], axis=1)[:, ::-1]  # upper[m, t]: sets with sum >= t
    lower = np.cumsum(c, axis=1)  # lower[m, t]: sets with sum <= t
    obs = np.array([int(b[nb].sum()) for nb in nbrs], dtype=np.int64)  # <= k_i bins
    ge_sets = np.zeros(y.size)
    le_sets = np.zeros(y.size)
    total = np.zeros(y.size)  # C(n - 1, k_i), counted the same way
    for j in range(k_max + 1):
        m = ks - j
        use = m >= 0
        sign = -1.0 if j % 2 else 1.0
        row = np.where(use, m, 0)
        at = obs - j * b  # sum >= obs  <=>  the rest >= obs - j b
        ge_sets += np.where(use, sign * upper[row, np.maximum(at, 0)], 0.0)
        le_sets += np.where(use & (at >= 0), sign * lower[row, np.maximum(at, 0)], 0.0)
        total += np.where(use, sign * lower[row, -1], 0.0)
    # a ward without neighbours: the one empty set, whose sum 0 is both >= and <= obs = 0
    ge = np.clip(ge_sets / total, 0.0, 1.0)
    le = np.clip(le_sets / total, 0.0, 1.0)
    if len(_TAILS) > 8:
        _TAILS.clear()
    _TAILS[key] = (ge, le)
    return ge, le


@contextlib.contextmanager
def global_rng_preserved() -> Iterator[None]:
    """esda's permutation engine calls ``np.random.seed``; undo that afterwards."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)
