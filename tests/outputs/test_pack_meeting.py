"""The pack as a meeting reads it, on the real open data (five months, two of four forces
loaded): page 1 says what the pack is, a map and trend charts are drawn, every page is A4
landscape with its page number and period in the footer, at most four pages for a top 12;
the same content in the PDF, the Excel workbook and the page; every sentence's numbers
hold on incomplete data; Welsh throughout, with ward names as ONS publishes them."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from hotspots.outputs.pack import (
    DEJAVU,
    assemble_pack,
    pack_excel,
    pack_pdf,
    pack_period,
    top_table,
    welsh_names,
)
from hotspots.outputs.pack.drawing import round_axis_top
from hotspots.outputs.pack.figures import area_series
from hotspots.outputs.pack.table import left_out_table
from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data
from hotspots.store.ward_data import Selection, load_ward_data
from tests.conftest import SHARED

pytestmark = pytest.mark.shared

A4_LANDSCAPE = (841.89, 595.28)  # points


def _pack(store, area, lang="en", start=None, top_n=12):
    _first, end = pack_period("2019-02")
    data = load_ward_data(store, Selection(start or "2018-10", end, area, "police-uk-proxy"))
    result = analyse_ward_data(data, AnalysisSettings(top_n=top_n, uncertainty_draws=100))
    names = welsh_names(store.geography().lsoa21_ward) if lang == "cy" else None
    pack = assemble_pack(data, result, "2019-02", top_n=top_n, lang=lang, welsh_names=names)
    return data, pack


@pytest.fixture(scope="module")
def dyfed_powys(real_store):
    return {lang: _pack(real_store, "dyfed-powys", lang) for lang in ("en", "cy")}


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize(
    ("lang", "footer", "first_page"),
    [
        (
            "en",
            "Dyfed-Powys Police · October 2018 to February 2019 · police.uk open data (PROXY) · "
            "page {i} of 4",
            [
                "Serious violence targeting pack: Dyfed-Powys Police",
                "For the meeting of February 2019. Period: October 2018 to February 2019. "
                "Data cut-off: February 2019.",
                "Definition: PROXY - police.uk open data: police.uk categories approximate "
                "serious violence",
                "Open Government Licence v3.0",
                "Where the top 12 are",
                "Summary",
            ],
        ),
        (
            "cy",
            "Heddlu Dyfed-Powys · Hydref 2018 i Chwefror 2019 · data agored police.uk (PROCSI) · "
            "tudalen {i} o 4",
            [
                "Pecyn targedu trais difrifol: Heddlu Dyfed-Powys",
                "Ar gyfer cyfarfod Chwefror 2019. Cyfnod: Hydref 2018 i Chwefror 2019. "
                "Data hyd at: Chwefror 2019.",
                "Diffiniad: PROCSI",
                "Trwydded Llywodraeth Agored v3.0",
                "Ble mae’r 12 uchaf",
                "Crynodeb",
            ],
        ),
    ],
)
def test_pdf_pages_rendered(dyfed_powys, lang, footer, first_page):
    """Rendered to PNG: four A4 landscape pages, each with its footer; page 1 says what the
    pack is and draws the map (the listed wards' fill is on the page)."""
    pdfium = pytest.importorskip("pypdfium2")
    _, pack = dyfed_powys[lang]
    pdf = pack_pdf(pack)
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == 4
    texts = _pages(pdf)
    for i, page in enumerate(doc, 1):
        w, h = page.get_size()
        assert (round(w, 1), round(h, 1)) == (round(A4_LANDSCAPE[0], 1), round(A4_LANDSCAPE[1], 1))
        image = page.render(scale=1).to_pil()
        assert abs(image.size[0] - w) <= 1 and abs(image.size[1] - h) <= 1
        assert image.size[0] > image.size[1]  # landscape as drawn
        assert footer.format(i=i) in texts[i - 1]
        if i == 1:
            big = np.asarray(page.render(scale=3).to_pil().convert("RGB")).astype(int)
            # the map's box: right of the summary, below the heading lines
            px = big[big.shape[0] // 4 :, big.shape[1] * 3 // 5 :].reshape(-1, 3)
            fill = (np.abs(px - (244, 165, 130)).sum(axis=1) < 30).sum()
            outline = (np.abs(px - (178, 24, 43)).sum(axis=1) < 60).sum()
            assert fill > 20 and outline > 200  # the listed wards are drawn, filled
    for line in first_page:
        assert line in texts[0], line
    assert pdf == pack_pdf(pack)  # dated by the meeting month: same pack, same bytes


def test_map_numbers_every_rank_once_and_enlarges_the_crowded_wards(dyfed_powys):
    """Five of Dyfed-Powys' listed wards crowd round Pembroke Dock and Milford Haven: their
    numbers are drawn in an enlarged view under the map, with its title in the pack's
    language; every rank 1-12 is drawn once on page 1."""
    titles = {
        "en": "Enlarged: the area in the box on the map",
        "cy": "Wedi’i chwyddo: yr ardal yn y blwch ar y map",
    }
    for lang, title in titles.items():
        _, pack = dyfed_powys[lang]
        pdf = pack_pdf(pack)
        numbers: list[int] = []

        def visit(text, _cm, _tm, _font, size, numbers=numbers):
            if size == 6.5 and text.strip().isdigit():
                numbers.append(int(text))

        PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
        assert sorted(numbers) == list(range(1, 13)), (lang, numbers)
        assert title in _pages(pdf)[0]


def test_same_content_in_pdf_excel_and_table(dyfed_powys):
    """The PDF and the Excel workbook carry the same sentences and the same table."""
    for lang in ("en", "cy"):
        _, pack = dyfed_powys[lang]
        text = " ".join(_pages(pack_pdf(pack)))
        table = top_table(pack)
        for line in [*pack.summary, *left_out_table(pack)]:
            assert " ".join(line.split()) in text, line
        for name, rate in zip(table.iloc[:, 2], table.iloc[:, 5], strict=True):
            assert name in text and re.fullmatch(r"\d+\.\d", rate)
        assert not re.search(r"\bW05\d{6}\b", text)  # names, never codes
        book = load_workbook(io.BytesIO(pack_excel(pack)))
        top = list(book.worksheets[0].values)
        assert list(top[0]) == list(table.columns)
        assert [r[2] for r in top[1:]] == list(table.iloc[:, 2])
        assert [f"{r[5]:.1f}" for r in top[1:]] == list(table.iloc[:, 5])
        notes = [r[1] for r in list(book.worksheets[1].values)[1:]]
        assert all(line in notes for line in pack.summary)


def test_trend_page_names_every_listed_ward_whole(dyfed_powys):
    """Page 2's small line per ward is headed by the ward's whole name ("9. Gogledd a De
    Tref Caerfyrddin" on two lines), never cut short with an ellipsis; the area chart's
    axis reads in round figures."""
    for lang in ("en", "cy"):
        _, pack = dyfed_powys[lang]
        page = _pages(pack_pdf(pack))[1]
        for i, name in enumerate(pack.rows["ward_name"], 1):
            assert f"{i}. {' '.join(name.split())}" in page, (lang, name)
        assert "…" not in page and "..." not in page
        top = max(v for v in pack.figures.area_series if v is not None)
        axis = round_axis_top(pack.figures.area_series)
        assert top < axis <= 1.5 * top
        assert f"{axis:,.0f}" in page and f"{axis / 2:,.0f}" in page


def test_welsh_names_as_ons_publishes_them(dyfed_powys):
    """The Welsh pack names wards and local authorities by WD22NMW / LAD22NMW."""
    with open(
        SHARED / "lookups" / "lsoa21_to_ward22_to_lad22_wales.csv", encoding="utf-8-sig"
    ) as fh:
        rows = list(csv.DictReader(fh))
    ward_cy = {r["WD22CD"]: r["WD22NMW"] for r in rows}
    la_cy = {r["LAD22NM"]: r["LAD22NMW"] for r in rows}
    _, en = dyfed_powys["en"]
    _, cy = dyfed_powys["cy"]
    assert list(cy.rows["ward_code"]) == list(en.rows["ward_code"])
    assert list(cy.rows["ward_name"]) == [ward_cy[c] for c in cy.rows["ward_code"]]
    assert list(cy.rows["local_authority_name"]) == [
        la_cy[n] for n in en.rows["local_authority_name"]
    ]
    assert "Sir Benfro" in set(cy.rows["local_authority_name"])
    assert cy.area_label == "Heddlu Dyfed-Powys" and en.area_label == "Dyfed-Powys Police"
    assert cy.summary[0] == f"{cy.rows['ward_name'].iloc[0]} sydd gyntaf."


def test_sentences_hold_on_incomplete_data(real_store):
    """Two forces of four loaded, two months of the period not loaded: no sentence says more
    months than there are ("6 of the last 5 months"), gaps are said, and the area's monthly
    total is a gap (None) for a month not loaded, never 0."""
    data, pack = _pack(real_store, None, "en", start="2018-08")
    months, values, forces = area_series(data)
    assert months[:3] == ("2018-08", "2018-09", "2018-10")
    assert values[:2] == (None, None) and all(v is not None for v in values[2:])
    assert forces == ("Dyfed-Powys", "South Wales")
    # the area's total of the loaded months is every ward's count (independently summed)
    loaded = data.monthly.dropna(subset=["sv_count"])
    by_month = loaded.groupby("month")["sv_count"].sum()
    assert [int(v) for v in values[2:]] == [int(by_month[m]) for m in months[2:]]
    assert sum(values[2:]) == int(data.counts["sv_count"].dropna().sum())
    text = " ".join(pack.summary)
    for k, n in re.findall(r"(\d+) of (?:the )?(?:last )?(\d+) (?:loaded )?months", text):
        assert int(k) <= int(n), text
    assert (
        "No crimes are loaded for August 2018 and September 2018: those months are gaps, not "
        "zero; counts cover 5 of the 7 months."
    ) in pack.summary
    assert (
        "No crimes are loaded for Gwent Police and North Wales Police: their wards show no "
        "data (not zero) and are not ranked."
    ) in pack.summary
    pdf = " ".join(_pages(pack_pdf(pack)))
    assert "a gap, not zero" in pdf and "Counted: wards of Dyfed-Powys Police and South" in pdf
    series = pack.figures.ward_series[pack.rows["ward_code"].iloc[0]]
    assert series[:2] == (None, None)


def test_welsh_letters_in_the_welsh_pdf():
    """ŵ and ŷ survive in the Welsh pack's PDF (DejaVu embedded)."""
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is not installed")
    from hotspots.outputs.pack import build_pack
    from tests.outputs.test_pack import META, SETTINGS, small_frames

    hot, trends = small_frames()
    hot.loc[0, "ward_name"] = "Gŵyr"
    pack = build_pack(hot, trends, "2024-11", top_n=8, metadata=META, settings=SETTINGS, lang="cy")
    text = " ".join(_pages(pack_pdf(pack)))
    assert "Gŵyr sydd gyntaf." in text and "Tŷ Ddu" in text
    assert "tudalen 1 o " in text and "Crynodeb" in text


def test_pack_command_in_welsh(demo_store, tmp_path):
    """``python -m hotspots pack --lang cy``: the PDF, the Excel workbook and the JSON in
    Welsh; an unknown language is refused."""
    import json

    from hotspots.cli import main

    out = {k: tmp_path / f"pecyn.{k}" for k in ("pdf", "xlsx", "json")}
    args = ["--data-dir", str(demo_store.root), "pack", "--month", "2024-12"]
    files = ["--out", str(out["pdf"]), "--excel", str(out["xlsx"]), "--json", str(out["json"])]
    assert main([*args, "--area", "Vale of Helig", "--lang", "cy", *files]) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out["pdf"]).pages).split())
    assert "Pecyn targedu trais difrifol: Bro Helig" in text  # the demo's Welsh name
    assert "Crynodeb" in text and "tudalen 4 o 4" in text and "Rhagfyr 2024" in text
    book = load_workbook(out["xlsx"])
    assert book.sheetnames == ["Wardiau uchaf", "Crynodeb a newidiadau", "Fesul mis", "Dull a data"]
    assert next(book["Wardiau uchaf"].values)[:3] == ("Safle", "Newid", "Ward")
    doc = json.loads(out["json"].read_text(encoding="utf-8"))
    assert doc["lang"] == "cy" and doc["summary"][0].endswith("sydd gyntaf.")
    with pytest.raises(SystemExit):
        main([*args, "--lang", "fr", "--out", str(tmp_path / "x.pdf")])
