"""Tests of hotspots.stats.spatial on hand-built square lattices (EPSG:27700, 1 km cells)."""

from __future__ import annotations

import dataclasses
import math

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.stats
from esda.significance import calculate_significance
from libpysal.weights import W
from shapely.geometry import box

from hotspots.stats.spatial import (
    GI_CLASSES,
    GI_COLUMNS,
    GI_METHODS,
    LINK_COLUMNS,
    MORAN_COLUMNS,
    AddedLink,
    GiSettings,
    bh_adjust,
    build_weights,
    gi_class_labels,
    gi_star,
    local_moran,
    two_sided_p,
)

SIZE = 7
CELL = 1000.0
CENTRE = "W33"


def lattice(rows: int, cols: int, prefix: str = "W", x0: float = 0.0, y0: float = 0.0):
    """A rows x cols lattice of 1 km squares; code f"{prefix}{row}{col}"."""
    codes, cells = [], []
    for r in range(rows):
        for c in range(cols):
            codes.append(f"{prefix}{r}{c}")
            cells.append(
                box(x0 + c * CELL, y0 + r * CELL, x0 + (c + 1) * CELL, y0 + (r + 1) * CELL)
            )
    return gpd.GeoDataFrame({"ward_code": codes}, geometry=cells, crs="EPSG:27700")


def planted(hot: float = 10.0, background: float = 1.0) -> pd.Series:
    """7 x 7 values: the 3 x 3 block around the centre is ``hot``, the rest ``background``."""
    values = {
        f"W{r}{c}": hot if (2 <= r <= 4 and 2 <= c <= 4) else background
        for r in range(SIZE)
        for c in range(SIZE)
    }
    return pd.Series(values, dtype=float)


def hand_gi_star_z(values: pd.Series, code: str) -> float:
    """Gi* z-score from the formula (Ord and Getis 1995), neighbours from the grid.

    z_i = (sum_{j in N_i} x_j - xbar * k_i) / (s * sqrt((n * k_i - k_i**2) / (n - 1)))
    with N_i the cell and its queen neighbours, k_i = |N_i|, xbar the mean and
    s = sqrt(sum(x**2) / n - xbar**2).
    """
    r0, c0 = int(code[1]), int(code[2])
    x = [float(v) for v in values.to_numpy()]
    n = len(x)
    xbar = sum(x) / n
    s = math.sqrt(sum(v * v for v in x) / n - xbar**2)
    local = [
        float(values[f"W{r}{c}"])
        for r in range(r0 - 1, r0 + 2)
        for c in range(c0 - 1, c0 + 2)
        if 0 <= r < SIZE and 0 <= c < SIZE
    ]
    k = len(local)
    return (sum(local) - xbar * k) / (s * math.sqrt((n * k - k * k) / (n - 1)))


@pytest.fixture(scope="module")
def grid():
    return lattice(SIZE, SIZE)


@pytest.fixture(scope="module")
def weights(grid):
    return build_weights(grid)


@pytest.fixture(scope="module")
def hot_result(weights):
    w, _ = weights
    return gi_star(planted(), w, GiSettings())


# --------------------------------------------------------------------------------------
# build_weights
# --------------------------------------------------------------------------------------


def test_lattice_is_binary_queen(weights, grid):
    w, info = weights
    assert list(w.id_order) == grid["ward_code"].tolist()
    assert w.transform.upper() == "B"
    assert w.cardinalities["W00"] == 3  # corner
    assert w.cardinalities["W03"] == 5  # edge
    assert w.cardinalities[CENTRE] == 8  # interior
    assert sorted(w.neighbors[CENTRE]) == ["W22", "W23", "W24", "W32", "W34", "W42", "W43", "W44"]
    assert all(v == 1.0 for ws in w.weights.values() for v in ws)
    assert info.islands == ()
    assert info.n_components == 1
    assert info.added_links == ()
    assert not info.changed
    assert list(info.links_frame().columns) == LINK_COLUMNS


