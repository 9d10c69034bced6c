"""Tests of hotspots.stats.permutation: exact and random conditional permutations against
enumeration and esda."""

from __future__ import annotations

import esda
import numpy as np
import pandas as pd
import pytest
from esda.significance import calculate_significance
from libpysal.weights import W

from hotspots.stats.getis_ord import GiSettings, gi_star
from hotspots.stats.permutation import (
    conditional_tails,
    exact_tails,
    permutation_seed,
    two_sided_from_tails,
    two_sided_p,
)
from hotspots.stats.weights import build_weights, neighbour_lists
from tests.stats.support import CENTRE, SIZE, lattice, planted


@pytest.fixture(scope="module")
def grid():
    return lattice(SIZE, SIZE)


@pytest.fixture(scope="module")
def weights(grid):
    return build_weights(grid)


# --------------------------------------------------------------------------------------
# Random and exact tails
# --------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_gi_p_agrees_with_esda_permutations_without_ties():
    # Our conditional-permutation engine (shared by Gi* and local Moran) draws its own
    # random numbers; with continuous values its two-sided p must agree with twice
    # esda's directed p_sim up to Monte Carlo error (9,999 draws each: sd < 0.01).
    rng = np.random.default_rng(3)
    values = pd.Series(rng.gamma(2.0, 1.0, SIZE * SIZE), index=planted().index)
    w, _ = build_weights(lattice(SIZE, SIZE))
    ours = gi_star(values, w, GiSettings(permutations=9999, seed=99, method="permutation"))
    reference = esda.G_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transform="B",
        star=True,
        permutations=9999,
        seed=99,
        n_jobs=1,
    )
    expected = np.minimum(1.0, 2 * reference.p_sim.astype(float))
    np.testing.assert_allclose(ours["gi_p"].to_numpy(), expected, atol=0.04)
    exact = gi_star(values, w)  # every permutation: closer still
    np.testing.assert_allclose(exact["gi_p"].to_numpy(), expected, atol=0.04)


@pytest.mark.slow
def test_permutation_p_matches_exact_enumeration():
    # Exact conditional-permutation p by enumerating every draw of k neighbours from the
    # other n - 1 values, against the Monte Carlo estimate.
    from itertools import combinations

    rng = np.random.default_rng(11)
    grid = lattice(3, 4)
    w, _ = build_weights(grid)
    y = rng.gamma(2.0, 1.0, len(grid))
    ge, le = conditional_tails(y, w, 20000, seed=5)
    p_mc = two_sided_from_tails(ge, le, 20000)
    ge, le = exact_tails(y, w, 2**14)  # continuous values rounded to 1/16,384 of the range
    p_exact = np.minimum(1.0, 2 * np.minimum(ge, le))
    ids = list(w.id_order)
    for i, code in enumerate(ids):
        nb = [ids.index(j) for j in w.neighbors[code] if j != code]
        others = np.delete(y, i)
        sums = np.array([others[list(c)].sum() for c in combinations(range(len(others)), len(nb))])
        obs = y[nb].sum()
        exact = min(1.0, 2 * min((sums >= obs).mean(), (sums <= obs).mean()))
        assert abs(p_mc[i] - exact) < 0.02, (code, p_mc[i], exact)
        assert abs(p_exact[i] - exact) < 0.002, (code, p_exact[i], exact)


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_esda_two_sided_is_wrong_with_tied_permutations(weights):
    """Why gi_p does not use esda's alternative="two-sided" (esda 2.9.0)."""
    w, _ = weights
    g = esda.G_Local(
        planted().to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transform="B",
        star=True,
        permutations=9999,
        seed=12345,
        n_jobs=1,
    )
    i = list(w.id_order).index(CENTRE)
    assert (g.rGs[i] >= g.Gs[i]).sum() == 0  # observed beats every permutation
    assert calculate_significance(g.Gs[i], g.rGs[i][None, :], "two-sided") > 0.1
    assert two_sided_p(g.Gs[[i]], g.rGs[[i]])[0] == pytest.approx(2 / 10_000)


