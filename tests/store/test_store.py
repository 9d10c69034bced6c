"""The on-disk store: idempotent loads, month replacement, history, atomic failure."""

import json

import pytest

from hotspots.errors import InputError
from hotspots.schema import HISTORY_COLUMNS
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from hotspots.store.location import default_dir
from hotspots.store.manifest import referenced_objects
from tests.conftest import POLICE_UK_HEADER, police_row, write_csv


def _file(folder, name, rows):
    return write_csv(folder / name, POLICE_UK_HEADER, rows)


def test_loading_the_same_file_twice_changes_nothing(grid_store, grid_crimes_file):
    load_paths(grid_store, "crimes", [grid_crimes_file])
    checksum, version = grid_store.checksum(), grid_store.version()
    report = load_paths(grid_store, "crimes", [grid_crimes_file])
    assert report.unchanged == [grid_crimes_file.name] and report.loaded == []
    assert grid_store.checksum() == checksum and grid_store.version() == version
    assert len(grid_store.crimes()) == 11  # 12 rows less the skipped one; duplicate kept


def test_newer_extract_replaces_month_not_doubles(grid_store, tmp_path):
    first = _file(
        tmp_path / "a",
        "2023-01-grid-street.csv",
        [police_row(f"a{i}", lsoa="X01000001") for i in range(5)],
    )
    second = _file(
        tmp_path / "b",
        "2023-01-grid-street.csv",
        [police_row(f"b{i}", lsoa="X01000003") for i in range(3)],
    )
    load_paths(grid_store, "crimes", [first])
    report = load_paths(grid_store, "crimes", [second])
    assert report.replaced == ["police.uk:grid 2023-01 (was 2023-01-grid-street.csv)"]
    crimes = grid_store.crimes()
    assert len(crimes) == 3 and set(crimes["crime_id"]) == {"b0", "b1", "b2"}
    rec = grid_store.reconciliation()
    assert len(rec) == 1 and rec.loc[0, "rows_read"] == 3
    hist = grid_store.history()
    assert list(hist.columns) == HISTORY_COLUMNS
    assert list(hist["action"].tail(2)) == ["loaded", "replaced"]


def test_other_months_are_kept(grid_store, tmp_path):
    jan = _file(tmp_path, "2023-01-grid-street.csv", [police_row("j", lsoa="X01000001")])
    feb = _file(
        tmp_path, "2023-02-grid-street.csv", [police_row("f", month="2023-02", lsoa="X01000001")]
    )
    load_paths(grid_store, "crimes", [jan])
    load_paths(grid_store, "crimes", [feb])
    assert grid_store.months() == ["2023-01", "2023-02"]
    assert grid_store.sources() == ["police.uk:grid"]


def test_a_bad_file_stores_nothing_even_after_good_ones(grid_store, tmp_path):
    good = _file(tmp_path, "2023-01-grid-street.csv", [police_row("g", lsoa="X01000001")])
    bad = _file(
        tmp_path,
        "2023-02-grid-street.csv",
        [police_row("x", month="2023-02"), police_row("y", month="Feb 2023")],
    )
    before = grid_store.checksum()
    with pytest.raises(InputError, match=r"2023-02-grid-street.csv, row 2: month 'Feb 2023'"):
        load_paths(grid_store, "crimes", [good, bad])
    assert grid_store.checksum() == before
    assert len(grid_store.crimes()) == 0


def test_crimes_before_boundaries_is_a_clear_error(tmp_path, grid_crimes_file):
    store = Store(tmp_path / "empty")
    with pytest.raises(InputError, match="the store has no ward boundaries"):
        load_paths(store, "crimes", [grid_crimes_file])
    assert store.checksum() == "empty"


def test_new_boundaries_replace_assignments(grid_store, grid_crimes_file, tmp_path):
    import geopandas as gpd

    load_paths(grid_store, "crimes", [grid_crimes_file])
    wards = gpd.read_file(tmp_path / "reference" / "grid_wards.gpkg")
    # Move ward C far away: the point that was in C (row c06) is now 500 m from both A and
    # D, so it goes to the nearest ward, the tie broken by the lower code (A).
    wards.loc[wards["WD22CD"] == "X05000003", "geometry"] = wards.loc[
        wards["WD22CD"] == "X05000003", "geometry"
    ].translate(50_000, 0)
    path = tmp_path / "moved.geojson"
    wards.to_file(path, driver="GeoJSON")
    load_paths(grid_store, "boundaries", [path])
    crimes = grid_store.crimes()
    row = crimes[crimes["crime_id"] == "c06"].iloc[0]
    assert (row["assignment"], row["ward_code"]) == ("nearest", "X05000001")
    rec = grid_store.reconciliation().iloc[0]
    assert (rec.by_point, rec.by_nearest, rec.rows_read) == (1, 2, 12)


def test_manifest_is_plain_json_with_history(grid_store, grid_crimes_file):
    load_paths(grid_store, "crimes", [grid_crimes_file])
    manifest = json.loads((grid_store.root / "manifest.json").read_text())
    assert manifest["history"][-1]["file"] == grid_crimes_file.name
    assert manifest["history"][-1]["months"] == ["2023-01"]
    assert manifest["history"][-1]["rows"] == 12
    assert len(manifest["history"][-1]["checksum"]) == 32


def test_orphan_objects_are_removed(grid_store, tmp_path):
    a = _file(tmp_path / "a", "2023-01-grid-street.csv", [police_row("a", lsoa="X01000001")])
    b = _file(tmp_path / "b", "2023-01-grid-street.csv", [police_row("b", lsoa="X01000001")])
    load_paths(grid_store, "crimes", [a])
    first = referenced_objects(grid_store.manifest())
    load_paths(grid_store, "crimes", [b])
    on_disk = {p.name for p in (grid_store.root / "objects").iterdir()}
    # the previous manifest's objects stay (it is the fallback) until the next commit
    previous = json.loads(grid_store.previous_manifest_path.read_text())
    assert referenced_objects(previous) == first
    assert on_disk == referenced_objects(grid_store.manifest()) | first
    load_paths(grid_store, "crimes", [a])
    on_disk = {p.name for p in (grid_store.root / "objects").iterdir()}
    previous = json.loads(grid_store.previous_manifest_path.read_text())
    assert on_disk == referenced_objects(grid_store.manifest()) | referenced_objects(previous)
    assert len(on_disk) == len(first) + 1  # a's first object is gone


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "elsewhere"))
    assert default_dir() == tmp_path / "elsewhere"
    assert Store().root == tmp_path / "elsewhere"