def test_island_is_joined_to_its_nearest_ward_and_reported(grid):
    island = gpd.GeoDataFrame(
        {"ward_code": ["W99"]}, geometry=[box(10_000, 200, 11_000, 800)], crs="EPSG:27700"
    )
    wards = pd.concat([grid, island], ignore_index=True)
    before = wards.copy()
    w, info = build_weights(wards)
    assert info.islands == ("W99",)
    assert info.n_components == 2
    # W06 (row 0, column 6) ends at x = 7000: 3 km from the island, all others further
    assert info.added_links == (AddedLink("W99", "W06", 3000.0, "island"),)
    assert w.neighbors["W99"] == ["W06"]
    assert "W99" in w.neighbors["W06"]
    assert w.n_components == 1
    assert w.islands == []
    frame = info.links_frame()
    assert list(frame.columns) == LINK_COLUMNS
    assert frame.iloc[0].tolist() == ["W99", "W06", 3000.0, "island"]
    assert "W99" in info.messages()[0] and "W06" in info.messages()[0]
    pd.testing.assert_frame_equal(wards, before)


def test_two_separate_blocks_are_joined_once():
    block_a = lattice(3, 3, prefix="A")
    block_b = lattice(2, 2, prefix="B", x0=5000.0)  # 2 km gap
    w, info = build_weights(pd.concat([block_a, block_b], ignore_index=True))
    assert info.islands == ()
    assert info.n_components == 2
    # smaller block B joins A; nearest pairs are 2 km apart, ties settled by codes
    assert info.added_links == (AddedLink("B00", "A02", 2000.0, "component"),)
    assert info.messages() == [
        "Ward B00 is in a group of wards separate from the rest; it "
        "was joined to its nearest ward A02 (2,000 m away)."
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.added_links[0].distance_m = 0.0
    assert w.n_components == 1
    assert "A02" in w.neighbors["B00"] and "B00" in w.neighbors["A02"]
    assert w.cardinalities["A11"] == 8


def test_equally_near_wards_are_settled_by_code():
    # B00 is 2 km from both A02 and A12; renamed, A02 sorts last, so A12 is chosen
    block_a = lattice(3, 3, prefix="A")
    block_a.loc[block_a["ward_code"] == "A02", "ward_code"] = "Z02"
    block_b = lattice(2, 2, prefix="B", x0=5000.0)
    _, info = build_weights(pd.concat([block_a, block_b], ignore_index=True))
    assert info.added_links == (AddedLink("B00", "A12", 2000.0, "component"),)


def test_two_wards_are_enough():
    w, info = build_weights(lattice(1, 2))
    assert w.neighbors == {"W00": ["W01"], "W01": ["W00"]}
    assert (info.n_wards, info.n_components, info.added_links) == (2, 1, ())


def test_queen_neighbours_by_one_shared_vertex_even_the_first():
    from shapely.geometry import MultiPolygon, Polygon

    from hotspots.stats.spatial import queen_neighbours

    # they meet only at (0, 0), the smallest vertex of all
    a = Polygon([(0, 0), (2, 0), (2, 1)])
    b = Polygon([(0, 0), (0, 2), (1, 2)])
    c = Polygon([(5, 5), (6, 5), (6, 6)])
    assert queen_neighbours(np.array([a, b, c], dtype=object)) == [{1}, {0}, set()]
    # Polygon and MultiPolygon wards together
    grid = lattice(1, 3)
    grid.loc[2, "geometry"] = MultiPolygon([grid.loc[2, "geometry"]])
    w, info = build_weights(grid)
    assert w.neighbors["W01"] == ["W00", "W02"] and info.n_components == 1


def test_a_joined_island_later_joins_as_part_of_a_component():
    # the island joins block B (3.0 km) first; B with the island then joins A through
    # the island (3.5 km), which is then a component link, not an island link
    block_a = lattice(3, 3, prefix="A")
    block_b = lattice(2, 2, prefix="B", x0=10_000.0)
    island = gpd.GeoDataFrame(
        {"ward_code": ["I1"]}, geometry=[box(6500, 0, 7000, 500)], crs="EPSG:27700"
    )
    _, info = build_weights(pd.concat([block_a, block_b, island], ignore_index=True))
    assert info.added_links == (
        AddedLink("I1", "B00", 3000.0, "island"),
        AddedLink("I1", "A02", 3500.0, "component"),
    )


def test_weights_with_an_island_pass_without_warnings(weights):
    import warnings

    w = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
        result = gi_star(values, w)
        local_moran(values, w)
    assert result.loc[2, "gi_p"] == 1.0  # no neighbours: nothing to compare


def test_duplicated_codes_named_five_at_most(grid):
    dup = grid.copy()
    dup.loc[6:11, "ward_code"] = ["W00", "W01", "W02", "W03", "W04", "W05"]
    with pytest.raises(
        ValueError,
        match=r"must be unique; duplicated: "
        r"\['W00', 'W01', 'W02', 'W03', 'W04'\]$",
    ):
        build_weights(dup)


def test_info_is_frozen(weights):
    _, info = weights
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.islands = ("x",)


def test_build_weights_validation(grid):
    with pytest.raises(TypeError, match="GeoDataFrame"):
        build_weights(pd.DataFrame(grid))
    with pytest.raises(ValueError, match="choose one of"):
        build_weights(grid, id_col="code")
    duplicated = grid.copy()
    duplicated.loc[1, "ward_code"] = "W00"
    with pytest.raises(ValueError, match="unique"):
        build_weights(duplicated)
    with pytest.raises(ValueError, match="projected CRS"):
        build_weights(grid.to_crs(4326))
    numeric = grid.assign(ward_code=range(len(grid)))
    with pytest.raises(TypeError, match=r"must be strings \(codes\), got e\.g\. 0$"):
        build_weights(numeric)
    with pytest.raises(ValueError, match="at least 2 wards"):
        build_weights(grid.iloc[:1])


# --------------------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------------------


def test_gi_columns_exact(hot_result):
    assert list(hot_result.columns) == GI_COLUMNS
    assert GI_COLUMNS == ["ward_code", "gi_z", "gi_p", "gi_p_fdr", "gi_class"]
    assert len(hot_result) == SIZE * SIZE
    assert set(hot_result["gi_class"]) <= set(GI_CLASSES)


def test_centre_z_matches_the_formula_by_hand(hot_result):
    centre = hot_result.set_index("ward_code").loc[CENTRE]
    # By hand: n = 49, sum x = 130, sum x^2 = 940, the centre's 9 cells sum to 90, so
    # z = (90 - 9 * 130/49) / (sqrt(940/49 - (130/49)^2) * sqrt((49*9 - 81)/48)) = sqrt(48)
    assert centre["gi_z"] == pytest.approx(math.sqrt(48), abs=1e-12)
    assert hand_gi_star_z(planted(), CENTRE) == pytest.approx(math.sqrt(48), abs=1e-12)
    for code in ("W00", "W22", "W23", "W11", "W06"):
        row = hot_result.set_index("ward_code").loc[code]
        assert row["gi_z"] == pytest.approx(hand_gi_star_z(planted(), code), abs=1e-12)


def test_centre_is_a_99_percent_hot_spot(hot_result, weights):
    centre = hot_result.set_index("ward_code").loc[CENTRE]
    # Exactly one of the C(48, 8) sets of 8 neighbours from the other 48 cells holds all
    # eight other 10s: the exact two-sided p is 2 / C(48, 8).
    assert centre["gi_p"] == pytest.approx(2 / math.comb(48, 8), rel=1e-9)
    assert centre["gi_p_fdr"] == pytest.approx(
        bh_adjust(hot_result["gi_p"])[hot_result["ward_code"].tolist().index(CENTRE)]
    )
    assert centre["gi_class"] == "Hot spot 99%"
    far = hot_result.set_index("ward_code").loc["W00"]
    assert far["gi_class"] == "Not significant"
    assert far["gi_z"] < 0
    # Random permutations: none of 9,999 draws that set, so p = 2 / 10,000; BH 49 p / 1.
    w, _ = weights
    sampled = gi_star(planted(), w, GiSettings(method="permutation")).set_index("ward_code")
    assert sampled.loc[CENTRE, "gi_p"] == pytest.approx(2 / 10_000)
    assert sampled.loc[CENTRE, "gi_p_fdr"] == pytest.approx(49 * 2 / 10_000)


def test_gi_z_matches_esda_zs():
    rng = np.random.default_rng(7)
    values = planted() + rng.gamma(2.0, 1.5, SIZE * SIZE)
    w, _ = build_weights(lattice(SIZE, SIZE))
    ours = gi_star(values, w, GiSettings(permutations=999))
    reference = esda.G_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transform="B",
        star=True,
        permutations=0,
    )
    assert np.max(np.abs(ours["gi_z"].to_numpy() - reference.Zs)) < 1e-9


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

    from hotspots.stats.spatial import conditional_tails, exact_tails, two_sided_from_tails

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


