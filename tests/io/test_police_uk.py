"""Reading police.uk street CSVs, archive zips and force extracts."""

import zipfile

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


def _archive(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_archive_zip_reads_only_asked_forces_and_months(tmp_path):
    text = _csv_text()
    members = {
        f"{m}/{m}-{f}-street.csv": text
        for m in ("2019-01", "2019-02")
        for f in ("dyfed-powys", "south-wales", "gwent")
    }
    members["2019-01/2019-01-dyfed-powys-outcomes.csv"] = "not,read\n"
    z = _archive(tmp_path / "2019-02.zip", members)
    got = [r.name for r in iter_police_uk([z], forces=["Dyfed-Powys"], months=["2019-02"])]
    assert got == ["2019-02.zip:2019-02/2019-02-dyfed-powys-street.csv"]
    assert len(list(iter_police_uk([z]))) == 6


def test_truncated_zip(tmp_path):
    z = _archive(tmp_path / "2019-01.zip", {"2019-01/2019-01-gwent-street.csv": _csv_text()})
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"2019-01.zip: the zip is damaged.*download"):
        list(iter_police_uk([z]))


def test_folder_without_street_files(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InputError, match=r"holds no police\.uk street CSVs"):
        list(iter_police_uk([tmp_path]))


def test_missing_path():
    with pytest.raises(InputError, match="no such file or folder"):
        list(iter_police_uk(["/nonexistent/2019-01.zip"]))


# -- force extracts -----------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# zip members whose header lies about their size

MEMBER = "2019-02/2019-02-dyfed-powys-street.csv"


def _lying_zip(path, data_blocks, claimed: int):
    """A zip with one Deflate member whose headers say it unpacks to ``claimed`` bytes;
    ``data_blocks`` is (block, times): the member really is ``block * times``, compressed
    a block at a time with a full flush so that the compressed block repeats (1 GiB of
    zeros is about 1 MB on disk, written in about a second)."""
    import struct
    import zlib

    block, times = data_blocks
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    stream = one * times + c.flush()
    name = MEMBER.encode()
    # (a big member's CRC is never reached: reading stops at the limit first)
    crc = zlib.crc32(block * times) if len(block) * times < 1 << 20 else 0
    local = (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), claimed, len(name), 0
        )
        + name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(stream),
            claimed,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(stream), 0
    )
    path.write_bytes(local + stream + central + end)
    return path


def test_a_zip_member_is_counted_as_it_unpacks_not_by_its_header(tmp_path, monkeypatch):
    bomb = _lying_zip(tmp_path / "2019-02.zip", (b"\0" * (1 << 24), 64), claimed=100)
    assert bomb.stat().st_size < 2 << 20  # 1 GiB inside, about 1 MB on disk
    with zipfile.ZipFile(bomb) as zf:
        assert zf.infolist()[0].file_size == 100  # what the header claims
    monkeypatch.setenv("HOTSPOTS_MAX_FILE_MB", "8")
    with pytest.raises(
        InputError,
        match=r"2019-02.zip:2019-02/2019-02-dyfed-powys-street"
        r".csv: the member unpacks to more than the limit of 8 MB although "
        r"its header says 100 bytes.*HOTSPOTS_MAX_FILE_MB",
    ):
        list(iter_police_uk([bomb]))
    # a header claiming more than the member holds: refused too
    short = _lying_zip(tmp_path / "short.zip", (b"x" * 50, 1), claimed=100)
    with pytest.raises(InputError, match=r"unpacks to 50 bytes but its header says 100"):
        list(iter_police_uk([short]))


def test_a_lying_zip_member_keeps_memory_low(tmp_path):
    """Peak memory of a process loading a 1 GiB zip bomb with a 16 MB limit (measured in a
    fresh process with getrusage)."""
    import json
    import os
    import subprocess
    import sys

    bomb = _lying_zip(tmp_path / "2019-02.zip", (b"\0" * (1 << 24), 64), claimed=100)
    code = f"""
import json, resource
from hotspots.io.street_files import iter_police_uk
from hotspots.errors import InputError
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    list(iter_police_uk([{str(bomb)!r}]))
    message = None
except InputError as exc:
    message = exc.message
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"base_kb": base, "peak_kb": peak, "message": message}}))
"""
    env = dict(os.environ, HOTSPOTS_MAX_FILE_MB="16")
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    got = json.loads(out.stdout)
    assert "more than the limit of 16 MB" in got["message"]
    # the limit (16 MB) and a block, not the 1 GiB the member holds
    assert (got["peak_kb"] - got["base_kb"]) / 1024 < 64, got
