"""Reading and placing police.uk files in batches gives exactly what one file at a time
gives: the same rows, assignments, reconciliation, stored objects and errors."""

import shutil

import pandas as pd
import pyarrow as pa
import pytest

from hotspots.errors import InputError
from hotspots.geo.assign import assign_table, reconcile_files, reconcile_records
from hotspots.io.crime_table import crimes_to_pandas
from hotspots.io.police_uk import read_police_uk, read_police_uk_many
from hotspots.io.raw import RawFile
from hotspots.store import ingest
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from tests.conftest import GRID_CRIMES, POLICE_UK_HEADER, police_row, write_csv


def _raw(path):
    return RawFile(path.name, path.read_bytes())


def _grid_files(folder):
    """Files that exercise what differs per file: duplicates within a file but not across
    files, two months in one file, a force named only in the rows, ASB rows, a BOM,
    CRLF line ends, another column order, Windows-1252 text and blank LSOA codes."""
    rows = [r for r, _, _ in GRID_CRIMES]
    reordered = POLICE_UK_HEADER[::-1]
    files = [
        write_csv(folder / "2023-01-grid-street.csv", POLICE_UK_HEADER, rows),
        # the same crime IDs as the first file, another force (the rows name it): not
        # duplicates of it within a batch
        write_csv(
            folder / "2023-01-other-street.csv", POLICE_UK_HEADER, _force(rows[:4], "Gwent Police")
        ),
        write_csv(
            folder / "2023-02-grid-street.csv",
            POLICE_UK_HEADER,
            [
                police_row("m1", month="2023-02", lsoa="X01000001"),
                police_row("m2", month="2023-01", lsoa="X01000003"),
                police_row("", month="2023-02", lsoa="X01000003"),
                police_row("m1", month="2023-01", lsoa="X01000001"),
                police_row("m1", month="2023-02", lsoa="X01000004"),
            ],
        ),
        write_csv(
            folder / "export.csv",
            POLICE_UK_HEADER,
            [police_row("e1", lsoa=" x01000001 "), police_row("e2", x=1500, y=500)],
        ),
        write_csv(
            folder / "2023-01-crlf-street.csv",
            reordered,
            [r[::-1] for r in _force(rows[2:7], "North Wales Police")],
            lineterminator="\r\n",
        ),
        write_csv(
            folder / "2023-01-cp-street.csv",
            POLICE_UK_HEADER,
            _force(
                [police_row("p1", lsoa="X01000001", ctype="Café – robbery")], "Heddlu Dyfed-Powys"
            ),
            encoding="cp1252",
        ),
    ]
    bom = folder / "2023-01-bom-street.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + files[1].read_bytes().replace(b"Gwent", b"South Wales"))
    return [*files, bom, files[0]]  # the first file again, at the end


def _force(rows, name):
    """police.uk rows reported by (and falling within) the force ``name``."""
    return [[*r[:2], name, name, *r[4:]] for r in rows]


def _assert_same(raws, geography):
    batch = read_police_uk_many(raws)
    assigned = assign_table(batch.table, geography, groups=batch.groups)
    recs = reconcile_files(assigned, batch.offsets, batch.files)
    assert len(batch.files) == len(raws) == len(recs)
    for i, raw in enumerate(raws):
        alone = read_police_uk(raw)
        got = batch.files[i]
        assert (got.name, got.source, got.checksum) == (alone.name, alone.source, alone.checksum)
        assert list(got.rows_read.items()) == list(alone.rows_read.items())
        assert list(got.skipped.items()) == list(alone.skipped.items())
        assert got.table.schema == alone.table.schema
        assert got.table.equals(alone.table), raw.name
        lo, hi = batch.offsets[i], batch.offsets[i + 1]
        placed_alone = assign_table(alone.table, geography)
        assert assigned.slice(lo, hi - lo).equals(placed_alone), raw.name
        assert recs[i] == reconcile_records(
            placed_alone, alone.rows_read, alone.skipped, alone.name, alone.checksum, alone.source
        )
    return batch, assigned