def test_cold_spot(weights):
    w, _ = weights
    result = gi_star(planted(hot=0.0, background=10.0), w).set_index("ward_code")
    # values 10 - 10/9 * (hot pattern - 1): z is unchanged by scaling and flips sign
    assert result.loc[CENTRE, "gi_z"] == pytest.approx(-math.sqrt(48), abs=1e-12)
    assert result.loc[CENTRE, "gi_class"] == "Cold spot 99%"


def test_result_follows_values_order_and_does_not_depend_on_it(weights, hot_result):
    w, _ = weights
    values = planted().iloc[::-1]
    result = gi_star(values, w)
    assert result["ward_code"].tolist() == values.index.tolist()
    pd.testing.assert_frame_equal(
        result.sort_values("ward_code").reset_index(drop=True),
        hot_result.sort_values("ward_code").reset_index(drop=True),
    )


def test_inputs_and_global_rng_are_not_changed(weights):
    w, _ = weights
    values = planted()
    values_before = values.copy()
    neighbours_before = {k: list(v) for k, v in w.neighbors.items()}
    diagonal_before = w.sparse.diagonal().copy()
    np.random.seed(2024)
    expected_draw = np.random.random()
    np.random.seed(2024)
    gi_star(values, w, GiSettings(permutations=99))
    local_moran(values, w, GiSettings(permutations=99))
    assert np.random.random() == expected_draw
    assert w.transform.upper() == "B"
    assert {k: list(v) for k, v in w.neighbors.items()} == neighbours_before
    np.testing.assert_array_equal(w.sparse.diagonal(), diagonal_before)
    pd.testing.assert_series_equal(values, values_before)


