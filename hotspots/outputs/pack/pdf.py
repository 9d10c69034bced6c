"""The pack as a printable PDF: A4 landscape, at most four pages for a top 12.

Page 1: what the pack is (title, period, definition — PROXY where it is one — data
cut-off, source and licence), the summary in sentences and a map of the area with the
listed wards numbered by rank and the local authorities outlined. Page 2: serious violence
by month for the area and for each listed ward (months not loaded are gaps), changes since
the last published pack and the wards left out. Then the table and the method notes. The
footer of every page carries the area, the period, the page number and the page count.

The map and charts are drawn with the PDF's own lines (no image library), and the file is
dated by its meeting month, so the same pack always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from hotspots.definitions import bare_title
from hotspots.outputs.pack.drawing import (
    INSET_MIN,
    INSET_TITLE,
    RED,
    draw_map,
    draw_small_multiples,
    draw_trend,
    map_height,
)
from hotspots.outputs.pack.method import cut_off_words, method_items, period_words
from hotspots.outputs.pack.summary import SOURCE_LINE, definition_line
from hotspots.outputs.pack.table import (
    change_lines,
    heading_lines,
    left_out_table,
    table_headings,
    top_table,
)
from hotspots.outputs.pack.words import month_words, tr

#: Unicode font embedded in the PDF when it exists (else Helvetica with Latin-1 text).
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

_PUNCTUATION = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "≥": ">=",
    "≤": "<=",
    "→": "->",
    "•": "-",
    "×": "x",
    "−": "-",
    "·": "-",
}


def latin1_safe(text: str) -> str:
    """``text`` in Latin-1 for PDF core fonts: Latin-1 characters kept (â, ê, ô...), others
    (ŵ, ŷ) without their accents, typographic punctuation as ASCII, anything else "?"."""
    out = []
    for ch in str(text):
        ch = _PUNCTUATION.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            try:
                base.encode("latin-1")
                ch = base or "?"
            except UnicodeEncodeError:
                ch = "?"
        out.append(ch)
    return "".join(out)


def footer_text(pack) -> str:
    """What every page's footer says before its page number."""
    label = str(pack.metadata.get("label") or "").upper()
    title = str(pack.metadata.get("definition_title") or pack.definition)  # pack's language
    if pack.proxy:
        title = bare_title(title)
        title = tr(pack.lang)("{title} (PROXY)").format(title=title)
    return " · ".join(x for x in (pack.area_label, period_words(pack), title, label) if x)


def page_label(lang: str) -> str:
    """ "page {page} of {pages}" in ``lang``."""
    return tr(lang)("page {page} of {pages}")