def test_two_sided_p_by_hand():
    reference = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]])
    # 9.5: none >= it -> 2 * (0 + 1) / 10; 2.0: two <= it (1, 2) -> 2 * (2 + 1) / 10
    assert two_sided_p(np.array([9.5]), reference)[0] == pytest.approx(0.2)
    assert two_sided_p(np.array([2.0]), reference)[0] == pytest.approx(0.6)
    assert two_sided_p(np.array([5.0]), reference)[0] == 1.0
    # ties count as extreme on both sides: 8.0 has two values >= it (8, 9)
    assert two_sided_p(np.array([8.0]), reference)[0] == pytest.approx(0.6)
    assert two_sided_p(np.array([8.0 + 1e-12]), reference)[0] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="shape"):
        two_sided_p(np.array([1.0, 2.0]), reference)
    with pytest.raises(ValueError, match=r"R >= 1, got \(1, 0\)"):
        two_sided_p(np.array([1.0]), np.empty((1, 0)))
    with pytest.raises(ValueError, match="shape"):
        two_sided_p(np.array([1.0]), np.ones(3))
    # one observation against 3 permutations: (n, R) = (1, 3), not (3, 1)
    assert two_sided_p(np.array([5.0]), np.array([[1.0, 2.0, 3.0]]))[0] == pytest.approx(0.5)
    # a value 1e-6 above 8 is not a tie (the tolerance is relative 1e-10)
    assert two_sided_p(np.array([8.000001]), reference)[0] == pytest.approx(0.4)


# --------------------------------------------------------------------------------------
# Exact tails and data-derived seeds
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(12))
def test_exact_tails_equal_enumeration_on_a_grid_of_values(trial):
    """Values on a grid that the rounding keeps exactly: the tail shares are exact."""
    from itertools import combinations

    rng = np.random.default_rng(trial)
    rows, cols = [(2, 3), (3, 3), (2, 5), (3, 4)][trial % 4]
    w, _ = build_weights(lattice(rows, cols))
    a = rng.integers(0, 7, rows * cols)
    a[0], a[1] = 0, 6
    y = a * 1.7 + 0.3
    ge, le = exact_tails(y, w, 6 * 3)  # 3 bins per unit
    nbrs = neighbour_lists(w)
    for i, nb in enumerate(nbrs):
        others = np.delete(y, i)
        sums = np.array([others[list(c)].sum() for c in combinations(range(len(others)), len(nb))])
        obs = y[nb].sum()
        assert ge[i] == pytest.approx((sums >= obs - 1e-9).mean(), abs=1e-12)
        assert le[i] == pytest.approx((sums <= obs + 1e-9).mean(), abs=1e-12)


def test_exact_tails_without_neighbours_or_spread():
    w = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    ge, le = exact_tails(np.array([1.0, 2.0, 3.0]), w, 16)
    assert (ge[2], le[2]) == (1.0, 1.0)
    # a: its neighbour b (2) against one of {b, c} = {2, 3}: both >= 2, one <= 2;
    # b: its neighbour a (1) against one of {a, c} = {1, 3}: both >= 1, one <= 1
    assert (ge[0], le[0]) == (1.0, 0.5)
    assert (ge[1], le[1]) == (1.0, 0.5)
    ge, le = exact_tails(np.array([2.0, 2.0, 2.0]), w, 16)
    np.testing.assert_array_equal(ge, 1.0)
    np.testing.assert_array_equal(le, 1.0)


def test_exact_answer_has_no_seed_and_permutations_are_seeded_from_the_data(weights):
    w, _ = weights
    rng = np.random.default_rng(5)
    values = planted() + rng.gamma(2.0, 1.0, SIZE * SIZE)
    a = gi_star(values, w, GiSettings(seed=1))
    b = gi_star(values, w, GiSettings(seed=2))
    pd.testing.assert_frame_equal(a, b)
    sampled = [
        gi_star(values, w, GiSettings(method="permutation", seed=s, permutations=99))
        for s in (1, 1, 2)
    ]
    pd.testing.assert_frame_equal(sampled[0], sampled[1])
    assert not sampled[0]["gi_p"].equals(sampled[2]["gi_p"])
    y = values.reindex(list(w.id_order)).to_numpy()
    seed = permutation_seed(y, w, 1)
    assert seed == permutation_seed(y.copy(), w, 1) != permutation_seed(y, w, 2)
    assert permutation_seed(y + 1e-9, w, 1) != seed
    moved = W({**w.neighbors, "W00": ["W01"]}, id_order=list(w.id_order), silence_warnings=True)
    assert permutation_seed(y, moved, 1) != seed


