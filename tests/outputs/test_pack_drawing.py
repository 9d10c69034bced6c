"""The pack map's numbers: where three or more listed wards crowd, their numbers move to an
enlarged view of them under a title, a box on the map showing where; every rank is drawn
exactly once either way (read back from the PDF with each number's position, and from the
page's SVG)."""

from __future__ import annotations

import dataclasses
import io
import re
from types import SimpleNamespace

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from hotspots.outputs.pack.drawing import CROWDED, INSET_MIN, INSET_TITLE, draw_map
from hotspots.outputs.pack.figures import (
    PackFigures,
    Shape,
    crowded_group,
    map_inset_ranks,
    map_inset_svg,
    map_svg,
    page_map_crowd,
)

MM = 72 / 25.4  # points per millimetre


def _square(code: str, x: float, y: float, size: float = 1.0) -> Shape:
    ring = ((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))
    return Shape(code, code, (ring,))


def _figures() -> PackFigures:
    """A 100 × 100 area: wards a, b, c side by side near one corner, d far away."""
    wards = (
        _square("a", 10, 10),
        _square("b", 12, 10),
        _square("c", 11, 12),
        _square("d", 80, 80),
        _square("rest", 0, 0, 100),
    )
    return PackFigures(
        wards=wards,
        authorities=(),
        listed=("a", "b", "c", "d"),
        months=(),
        area_series=(),
        ward_series={},
    )


def _drawn(**inset) -> list[tuple[str, float, float]]:
    """Draw the map in a 100 mm box at (10, 10) mm; the texts on the page, each with its
    position in mm from the page's top left, in the order drawn."""
    return _drawn_figures(_figures(), **inset)


def _drawn_figures(figures: PackFigures, **inset) -> list[tuple[str, float, float]]:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_page()
    d = SimpleNamespace(pdf=pdf, family="helvetica", text=str)
    draw_map(d, figures, 10, 10, 100, 100, **inset)
    found = []

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            found.append((text.strip(), tm[4] / MM, pdf.h - tm[5] / MM))

    PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text(visitor_text=visit)
    return found


def _at(drawn, text: str) -> tuple[float, float]:
    (place,) = [(x, y) for t, x, y in drawn if t == text]  # drawn once
    return place


def test_crowded_group_known_answers():
    assert crowded_group([], CROWDED) == []
    assert crowded_group([(0, 0), (1, 0)], CROWDED) == []  # two do not make a crowd
    assert crowded_group([(0, 0), (20, 0), (40, 0)], CROWDED) == []
    # a chain: each within 6 mm of the next, not of all
    assert crowded_group([(0, 0), (5, 0), (10, 0), (50, 50)], CROWDED) == [0, 1, 2]
    # the larger group wins, whatever its ranks
    assert crowded_group([(0, 0), (1, 0), (2, 0), (50, 0), (51, 0), (52, 0), (53, 0)], CROWDED) == [
        3,
        4,
        5,
        6,
    ]
    # equal groups: the one holding the best rank
    assert crowded_group([(50, 0), (0, 0), (51, 0), (1, 0), (52, 0), (2, 0)], CROWDED) == [0, 2, 4]
    assert crowded_group([(0, 0), (5.9, 0), (11.8, 0)], near=6.0) == [0, 1, 2]
    assert crowded_group([(0, 0), (6.1, 0), (12.2, 0)], near=6.0) == []


def test_crowded_wards_are_numbered_once_in_an_enlarged_view():
    inset = (120, 10, 100, 60)
    drawn = _drawn(inset=inset, inset_title="Enlarged: the area in the box on the map")
    assert sorted(t for t, _x, _y in drawn if t.isdigit()) == ["1", "2", "3", "4"]
    tx, ty = _at(drawn, "Enlarged: the area in the box on the map")
    assert inset[0] - 0.5 <= tx and inset[1] <= ty <= inset[1] + INSET_TITLE
    for rank in ("1", "2", "3"):  # the crowded three: in the enlarged view
        x, y = _at(drawn, rank)
        assert inset[0] < x < inset[0] + inset[2] and inset[1] + INSET_TITLE < y < 70, rank
    x, y = _at(drawn, "4")  # the far one stays on the map
    assert 10 < x < 110 and 10 < y < 110


@pytest.mark.parametrize(
    "inset",
    [{}, {"inset": (120, 10, 100, INSET_TITLE + INSET_MIN - 0.5), "inset_title": "Enlarged"}],
    ids=["no box", "too little room"],
)
def test_without_room_every_number_stays_on_the_map(inset):
    drawn = _drawn(**inset)
    assert sorted(t for t, _x, _y in drawn) == ["1", "2", "3", "4"]  # no title, each once
    for rank, x, y in drawn:
        assert 10 < x < 110 and 10 < y < 110, rank


