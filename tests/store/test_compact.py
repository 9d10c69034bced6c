"""The compact form of the crimes table (what the store keeps) and the load path built on
it: dictionary-encoded text with few values, null-typed empty columns, objects written as
soon as they are ready. Everything decodes to exactly what the text form gives."""

import json
import os

import pyarrow as pa
import pyarrow.feather as pf
import pytest

from hotspots.errors import InputError
from hotspots.geo.assign import assign_table, reconcile_files, text_positions
from hotspots.io.crime_table import (
    CRIME_SCHEMA,
    compact_crimes,
    crimes_to_pandas,
    decoded_crimes,
)
from hotspots.io.police_uk import read_police_uk_many
from hotspots.store import ingest
from hotspots.store.ingest import load_paths
from hotspots.store.objects import read_crimes_object, table_to_arrow
from tests.conftest import POLICE_UK_HEADER, police_row, write_csv
from tests.store.test_batch import _grid_files, _raw


def _text_and_compact(raws, geography):
    text = read_police_uk_many(raws)
    compact = read_police_uk_many(raws, compact=True)
    placed_text = assign_table(text.table, geography, groups=text.groups)
    placed_compact = assign_table(compact.table, geography, groups=compact.groups)
    return text, compact, placed_text, placed_compact


def _check_same(raws, geography):
    text, compact, placed_text, placed_compact = _text_and_compact(raws, geography)
    assert text.table.schema == CRIME_SCHEMA
    assert decoded_crimes(compact.table).equals(text.table)
    for c in ("source", "file", "month", "crime_type", "lsoa_code"):
        assert pa.types.is_dictionary(compact.table.schema.field(c).type), c
    assert compact.table.schema.field("ho_code").type == pa.null()
    assert list(compact.offsets) == list(text.offsets)
    assert placed_text.schema.field("ward_code").type == pa.string()
    assert pa.types.is_dictionary(placed_compact.schema.field("assignment").type)
    assert decoded_crimes(placed_compact).equals(placed_text)
    assert crimes_to_pandas(placed_compact).equals(crimes_to_pandas(placed_text))
    assert reconcile_files(placed_compact, compact.offsets, compact.files) == reconcile_files(
        placed_text, text.offsets, text.files
    )
    # stored and read back: the text form, whichever form was written
    for placed in (placed_text, placed_compact):
        back = read_crimes_object(pa.BufferReader(table_to_arrow(placed)))
        assert back.equals(crimes_to_pandas(placed_text))
    return placed_compact


def test_compact_form_decodes_to_the_text_form_hand_built(grid_store, tmp_path):
    raws = [_raw(p) for p in _grid_files(tmp_path / "in")]
    placed = _check_same(raws, grid_store.geography())
    how = decoded_crimes(placed.select(["assignment"])).column("assignment").to_pylist()
    assert {"duplicate", "code", "point"} <= set(how)


@pytest.mark.slow
def test_compact_form_decodes_to_the_text_form_real_data(real_store, shared_data):
    files = sorted((shared_data / "crime" / "police_uk").glob("*/*-street.csv"))
    _check_same([_raw(p) for p in files], real_store.geography())


def test_compact_crimes_round_trip_and_positions(grid_store, tmp_path):
    raws = [_raw(p) for p in _grid_files(tmp_path / "in")]
    text = read_police_uk_many(raws)
    placed = assign_table(text.table, grid_store.geography(), groups=text.groups)
    compact = compact_crimes(placed)
    assert compact.schema.field("occurred_at").type == pa.null()
    assert compact_crimes(compact).equals(compact)  # compact already: as it is
    assert decoded_crimes(compact).equals(placed)
    assert decoded_crimes(placed) is placed
    months = ["2023-02", "2023-01"]
    assert (
        text_positions(compact.column("month"), months).tolist()
        == text_positions(placed.column("month"), months).tolist()
    )


def test_objects_written_before_this_change_still_read(grid_store, grid_crimes_file):
    """Objects stored as text with LZ4 (the earlier format) read back the same."""
    load_paths(grid_store, "crimes", [grid_crimes_file])
    part = next(iter(grid_store.manifest()["partitions"].values()))
    path = grid_store.root / "objects" / part["object"]
    assert pa.types.is_dictionary(pf.read_table(path).schema.field("ward_code").type)
    want = grid_store.crimes()
    old = pf.read_table(path).cast(CRIME_SCHEMA)
    pf.write_feather(old, path, compression="lz4")
    # an earlier version recorded no sizes or checksums of objects
    manifest = json.loads(grid_store.manifest_path.read_text())
    del manifest["objects"]
    grid_store.manifest_path.write_text(json.dumps(manifest))
    assert grid_store.verify() == []
    assert grid_store.crimes().equals(want)
    assert grid_store.crimes(columns=["month", "ward_code"]).equals(want[["month", "ward_code"]])


def test_a_load_that_does_not_commit_leaves_no_objects(
    grid_store, grid_crimes_file, tmp_path, monkeypatch
):
    load_paths(grid_store, "crimes", [grid_crimes_file])
    objects = sorted(os.listdir(grid_store.root / "objects"))
    before = grid_store.checksum()
    report = load_paths(grid_store, "crimes", [grid_crimes_file])  # the same file: no-op
    assert report.unchanged == [grid_crimes_file.name]
    assert sorted(os.listdir(grid_store.root / "objects")) == objects
    assert grid_store.checksum() == before
    other = write_csv(
        tmp_path / "2023-02-grid-street.csv",
        ["Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "Crime type"],
        [["z1", "2023-02", "", "", "X01000001", "Robbery"]],
    )
    bad = write_csv(
        tmp_path / "2023-03-grid-street.csv",
        ["Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "Crime type"],
        [["z2", "March", "", "", "X01000001", "Robbery"]],
    )
    monkeypatch.setattr(ingest, "BATCH_BYTES", 1)  # a batch each: the first is written
    with pytest.raises(InputError, match="month 'March'"):
        load_paths(grid_store, "crimes", [other, bad])
    assert sorted(os.listdir(grid_store.root / "objects")) == objects
    assert grid_store.checksum() == before


def test_a_file_with_no_lsoa_codes_loads(grid_store, tmp_path):
    """A file whose LSOA cells are all blank: the column is stored as null-typed."""
    path = write_csv(
        tmp_path / "2023-01-grid-street.csv",
        POLICE_UK_HEADER,
        [police_row("b1", x=1500, y=500), police_row("b2", x=500, y=500)],
    )
    load_paths(grid_store, "crimes", [path])
    got = grid_store.crimes()
    assert got["lsoa_code"].isna().all() and got["lsoa_code"].dtype == "string"
    assert got["assignment"].tolist() == ["point", "point"]
