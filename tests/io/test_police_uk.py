"""Reading police.uk street CSVs: header variants, encodings, forces and bad files."""

import numpy as np
import pyarrow as pa
import pytest

from hotspots.errors import InputError
from hotspots.io.police_uk import drop_null_text, read_police_uk
from hotspots.io.raw import RawFile
from hotspots.schema import CRIME_COLUMNS
from tests.conftest import POLICE_UK_HEADER, police_row

ROWS = [
    police_row("a1", x=100, y=100, lsoa="W01000001", ctype="Robbery"),
    police_row("", lsoa="W01000001", ctype="Anti-social behaviour"),
    police_row("a2", lsoa="W01000002", ctype="Drugs"),
]


def _raw(text: str | bytes, name="2019-01-test-force-street.csv") -> RawFile:
    return RawFile(name, text if isinstance(text, bytes) else text.encode("utf-8"))


def _csv_text(header=POLICE_UK_HEADER, rows=ROWS, newline="\n") -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def test_standard_file():
    cf = read_police_uk(_raw(_csv_text()))
    assert list(cf.crimes.columns) == CRIME_COLUMNS
    assert cf.source == "police.uk:grid"  # from the rows ("Grid Police"), not the name
    assert cf.rows_read == {"2023-01": 3} and cf.skipped == {"2023-01": 1}
    assert list(cf.crimes["crime_id"]) == ["a1", "a2"]
    assert list(cf.crimes["row"]) == [1, 3]
    assert cf.crimes["longitude"].notna().sum() == 1


@pytest.mark.parametrize("variant", ["lower", "bom", "crlf", "spaces", "upper_underscore"])
def test_header_variants(variant):
    header = list(POLICE_UK_HEADER)
    newline = "\n"
    if variant == "lower":
        header = [h.lower() for h in header]
    elif variant == "spaces":
        header = [f" {h} " for h in header]
    elif variant == "upper_underscore":
        header = [h.upper().replace(" ", "_") for h in header]
    elif variant == "crlf":
        newline = "\r\n"
    text = _csv_text(header, newline=newline)
    if variant == "bom":
        text = "\ufeff" + text
    cf = read_police_uk(_raw(text))
    assert list(cf.crimes["crime_id"]) == ["a1", "a2"]
    assert cf.crimes["lsoa_code"].tolist() == ["W01000001", "W01000002"]


def test_quoted_commas_and_latin1():
    rows = [police_row("q1", lsoa="W01000001")]
    rows[0][6] = "On or near Heol y Bryn, Caerfyrddin"
    rows[0][8] = "Sir Gâr 001A"
    text = _csv_text(rows=rows)
    assert '"On or near Heol y Bryn, Caerfyrddin"' in text
    cf = read_police_uk(_raw(text.encode("cp1252")))
    assert len(cf.crimes) == 1 and cf.crimes.loc[0, "lsoa_code"] == "W01000001"


def test_force_from_reported_by_when_name_is_not_standard():
    cf = read_police_uk(_raw(_csv_text(), name="export.csv"))
    assert cf.source == "police.uk:grid"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"empty"),
        (
            "Crime ID,Month\n1,2019-01\n",
            r"missing column\(s\) \['Longitude', 'Latitude', 'LSOA code'",
        ),
        (_csv_text(rows=[police_row("z", month="2019-13")]), r"row 1: month '2019-13'.*YYYY-MM"),
        (
            _csv_text(
                rows=[
                    police_row("z", lsoa="W01000001"),
                    ["z2", "2023-01", "", "", "abc", "51", "", "", "", "Drugs", "", ""],
                ]
            ),
            r"row 2: Longitude 'abc' is not a number",
        ),
        (
            _csv_text(header=POLICE_UK_HEADER[:3] + POLICE_UK_HEADER[:3] + POLICE_UK_HEADER[6:]),
            r"repeats column",
        ),
        ("Crime ID,Month,Longitude,Latitude,LSOA code,Crime type\n", r"header but no rows"),
    ],
)
def test_bad_police_uk_files(text, match):
    with pytest.raises(InputError, match=match) as info:
        read_police_uk(_raw(text))
    assert "2019-01-test-force-street.csv" in str(info.value)


def test_ragged_row_names_the_problem():
    text = _csv_text() + "x,2023-01,only,four\n"
    with pytest.raises(InputError, match=r"fields where the header has 12.*double quotes"):
        read_police_uk(_raw(text))


def test_drop_null_text_copies_no_text_and_falls_back_when_a_null_holds_bytes():
    chunk = pa.array(["aa", None, "bbb", None, "c"])
    got = drop_null_text(
        pa.chunked_array([chunk, pa.array(["d"])]), np.array([True, False, True, False, True, True])
    )
    assert got.to_pylist() == ["aa", "bbb", "c", "d"]
    assert got.chunk(0).buffers()[2].address == chunk.buffers()[2].address  # no copy
    # a null cell whose offsets span bytes (not what the CSV reader makes)
    offsets = pa.py_buffer(np.array([0, 2, 4, 5], dtype=np.int32))
    validity = pa.array([True, False, True]).buffers()[1]
    odd = pa.StringArray.from_buffers(3, offsets, pa.py_buffer(b"aaXXc"), validity)
    got = drop_null_text(pa.chunked_array([odd]), np.array([True, False, True]))
    assert got.to_pylist() == ["aa", "c"]
