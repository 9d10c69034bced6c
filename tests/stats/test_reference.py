"""Lookups, deprivation and population readers, on real and hand-made files."""

import pytest

from hotspots.errors import InputError
from hotspots.io.deprivation import load_deprivation
from hotspots.io.lookups import (
    LAD_FORCE_COLUMNS,
    LSOA11_21_COLUMNS,
    LSOA21_WARD_COLUMNS,
    WELSH_NAME_COLUMNS,
    load_lookup,
)
from hotspots.io.population import (
    POPULATION_COLUMNS,
    WEIGHT_COLUMNS,
    load_population,
    lsoa_ward_weights,
)
from tests.conftest import write_csv


@pytest.mark.slow
def test_real_lookups(shared_data):
    kind, a = load_lookup(shared_data / "lookups" / "lsoa11_to_lsoa21_to_lad22_wales.csv")
    assert kind == "lsoa11_lsoa21" and list(a.columns) == LSOA11_21_COLUMNS
    assert len(a) == 1940 and a["change_code"].value_counts().to_dict() == {
        "U": 1837,
        "S": 58,
        "M": 45,
    }
    kind, b = load_lookup(shared_data / "lookups" / "lsoa21_to_ward22_to_lad22_wales.csv")
    assert kind == "lsoa21_ward" and list(b.columns) == LSOA21_WARD_COLUMNS + WELSH_NAME_COLUMNS
    assert b.loc[b["ward_code"] == "W05001058", "local_authority_name_cy"].iloc[0] == "Abertawe"
    assert len(b) == 1917 and b["ward_code"].nunique() == 752 and b.attrs["vintage"] == "2022"
    # ONS's Welsh names are kept: 423 wards whose Welsh name differs, and every council.
    wards = b.drop_duplicates("ward_code")
    assert int((wards["ward_name"] != wards["ward_name_cy"]).sum()) == 423
    swansea = b[b["local_authority_code"] == "W06000011"].iloc[0]
    assert swansea["local_authority_name_cy"] == "Abertawe"
    assert b.loc[b["ward_code"] == "W05001040", "ward_name_cy"].iloc[0] == "Bôn-y-maen"
    kind, c = load_lookup(shared_data / "lookups" / "lad24_to_csp24_to_pfa24_wales.csv")
    assert kind == "lad_force" and list(c.columns) == LAD_FORCE_COLUMNS
    assert sorted(c.loc[c["police_force"] == "Dyfed-Powys", "local_authority_code"]) == [
        "W06000008",
        "W06000009",
        "W06000010",
        "W06000023",
    ]


def test_lookup_errors(tmp_path):
    p = write_csv(
        tmp_path / "l.csv",
        ["LSOA21CD", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
        [
            ["W01000001", "W05000001", "A", "W06000001", "X"],
            ["W01000001", "W05000002", "B", "W06000001", "X"],
        ],
    )
    with pytest.raises(InputError, match=r"LSOA W01000001 is given more than one ward.*best-fit"):
        load_lookup(p)
    p = write_csv(
        tmp_path / "m.csv",
        ["LSOA21CD", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
        [["W01000001", "bad code", "A", "W06000001", "X"]],
    )
    with pytest.raises(InputError, match=r"m.csv, row 1: ward code 'BAD CODE' is not a valid"):
        load_lookup(p)
    p = write_csv(tmp_path / "n.csv", ["colour"], [["red"]])
    with pytest.raises(InputError, match=r"not a lookup the tool knows"):
        load_lookup(p)


@pytest.mark.slow
def test_real_deprivation(shared_data):
    w = load_deprivation(shared_data / "deprivation" / "wimd2019_lsoa11_ranks_deciles_scores.csv")
    assert w.attrs["index"] == "WIMD 2019" and len(w) == 1909
    assert w.loc[w["overall_rank"] == 1, "lsoa_code"].item() == "W01000240"  # Rhyl West 2
    assert {"community_safety_rank", "access_rank", "income_score"} <= set(w.columns)
    e = load_deprivation(shared_data / "deprivation" / "imd2019_england_lsoa11.csv")
    assert e.attrs["index"] == "IMD 2019" and len(e) == 32844
    assert "barriers_rank" in e.columns and "overall_score" not in e.columns


def test_deprivation_errors(tmp_path):
    header = [
        "lsoa_code",
        "IMD_rank",
        "Income_rank",
        "Employment_rank",
        "Health_rank",
        "Education_rank",
        "Access_rank",
        "Housing_rank",
        "Crime_rank",
        "Environment_rank",
    ]
    p = write_csv(
        tmp_path / "d.csv", header, [["W01000001", *["1"] * 9], ["W01000002", "5", *["2"] * 8]]
    )
    with pytest.raises(InputError, match=r"d.csv, row 2: IMD_rank 5 is outside 1..2"):
        load_deprivation(p)
    p = write_csv(tmp_path / "e.csv", header, [["W01000001", "x", *["1"] * 8]])
    with pytest.raises(InputError, match=r"row 1: IMD_rank 'x' is not a number"):
        load_deprivation(p)


@pytest.mark.slow
def test_population_and_weights(shared_data):
    pop = load_population(shared_data / "population" / "population_mid2019_lsoa11_wales.csv")
    assert list(pop.columns) == POPULATION_COLUMNS and pop["year"].iloc[0] == 2019
    assert pop["population"].sum() == 3_152_879
    from hotspots.io.lookups import load_lsoa11_lsoa21, load_lsoa21_ward

    w = lsoa_ward_weights(
        pop,
        load_lsoa11_lsoa21(shared_data / "lookups" / "lsoa11_to_lsoa21_to_lad22_wales.csv"),
        load_lsoa21_ward(shared_data / "lookups" / "lsoa21_to_ward22_to_lad22_wales.csv"),
    )
    assert list(w.columns) == WEIGHT_COLUMNS
    assert w["population"].sum() == pytest.approx(3_152_879)  # nobody lost or doubled
    assert w["ward_code"].nunique() == 752


def test_population_year_and_errors(tmp_path):
    p = write_csv(tmp_path / "pop.csv", ["lsoa11_code", "total_population"], [["W01000001", "10"]])
    with pytest.raises(InputError, match=r"population year is not known.*mid2019"):
        load_population(p)
    assert load_population(p, year=2021)["year"].iloc[0] == 2021
    p = write_csv(
        tmp_path / "pop_mid2020.csv", ["lsoa11_code", "total_population"], [["W01000001", "ten"]]
    )
    with pytest.raises(InputError, match=r"row 1: population 'ten' is not a count"):
        load_population(p)