def test_random_tails_equal_the_exact_shares_with_few_wards():
    # a path a - b - c - d: a and d draw 1 value, b and c draw 2 distinct values from the
    # 3 other wards; 20,000 draws put each share within 0.015 of the exact one (4 sd)
    from itertools import combinations

    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]})
    y = np.array([1.0, 2.0, 4.0, 8.0])
    r = 20_000
    ge, le = conditional_tails(y, w, r, seed=3)
    for i, nb in enumerate(neighbour_lists(w)):
        others = np.delete(y, i)
        sums = np.array([others[list(c)].sum() for c in combinations(range(3), len(nb))])
        obs = y[nb].sum()
        assert ge[i] / r == pytest.approx((sums >= obs).mean(), abs=0.015), i
        assert le[i] / r == pytest.approx((sums <= obs).mean(), abs=0.015), i
    # b: its neighbours a + c = 5 against {1+4, 1+8, 4+8}: >= 5 all three, <= 5 one
    assert le[1] / r == pytest.approx(1 / 3, abs=0.015)


def test_two_sided_p_tolerance_is_relative():
    reference = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]])
    # 4e-10 above 8 is within 1e-10 * 8 = 8e-10: a tie, two values >= it
    assert two_sided_p(np.array([8.0 + 4e-10]), reference)[0] == pytest.approx(0.6)
    # 2e-9 above 8 is not
    assert two_sided_p(np.array([8.0 + 2e-9]), reference)[0] == pytest.approx(0.4)


def test_random_tails_of_a_ward_without_neighbours_and_relative_ties():
    w = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    ge, le = conditional_tails(np.array([1.0, 2.0, 3.0]), w, 99, seed=1)
    # c: the one empty set, sum 0, is both >= and <= its own 0
    assert (ge[2], le[2]) == (99, 99)
    # a's neighbour b = 1e7 against one of {b, c, d}: c is 1e-4 above b, a tie at a
    # relative 1e-11 (the tolerance is 1e-10 of the sum), so every draw is <= b
    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]})
    y = np.array([1.0, 1e7, 1e7 + 1e-4, 5e6])
    ge, le = conditional_tails(y, w, 3000, seed=2)
    assert le[0] == 3000
    assert ge[0] / 3000 == pytest.approx(2 / 3, abs=0.05)


def test_exact_tails_of_constant_values_on_a_lattice():
    # no spread: every value rounds to 0, every set's sum equals the observed one
    w, _ = build_weights(lattice(3, 4))
    for value in (0.0, 2.0):
        ge, le = exact_tails(np.full(12, value), w, 16)
        np.testing.assert_array_equal(ge, 1.0)
        np.testing.assert_array_equal(le, 1.0)


@pytest.mark.parametrize("trial", range(8))
def test_exact_tails_equal_enumeration_with_one_bin_per_unit(trial):
    """Whole values 0..6 and 6 bins: each value is its own bin, so a ward's observed sum
    less one of its own value can fall one step below 0 or sit at 0 exactly."""
    from itertools import combinations

    rng = np.random.default_rng(100 + trial)
    rows, cols = [(2, 3), (3, 3), (2, 4), (3, 4)][trial % 4]
    w, _ = build_weights(lattice(rows, cols))
    y = rng.integers(0, 7, rows * cols).astype(float)
    y[0], y[1] = 0.0, 6.0
    ge, le = exact_tails(y, w, 6)
    for i, nb in enumerate(neighbour_lists(w)):
        others = np.delete(y, i)
        sums = np.array([others[list(c)].sum() for c in combinations(range(len(others)), len(nb))])
        obs = y[nb].sum()
        assert ge[i] == pytest.approx((sums >= obs).mean(), abs=1e-12)
        assert le[i] == pytest.approx((sums <= obs).mean(), abs=1e-12)
