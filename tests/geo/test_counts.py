"""Counting by ward and by ward and month, on the grid."""

import pandas as pd
import pytest

from hotspots.definitions import get_definition
from hotspots.geo.counts import MONTHLY_COLUMNS, count_by_ward, count_by_ward_month, sources_for
from hotspots.schema import WARD_COUNT_COLUMNS
from hotspots.store.ingest import load_paths
from hotspots.store.ward_data import Selection, choose_population_year, load_ward_data

PROXY_CATS = ["violence_and_sexual_offences", "robbery", "drugs"]


@pytest.mark.slow
def test_ward_counts_on_the_grid(grid_store, grid_crimes_file):
    from tests.conftest import GRID_WARD_POPULATION

    load_paths(grid_store, "crimes", [grid_crimes_file])
    data = load_ward_data(grid_store, Selection("2023-01", "2023-01"))
    c = data.counts
    assert list(c.columns) == [*WARD_COUNT_COLUMNS, *PROXY_CATS]
    assert c.set_index("ward_code")["robbery"].to_dict() == {
        "X05000001": 2,
        "X05000002": 2,
        "X05000003": 1,
        "X05000004": 1,
    }
    assert c.set_index("ward_code")["population"].to_dict() == GRID_WARD_POPULATION
    assert (c["sv_count"] == c["robbery"]).all() and (c["drugs_count"] == 0).all()
    assert set(c["police_force"]) == {"Grid"}
    assert data.population_year == 2022


@pytest.mark.slow
def test_area_filter_and_zero_wards(grid_store, grid_crimes_file):
    load_paths(grid_store, "crimes", [grid_crimes_file])
    data = load_ward_data(grid_store, Selection("2023-01", "2023-02", area="Beta"))
    assert list(data.counts["ward_code"]) == ["X05000003", "X05000004"]
    m = data.monthly
    assert list(m.columns) == [*MONTHLY_COLUMNS, *PROXY_CATS]
    assert len(m) == 4 and m[m["month"] == "2023-02"]["sv_count"].sum() == 0
    with pytest.raises(ValueError, match=r"unknown area 'Gamma'; choose one of \['grid', 'Alpha'"):
        load_ward_data(grid_store, Selection("2023-01", "2023-01", area="Gamma"))


def test_wrong_definition_for_the_sources(grid_store, grid_crimes_file):
    load_paths(grid_store, "crimes", [grid_crimes_file])
    with pytest.raises(ValueError, match=r"'dyfed-powys' needs a force extract"):
        load_ward_data(grid_store, Selection("2023-01", "2023-01", definition="dyfed-powys"))
    assert sources_for(get_definition("police-uk-proxy"), ["police.uk:a", "extract:b"]) == [
        "police.uk:a"
    ]


def test_count_functions_do_not_mutate():
    from hotspots.io.crime_table import crimes_frame

    crimes = crimes_frame(
        {
            "ward_code": pd.array(["A", "A", "B"], dtype="string"),
            "month": pd.array(["2023-01"] * 3, dtype="string"),
            "crime_type": pd.array(["Drugs", "Robbery", "Drugs"], dtype="string"),
            "assignment": pd.array(["code", "point", "outside"], dtype="string"),
        },
        3,
    )
    wards = pd.DataFrame({c: ["A", "B"] for c in WARD_COUNT_COLUMNS[:5]})
    before = crimes.copy()
    d = get_definition("police-uk-proxy")
    out = count_by_ward(crimes, wards, pd.Series({"A": 10.0}), d)
    pd.testing.assert_frame_equal(crimes, before)
    assert out[["ward_code", "population", "sv_count", "drugs_count"]].values.tolist() == [
        ["A", 10, 1, 1],
        ["B", 0, 0, 0],
    ]  # B's only crime is outside the area
    monthly = count_by_ward_month(crimes, ["A", "B"], ["2023-01", "2023-02"], d)
    assert monthly["drugs_count"].tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize(
    ("years", "months", "want"),
    [
        ([2019, 2020], ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"], 2019),
        ([2019, 2020], ["2020-04", "2020-05"], 2020),
        ([2019], ["2024-01"], 2019),
        ([], ["2024-01"], None),
    ],
)
def test_choose_population_year(years, months, want):
    assert choose_population_year(years, months) == want


@pytest.mark.parametrize(
    ("start", "end", "match"),
    [("2019-13", "2019-12", "not YYYY-MM"), ("2019-05", "2019-01", "starts")],
)
def test_selection_validation(start, end, match):
    with pytest.raises(ValueError, match=match):
        Selection(start, end)
