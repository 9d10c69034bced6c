"""Tests of hotspots.stats.weights on hand-built square lattices (EPSG:27700, 1 km cells)."""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspots.stats.weights import (
    LINK_COLUMNS,
    AddedLink,
    WeightsInfo,
    aligned_values,
    binary_copy,
    build_weights,
    in_order_of,
    neighbour_lists,
    queen_neighbours,
    ward_neighbours,
)
from tests.stats.support import CENTRE, SIZE, lattice


@pytest.fixture(scope="module")
def grid():
    return lattice(SIZE, SIZE)


@pytest.fixture(scope="module")
def weights(grid):
    return build_weights(grid)


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


def test_equal_pieces_join_from_the_one_with_the_first_code():
    block_b = lattice(2, 2, prefix="B", x0=4000.0)
    block_a = lattice(2, 2, prefix="A")
    _, info = build_weights(pd.concat([block_b, block_a], ignore_index=True))
    assert info.added_links == (AddedLink("A01", "B00", 2000.0, "component"),)


def test_weights_info_defaults_and_empty_queen():
    info = WeightsInfo(n_wards=3)
    assert (info.islands, info.n_components, info.added_links, info.changed) == ((), 1, (), False)
    assert info.messages() == []
    assert queen_neighbours(np.array([], dtype=object)) == []


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


@pytest.mark.slow
def test_queen_neighbours_equal_libpysal_on_real_wards(shared_data):
    import libpysal

    from hotspots.io.boundaries import load_wards

    wards = load_wards(shared_data / "boundaries" / "wales_wards_dec2022_bsc.geojson")
    ours = queen_neighbours(np.asarray(wards.geometry.array, dtype=object))
    ref = libpysal.weights.Queen.from_dataframe(
        wards.reset_index(drop=True), use_index=True, silence_warnings=True
    )
    assert [sorted(s) for s in ours] == [
        sorted(int(j) for j in ref.neighbors[i]) for i in range(len(wards))
    ]


# --------------------------------------------------------------------------------------
# ward_neighbours: the one neighbour rule (Gi* weights, ward profile)
# --------------------------------------------------------------------------------------


def test_ward_neighbours_are_the_weights_neighbours(grid):
    island = gpd.GeoDataFrame(
        {"ward_code": ["W99"]}, geometry=[box(10_000, 200, 11_000, 800)], crs="EPSG:27700"
    )
    wards = pd.concat([grid, island], ignore_index=True)
    w, _ = build_weights(wards)
    nbs = ward_neighbours(wards)
    assert list(nbs) == wards["ward_code"].tolist()
    assert nbs == {code: list(w.neighbors[code]) for code in w.id_order}
    assert nbs[CENTRE] == ["W22", "W23", "W24", "W32", "W34", "W42", "W43", "W44"]
    assert nbs["W00"] == ["W01", "W10", "W11"]  # queen: the corner W11 counts
    # the island is 3 km from W06: joined, as in the Gi* weights (no shared boundary)
    assert nbs["W99"] == ["W06"] and nbs["W06"] == ["W05", "W15", "W16", "W99"]
    assert all(code not in nbs[code] for code in nbs)


def test_ward_neighbours_ignore_a_buffer_overlap_without_a_shared_vertex():
    # two squares 0.5 m apart: the old profile rule (touches, or intersects a 1 m buffer)
    # called them neighbours; by the weights' rule a third ward touching both is the
    # link, and the gap pair is not
    a = box(0, 0, 1000, 1000)
    b = box(1000.5, 0, 2000, 1000)
    c = box(0, 1000, 2000, 2000)  # shares vertices with both
    wards = gpd.GeoDataFrame({"ward_code": ["A", "B", "C"]}, geometry=[a, b, c], crs=27700)
    assert a.intersects(b.buffer(1))
    assert ward_neighbours(wards) == {"A": ["C"], "B": ["C"], "C": ["A", "B"]}


def test_helpers_put_values_and_weights_in_one_ward_order():
    from libpysal.weights import W

    w = W(
        {"b": ["a", "b"], "a": ["b"], "c": ["a"]}, id_order=["b", "a", "c"], silence_warnings=True
    )
    copy = binary_copy(w)
    assert copy is not w and copy.transform.upper() == "B"
    assert copy.neighbors == {"b": ["a"], "a": ["b"], "c": ["a"]}  # the self-link dropped
    assert list(copy.id_order) == ["b", "a", "c"]
    assert "b" in w.neighbors["b"]  # w itself unchanged
    assert [a.tolist() for a in neighbour_lists(w)] == [[1], [0], [1]]
    with pytest.raises(TypeError, match=r"w must be libpysal\.weights\.W"):
        binary_copy({"a": ["b"]})
    island = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no libpysal warning about the island
        assert binary_copy(island).islands == ["c"]
    values = pd.Series({"a": 1.0, "c": 3.0, "b": 2.0})
    same, y = aligned_values(values, w)
    assert same is values and y.tolist() == [2.0, 1.0, 3.0]
    frame = pd.DataFrame({"ward_code": ["b", "a", "c"], "x": [2, 1, 3]})
    ordered = in_order_of(frame, values.index)
    assert ordered["ward_code"].tolist() == ["a", "c", "b"] and ordered["x"].tolist() == [1, 3, 2]
    assert ordered.index.equals(pd.RangeIndex(3))
    assert list(ordered.columns) == ["ward_code", "x"]
    with pytest.raises(TypeError, match="pandas Series indexed by ward_code"):
        aligned_values(values.to_dict(), w)
    many = pd.Series(1.0, index=["a", "b", "c"] + list("defghij") * 2)
    with pytest.raises(ValueError, match=r"duplicated ward codes: \['d', 'e', 'f', 'g', 'h'\]$"):
        aligned_values(many, w)
    with pytest.raises(TypeError, match="got dtype bool"):
        aligned_values(values > 1, w)
    with pytest.raises(TypeError, match="values must be numbers, got dtype"):
        aligned_values(values.astype(str), w)
    with pytest.raises(ValueError, match=r"missing 1 \(e\.g\. \['c'\]\), unknown 0"):
        aligned_values(values.drop("c"), w)
    with pytest.raises(
        ValueError, match=r"missing 0 \(e\.g\. \[\]\), unknown 1 \(e\.g\. \['x'\]\)"
    ):
        aligned_values(pd.concat([values, pd.Series({"x": 1.0})]), w)
    chain = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c", "e"], "e": ["d"]})
    with pytest.raises(ValueError, match=r"missing 4 \(e\.g\. \['a', 'b', 'c'\]\), unknown 0"):
        aligned_values(pd.Series({"e": 1.0}), chain)
    four = pd.Series(1.0, index=["a", "b", "c", "x1", "x2", "x3", "x4"])
    with pytest.raises(ValueError, match=r"unknown 4 \(e\.g\. \['x1', 'x2', 'x3'\]\)"):
        aligned_values(four, w)
    with pytest.raises(ValueError, match="finite numbers; 1 missing or infinite"):
        aligned_values(values.replace(3.0, np.inf), w)
