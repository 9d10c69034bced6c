"""Welsh place names: ONS's WD22NMW and LAD22NMW kept in the store, forces' Welsh names."""

from __future__ import annotations

import pytest

from hotspots.geo.geography import welsh_names


@pytest.mark.shared
def test_welsh_names_of_the_real_wards_councils_and_forces(real_store):
    names = welsh_names(real_store.geography())
    assert names["W06000011"] == names["Swansea"] == "Abertawe"
    assert names["W06000015"] == "Caerdydd"
    assert names["W05001040"] == "Bôn-y-maen"
    for force, welsh in (
        ("dyfed-powys", "Heddlu Dyfed-Powys"),
        ("south-wales", "Heddlu De Cymru"),
        ("gwent", "Heddlu Gwent"),
        ("north-wales", "Heddlu Gogledd Cymru"),
        ("South Wales", "Heddlu De Cymru"),
    ):
        assert names[force] == welsh
    lookup = real_store.geography().lsoa21_ward
    codes = set(lookup["ward_code"])
    assert len(codes) == 752 and all(c in names for c in codes)  # ONS names every ward


def test_welsh_names_of_the_demo_region(demo_store):
    names = welsh_names(demo_store.geography())
    assert names["Seithenyn City"] == "Dinas Seithenyn"
    assert names["Vale of Helig"] == "Bro Helig"
    assert names["cantre-gwaelod"] == "Heddlu Cantre'r Gwaelod"
    codes = demo_store.geography().wards["ward_code"]
    assert all(c in names for c in codes)  # the demo's ward names serve both languages


def test_blank_welsh_names_are_no_names_and_a_reload_is_unchanged(grid_store, grid_reference):
    from hotspots.store.ingest import load_paths
    from tests.conftest import GRID_WARDS

    names = welsh_names(grid_store.geography())  # WD22NMW and LAD22NMW left blank
    assert not any(code in names for code in GRID_WARDS) and "Alpha" not in names
    version = grid_store.version()
    report = load_paths(grid_store, "lookup", [grid_reference["lsoa21_ward"]])
    assert report.unchanged == ["lsoa21_ward22.csv"] and report.loaded == []
    assert grid_store.version() == version