def test_batch_equals_one_file_at_a_time_hand_built(grid_store, tmp_path):
    raws = [_raw(p) for p in _grid_files(tmp_path / "in")]
    batch, assigned = _assert_same(raws, grid_store.geography())
    # the cases are really there
    by_file = {f.name: f for f in batch.files}
    assert by_file["export.csv"].source == "police.uk:grid"
    assert list(by_file["2023-02-grid-street.csv"].rows_read.items()) == [
        ("2023-02", 3),
        ("2023-01", 2),
    ]
    how = assigned.column("assignment").to_pylist()
    first, other = batch.offsets[0], batch.offsets[1]
    assert how[first:other].count("duplicate") == 1
    assert how[other : batch.offsets[2]].count("duplicate") == 0
    assert how[batch.offsets[2] : batch.offsets[3]].count("duplicate") == 1


@pytest.mark.slow
def test_batch_equals_one_file_at_a_time_real_data(real_store, shared_data):
    files = sorted((shared_data / "crime" / "police_uk").glob("*/*-street.csv"))
    assert len(files) == 10
    _assert_same([_raw(p) for p in files], real_store.geography())


def _stored(store):
    """What a load stored: partitions (without object names and times) and crimes."""
    parts = {
        k: {f: v for f, v in p.items() if f != "object"}
        for k, p in store.manifest()["partitions"].items()
    }
    crimes = store.crimes().sort_values(["source", "month", "row"]).reset_index(drop=True)
    return parts, crimes


def test_load_in_batches_stores_what_one_file_at_a_time_stores(grid_store, tmp_path, monkeypatch):
    files = _grid_files(tmp_path / "in")
    one = Store(tmp_path / "one")
    shutil.copytree(grid_store.root, one.root)
    monkeypatch.setattr(ingest, "BATCH_BYTES", 1)  # every file its own batch
    report_one = load_paths(one, "crimes", files)
    monkeypatch.setattr(ingest, "BATCH_BYTES", 1 << 30)  # all files in one batch
    report_all = load_paths(grid_store, "crimes", files)
    assert report_all.loaded == report_one.loaded
    assert report_all.unchanged == report_one.unchanged
    assert report_all.replaced == report_one.replaced
    assert report_all.reconciliation.equals(report_one.reconciliation)
    parts_one, crimes_one = _stored(one)
    parts_all, crimes_all = _stored(grid_store)
    assert parts_all == parts_one
    assert crimes_all.equals(crimes_one)


def test_stored_objects_of_a_batch_read_back_as_the_file_alone(grid_store, tmp_path):
    files = [p for i, p in enumerate(_grid_files(tmp_path / "in")) if i in (0, 1, 4, 5, 6)]
    load_paths(grid_store, "crimes", files)  # a source and month each: nothing replaced
    geography = grid_store.geography()
    alone = sorted((read_police_uk(_raw(path)) for path in files), key=lambda f: f.source)
    assert len({f.source for f in alone}) == len(files)
    # Each file as placed alone, except that a crime ID already counted in a source before
    # it (the same month) is a duplicate: the other forces' files repeat the grid's IDs.
    counted: set[str] = set()
    repeats = 0
    for f in alone:
        want = crimes_to_pandas(assign_table(f.table, geography))
        again = want["crime_id"].isin(counted) & (want["assignment"] != "duplicate")
        repeats += int(again.sum())
        want.loc[again, "assignment"] = "duplicate"
        want.loc[again, "ward_code"] = pd.NA
        counted |= set(want["crime_id"])
        stored = grid_store.crimes(sources=[f.source])
        got = stored.sort_values(["month", "row"]).reset_index(drop=True)
        want = want.sort_values(["month", "row"]).reset_index(drop=True)
        assert got.equals(want), f.name
    assert repeats == 4 + 4 + 5  # other and bom: c01–c04; crlf: c03–c07


def _bad(folder, name, rows):
    return write_csv(folder / name, POLICE_UK_HEADER, rows)


