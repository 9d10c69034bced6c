"""How sure is a ward's place in the hotspot ranking? Simulated rank intervals.

A league table of ward rates hides how much of the order is chance. :func:`rank_intervals`
redraws every ward's rate many times from a model of its count, ranks the wards in each
draw (rank 1 = highest rate), and reports for each ward the central interval of its
ranks, the probability that it is in the top N, and whether its rank is too uncertain
to act on ("volatile").

Methods (:data:`METHODS`)
-------------------------
``"gamma"`` (default)
    The ward's rate is drawn from its posterior under a Poisson model for the count and
    a weak conjugate Gamma prior centred on the overall rate ``m``:
    ``rate ~ Gamma(shape = count + a, rate = population + a / m)`` with ``a =``
    :attr:`UncertaintySettings.prior_events` (0.5 by default, worth half an event, so the
    prior is weak: it matters only for wards with very few residents or events). If no
    ward has any event, a Jeffreys prior (``shape = count + 0.5, rate = population``) is
    used instead. A ward with 0 events still gets positive draws.
``"poisson"``
    A parametric bootstrap: counts are redrawn as ``Poisson(observed count)`` and divided
    by the population. A ward with 0 events always draws 0.

Ties in a draw (common with ``"poisson"``) are broken at random, so that the expected
number of wards in the top N is exactly N.

The rank of the hotspot list
----------------------------
:func:`score_rank_intervals` gives the range of the rank the list shows: the rank by the
composite score (:mod:`hotspots.stats.ranking`). In each draw every count input of the score is
redrawn and the score recomputed:

* violence and drugs: the empirical-Bayes smoothed rate the score uses is the mean of a
  Gamma posterior (prior ``Gamma(m²/A, m/A)`` from the method-of-moments mean ``m`` and
  between-ward variance ``A`` of :func:`hotspots.stats.rates.empirical_bayes_rate`), so the rate
  is drawn from that posterior, ``Gamma(m²/A + count, m/A + population)``, whose mean is
  exactly the smoothed rate shown. With ``A = 0`` every ward has the same smoothed rate
  and the component is left as it is.
* harm: the harm rate times ``Gamma(n + 0.5, 1) / (n + 0.5)`` with ``n`` the ward's
  violence count (mean 1: the harm score varies with the number of crimes behind it).
* deprivation is not a count and is left as it is.

Each drawn component becomes percentiles among the ranked wards, the weighted sum is the
draw's score, and wards are ranked (ties in order of the list). The seed is derived from
the data (:func:`hotspots.seeds.data_seed`, with :attr:`UncertaintySettings.seed` as the
salt), so the same data and weights always give the same ranges. Where the rank shown is
itself outside the central ``level`` of the simulated ranks (possible for the first of
several wards with almost the same score), the range is widened to include it, so that a
ward's rank always lies inside its range; ``attrs["widened"]`` counts such wards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from hotspots.seeds import data_seed
from hotspots.stats.ranking import COMPONENTS, SCORE_DECIMALS, RankSettings

__all__ = [
    "METHODS",
    "UNCERTAINTY_COLUMNS",
    "UncertaintySettings",
    "rank_intervals",
    "score_rank_intervals",
]

#: Columns returned by :func:`rank_intervals`.
UNCERTAINTY_COLUMNS: list[str] = ["ward_code", "rank_low", "rank_high", "p_top_n", "volatile"]

Sampler = Callable[[np.random.Generator, np.ndarray, np.ndarray, int, float], np.ndarray]


def draw_gamma(
    rng: np.random.Generator,
    counts: np.ndarray,
    population: np.ndarray,
    draws: int,
    prior_events: float,
) -> np.ndarray:
    """Posterior draws of each rate (per resident), shape ``(draws, wards)``."""
    overall = counts.sum() / population.sum()
    if overall > 0:
        shape, rate = counts + prior_events, population + prior_events / overall
    else:
        shape, rate = counts + 0.5, population
    return rng.gamma(shape, 1.0 / rate, size=(draws, counts.size))


def _draw_poisson(
    rng: np.random.Generator,
    counts: np.ndarray,
    population: np.ndarray,
    draws: int,
    prior_events: float,
) -> np.ndarray:
    """Bootstrap draws of each rate (per resident), shape ``(draws, wards)``."""
    del prior_events  # the bootstrap has no prior
    return rng.poisson(counts, size=(draws, counts.size)) / population


#: Registry of resampling methods (see the module docstring).
METHODS: dict[str, Sampler] = {"gamma": draw_gamma, "poisson": _draw_poisson}


@dataclass(frozen=True)
class UncertaintySettings:
    """Settings of :func:`rank_intervals`.

    Parameters
    ----------
    draws : int, default 2000
        Number of simulated rankings.
    seed : int or None, default 20190101
        Seed of the random generator; the same seed and inputs give the same output.
        None draws fresh entropy (not reproducible).
    method : {"gamma", "poisson"}, default "gamma"
        How rates are redrawn; see :data:`METHODS` and the module docstring.
    top_n : int, default 12
        The size of the "top" used for ``p_top_n``.
    level : float, default 0.90
        Coverage of the rank interval: 0.90 gives the 5th to 95th percentile.
    volatile_width : int or None, default None
        A ward is volatile when ``rank_high - rank_low`` exceeds this many places.
        None means ``top_n``: the interval is wider than the whole top list, so the
        ward could be anywhere from inside the list to well outside it.
    prior_events : float, default 0.5
        Weight of the Gamma prior in events (``"gamma"`` only).
    """

    draws: int = 2000
    seed: int | None = 20190101
    method: str = "gamma"
    top_n: int = 12
    level: float = 0.90
    volatile_width: int | None = None
    prior_events: float = 0.5

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {sorted(METHODS)}, got {self.method!r}")
        for name in ("draws", "top_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be a positive integer, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer)
        ):
            raise TypeError(f"seed must be an integer or None, got {self.seed!r}")
        if isinstance(self.level, bool) or not isinstance(self.level, int | float):
            raise TypeError(f"level must be a number between 0 and 1, got {self.level!r}")
        if not 0 < self.level < 1:
            raise ValueError(f"level must be between 0 and 1 (e.g. 0.90), got {self.level}")
        if self.volatile_width is not None:
            if isinstance(self.volatile_width, bool) or not isinstance(
                self.volatile_width, int | np.integer
            ):
                raise TypeError(
                    f"volatile_width must be a non-negative integer or None, "
                    f"got {self.volatile_width!r}"
                )
            if self.volatile_width < 0:
                raise ValueError(
                    f"volatile_width must be a non-negative integer or None, "
                    f"got {self.volatile_width}"
                )
        if not np.isfinite(self.prior_events) or self.prior_events <= 0:
            raise ValueError(f"prior_events must be positive, got {self.prior_events}")

    @property
    def width_threshold(self) -> int:
        """The interval width above which a ward is volatile."""
        return self.top_n if self.volatile_width is None else int(self.volatile_width)


def rank_rows(rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rank each row descending (1 = highest), breaking ties at random.

    Rows without ties (continuous Gamma draws, almost surely) skip the tie-breaking
    key: a plain sort is several times faster than the two-key sort.
    """
    ordered = np.sort(rates, axis=1)
    tied = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    order = np.argsort(-rates, axis=1)
    if tied.any():
        sub = rates[tied]
        order[tied] = np.lexsort((rng.random(sub.shape), -sub), axis=-1)
    ranks = np.empty(rates.shape, dtype=np.int64)
    positions = np.broadcast_to(np.arange(1, rates.shape[1] + 1), rates.shape)
    np.put_along_axis(ranks, order, positions, axis=1)
    return ranks