def _svg_numbers(svg: str) -> list[str]:
    return re.findall(r'font-family="sans-serif">(\d+)</text>', svg)


def test_page_map_numbers_the_crowded_wards_in_its_enlarged_view():
    """The page's map (SVG) does as the PDF does: the crowded wards' numbers in the
    enlarged view, the others on the map, a box on the map; each rank once."""
    fig = _figures()
    crowd = page_map_crowd(fig)
    assert crowd == ("a", "b", "c")
    main = map_svg(fig, "Where <the> top 4 are", enlarged=crowd)
    inset = map_inset_svg(fig, "Enlarged", crowd)
    assert _svg_numbers(main) == ["4"] and main.count("<rect") == 1
    assert sorted(_svg_numbers(inset)) == ["1", "2", "3"] and map_inset_ranks(fig, crowd) == [
        1,
        2,
        3,
    ]
    assert "<title>Where &lt;the&gt; top 4 are</title>" in main  # text, never markup
    # without a crowd, every number on the map and no box
    plain = map_svg(fig, "t")
    assert sorted(_svg_numbers(plain)) == ["1", "2", "3", "4"] and "<rect" not in plain
    spread = PackFigures(
        wards=(_square("a", 0, 0), _square("b", 50, 0), _square("c", 99, 99)),
        authorities=(),
        listed=("a", "b", "c"),
        months=(),
        area_series=(),
        ward_series={},
    )
    assert page_map_crowd(spread) == ()


@pytest.mark.slow
def test_demo_pack_enlarges_its_crowded_wards_under_the_summary(demo_store):
    """The demo region is tall: its map fills the right column's height, so the enlarged
    view of its crowded wards goes under the summary, in the left column, on page 1."""
    from hotspots.outputs.pack import assemble_pack, pack_pdf, pack_period
    from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data
    from hotspots.store.ward_data import Selection, load_ward_data

    data = load_ward_data(demo_store, Selection(*pack_period("2024-12")))
    result = analyse_ward_data(data, AnalysisSettings(uncertainty_draws=100))
    pack = assemble_pack(data, result, "2024-12", top_n=12)
    found = _page_one(pack_pdf(pack))
    numbers = sorted(int(t) for t, size, _x, _y in found if size == 6.5 and t.isdigit())
    assert numbers == list(range(1, 13))
    (title,) = [(x, y) for t, _s, x, y in found if t.startswith("Enlarged: the area")]
    summary_y = next(y for t, _s, _x, y in found if t == "Summary")
    assert title[0] < 20 and title[1] > summary_y + 40  # left column, under the text
    # A summary too long for page 1 runs on to page 2; the map stays on page 1, its
    # crowded wards enlarged under it if anywhere (never over the text), each rank once.
    long = dataclasses.replace(
        pack, summary=(*pack.summary, *(f"Sentence {i} of a long summary." for i in range(60)))
    )
    pdf = pack_pdf(long)
    found = _page_one(pdf)
    assert sorted(int(t) for t, size, _x, _y in found if size == 6.5 and t.isdigit()) == list(
        range(1, 13)
    )
    assert not [x for t, _s, x, _y in found if t.startswith("Enlarged") and x < 150]
    assert "Where the top 12 are" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Sentence 30 of a long summary." in PdfReader(io.BytesIO(pdf)).pages[1].extract_text()


def _page_one(pdf: bytes) -> list[tuple[str, float, float, float]]:
    """Page 1's texts: (text, size, x mm, y mm from the top)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    found = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            found.append((text.strip(), size, tm[4] / MM, (height - tm[5]) / MM))

    page.extract_text(visitor_text=visit)
    return found


def test_wards_without_an_outline_are_still_numbered_once():
    """Listed wards too small to keep an outline after simplification crowd at one point:
    the enlarged view is still drawn around them, each number once."""
    fig = _figures()
    bare = PackFigures(
        wards=(*fig.wards, *(Shape(c, c, ()) for c in "efg")),
        authorities=(),
        listed=("e", "f", "a", "d", "g", "b", "c"),
        months=(),
        area_series=(),
        ward_series={},
    )
    drawn = _drawn_figures(bare, inset=(120, 10, 100, 60), inset_title="Enlarged")
    assert sorted(int(t) for t, _x, _y in drawn if t.isdigit()) == list(range(1, 8))
    crowd = page_map_crowd(bare)
    assert len(crowd) >= 3
    svg = map_svg(bare, "t", enlarged=crowd) + map_inset_svg(bare, "t", crowd)
    assert sorted(map(int, _svg_numbers(svg))) == list(range(1, 8))