def test_fdr_off_classifies_by_raw_p(weights):
    w, _ = weights
    values = planted()
    raw = gi_star(values, w, GiSettings(permutations=999, fdr=False)).set_index("ward_code")
    # W23 (edge of the block): raw p below 0.01 but the BH-adjusted p is not
    row = raw.loc["W23"]
    assert row["gi_p"] <= 0.01 < row["gi_p_fdr"]
    assert row["gi_class"] == "Hot spot 99%"
    adjusted = gi_star(values, w, GiSettings(permutations=999)).set_index("ward_code")
    assert adjusted.loc["W23", "gi_class"] != "Hot spot 99%"


def test_constant_values_are_not_significant(weights):
    w, _ = weights
    result = gi_star(pd.Series(0.0, index=planted().index), w)
    assert (result["gi_z"] == 0).all()
    assert (result["gi_p"] == 1).all() and (result["gi_p_fdr"] == 1).all()
    assert (result["gi_class"] == "Not significant").all()


def test_class_labels_follow_alphas():
    from hotspots.stats.spatial import _confidence

    # rounded to 6 decimals, then shown with 6 significant digits
    assert (_confidence(0.05), _confidence(0.001), _confidence(1e-7)) == ("95%", "99.9%", "100%")
    assert _confidence(2.500999995e-06) == "99.9998%"  # 99.99974999 → 99.99975 → 99.9998
    assert _confidence(4.5005386944176494e-07) == "100%"  # 99.99995499 → 99.999955
    assert gi_class_labels() == GI_CLASSES
    assert gi_class_labels(GiSettings(alphas=(0.001, 0.05))) == (
        "Hot spot 99.9%",
        "Hot spot 95%",
        "Not significant",
        "Cold spot 95%",
        "Cold spot 99.9%",
    )


