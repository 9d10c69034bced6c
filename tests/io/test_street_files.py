"""Finding police.uk street files in paths, folders and archive zips, and zip members
read with a size limit whatever their headers say."""

import zipfile

import pytest

from hotspots.errors import InputError
from hotspots.io.street_files import iter_police_uk
from tests.conftest import POLICE_UK_HEADER, police_row

ROWS = [
    police_row("a1", x=100, y=100, lsoa="W01000001", ctype="Robbery"),
    police_row("", lsoa="W01000001", ctype="Anti-social behaviour"),
    police_row("a2", lsoa="W01000002", ctype="Drugs"),
]


def _csv_text(header=POLICE_UK_HEADER, rows=ROWS, newline="\n") -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


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


@pytest.mark.slow
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
