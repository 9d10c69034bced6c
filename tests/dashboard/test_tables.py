"""Ward tables as HTML: escaping, profile links, headings and their notes, cells as shown."""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from dashboard.tables import Column, cell_text, sparkline_svg, ward_table_html
from tests.a11y_support import parse_ward_table

EVIL = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x.example","y")'

COLUMNS = [
    Column("Rank", "rank", kind="count"),
    Column("Ward", "ward_name"),
    Column("Per 1,000", "sv_rate", "Violence per 1,000 <residents>.", "decimal"),
    Column("Local authority", "local_authority_name"),
    Column("Violence", "sv_count", kind="count"),
    Column("Most deprived 20%", "dep_share_20"),
    Column("Volatile", "volatile"),
    Column("Monthly trend", "series", "A line.", "trend"),
]


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": ["W1", "W2", 'W3"><script>'],
            "rank": [1.0, 2.0, math.nan],
            "ward_name": [EVIL, FORMULA, "Aber & Bôn"],
            "sv_rate": [12.345, 0.04, None],
            "local_authority_name": ["Powys", None, "<b>x</b>"],
            "sv_count": [1234.0, "<5", math.nan],
            "dep_share_20": ["\u2007 46.6%", "0.0%", None],
            "volatile": ["Yes", "No", None],
            "series": [[1.0, None, 3.0], [None, "<5", 2.0], None],
        }
    )


def _table(**kw) -> str:
    args = {
        "caption": "Ranked <wards>",
        "link_query": {"lang": "cy", "area": "dyfed-powys", "ward": "OLD", "from": "2019-01"},
        "table_id": "t",
        "notes_heading": "About the columns:",
    }
    return ward_table_html(_rows(), COLUMNS, **{**args, **kw})


def test_every_text_is_escaped_and_shows_as_text():
    page = _table()
    assert "<img" not in page and "<script>" not in page and "<b>x" not in page
    assert html.escape(EVIL) in page and html.escape("<b>x</b>") in page
    assert "Ranked &lt;wards&gt;" in page and "Violence per 1,000 &lt;residents&gt;." in page
    shown = parse_ward_table(page)
    # What a reader sees is the name itself, a formula's text included (never evaluated).
    assert shown["ward_name"].tolist() == [EVIL, FORMULA, "Aber & Bôn"]
    assert shown["local_authority_name"].tolist() == ["Powys", None, "<b>x</b>"]
    assert shown.attrs["caption"] == "Ranked <wards>"


def test_ward_names_link_to_their_profiles_keeping_the_address():
    shown = parse_ward_table(_table())
    links = shown.attrs["links"]
    assert links[0] == "profile?lang=cy&area=dyfed-powys&from=2019-01&ward=W1"
    assert links[2].endswith("ward=W3%22%3E%3Cscript%3E")  # a code is quoted, never markup
    page = _table()
    assert page.count('<th scope="row"') == 3 and page.count('target="_self"') == 3
    assert "OLD" not in page


def test_headings_notes_and_cells_as_shown():
    page = _table()
    heads = re.findall(r'<th scope="col" data-col="([^"]+)"[^>]*>(.*?)</th>', page)
    assert [(k, re.sub(r"<[^>]+>", "", h)) for k, h in heads] == [
        (c.key, c.heading) for c in COLUMNS
    ]
    # A number's heading wraps in a narrow box (so the rate shows beside the ward).
    assert dict(heads)["sv_rate"].startswith('<span style="display:inline-block;max-width:')
    # Each explained heading points at its note, and the notes are under the table.
    assert 'aria-describedby="t-note-sv_rate"' in page
    assert page.index('id="t-note-sv_rate"') > page.index("</table>")
    assert "<strong>Monthly trend</strong>: A line." in page
    assert page.count("<li") == 2 and "About the columns:" in page
    shown = parse_ward_table(page)
    assert shown["rank"].tolist()[:2] == [1, 2] and shown["rank"].isna().tolist()[2]
    assert shown["sv_rate"].tolist()[:2] == [12.3, 0.0]
    assert shown["sv_count"].tolist()[:2] == [1234, "<5"]
    assert shown["dep_share_20"].tolist() == ["46.6%", "0.0%", None]
    assert shown["volatile"].tolist() == ["Yes", "No", None]
    # No "None", "nan" or "NaN" anywhere; "—" for nothing.
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page)
    assert not any(re.search(r"\b(None|nan|NaN)\b", c) for c in cells)
    assert page.count(">—<") >= 6
    # The trend: a line hidden from screen readers, its monthly values read instead.
    assert shown["series"].tolist() == ["1, —, 3", "—, <5, 2", None]
    assert page.count('<svg aria-hidden="true"') == 2


def test_without_notes_no_list_and_bad_columns_refused():
    page = ward_table_html(
        _rows(), [Column("Ward", "ward_name")], caption="c", link_query={}, table_id="x"
    )
    assert "<ul" not in page and page.count("<tr>") == 4
    with pytest.raises(ValueError, match="must include the ward column 'ward_name'"):
        ward_table_html(_rows(), [Column("Rank", "rank")], caption="c", link_query={}, table_id="x")
    with pytest.raises(ValueError, match="rows have no column 'nope'"):
        ward_table_html(
            _rows(), [*COLUMNS, Column("?", "nope")], caption="c", link_query={}, table_id="x"
        )
    with pytest.raises(ValueError, match="kind 'money' is not one of"):
        Column("X", "x", kind="money")


def test_cell_text_and_sparkline():
    assert [cell_text(v) for v in (None, math.nan, pd.NA, "", "  x ")] == ["—"] * 4 + ["x"]
    assert cell_text(12.0, "count") == "12" and cell_text(1234567, "count") == "1,234,567"
    assert cell_text(0.05, "decimal") == "0.1" and cell_text("<5", "decimal") == "<5"
    assert sparkline_svg([]) == "" and sparkline_svg([None, None]) == ""
    svg = sparkline_svg([0, 10, None, 5, 5], width=42, height=12)
    # Two pieces (the gap breaks the line); the highest month at the top, zero at the foot.
    assert svg.count("<polyline") == 2 and 'points="1.0,11.0 11.0,1.0"' in svg
    assert sparkline_svg([1, None, 2]).count("<circle") == 2