def test_gi_star_validation(weights):
    w, _ = weights
    values = planted()
    with pytest.raises(TypeError, match="pandas Series"):
        gi_star(values.to_numpy(), w)
    with pytest.raises(ValueError, match="missing 1"):
        gi_star(values.drop(CENTRE), w)
    with pytest.raises(ValueError, match="unknown 1"):
        gi_star(pd.concat([values, pd.Series({"X1": 1.0})]), w)
    with pytest.raises(ValueError, match="non-negative"):
        gi_star(values.where(values.index != CENTRE, -1.0), w)
    with pytest.raises(ValueError, match="finite"):
        gi_star(values.where(values.index != CENTRE, np.nan), w)
    with pytest.raises(TypeError, match="libpysal"):
        gi_star(values, {"W00": ["W01"]})
    with pytest.raises(TypeError, match="GiSettings"):
        gi_star(values, w, {"permutations": 99})
    with pytest.raises(TypeError, match="values must be numbers, got dtype bool"):
        gi_star(values > 5, w)
    with pytest.raises(TypeError, match="values must be numbers"):
        gi_star(values.astype(str), w)
    extra = pd.concat([values, pd.Series({f"X{i}": 1.0 for i in range(1, 5)})])
    with pytest.raises(ValueError, match=r"unknown 4 \(e\.g\. \['X1', 'X2', 'X3'\]\)"):
        gi_star(extra, w)
    with pytest.raises(ValueError, match=r"missing 4 \(e\.g\. \['W00', 'W01', 'W02'\]\)"):
        gi_star(values.drop(["W00", "W01", "W02", "W03"]), w)
    with pytest.raises(ValueError, match=r"duplicated ward codes: \['W00'\]"):
        gi_star(pd.concat([values, values.iloc[:1]]), w)
    with pytest.raises(ValueError, match="at least 99"):
        GiSettings(permutations=10)
    with pytest.raises(ValueError, match="strictly increasing"):
        GiSettings(alphas=(0.05, 0.01))
    with pytest.raises(ValueError, match="strictly increasing"):
        GiSettings(alphas=(0.05, 0.05))
    for bad in ("0.05", 0.05, b"x"):
        with pytest.raises(TypeError, match="alphas must be a tuple of significance levels"):
            GiSettings(alphas=bad)
    assert GiSettings(alphas=[0.05]).alphas == (0.05,)
    with pytest.raises(ValueError, match=r"\(0, 0.5\]"):
        GiSettings(alphas=(0.01, 0.9))
    with pytest.raises(TypeError, match="True or False"):
        GiSettings(fdr="yes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        GiSettings().permutations = 5
    with pytest.raises(ValueError, match=r"method must be one of \['exact', 'permutation'\]"):
        GiSettings(method="analytic")
    with pytest.raises(ValueError, match="bins must be at least 16"):
        GiSettings(bins=15)
    with pytest.raises(TypeError, match="bins must be a whole number"):
        GiSettings(bins=2048.0)
    with pytest.raises(ValueError, match="seed must be at least 0 and at most 4294967295"):
        GiSettings(seed=2**32)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        GiSettings(seed=-1)
    GiSettings(permutations=99, seed=0, bins=16)  # the smallest accepted
    GiSettings(seed=2**32 - 1, alphas=(0.5,), moran_alpha=0.5)
    for bad in ({"moran_alpha": 0.0}, {"moran_alpha": 0.51}, {"alphas": ()}):
        with pytest.raises(ValueError):
            GiSettings(**bad)
    for bad in ({"alphas": "0.05"}, {"alphas": (True,)}, {"permutations": 999.0}):
        with pytest.raises(TypeError):
            GiSettings(**bad)


def test_gi_settings_defaults_pinned():
    s = GiSettings()
    assert (s.permutations, s.seed, s.alphas, s.fdr, s.moran_alpha, s.method, s.bins) == (
        9999,
        12345,
        (0.01, 0.05, 0.10),
        True,
        0.05,
        "exact",
        2048,
    )
    assert list(GI_METHODS) == ["exact", "permutation"]


# --------------------------------------------------------------------------------------
# Exact tails and data-derived seeds
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(12))
def test_exact_tails_equal_enumeration_on_a_grid_of_values(trial):
    """Values on a grid that the rounding keeps exactly: the tail shares are exact."""
    from itertools import combinations

    from hotspots.stats.spatial import _neighbour_lists, exact_tails

    rng = np.random.default_rng(trial)
    rows, cols = [(2, 3), (3, 3), (2, 5), (3, 4)][trial % 4]
    w, _ = build_weights(lattice(rows, cols))
    a = rng.integers(0, 7, rows * cols)
    a[0], a[1] = 0, 6
    y = a * 1.7 + 0.3
    ge, le = exact_tails(y, w, 6 * 3)  # 3 bins per unit
    nbrs = _neighbour_lists(w)
    for i, nb in enumerate(nbrs):
        others = np.delete(y, i)
        sums = np.array([others[list(c)].sum() for c in combinations(range(len(others)), len(nb))])
        obs = y[nb].sum()
        assert ge[i] == pytest.approx((sums >= obs - 1e-9).mean(), abs=1e-12)
        assert le[i] == pytest.approx((sums <= obs + 1e-9).mean(), abs=1e-12)


