"""Downloads in Welsh and English: CSV files that Excel on Windows opens with Welsh letters
intact (UTF-8 with a byte-order mark), the CSV's machine columns for scripts, and the
Excel list's human headers and method sheet in the language chosen."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from hotspots.outputs.exports import (
    EXCEL_HEADERS,
    csv_bytes,
    excel_headers,
    hotspot_list_csv,
    hotspot_list_excel,
)
from hotspots.stats.analysis import HOTSPOT_LIST_COLUMNS

BOM = b"\xef\xbb\xbf"
NAMES = ["Bôn-y-maen", "Llanfair Pwllgwyngyll", "Tŷ-du", "Cwm-ŵyn"]


def _excel_reads(data: bytes) -> str:
    """Decode CSV bytes as Excel on Windows does: UTF-8 when the file starts with the
    byte-order mark, otherwise the computer's legacy code page (Windows-1252)."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8")
    return data.decode("cp1252", errors="replace")


def test_csv_starts_with_the_byte_order_mark_and_keeps_welsh_letters():
    frame = pd.DataFrame({"ward_name": NAMES, "sv_count": [1, 2, 3, 4]})
    data = csv_bytes(frame)
    assert data.startswith(BOM) and data.count(BOM) == 1
    text = _excel_reads(data)
    assert text.splitlines()[0] == "ward_name,sv_count"  # the machine columns, unchanged
    assert [r["ward_name"] for r in csv.DictReader(io.StringIO(text))] == NAMES
    # Without the mark, Excel would have shown mojibake: the reason for it.
    assert "Bôn-y-maen" not in _excel_reads(data[len(BOM) :])
    # Scripts read it as it is: pandas and Python's utf-8-sig.
    assert pd.read_csv(io.BytesIO(data))["ward_name"].tolist() == NAMES
    assert data.decode("utf-8-sig").startswith("ward_name,")


def test_excel_headers_in_words_in_both_languages():
    table = pd.DataFrame([[1, "W05001040", "Bôn-y-maen", 12.5]], columns=[
        "rank", "ward_code", "ward_name", "sv_rate",
    ])  # fmt: skip
    meta = {"period": "2018-10 to 2019-02", "area": "south-wales"}
    for lang, sheets, header, item in (
        ("en", ["Hotspots", "Method and data"], ["Rank", "Ward code", "Ward"], "Period"),
        ("cy", ["Mannau problemus", "Dull a data"], ["Safle", "Cod ward", "Ward"], "Cyfnod"),
    ):
        book = openpyxl.load_workbook(io.BytesIO(hotspot_list_excel(table, meta, lang=lang)))
        assert book.sheetnames == sheets
        rows = list(book[sheets[0]].iter_rows(values_only=True))
        assert list(rows[0][:3]) == header
        assert rows[1][2] == "Bôn-y-maen"  # names are data: as given
        method = dict(book[sheets[1]].iter_rows(min_row=2, values_only=True))
        assert method[item] == "2018-10 to 2019-02"
    # Every column of the hotspot list has a header in words.
    assert set(HOTSPOT_LIST_COLUMNS) <= set(EXCEL_HEADERS)
    assert excel_headers(["sv_rate", "series"], "cy") == [
        "Trais difrifol fesul 1,000 o breswylwyr",
        "series",  # no header known: the name as it is
    ]


@pytest.mark.shared
@pytest.mark.slow
def test_rank_command_csv_keeps_bon_y_maen_for_excel(real_store, tmp_path):
    """The command line's `rank` CSV (byte for byte the dashboard's download) on the
    real data: Swansea's Bôn-y-maen survives Excel on Windows."""
    from hotspots.cli import main

    out = tmp_path / "swansea.csv"
    args = ["--data-dir", str(real_store.root), "rank", "--from", "2018-10", "--to", "2019-02"]
    assert main([*args, "--area", "W06000011", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(_excel_reads(data))))
    assert list(rows[0])[:3] == HOTSPOT_LIST_COLUMNS[:3]
    names = {r["ward_name"] for r in rows}
    assert "Bôn-y-maen" in names and len(rows) == 32  # Swansea's 2022 wards
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert hotspot_list_csv(table).startswith(BOM)
