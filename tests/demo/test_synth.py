"""The synthetic demo region: real formats, planted truth that matches the files, determinism.

The demo is generated once per module (a few seconds) and read back from the files, so the
tests check what a loader would see.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.demo.formats import (
    DEFAULT_SEED,
    DEMO_MARK,
    FORCE_EXTRACT_COLUMNS,
    POLICE_UK_COLUMNS,
    POPULATION_COLUMNS,
    WIMD_COLUMNS,
)
from hotspots.demo.synth import make_demo_region
from hotspots.demo.writers import DemoFiles, write_demo_files

# The real files' headers, as in ../shared/data (checked against it when it is there).
REAL_HEADERS = {
    "lsoa11_to_lsoa21": ["lsoa11_code", "lsoa11_name", "change_code", "lsoa21_code",
                         "lsoa21_name", "ltla22_code", "ltla22_name"],
    "lsoa21_to_ward": ["LSOA21CD", "LSOA21NM", "LSOA21NMW", "WD22CD", "WD22NM", "WD22NMW",
                       "LAD22CD", "LAD22NM", "LAD22NMW", "ObjectId"],
    "lad_to_csp_to_pfa": ["ltla24_code", "ltla24_name", "csp24_code", "csp24_name",
                          "pfa24_code", "pfa24_name"],
    "deprivation": ["lsoa_code", "IMD_decile", "Income_decile", "Employment_decile",
                    "Health_decile", "Education_decile", "Housing_decile", "Access_decile",
                    "Environment_decile", "Crime_decile", "IMD_rank", "Income_rank",
                    "Employment_rank", "Health_rank", "Education_rank", "Housing_rank",
                    "Access_rank", "Environment_rank", "Crime_rank", "IMD_score",
                    "Income_score", "Employment_score", "Education_score", "Health_score",
                    "Crime_score", "Housing_score", "Access_score", "Environment_score"],
    "population": ["lsoa11_name", "lsoa11_code", "total_population",
                   *(str(a) for a in range(90)), "90+"],
    "police_uk": ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                  "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
                  "Context"],
    "force_extract": ["crime_reference", "recorded_at", "ho_code", "offence_description",
                      "latitude", "longitude", "easting", "northing", "lsoa_code",
                      "domestic_flag", "alcohol_flag", "drugs_flag", "knife_flag",
                      "victim_age_band", "victim_sex"],
}  # fmt: skip
REAL_WARD_PROPERTIES = ["ward22_code", "ward22_name", "lad22_code", "lad22_name", "lad_source"]
REAL_LSOA21_PROPERTIES = ["lsoa21_code", "lsoa21_name"]
REAL_FILES = {  # kind: path under shared/data
    "lsoa11_to_lsoa21": "lookups/lsoa11_to_lsoa21_to_lad22_wales.csv",
    "lsoa21_to_ward": "lookups/lsoa21_to_ward22_to_lad22_wales.csv",
    "lad_to_csp_to_pfa": "lookups/lad24_to_csp24_to_pfa24_wales.csv",
    "deprivation": "deprivation/wimd2019_lsoa11_ranks_deciles_scores.csv",
    "population": "population/population_mid2019_lsoa11_wales.csv",
    "police_uk": "crime/police_uk/2018-10/2018-10-dyfed-powys-street.csv",
}
VIOLENCE = "Violence and sexual offences"


def header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def geojson_property_names(path: Path) -> list[str]:
    """Property names of the first feature, read from the start of the file only."""
    with open(path, encoding="utf-8") as fh:
        head = fh.read(8192)
    match = re.search(r'"properties":(\{[^{}]*\}),"geometry"', head)
    assert match, f"no feature properties near the start of {path}"
    return list(json.loads(match.group(1)))


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def digest(files: DemoFiles) -> dict[str, str]:
    return {
        str(p.relative_to(files.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files.all_files
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoFiles:
    return write_demo_files(tmp_path_factory.mktemp("demo"), seed=DEFAULT_SEED)


@pytest.fixture(scope="module")
def truth(demo) -> dict:
    return json.loads(demo.planted_truth.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wards(demo) -> gpd.GeoDataFrame:
    return gpd.read_file(demo.wards).to_crs("EPSG:27700")


@pytest.fixture(scope="module")
def ward_lookup(demo) -> pd.DataFrame:
    return read_csv(demo.lsoa21_to_ward)


@pytest.fixture(scope="module")
def lsoa11_lookup(demo) -> pd.DataFrame:
    return read_csv(demo.lsoa11_to_lsoa21)


@pytest.fixture(scope="module")
def police_uk(demo) -> pd.DataFrame:
    parts = []
    for path in demo.police_uk:
        frame = read_csv(path)
        frame["file"] = str(path.relative_to(demo.root).as_posix())
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def force_extracts(demo) -> dict[Path, pd.DataFrame]:
    return {path: read_csv(path) for path in demo.force_extracts}


@pytest.fixture(scope="module")
def located(police_uk, wards) -> pd.DataFrame:
    """Valid police.uk rows (demo LSOA code, first copy of each crime) with their ward."""
    valid = police_uk[police_uk["LSOA code"].str.startswith("X01")]
    valid = valid[~(valid["Crime ID"].ne("") & valid.duplicated("Crime ID"))]
    points = gpd.GeoDataFrame(
        valid,
        geometry=gpd.points_from_xy(valid["Longitude"].astype(float),
                                    valid["Latitude"].astype(float)),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")  # fmt: skip
    joined = gpd.sjoin(points, wards[["ward22_code", "geometry"]], predicate="within")
    assert len(joined) == len(valid), "every valid police.uk point lies in exactly one ward"
    return pd.DataFrame(joined.drop(columns="geometry"))


# --- Geography ------------------------------------------------------------------------


@pytest.mark.slow
def test_ward_count_and_shapes(wards, truth):
    assert 150 <= len(wards) <= 250
    assert len(wards) == truth["counts"]["wards"]
    assert wards.is_valid.all()
    assert wards["ward22_code"].is_unique
    assert wards["ward22_code"].str.fullmatch(r"X05\d{6}").all()
    assert wards["lad22_code"].str.fullmatch(r"X06\d{6}").all()
    assert 4 <= wards["lad22_code"].nunique() <= 5
    # Irregular, not a grid: ward areas vary a lot.
    area = wards.area / 1e6
    assert area.max() > 5 * area.min()
    # Wards tile the land without overlapping.
    assert wards.area.sum() == pytest.approx(wards.union_all().area, rel=1e-6)
    assert all(DEMO_MARK in v for v in wards["lad_source"])


@pytest.mark.slow
def test_every_lsoa21_in_exactly_one_ward(demo, wards, ward_lookup, lsoa11_lookup):
    assert ward_lookup["LSOA21CD"].is_unique
    assert ward_lookup["LSOA21CD"].str.fullmatch(r"X01\d{6}").all()
    assert set(ward_lookup["WD22CD"]) == set(wards["ward22_code"])
    per_ward = ward_lookup.groupby("WD22CD").size()
    assert per_ward.min() >= 2 and per_ward.max() <= 5 and 3 <= per_ward.mean() <= 4
    # Geometrically too: each LSOA's interior point lies in its lookup ward, and only there.
    lsoas = gpd.read_file(demo.lsoa21_boundaries).to_crs("EPSG:27700")
    assert set(lsoas["lsoa21_code"]) == set(ward_lookup["LSOA21CD"])
    points = lsoas.set_geometry(lsoas.representative_point())
    joined = gpd.sjoin(points, wards[["ward22_code", "geometry"]], predicate="within")
    assert joined["lsoa21_code"].is_unique and len(joined) == len(lsoas)
    expected = ward_lookup.set_index("LSOA21CD")["WD22CD"]
    assert (joined.set_index("lsoa21_code")["ward22_code"] == expected).all()
    # Both vintages are fully covered by the 2011 -> 2021 lookup.
    assert set(lsoa11_lookup["lsoa21_code"]) == set(ward_lookup["LSOA21CD"])


@pytest.mark.slow
def test_lsoa_changes_split_across_wards(lsoa11_lookup, ward_lookup, truth):
    codes = lsoa11_lookup["change_code"].value_counts()
    assert set(codes.index) == {"U", "S", "M"}
    ward_of = ward_lookup.set_index("LSOA21CD")["WD22CD"]
    splits = lsoa11_lookup[lsoa11_lookup["change_code"] == "S"]
    wards_per_split = (
        splits.assign(ward=splits["lsoa21_code"].map(ward_of))
        .groupby("lsoa11_code")["ward"]
        .nunique()
    )
    assert (splits.groupby("lsoa11_code").size() == 2).all()
    assert (wards_per_split > 1).sum() >= 2, "at least two splits straddle a ward boundary"
    merges = lsoa11_lookup[lsoa11_lookup["change_code"] == "M"]
    assert (merges.groupby("lsoa21_code").size() == 2).all()
    unchanged = lsoa11_lookup[lsoa11_lookup["change_code"] == "U"]
    assert (unchanged["lsoa11_code"] == unchanged["lsoa21_code"]).all()
    straddling = {s["lsoa11_code"] for s in truth["lsoa_changes"]["split"] if s["straddles_wards"]}
    assert straddling == set(wards_per_split[wards_per_split > 1].index)


@pytest.mark.slow
def test_demo_area_is_fictional_and_at_sea(demo, truth, wards):
    east, north = truth["centre_easting_northing"]
    assert 150_000 < east < 250_000 and 230_000 < north < 320_000
    assert wards.union_all().contains(shapely.Point(east, north))
    lookup = read_csv(demo.lad_to_csp_to_pfa)
    assert lookup["pfa24_code"].nunique() == 2
    assert lookup["pfa24_code"].str.startswith("X15").all()
    assert lookup["csp24_code"].str.startswith("X14").all()
    readme = demo.readme.read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO" in readme and "not real" in readme.lower()


# --- Formats ---------------------------------------------------------------------------


@pytest.mark.slow
def test_columns_match_the_documented_headers(demo):
    for kind in ("lsoa11_to_lsoa21", "lsoa21_to_ward", "lad_to_csp_to_pfa", "deprivation",
                 "population"):  # fmt: skip
        assert header(getattr(demo, kind)) == REAL_HEADERS[kind], kind
    assert all(header(p) == REAL_HEADERS["police_uk"] for p in demo.police_uk)
    assert all(header(p) == REAL_HEADERS["force_extract"] for p in demo.force_extracts)
    assert geojson_property_names(demo.wards) == REAL_WARD_PROPERTIES
    assert geojson_property_names(demo.lsoa21_boundaries) == REAL_LSOA21_PROPERTIES
    # The module's own constants say the same.
    assert list(WIMD_COLUMNS) == REAL_HEADERS["deprivation"]
    assert list(POLICE_UK_COLUMNS) == REAL_HEADERS["police_uk"]
    assert list(FORCE_EXTRACT_COLUMNS) == REAL_HEADERS["force_extract"]


@pytest.mark.shared
@pytest.mark.slow
def test_columns_match_the_real_shared_files(demo, shared_data):
    for kind, rel in REAL_FILES.items():
        real = header(shared_data / rel)
        assert real == REAL_HEADERS[kind], f"the documented header of {rel} is out of date"
        mine = demo.police_uk[0] if kind == "police_uk" else getattr(demo, kind)
        assert header(mine) == real, kind
    boundaries = shared_data / "boundaries"
    assert geojson_property_names(demo.wards) == geojson_property_names(
        boundaries / "wales_wards_dec2022_bsc.geojson"
    )
    assert geojson_property_names(demo.lsoa21_boundaries) == geojson_property_names(
        boundaries / "wales_lsoa_dec2021_bsc_v4.geojson"
    )
    real = json.loads((boundaries / "wales_wards_dec2022_bsc.geojson").read_text("utf-8"))
    mine = json.loads(demo.wards.read_text("utf-8"))
    assert mine["crs"] == real["crs"]
    # The demo land is well clear of real Wales.
    real_land = gpd.GeoDataFrame.from_features(real["features"], crs="EPSG:4326")
    demo_land = gpd.read_file(demo.wards).to_crs("EPSG:27700").union_all()
    assert real_land.to_crs("EPSG:27700").distance(demo_land).min() > 5_000


@pytest.mark.slow
def test_police_uk_layout_and_values(demo, police_uk, ward_lookup, lsoa11_lookup, truth):
    names = [p.relative_to(demo.root).as_posix() for p in demo.police_uk]
    assert len(names) == 24 * 2
    assert all(re.fullmatch(r"crime/police_uk/(\d{4}-\d{2})/\1-[a-z-]+-street\.csv", n)
               for n in names)  # fmt: skip
    assert sorted({n.split("/")[2] for n in names}) == truth["months"]
    assert 150_000 <= len(police_uk) <= 250_000
    assert set(police_uk["Crime type"]) == {c["police_uk_crime_type"] for c in
                                            truth["model"]["categories"].values()}  # fmt: skip
    asb = police_uk["Crime type"] == "Anti-social behaviour"
    assert (police_uk.loc[asb, "Crime ID"] == "").all()
    assert police_uk.loc[~asb, "Crime ID"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert (police_uk["Context"] == DEMO_MARK).all()
    assert (police_uk["Month"] == police_uk["file"].str.split("/").str[2]).all()
    # LSOA vintage: 2011 codes in 2023, 2021 codes in 2024.
    demo_rows = police_uk[police_uk["LSOA code"].str.startswith("X01")]
    early = demo_rows["Month"] < "2024-01"
    assert demo_rows.loc[early, "LSOA code"].isin(lsoa11_lookup["lsoa11_code"]).all()
    assert demo_rows.loc[~early, "LSOA code"].isin(ward_lookup["LSOA21CD"]).all()
    assert (
        not demo_rows.loc[early, "LSOA code"]
        .isin(set(ward_lookup["LSOA21CD"]) - set(lsoa11_lookup["lsoa11_code"]))
        .any()
    )
    assert (
        not demo_rows.loc[~early, "LSOA code"]
        .isin(set(lsoa11_lookup["lsoa11_code"]) - set(ward_lookup["LSOA21CD"]))
        .any()
    )


@pytest.mark.slow
def test_force_extract_values(force_extracts):
    for path, fe in force_extracts.items():
        assert DEMO_MARK.replace(" ", "_") in path.name
        assert fe["recorded_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()
        assert (fe["ho_code"] != "").all() and (fe["offence_description"] != "").all()
        for flag in ("domestic_flag", "alcohol_flag", "drugs_flag", "knife_flag"):
            assert set(fe[flag]) <= {"Y", "N"}
        assert set(fe["victim_sex"]) <= {"F", "M", "U"}
        assert set(fe["victim_age_band"]) <= {"", "0-17", "18-24", "25-34", "35-44", "45-54",
                                               "55-64", "65+"}  # fmt: skip
        for code in ("1", "5D", "8N", "19C", "34B", "92A", "92D", "105A", "58A"):
            assert code in set(fe["ho_code"]), code
        has_latlon, has_en = fe["latitude"] != "", fe["easting"] != ""
        assert not (has_latlon & has_en).any()
        assert has_latlon.mean() > 0.3 and has_en.mean() > 0.3
        assert 0 < (fe["lsoa_code"] != "").mean() < 0.1
        # Night-time skew: Friday and Saturday 22:00-02:00 hold far more violence than
        # their share of the week (8 of 168 hours).
        when = pd.to_datetime(fe["recorded_at"], format="%Y-%m-%d %H:%M")
        violence = fe["ho_code"].isin(["8N", "105A", "5D"]).to_numpy()
        day, hour = when.dt.day_of_week.to_numpy(), when.dt.hour.to_numpy()
        weekend_night = ((day == 4) & (hour >= 22)) | ((day == 5) & (hour < 2)) | (
            (day == 5) & (hour >= 22)) | ((day == 6) & (hour < 2))  # fmt: skip
        assert weekend_night[violence].mean() > 2.5 * 8 / 168


@pytest.mark.slow
def test_deprivation_and_population(demo, lsoa11_lookup):
    dep = read_csv(demo.deprivation)
    pop = read_csv(demo.population)
    lsoa11 = set(lsoa11_lookup["lsoa11_code"])
    assert set(dep["lsoa_code"]) == lsoa11 and dep["lsoa_code"].is_unique
    assert set(pop["lsoa11_code"]) == lsoa11 and pop["lsoa11_code"].is_unique
    n = len(dep)
    for domain in ("IMD", "Income", "Employment", "Health", "Education", "Housing", "Access",
                   "Environment", "Crime"):  # fmt: skip
        rank = dep[f"{domain}_rank"].astype(int)
        score = dep[f"{domain}_score"].astype(float)
        assert sorted(rank) == list(range(1, n + 1))
        assert (dep[f"{domain}_decile"].astype(int) == (rank - 1) * 10 // n + 1).all()
        assert score[rank == 1].iloc[0] == score.max(), "rank 1 is the most deprived"
    ages = pop[list(POPULATION_COLUMNS[3:])].astype(int)
    assert (ages.sum(axis=1) == pop["total_population"].astype(int)).all()


# --- Planted truth ---------------------------------------------------------------------


@pytest.mark.slow
def test_planted_counts_equal_the_files(located, ward_lookup, truth):
    slug = {c["police_uk_crime_type"]: s for s, c in truth["model"]["categories"].items()}
    counts = located.groupby(["ward22_code", "Crime type"]).size()
    for ward, by_slug in truth["planted_counts"]["all"].items():
        for crime_type, s in slug.items():
            assert counts.get((ward, crime_type), 0) == by_slug[s], (ward, crime_type)
    # 2021 codes (2024) lead to the same ward as the point.
    late = located[located["Month"] >= "2024-01"]
    ward_of = ward_lookup.set_index("LSOA21CD")["WD22CD"]
    assert (late["LSOA code"].map(ward_of) == late["ward22_code"]).all()


@pytest.mark.slow
def test_hotspots_drugs_and_emerging(located, truth):
    wards = list(truth["latent_rates"])
    population = pd.Series({w: v["population"] for w, v in truth["latent_rates"].items()})

    def by_ward(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("ward22_code").size().reindex(wards, fill_value=0)

    violence = by_ward(located[located["Crime type"] == VIOLENCE])
    rate = violence / population
    # Clusters of a core and its ring (what Gi* should find), and one isolated hotspot.
    hot = truth["hotspot_wards"]
    clusters = truth["hotspot_clusters"]
    assert 2 <= len(clusters) <= 3 and all(5 <= len(c) <= 8 for c in clusters)
    assert sorted(w for c in clusters for w in c) == hot
    isolated = truth["isolated_hotspot_wards"]
    assert len(isolated) == 1 and not set(isolated) & set(hot)
    violent = truth["violence_hotspot_wards"]
    assert violent == sorted(hot + isolated)
    assert (violence[violent] > violence.median()).all()
    assert (rate[violent] > 2.5 * rate.median()).all(), "several times the background"
    fringe = truth["hotspot_fringe_wards"]
    assert not set(fringe) & set(violent)
    assert rate[fringe].median() > 1.5 * rate.median(), "a raised fringe"
    assert rate[fringe].max() < rate[hot].min(), "the fringe is a step down"
    # Drug markets on most violence hotspots, and one drug-only ward.
    drugs = by_ward(located[located["Crime type"] == "Drugs"])
    drug_hot = truth["drug_hotspot_wards"]
    assert (drugs[drug_hot] > drugs.median()).all()
    assert len(set(drug_hot) & set(violent)) > 0.6 * len(violent)
    assert truth["drug_only_hotspot_wards"] == sorted(set(drug_hot) - set(violent))
    assert len(truth["drug_only_hotspot_wards"]) == 1
    # Emerging: the last four months well above the same months a year before.
    late = located["Month"].isin(["2024-09", "2024-10", "2024-11", "2024-12"])
    before = located["Month"].isin(["2023-09", "2023-10", "2023-11", "2023-12"])
    first = by_ward(located[(located["Crime type"] == VIOLENCE) & before])
    second = by_ward(located[(located["Crime type"] == VIOLENCE) & late])
    assert len(truth["emerging_wards"]) == 2
    for ward, area in zip(truth["emerging_wards"], truth["emerging_areas"], strict=True):
        assert area["ward"] == ward
        assert not {ward, *area["ring"]} & set(violent)
        assert second[ward] > 1.5 * first[ward], ward
    monthly = located[located["Crime type"] == VIOLENCE].groupby("Month").size()
    assert monthly["2023-07"] > 1.15 * monthly["2023-01"], "summer peak"
    assert monthly["2024-12"] > monthly["2024-11"], "December spike"
    # The latent deprivation goes with the planted hotspots.
    ratio = truth["hotspot_violence_to_background_ratio"]
    assert ratio["min"] >= 2.5


@pytest.mark.slow
def test_hotspot_clusters_are_a_core_and_its_ring(wards, truth):
    geometry = wards.set_index("ward22_code").geometry

    def near(code: str) -> set[str]:
        touching = geometry.index[geometry.intersects(geometry[code].buffer(1.0))]
        return set(touching) - {code}

    for cluster, core in zip(truth["hotspot_clusters"], truth["hotspot_cluster_cores"],
                             strict=True):  # fmt: skip
        assert core in cluster and near(core) == set(cluster) - {core}
    hot = set(truth["hotspot_wards"])
    fringe = set().union(*(near(w) for w in hot)) - hot
    assert fringe == set(truth["hotspot_fringe_wards"])
    for ward in truth["isolated_hotspot_wards"]:
        assert not near(ward) & (hot | fringe), "isolated: no hot neighbour"


@pytest.mark.slow
def test_hotspots_are_deprived(demo, lsoa11_lookup, ward_lookup, truth):
    dep = read_csv(demo.deprivation).set_index("lsoa_code")["IMD_rank"].astype(int)
    ward_of = ward_lookup.set_index("LSOA21CD")["WD22CD"]
    table = lsoa11_lookup.assign(ward=lsoa11_lookup["lsoa21_code"].map(ward_of))
    table["rank"] = table["lsoa11_code"].map(dep)
    mean_rank = table.groupby("ward")["rank"].mean()
    assert mean_rank[truth["hotspot_wards"]].median() < 0.25 * len(dep)


def _distance_class(x: np.ndarray, y: np.ndarray, land) -> np.ndarray:
    d = shapely.distance(land, shapely.points(x, y))
    return np.where(d <= 2_000, "offshore_near", "offshore_far")


@pytest.mark.slow
def test_bad_rows_equal_the_truth(demo, police_uk, force_extracts, wards, truth):
    land = wards.union_all()
    to_bng = gpd.GeoSeries.from_xy
    for rel, expected in truth["bad_rows"]["police_uk"].items():
        rows = police_uk[police_uk["file"] == rel]
        no_coords = rows["Longitude"] == ""
        found = {
            "no_location": int((no_coords & (rows["LSOA code"] == "")).sum()),
            "outside_area_lsoa": int(rows["LSOA code"].str.startswith("E01").sum()),
            "duplicate": int((rows["Crime ID"].ne("") & rows.duplicated("Crime ID")).sum()),
            "offshore_near": 0,
            "offshore_far": 0,
        }
        sea = rows[~no_coords & (rows["LSOA code"] == "")]
        if len(sea):
            pts = to_bng(sea["Longitude"].astype(float), sea["Latitude"].astype(float),
                         crs="EPSG:4326").to_crs("EPSG:27700")  # fmt: skip
            kinds = _distance_class(pts.x.to_numpy(), pts.y.to_numpy(), land)
            found["offshore_near"] = int((kinds == "offshore_near").sum())
            found["offshore_far"] = int((kinds == "offshore_far").sum())
        assert found == expected, rel
    for path, fe in force_extracts.items():
        rel = path.relative_to(demo.root).as_posix()
        blank = (fe["latitude"] == "") & (fe["easting"] == "")
        found = {
            "no_location": int((blank & (fe["lsoa_code"] == "")).sum()),
            "outside_area_lsoa": int(fe["lsoa_code"].str.startswith("E01").sum()),
            "duplicate": int(fe.duplicated("crime_reference").sum()),
        }
        latlon = fe[fe["latitude"] != ""]
        pts = to_bng(latlon["longitude"].astype(float), latlon["latitude"].astype(float),
                     crs="EPSG:4326").to_crs("EPSG:27700")  # fmt: skip
        en = fe[fe["easting"] != ""]
        x = np.concatenate([pts.x.to_numpy(), en["easting"].astype(float).to_numpy()])
        y = np.concatenate([pts.y.to_numpy(), en["northing"].astype(float).to_numpy()])
        outside = ~shapely.contains_xy(land, x, y)
        kinds = _distance_class(x[outside], y[outside], land)
        found["offshore_near"] = int((kinds == "offshore_near").sum())
        found["offshore_far"] = int((kinds == "offshore_far").sum())
        assert found == {k: truth["bad_rows"]["force_extract"][rel][k] for k in found}, rel
    totals = truth["bad_rows"]["totals"]
    for fmt in ("police_uk", "force_extract"):
        for kind in ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far",
                     "duplicate"):  # fmt: skip
            assert totals[fmt][kind] > 0, (fmt, kind)
    # The truth names the ward nearest each point just off the coast.
    near = [r for r in truth["offshore_rows"] if r["kind"] == "offshore_near"]
    assert len(near) == totals["police_uk"]["offshore_near"] + totals["force_extract"][
        "offshore_near"]  # fmt: skip
    codes = wards.set_index("ward22_code").geometry
    for r in near[:5]:
        point = shapely.Point(r["easting"], r["northing"])
        assert codes.distance(point).idxmin() == r["nearest_ward"]


# --- Determinism and the API --------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files(demo, tmp_path):
    again = write_demo_files(tmp_path / "again", seed=DEFAULT_SEED)
    assert digest(again) == digest(demo)
    assert json.loads(again.planted_truth.read_text("utf-8"))["seed"] == DEFAULT_SEED


@pytest.mark.slow
def test_files_listed_and_marked(demo):
    assert all(p.is_file() for p in demo.all_files)
    written = {p for p in demo.root.rglob("*") if p.is_file()}
    assert written == set(demo.all_files)
    for p in demo.all_files:
        if p.suffix == ".geojson":
            assert DEMO_MARK in json.loads(p.read_text("utf-8"))["name"]
        elif p not in demo.police_uk:
            assert "synthetic" in p.name.lower() or p.name in ("README.txt", "planted_truth.json")


@pytest.mark.parametrize(("seed", "error"), [("1", TypeError), (True, TypeError),
                                             (-1, ValueError)])  # fmt: skip
def test_bad_seed(seed, error):
    with pytest.raises(error):
        make_demo_region(seed)