def central_interval(ranks: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of each column (observed
    ranks: ``inverted_cdf``)."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ranks, [tail, 1.0 - tail], axis=0, method="inverted_cdf")
    return low.astype(np.int64), high.astype(np.int64)


def rank_intervals(
    counts: pd.Series,
    population: pd.Series,
    settings: UncertaintySettings | None = None,
) -> pd.DataFrame:
    """Simulated rank intervals and top-N probabilities of ward rates.

    Parameters
    ----------
    counts : pandas.Series
        Event counts (non-negative integers) indexed by ``ward_code``.
    population : pandas.Series
        Residents indexed by ``ward_code``, holding the same wards as ``counts``.
    settings : UncertaintySettings, optional
        Draws, seed, method, top N, interval level and volatility threshold. Defaults to
        ``UncertaintySettings()``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNCERTAINTY_COLUMNS`, one row per ward in the order of ``counts``:

        * ``rank_low``, ``rank_high`` (Int64) – the ``(1 − level)/2`` and
          ``(1 + level)/2`` quantiles of the ward's simulated rank (1 = highest rate),
          each an observed rank (``inverted_cdf`` quantiles);
        * ``p_top_n`` – share of draws in which the ward ranks ``≤ top_n``;
        * ``volatile`` (boolean) – ``rank_high − rank_low`` exceeds
          :attr:`UncertaintySettings.width_threshold` (``top_n`` by default).

        Wards with population 0 or missing have no rate: they are left out of the ranking
        and get missing values (``<NA>``/NaN) in every column but ``ward_code``.

    Raises
    ------
    TypeError
        If ``counts`` or ``population`` is not a Series or ``settings`` has the wrong type.
    ValueError
        If the wards differ, the index repeats, a count is missing, negative or not whole,
        or a population is negative.

    Notes
    -----
    All draws are made at once as ``(draws, wards)`` arrays; peak memory is about
    ``32 · draws · wards`` bytes (≈ 50 MB and 0.3 s for 2,000 draws of 762 wards).

    With hundreds of wards, mid-table wards have rank intervals hundreds of places wide,
    so almost all of them are "volatile" under the default threshold (``top_n``); the
    flag is informative for the wards near the top of the table, which is where it is
    meant to be read.
    """
    settings = UncertaintySettings() if settings is None else settings
    if not isinstance(settings, UncertaintySettings):
        raise TypeError(f"settings must be an UncertaintySettings, got {type(settings).__name__}")
    if not isinstance(counts, pd.Series) or not isinstance(population, pd.Series):
        raise TypeError("counts and population must be pandas Series indexed by ward_code")
    if counts.index.has_duplicates:
        raise ValueError("counts must have one value per ward_code (the index repeats)")
    if population.index.has_duplicates or set(population.index) != set(counts.index):
        raise ValueError("population must hold exactly the wards of counts, once each")
    pop = pd.to_numeric(population.reindex(counts.index), errors="coerce").to_numpy(float)
    cnt = pd.to_numeric(counts, errors="coerce").to_numpy(float)
    if np.isnan(cnt).any():
        raise ValueError("counts must not be missing; use 0 for wards with no events")
    if (cnt < 0).any() or (cnt != np.round(cnt)).any():
        raise ValueError("counts must be non-negative whole numbers")
    if (pop[~np.isnan(pop)] < 0).any():
        raise ValueError("population must be non-negative (0 or missing excludes a ward)")

    ward_codes = counts.index.astype(str).to_numpy(dtype=object)
    valid = pop > 0  # False for NaN too
    n_valid = int(valid.sum())
    rank_low = pd.array([pd.NA] * len(cnt), dtype="Int64")
    rank_high = pd.array([pd.NA] * len(cnt), dtype="Int64")
    p_top = np.full(len(cnt), np.nan)
    volatile = pd.array([pd.NA] * len(cnt), dtype="boolean")

    if n_valid:
        rng = np.random.default_rng(settings.seed)
        sampler = METHODS[settings.method]
        rates = sampler(rng, cnt[valid], pop[valid], settings.draws, settings.prior_events)
        ranks = rank_rows(rates, rng)
        low, high = central_interval(ranks, settings.level)
        rank_low[valid] = low
        rank_high[valid] = high
        p_top[valid] = (ranks <= settings.top_n).mean(axis=0)
        volatile[valid] = (high - low) > settings.width_threshold

    return pd.DataFrame(
        {
            "ward_code": ward_codes,
            "rank_low": rank_low,
            "rank_high": rank_high,
            "p_top_n": p_top,
            "volatile": volatile,
        },
        columns=UNCERTAINTY_COLUMNS,
    )


def eb_posterior_draws(
    rng: np.random.Generator, counts: np.ndarray, population: np.ndarray, draws: int
) -> np.ndarray | None:
    """Draws of each rate from the empirical-Bayes Gamma posterior (module docstring);
    None when the between-ward variance is 0 (every smoothed rate the same)."""
    m = counts.sum() / population.sum()
    r = counts / population  # no events anywhere: m = 0, so the variance below is 0 too
    between = (population * (r - m) ** 2).sum() / population.sum() - m / population.mean()
    if not between > 0:
        return None
    shape = m * m / between + counts
    rate = m / between + population
    return rng.gamma(shape, 1.0 / rate, size=(draws, counts.size))


def harm_draws(
    rng: np.random.Generator, harm_rate: np.ndarray, violence: np.ndarray, draws: int
) -> np.ndarray:
    """Draws of each harm rate: ``harm_rate · Gamma(n + 0.5, 1) / (n + 0.5)`` with ``n``
    the violence count behind it (mean ``harm_rate``, relative variance ``1/(n + 0.5)``)."""
    shape = violence + 0.5
    return harm_rate * (rng.gamma(shape, 1.0, (draws, violence.size)) / shape)


def row_percentiles(values: np.ndarray) -> np.ndarray:
    """Row-wise percentile (0 lowest, 1 highest, ties sharing the average), as
    :func:`hotspots.stats.ranking.rank_hotspots` computes them."""
    n = values.shape[1]
    if n == 1:
        return np.ones(values.shape)
    order = np.argsort(values, axis=1)
    ordered = np.take_along_axis(values, order, axis=1)
    if (ordered[:, 1:] == ordered[:, :-1]).any():  # ties (e.g. harm rates of 0)
        return (stats.rankdata(values, method="average", axis=1) - 1.0) / (n - 1)
    out = np.empty(values.shape)
    np.put_along_axis(out, order, np.arange(n, dtype=float)[None, :] / (n - 1), axis=1)
    return out


def score_rank_intervals(
    ranked: pd.DataFrame,
    ranking: RankSettings,
    settings: UncertaintySettings | None = None,
) -> pd.DataFrame:
    """Simulated ranges of the rank the hotspot list shows (by the composite score).

    Parameters
    ----------
    ranked : pandas.DataFrame
        The ranked list, :func:`hotspots.stats.ranking.rank_hotspots` (its ``rank``,
        ``ward_code``, ``population``, ``sv_count``, ``drugs_count``, ``harm_rate`` and
        ``comp_*`` columns are used).
    ranking : RankSettings
        The weights the list was ranked with.
    settings : UncertaintySettings, optional
        Draws, seed (the salt of the data-derived seed; None draws fresh entropy), top N,
        level and volatility threshold (``method`` and ``prior_events`` are not used).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNCERTAINTY_COLUMNS`, one row per row of ``ranked`` in its order,
        as :func:`rank_intervals` describes them but for the composite-score rank (module
        docstring); ``rank_low <= rank <= rank_high`` for every ranked ward. Unranked
        wards (no ``rank``) get missing values. ``attrs["widened"]`` is the number of
        ranges widened to include the rank shown; ``attrs["seed"]`` the seed used.

    Raises
    ------
    TypeError
        If ``ranked`` is not a DataFrame or ``ranking``/``settings`` have the wrong type.
    ValueError
        If ``ranked`` lacks a column used.
    """
    settings = UncertaintySettings() if settings is None else settings
    if not isinstance(settings, UncertaintySettings):
        raise TypeError(f"settings must be an UncertaintySettings, got {type(settings).__name__}")
    if not isinstance(ranking, RankSettings):
        raise TypeError(f"ranking must be a RankSettings, got {type(ranking).__name__}")
    if not isinstance(ranked, pd.DataFrame):
        raise TypeError(f"ranked must be a DataFrame, got {type(ranked).__name__}")
    needed = [
        "rank",
        "ward_code",
        "population",
        "sv_count",
        "drugs_count",
        "harm_rate",
        *(f"comp_{k}" for k in COMPONENTS),
    ]
    missing = [c for c in needed if c not in ranked.columns]
    if missing:
        raise ValueError(f"ranked lacks column(s) {missing}; pass rank_hotspots' result")

    n_rows = len(ranked)
    shown = pd.to_numeric(ranked["rank"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(shown)
    idx = np.flatnonzero(valid)
    idx = idx[np.argsort(shown[idx], kind="stable")]  # ranked wards, best first
    n = idx.size
    rank_low = pd.array([pd.NA] * n_rows, dtype="Int64")
    rank_high = pd.array([pd.NA] * n_rows, dtype="Int64")
    p_top = np.full(n_rows, np.nan)
    volatile = pd.array([pd.NA] * n_rows, dtype="boolean")
    widened = 0
    seed = None

    def col(name: str) -> np.ndarray:
        return ranked[name].to_numpy(dtype=float, na_value=np.nan)[idx]

    if n:
        pop = col("population")
        counts = {"violence": col("sv_count"), "drugs": col("drugs_count")}
        seed = (
            None
            if settings.seed is None
            else data_seed(
                ranked["ward_code"].to_numpy()[idx],
                pop,
                counts["violence"],
                counts["drugs"],
                col("harm_rate"),
                *(col(f"comp_{k}") for k in COMPONENTS),
                [w for _, w in ranking.weights],
                salt=settings.seed,
            )
        )
        rng = np.random.default_rng(seed)
        score = np.zeros((settings.draws, n))
        for key, weight in ranking.weights:
            if not weight:
                continue
            drawn = None
            if key in counts:
                drawn = eb_posterior_draws(rng, counts[key], pop, settings.draws)
            elif key == "harm" and np.isfinite(col("harm_rate")).all():
                drawn = harm_draws(rng, col("harm_rate"), counts["violence"], settings.draws)
            if drawn is None:  # not a count, or no variation between wards
                comp = np.nan_to_num(col(f"comp_{key}"), nan=0.0)[None, :]
            else:
                comp = row_percentiles(drawn)
            score = score + weight * comp
        score = np.round(score, SCORE_DECIMALS)
        order = np.argsort(-score, axis=1, kind="stable")  # ties: the list's order
        ranks = np.empty(order.shape, dtype=np.int64)
        np.put_along_axis(ranks, order, np.arange(1, n + 1)[None, :], axis=1)
        low, high = central_interval(ranks, settings.level)
        position = np.arange(1, n + 1)
        widened = int(((position < low) | (position > high)).sum())
        low, high = np.minimum(low, position), np.maximum(high, position)
        rank_low[idx] = low
        rank_high[idx] = high
        p_top[idx] = (ranks <= settings.top_n).mean(axis=0)
        volatile[idx] = (high - low) > settings.width_threshold

    out = pd.DataFrame(
        {
            "ward_code": ranked["ward_code"].astype(str).to_numpy(dtype=object),
            "rank_low": rank_low,
            "rank_high": rank_high,
            "p_top_n": p_top,
            "volatile": volatile,
        },
        columns=UNCERTAINTY_COLUMNS,
    )
    out.attrs["widened"] = widened
    out.attrs["seed"] = seed
    return out