class _Document:
    """The PDF being written, with the pack's font and text rule."""

    def __init__(self, pack, font_path) -> None:
        from fpdf import FPDF

        unicode_font = font_path is not None and Path(font_path).is_file()
        self.text = (lambda s: str(s)) if unicode_font else latin1_safe
        family = "DejaVu" if unicode_font else "Helvetica"
        self.family = family
        footer = self.text(footer_text(pack))
        pages = page_label(pack.lang)
        text = self.text

        class _PDF(FPDF):
            def footer(self) -> None:
                self.set_y(-10)
                self.set_font(family, "", 7.5)
                self.set_text_color(80)
                label = pages.format(page=self.page_no(), pages="{nb}")
                self.cell(0, 5, text(f"{footer} · {label}"), align="C")
                self.set_text_color(0)

        pdf = _PDF(orientation="L", unit="mm", format="A4")
        pdf.set_margins(10, 10, 10)
        pdf.set_auto_page_break(True, margin=14)
        if unicode_font:
            path = Path(font_path)
            bold = path.with_name(path.stem + "-Bold" + path.suffix)
            pdf.add_font(family, "", path)
            pdf.add_font(family, "B", bold if bold.is_file() else path)
        self.pdf = pdf

    def para(self, s: str, size: float = 9, style: str = "", w: float = 0, h: float = 4.5):
        pdf = self.pdf
        pdf.set_font(self.family, style, size)
        pdf.multi_cell(w or pdf.epw, h, self.text(s), align="L", new_x="LEFT", new_y="NEXT")

    def bullet(self, s: str, size: float = 9, w: float = 0, h: float = 4.5) -> None:
        """A line with a bullet, its wrapped lines indented under its first word."""
        pdf = self.pdf
        x = pdf.get_x()
        pdf.set_font(self.family, "", size)
        pdf.cell(4, h, self.text("•"))
        pdf.multi_cell((w or pdf.epw) - 4, h, self.text(s), align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_x(x)

    def heading(self, s: str, size: float = 12) -> None:
        self.pdf.ln(1.5)
        self.para(s, size=size, style="B", h=6)


def pack_pdf(pack, map_png: bytes | None = None, font_path: str | Path | None = DEJAVU) -> bytes:
    """The pack as a printable A4 (landscape) PDF.

    Parameters
    ----------
    pack : Pack
    map_png : bytes, optional
        Unused (kept for callers of earlier versions): the map is drawn from
        ``pack.figures``.
    font_path : path, optional
        A TrueType font to embed (default DejaVu Sans when installed, with its bold beside
        it, which has every Welsh letter: ŵ, ŷ); None or a missing file: Helvetica, with
        text made Latin-1 (ŵ → w, ŷ → y).
    """
    _ = tr(pack.lang)
    d = _Document(pack, font_path)
    pdf = d.pdf
    pdf.set_title(d.text(pack.title))
    pdf.set_author("hotspots")
    pdf.set_lang("cy" if pack.lang == "cy" else "en-GB")
    # Dated by its meeting month, so the same pack always gives the same bytes.
    pdf.set_creation_date(
        dt.datetime(int(pack.meeting_month[:4]), int(pack.meeting_month[5:]), 1, tzinfo=dt.UTC)
    )
    heads = heading_lines(pack)
    m = pack.metadata
    pdf.add_page()
    if m.get("label"):
        pdf.set_text_color(170, 0, 0)
        d.para(
            _("{label}: invented places and crimes, not real data").format(
                label=str(m["label"]).upper()
            ),
            size=10,
            style="B",
        )
        pdf.set_text_color(0)
    d.para(
        _("Serious violence targeting pack: {area}").format(area=pack.area_label),
        size=16,
        style="B",
        h=8,
    )
    d.para(
        _("For the meeting of {month}. Period: {period}. Data cut-off: {cut}.").format(
            month=month_words(pack.meeting_month, pack.lang),
            period=period_words(pack),
            cut=cut_off_words(pack),
        ),
        size=10,
        h=5,
    )
    if pack.proxy:
        pdf.set_text_color(*RED)
    d.para(
        _("Definition: {definition}").format(definition=definition_line(pack)),
        size=10,
        style="B" if pack.proxy else "",
        h=5,
    )
    pdf.set_text_color(0)
    audience = (
        _("Partners' copy: small numbers are suppressed.")
        if m.get("audience") == "partner"
        else _("Analysts' copy: exact counts.")
    )
    d.para(f"{audience} {_(SOURCE_LINE)}", size=7.5, h=3.6)
    pdf.ln(1)
    top_y = pdf.get_y()
    map_w = 118.0
    text_w = pdf.epw - map_w - 6
    # The summary and changes first (left), then the map beside them (right), so that an
    # enlarged view of crowded wards can go under the map or, without room there, under
    # the text.
    first_page = pdf.page
    pdf.set_xy(pdf.l_margin, top_y)
    d.para(heads["summary"], size=12, style="B", w=text_w, h=6)
    for line in pack.summary:
        pdf.set_x(pdf.l_margin)
        d.bullet(line, size=9, w=text_w, h=4.3)
        pdf.ln(0.6)
    pdf.set_x(pdf.l_margin)
    d.heading(heads["changes"], size=11)
    for line in change_lines(pack):
        pdf.set_x(pdf.l_margin)
        d.bullet(line, size=8.5, w=text_w, h=4)
    text_page, text_end = pdf.page, pdf.get_y()
    if pack.figures is not None:
        pdf.page = first_page  # the text may have run on to the next page
        map_x = pdf.l_margin + text_w + 6
        pdf.set_font(d.family, "B", 10)
        pdf.set_xy(map_x, top_y)
        d.para(heads["map"], size=10, style="B", w=map_w, h=5)
        box_h = 196 - top_y - 22
        caption_y = top_y + 7 + map_height(pack.figures, map_w, box_h)
        inset_y = caption_y + 8  # the caption takes up to two lines of 3 mm
        if 196 - inset_y >= INSET_TITLE + INSET_MIN or text_page != first_page:
            inset = (map_x, inset_y, map_w, min(196 - inset_y, 46))
        else:
            inset = (pdf.l_margin, text_end + 4, text_w, min(196 - text_end - 4, 60))
        used = draw_map(
            d,
            pack.figures,
            map_x,
            top_y + 6,
            map_w,
            box_h,
            inset=inset,
            inset_title=_("Enlarged: the area in the box on the map"),
        )
        pdf.set_xy(map_x, top_y + 7 + used)
        d.para(
            _(
                "Numbers: rank in this pack (wards filled and outlined in red). Dark lines: "
                "local authorities."
            ),
            size=6.5,
            w=map_w,
            h=3,
        )
        pdf.page = text_page
        pdf.set_xy(pdf.l_margin, text_end)

    # Page 2: trends, changes, left out.
    if pack.figures is not None:
        pdf.add_page()
        d.heading(heads["trend"])
        y = pdf.get_y() + 2
        pdf.set_font(d.family, "B", 8.5)
        pdf.text(
            pdf.l_margin,
            y + 1,
            d.text(_("The whole area (every ward, listed or not)")),
        )
        draw_trend(d, pack, pdf.l_margin + 10, y + 4, 95, 48)
        after = pdf.get_y()
        pdf.set_font(d.family, "B", 8.5)
        pdf.text(pdf.l_margin + 118, y + 1, d.text(_("Each listed ward (own scale)")))
        draw_small_multiples(d, pack, pdf.l_margin + 118, y + 3, pdf.epw - 118, 62)
        pdf.set_xy(pdf.l_margin, max(after, y + 68))
    d.heading(heads["left_out"], size=11)
    for line in left_out_table(pack):
        d.bullet(line, size=8.5, h=4)

    pdf.add_page()
    d.heading(heads["table"])
    _table(d, pack)
    pdf.add_page()
    d.heading(heads["method"], size=11)
    for item, value in method_items(pack):
        d.para(f"{item}: {value}", size=8, h=3.8)
    return bytes(pdf.output())


def _table(d: _Document, pack) -> None:
    from fpdf.fonts import FontFace

    pdf = d.pdf
    widths = (10, 13, 33, 27, 19, 19, 19, 16, 20, 24, 22, 55)
    pdf.set_font(d.family, "", 7.5)
    pdf.set_fill_color(255)
    pdf.set_draw_color(120)
    pdf.set_line_width(0.15)
    table = top_table(pack)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        text_align="LEFT",
        line_height=3.6,
        padding=0.8,
        cell_fill_color=(244, 244, 244),
        cell_fill_mode="ROWS",
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225), size_pt=6.8),
    ) as t:
        row = t.row()
        for h in table_headings(pack):
            row.cell(d.text(h))
        for values in table.itertuples(index=False, name=None):
            row = t.row()
            for v in values:
                row.cell(d.text(v))