def test_exact_tails_without_neighbours_or_spread():
    from hotspots.stats.spatial import exact_tails

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
    from hotspots.stats.spatial import permutation_seed

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


# --------------------------------------------------------------------------------------
# Benjamini-Hochberg
# --------------------------------------------------------------------------------------


def test_bh_matches_scipy():
    rng = np.random.default_rng(11)
    p = np.concatenate([rng.uniform(0, 1, 200), rng.uniform(0, 0.01, 30), [0.0, 1.0, 0.5, 0.5]])
    np.testing.assert_allclose(bh_adjust(p), scipy.stats.false_discovery_control(p), rtol=1e-12)
    # by hand: m = 4, sorted p = .01 .02 .03 .5 -> .04 .04 .04 .5
    np.testing.assert_allclose(bh_adjust([0.03, 0.01, 0.5, 0.02]), [0.04, 0.04, 0.5, 0.04])
    assert bh_adjust([]).size == 0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bh_adjust([0.1, 1.5])
    for bad in ([-0.5, 0.1], [np.nan], [1.0000001]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            bh_adjust(bad)
    np.testing.assert_array_equal(bh_adjust([0.0, 1.0]), [0.0, 1.0])
    with pytest.raises(ValueError, match="one-dimensional"):
        bh_adjust([[0.1, 0.2]])


# --------------------------------------------------------------------------------------
# Local Moran
# --------------------------------------------------------------------------------------


def test_local_moran(weights):
    w, _ = weights
    values = planted()
    result = local_moran(values, w, GiSettings(permutations=999))
    assert list(result.columns) == MORAN_COLUMNS
    assert MORAN_COLUMNS == ["ward_code", "moran_i", "moran_p", "moran_cluster"]
    by_code = result.set_index("ward_code")
    assert by_code.loc[CENTRE, "moran_cluster"] == "High-High"
    assert by_code.loc["W00", "moran_cluster"] == "Not significant"
    reference = esda.Moran_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transformation="r",
        permutations=0,
    )
    np.testing.assert_allclose(result["moran_i"].to_numpy(), reference.Is, atol=1e-12)
    assert set(result["moran_cluster"]) <= {
        "High-High",
        "Low-Low",
        "High-Low",
        "Low-High",
        "Not significant",
    }
    assert w.transform.upper() == "B"


def test_local_moran_labels_follow_esda_quadrants_and_the_level(weights):
    w, _ = weights
    values = pd.Series(np.random.default_rng(0).gamma(1.0, 1.0, 49), index=planted().index)
    loose = local_moran(values, w, GiSettings(fdr=False, moran_alpha=0.5))
    reference = esda.Moran_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transformation="r",
        permutations=0,
    )
    names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    significant = (loose["moran_p"] <= 0.5).to_numpy()
    want = [
        names[q] if sig else "Not significant"
        for q, sig in zip(reference.q, significant, strict=True)
    ]
    assert loose["moran_cluster"].tolist() == want
    assert set(want) == {*names.values(), "Not significant"}
    # raw p-values under fdr=False, BH-adjusted ones by default
    adjusted = local_moran(values, w, GiSettings(moran_alpha=0.5))
    np.testing.assert_allclose(adjusted["moran_p"], bh_adjust(loose["moran_p"]))
    # a p-value equal to the level is significant
    at = float(loose["moran_p"].iloc[int(np.argmax(significant))])
    exact = local_moran(values, w, GiSettings(fdr=False, moran_alpha=at))
    assert exact["moran_cluster"].iloc[int(np.argmax(significant))] != "Not significant"


