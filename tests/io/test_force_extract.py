"""Force extracts: codes, times, flags, column mappings and bad rows."""

import pandas as pd
import pytest

from hotspots.errors import InputError
from hotspots.io.force_extract import ExtractMapping, parse_extract_mapping, read_extract
from hotspots.io.police_uk import read_police_uk
from hotspots.io.raw import RawFile
from hotspots.io.street_files import iter_police_uk
from hotspots.schema import CRIME_COLUMNS
from tests.conftest import POLICE_UK_HEADER, police_row, write_csv

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


EXTRACT_HEADER = [
    "crime_reference",
    "recorded_at",
    "ho_code",
    "offence_description",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "lsoa_code",
    "domestic_flag",
    "alcohol_flag",
    "drugs_flag",
    "knife_flag",
    "victim_age_band",
    "victim_sex",
]


def _extract(rows, header=EXTRACT_HEADER):
    return _raw(_csv_text(header, rows), name="extract.csv")


def test_extract_reads_codes_times_flags():
    rows = [
        [
            "DP/1",
            "2023-01-06 23:40",
            "08N",
            "Assault with injury",
            "51.85",
            "-4.3",
            "",
            "",
            "",
            "Y",
            "N",
            "",
            "N",
            "18-24",
            "M",
        ],
        [
            "DP/2",
            "07/02/2023 01:15",
            "92a",
            "Trafficking",
            "",
            "",
            "240000",
            "220000",
            "",
            "no",
            "",
            "yes",
            "",
            "",
            "",
        ],
    ]
    cf = read_extract(_extract(rows), ExtractMapping(source="dyfed-powys"))
    c = cf.crimes
    assert list(c.columns) == CRIME_COLUMNS
    assert cf.source == "extract:dyfed-powys"
    assert list(c["ho_code"]) == ["8N", "92A"]
    assert list(c["month"]) == ["2023-01", "2023-02"]
    assert c.loc[1, "occurred_at"] == pd.Timestamp("2023-02-07 01:15")
    assert list(c["domestic"]) == [True, False]
    assert c["drugs_flag"].tolist() == [pd.NA, True]
    assert c.loc[1, "easting"] == 240000.0
    assert cf.rows_read == {"2023-01": 1, "2023-02": 1}


def test_extract_column_mapping():
    header = ["CRN", "Date", "HOCode", "Lat", "Lon", "DA"]
    mapping = parse_extract_mapping(
        'source = "My Force"\n[columns]\ncrime_reference = "CRN"\nrecorded_at = "Date"\n'
        'ho_code = "HOCode"\nlatitude = "Lat"\nlongitude = "Lon"\ndomestic = "DA"\n'
    )
    assert mapping.source == "my-force"
    cf = read_extract(
        _extract([["1", "2023-03-01 10:00", "34B", "51.5", "-3.2", "N"]], header), mapping
    )
    assert cf.crimes["ho_code"].tolist() == ["34B"]
    assert cf.crimes["domestic"].tolist() == [False]


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (["", "2023-01-01 10:00", "8N"], r"row 1: the crime reference is blank"),
        (["A", "2023-01-01 10:00", ""], r"row 1: the Home Office offence code is blank"),
        (["A", "yesterday", "8N"], r"row 1: recorded date-time 'yesterday' cannot be read"),
    ],
)
def test_extract_bad_rows(row, match):
    header = ["crime_reference", "recorded_at", "ho_code", "lsoa_code"]
    with pytest.raises(InputError, match=match):
        read_extract(_extract([[*row, "W01000001"]], header))


def test_extract_bad_flag_and_missing_columns():
    header = ["crime_reference", "recorded_at", "ho_code", "lsoa_code", "domestic_flag"]
    with pytest.raises(InputError, match=r"row 1: domestic flag 'maybe' is not yes or no"):
        read_extract(_extract([["A", "2023-01-01 10:00", "8N", "W01000001", "maybe"]], header))
    with pytest.raises(InputError, match=r"missing column\(s\) \['ho_code'\].*--mapping"):
        read_extract(_extract([["A", "2023-01-01"]], ["crime_reference", "recorded_at"]))


def test_extract_mapping_rejects_unknown_fields():
    with pytest.raises(InputError, match=r"unknown field\(s\) \['colour'\]"):
        parse_extract_mapping('[columns]\ncolour = "x"\n')


def test_written_file_roundtrip(tmp_path):
    path = write_csv(tmp_path / "2023-01-grid-street.csv", POLICE_UK_HEADER, ROWS)
    (raw,) = list(iter_police_uk([tmp_path]))
    assert raw.name == path.name and read_police_uk(raw).rows_read == {"2023-01": 3}


def test_extract_codes_are_read_in_one_spelling():
    header = ["crime_reference", "recorded_at", "ho_code", "lsoa_code"]
    codes = ["4/1", "04/10", "08/67", " 19j ", "029A", "8 n", "37/02", "4.3"]
    rows = [[f"R{i}", "2023-01-01 10:00", c, "W01000001"] for i, c in enumerate(codes)]
    cf = read_extract(_extract(rows, header))
    assert cf.crimes["ho_code"].tolist() == [
        "4.1",
        "4.10",
        "8/67",
        "19J",
        "29A",
        "8N",
        "37.2",
        "4.3",
    ]
    # a file without flag columns reads them as unknown (missing), never as "no"
    assert cf.crimes["domestic"].isna().all() and cf.crimes["terrorism"].isna().all()
