"""hotspots.store.ward_data: what an analysis reads from the store."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.store.coverage import forces_without_data
from hotspots.store.ward_data import Selection, choose_population_year, load_ward_data


def test_forces_without_data_names_uncovered_forces():
    wards = pd.DataFrame(
        {
            "ward_code": ["A", "B", "C", "D"],
            "police_force": ["Dyfed-Powys", "North Wales", "Gwent", None],
        }
    )
    before = wards.copy()
    assert forces_without_data(wards, ["police.uk:dyfed-powys"]) == ("Gwent", "North Wales")
    assert (
        forces_without_data(
            wards, ["police.uk:dyfed-powys", "extract:gwent", "police.uk:north-wales"]
        )
        == ()
    )
    assert forces_without_data(wards, []) == ("Dyfed-Powys", "Gwent", "North Wales")
    pd.testing.assert_frame_equal(wards, before)


def test_choose_population_year_nearest_the_middle():
    months = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]  # middle: Dec 2018
    assert choose_population_year([2018, 2019, 2020], months) == 2018
    assert choose_population_year([2019, 2020], months) == 2019
    assert choose_population_year([2018, 2019], ["2019-06", "2019-07"]) == 2019
    assert choose_population_year([], ["2019-01"]) is None


@pytest.mark.slow
def test_all_wales_says_which_forces_have_no_crimes(real_store):
    data = load_ward_data(real_store, Selection("2018-10", "2019-02", None, "police-uk-proxy"))
    assert len(data.wards) == 762
    # The shared data hold Dyfed-Powys and South Wales only.
    assert data.forces_without_data == ("Gwent", "North Wales")
    assert data.metadata()["forces_without_data"] == ["Gwent", "North Wales"]
    one = load_ward_data(
        real_store, Selection("2018-10", "2019-02", "dyfed-powys", "police-uk-proxy")
    )
    assert one.forces_without_data == ()


@pytest.mark.slow
def test_unknown_area_names_the_choices(real_store):
    with pytest.raises(ValueError, match="unknown area 'Atlantis'; choose one of"):
        load_ward_data(real_store, Selection("2018-10", "2019-02", "Atlantis", "police-uk-proxy"))