@pytest.mark.slow
def test_queen_neighbours_equal_libpysal_on_real_wards(shared_data):
    import libpysal

    from hotspots.io.boundaries import load_wards
    from hotspots.stats.spatial import queen_neighbours

    wards = load_wards(shared_data / "boundaries" / "wales_wards_dec2022_bsc.geojson")
    ours = queen_neighbours(np.asarray(wards.geometry.array, dtype=object))
    ref = libpysal.weights.Queen.from_dataframe(
        wards.reset_index(drop=True), use_index=True, silence_warnings=True
    )
    assert [sorted(s) for s in ours] == [
        sorted(int(j) for j in ref.neighbors[i]) for i in range(len(wards))
    ]


def test_classes_follow_the_sign_of_z_and_the_levels():
    from hotspots.stats.spatial import _classify_gi

    z = np.array([-0.5, 0.5, 0.0, 2.0, -2.0, 2.0, 2.0])
    p = np.array([0.001, 0.001, 0.001, 0.05, 0.10, 0.1000001, 0.01])
    assert _classify_gi(z, p, (0.01, 0.05, 0.10)).tolist() == [
        "Cold spot 99%",
        "Hot spot 99%",
        "Not significant",
        "Hot spot 95%",
        "Cold spot 90%",
        "Not significant",
        "Hot spot 99%",
    ]


def test_equal_pieces_join_from_the_one_with_the_first_code():
    block_b = lattice(2, 2, prefix="B", x0=4000.0)
    block_a = lattice(2, 2, prefix="A")
    _, info = build_weights(pd.concat([block_b, block_a], ignore_index=True))
    assert info.added_links == (AddedLink("A01", "B00", 2000.0, "component"),)


def test_weights_info_defaults_and_empty_queen():
    from hotspots.stats.spatial import WeightsInfo, queen_neighbours

    info = WeightsInfo(n_wards=3)
    assert (info.islands, info.n_components, info.added_links, info.changed) == ((), 1, (), False)
    assert info.messages() == []
    assert queen_neighbours(np.array([], dtype=object)) == []


def test_p_values_do_not_depend_on_the_scale_of_the_values(weights):
    w, _ = weights
    values = planted() + np.random.default_rng(9).gamma(2.0, 1.0, SIZE * SIZE)
    big = gi_star(values, w)
    small = gi_star(values / 5000.0, w)  # e.g. rates per resident instead of per 1,000
    np.testing.assert_allclose(small["gi_p"], big["gi_p"], rtol=1e-9)
    np.testing.assert_allclose(small["gi_z"], big["gi_z"], rtol=1e-9)
    assert (small["gi_p"] < 1).any()


def test_empty_geometries_are_named_five_at_most(grid):
    from shapely.geometry import Polygon

    broken = grid.copy()
    broken.loc[:5, "geometry"] = Polygon()
    with pytest.raises(
        ValueError,
        match=r"missing or empty geometry: "
        r"\['W00', 'W01', 'W02', 'W03', 'W04'\]$",
    ):
        build_weights(broken)


def test_local_moran_constant_and_unit_range_values_and_a_ward_at_the_mean(weights):
    w, _ = weights
    flat = local_moran(pd.Series(3.0, index=planted().index), w)
    assert (flat["moran_i"] == 0).all() and (flat["moran_p"] == 1).all()
    assert (flat["moran_cluster"] == "Not significant").all()
    unit = local_moran(planted(hot=1.0, background=0.0), w).set_index("ward_code")
    assert unit.loc[CENTRE, "moran_cluster"] == "High-High"  # a range of exactly 1
    values = planted()
    values[CENTRE] = values.drop(CENTRE).mean()  # so the mean of all 49 too
    raw = local_moran(values, w, GiSettings(fdr=False)).set_index("ward_code")
    # surrounded by 10s, its neighbour sum is extreme, but I = 0 at the mean: p is 1
    assert raw.loc[CENTRE, "moran_p"] == 1.0
    assert raw.loc["W23", "moran_p"] < 0.05