@pytest.mark.parametrize("batch_bytes", [1, 1 << 30])
def test_the_first_bad_file_is_named_as_when_read_alone(
    grid_store, tmp_path, monkeypatch, batch_bytes
):
    monkeypatch.setattr(ingest, "BATCH_BYTES", batch_bytes)
    good = _bad(tmp_path, "2023-01-a-street.csv", [police_row("g", lsoa="X01000001")])
    month = _bad(
        tmp_path, "2023-01-b-street.csv", [police_row("x"), police_row("y", month="Jan 2023")]
    )
    coords = _bad(tmp_path, "2023-01-c-street.csv", [police_row("z", x=1, y=1)])
    coords.write_text(
        coords.read_text()
        .replace(",Grid Police,Grid Police,", ",Grid Police,Grid Police,999,")
        .replace(",On or near", "On or near")
    )
    ragged = tmp_path / "2023-01-d-street.csv"
    ragged.write_text(",".join(POLICE_UK_HEADER) + "\na,b\n")
    before = grid_store.checksum()
    for files, match in (
        ([good, month, coords, ragged], r"2023-01-b-street.csv, row 2: month 'Jan 2023'"),
        ([good, coords, month], r"2023-01-c-street.csv, row 1: Longitude 999"),
        ([good, ragged, month], r"2023-01-d-street.csv"),
        ([good, month, ragged], r"2023-01-b-street.csv, row 2: month 'Jan 2023'"),
    ):
        with pytest.raises(InputError, match=match):
            load_paths(grid_store, "crimes", files)
        with pytest.raises(InputError, match=match):
            read_police_uk_many([_raw(p) for p in files])
        assert grid_store.checksum() == before


def test_a_damaged_zip_after_a_bad_file_names_the_bad_file(grid_store, tmp_path):
    bad = _bad(tmp_path, "2023-01-b-street.csv", [police_row("y", month="Jan 2023")])
    damaged = tmp_path / "2023-02.zip"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"2023-01-b-street.csv, row 1: month"):
        load_paths(grid_store, "crimes", [bad, damaged])


def test_batch_of_one_file_is_read_police_uk(grid_crimes_file):
    raw = _raw(grid_crimes_file)
    batch = read_police_uk_many([raw])
    assert batch.table.equals(read_police_uk(raw).table)
    assert list(batch.offsets) == [0, batch.table.num_rows]
    with pytest.raises(ValueError, match="no files"):
        read_police_uk_many([])
    assert isinstance(batch.table, pa.Table)


def test_the_force_comes_from_the_rows_not_the_name(tmp_path):
    row = police_row("r1", lsoa="X01000001", ctype="Café robbery")
    text = (",".join(POLICE_UK_HEADER) + "\n" + ",".join(row) + "\n").encode("utf-8")
    dp = text.replace(b"Grid Police,Grid Police", b"Dyfed-Powys Police,Dyfed-Powys Police")
    for name in (
        "2023-01-dyfed-powys-street.csv",
        "2023-01-dyfedpowys-street.csv",
        "2023-01-copy-street.csv",
        "export.csv",
    ):
        assert read_police_uk(RawFile(name, dp)).source == "police.uk:dyfed-powys", name
    # "Reported by" blank: "Falls within" names it; both blank: the name does
    falls = text.replace(b"Grid Police,Grid Police", b",Heddlu Gogledd Cymru")
    assert read_police_uk(RawFile("x.csv", falls)).source == "police.uk:north-wales"
    blank = text.replace(b"Grid Police,Grid Police", b",")
    assert read_police_uk(RawFile("2023-01-gwent-street.csv", blank)).source == ("police.uk:gwent")
    with pytest.raises(
        InputError,
        match=r"2023-01-south-wales-street.csv, row 1: the file "
        r"name says the force is 'south-wales' but its rows say "
        r"'Dyfed-Powys Police'",
    ):
        read_police_uk(RawFile("2023-01-south-wales-street.csv", dp))
    two = dp + ",".join(police_row("r2", lsoa="X01000001")).encode() + b"\n"
    with pytest.raises(
        InputError,
        match=r"x.csv, row 2: the rows name two police forces: "
        r"'Dyfed-Powys Police' \(row 1\) and 'Grid Police'.*split the file",
    ):
        read_police_uk(RawFile("x.csv", two))


def test_the_geography_is_kept_between_loads_until_wards_or_lookups_change(
    grid_store, grid_reference
):
    with grid_store.transaction() as txn:
        first = grid_store.staged_geography(txn)
    with grid_store.transaction() as txn:
        assert grid_store.staged_geography(txn) is first
    lad = grid_reference["lad_force"]
    lad.write_text(lad.read_text().replace(",Grid\n", ",Grid Two\n"))
    load_paths(grid_store, "lookup", [lad])
    with grid_store.transaction() as txn:
        again = grid_store.staged_geography(txn)
    assert again is not first
    assert set(again.wards["police_force"]) == {"Grid Two"}
    assert again.wards.drop(columns="police_force").equals(first.wards.drop(columns="police_force"))
