"""``load auto``: a file of no recognised kind is refused saying what is wrong with it."""

import zipfile

import pytest

from hotspots.errors import InputError
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from tests.conftest import POLICE_UK_HEADER, police_row, write_csv

UNKNOWN = r"the kind of this file cannot be recognised: "


def _load(tmp_path, path):
    store = Store(tmp_path / "store")
    with pytest.raises(InputError) as info:
        load_paths(store, "auto", [path])
    assert store.version() == 0  # nothing stored
    return info


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("empty.csv", b"", r"empty.csv: " + UNKNOWN + r"the file is empty \(0 bytes\)"),
        ("blank.csv", b"\n \n", UNKNOWN + r"the file is empty \(0 bytes but blanks\)"),
        ("data.csv", b"\x00\xff" * 500, UNKNOWN + r"the file is binary, not text \(not a known"),
        (
            "report.csv",
            b"%PDF-1.7\n\x00\x01\x02",
            UNKNOWN + r"the file is binary, not text \(it "
            r"looks like a PDF document\).*Fix: check that this is the right file",
        ),
        (
            "page.csv",
            b"<!DOCTYPE html><html><body>Not found</body></html>\n",
            UNKNOWN + r"this is a web page \(HTML\), not a CSV",
        ),
        ("utf16.csv", "Crime ID,Month\n".encode("utf-16"), UNKNOWN + r"the file is UTF-16 text"),
        (
            "things.csv",
            b"colour,size\nred,3\n",
            UNKNOWN + r"its columns \(colour, size\) are not "
            r"those of any kind of file the tool loads",
        ),
        (
            "crimes.csv",
            b"Crime ID,Month,Longitude,Latitude,Crime type\n1,2019-01,,,Drugs\n",
            UNKNOWN + r"it looks like a police.uk street CSV \(crimes\) but lacks the column\(s\) "
            r"LSOA code \(its columns: Crime ID, Month, Longitude, Latitude, Crime type\).*Fix: "
            r"add or rename the missing column\(s\)",
        ),
        (
            "extract.csv",
            b"crime_reference,offence\nA1,assault\n",
            UNKNOWN + r"it looks like a "
            r"force extract \(crimes-extract\) but lacks the column\(s\) recorded_at, ho_code",
        ),
        (
            "wimd.csv",
            b"lsoa_code,IMD_decile\nW01000001,3\n",
            UNKNOWN + r"it looks like a WIMD/IMD "
            r"2019 LSOA table \(deprivation\) but lacks the column\(s\) IMD_rank",
        ),
        (
            "pfa.csv",
            b"LAD24CD,LAD24NM\nW06000001,Anglesey\n",
            UNKNOWN + r"it looks like the ONS "
            r"local authority→police force lookup .* lacks the column\(s\) PFA24CD",
        ),
        (
            "pop.csv",
            b"lsoa11_code,females\nW01000001,700\n",
            UNKNOWN + r"it looks like an ONS "
            r"LSOA population table \(population\) but lacks the column\(s\) total_population",
        ),
        (
            "codes.csv",
            b"lsoa11_code,note\nW01000001,x\n",
            UNKNOWN + r"it could be the ONS "
            r"LSOA 2011→2021 lookup \(lacks LSOA21CD\), a WIMD/IMD 2019 LSOA table \(lacks "
            r"IMD_rank\) or an ONS LSOA population table \(lacks total_population\): it lacks the "
            r"columns each of them needs",
        ),
    ],
)
def test_each_unrecognised_file_says_why(tmp_path, name, data, match):
    path = tmp_path / name
    path.write_bytes(data)
    info = _load(tmp_path, path)
    with pytest.raises(InputError, match=match):
        raise info.value
    assert "Expected one of: crimes (" in info.value.message


def test_zips_of_no_known_kind_say_what_they_hold(tmp_path):
    z = tmp_path / "stuff.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("notes/a.txt", "a")
    with pytest.raises(
        InputError,
        match=UNKNOWN + r"the zip holds neither police.uk street "
        r"CSVs .* nor a Shapefile \(.shp\); it holds: notes/a.txt",
    ):
        raise _load(tmp_path, z).value
    x = tmp_path / "book.xlsx"
    with zipfile.ZipFile(x, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(
        InputError,
        match=UNKNOWN + r"it is an Excel workbook, not a CSV: "
        r"save the sheet as 'CSV UTF-8",
    ):
        raise _load(tmp_path, x).value


def test_files_ignored_in_a_folder_carry_the_reason(grid_store, tmp_path):
    folder = tmp_path / "in"
    write_csv(
        folder / "2023-01-grid-street.csv", POLICE_UK_HEADER, [police_row("a", lsoa="X01000001")]
    )
    (folder / "empty.csv").write_bytes(b"")
    write_csv(folder / "near.csv", ["Crime ID", "Month", "Crime type"], [["1", "2023-01", "x"]])
    report = load_paths(grid_store, "auto", [folder])
    assert report.loaded == ["2023-01-grid-street.csv"]
    assert report.ignored == [
        f"{folder / 'empty.csv'} (the file is empty (0 bytes))",
        f"{folder / 'near.csv'} (it looks like a police.uk street CSV (crimes) but lacks the "
        "column(s) Longitude, Latitude, LSOA code (its columns: Crime ID, Month, Crime type))",
    ]
