"""The pack page in English and Welsh (AppTest on the demo store): the same content as the
PDF and the Excel workbook — title in words, summary, map, trend charts, the table with
human headings, the reasons wards are left out — in the language of the address."""

from __future__ import annotations

import pytest

from tests.a11y_support import ward_tables
from tests.conftest import DEMO_QUERY

QUERY = DEMO_QUERY


def _open(at, lang: str):
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/pack.py").run()
    assert not at.exception, at.exception[0].value
    return at


@pytest.mark.parametrize(
    ("lang", "title", "headings", "table"),
    [
        (
            "en",
            "Monthly targeting pack",
            ["Summary", "Where the top 12 are", "Serious violence by month", "The top 12 wards"],
            ["Rank", "Ward", "Violence per 1,000 residents", "Change", "Local authority"],
        ),
        (
            "cy",
            "Pecyn targedu misol",
            ["Crynodeb", "Ble mae’r 12 uchaf", "Trais difrifol fesul mis", "Y 12 ward uchaf"],
            ["Safle", "Ward", "Trais fesul 1,000 o drigolion", "Newid", "Awdurdod lleol"],
        ),
    ],
)
def test_pack_page_in_both_languages(app, lang, title, headings, table):
    at = _open(app, lang)
    assert [t.value for t in at.title] == [title]
    subs = [s.value for s in at.subheader]
    assert all(h in subs for h in headings), subs
    shown = ward_tables(at)[0]  # rank, ward and rate first: seen first on a phone
    assert list(shown.columns[:5]) == table and len(shown) == 12
    # names, never codes, each a link to its profile in the page's language; rates to
    # one decimal; "—" where there is nothing
    assert not shown.iloc[:, 1].str.match(r"[WX]05\d{6}").any()
    assert all(link.startswith("profile?") for link in shown.attrs["links"])
    assert all(("lang=cy" in link) == (lang == "cy") for link in shown.attrs["links"])
    assert shown.iloc[:, 2].map(lambda v: isinstance(v, float)).all()
    assert shown.iloc[:, 3].isna().all()  # nothing published before: no change ("—")
    # the map, and (the demo's listed wards crowd on it) their enlarged view, both named
    images = [i.proto.imgs[0] for i in at.get("image")]
    assert len(images) == 2
    assert images[0].alt.startswith(
        "Map of the area's wards" if lang == "en" else "Map o wardiau"
    ), images[0].alt
    enlarged = (
        "The area in the box on the map, enlarged: wards ranked "
        if lang == "en"
        else "Yr ardal yn y blwch ar y map, wedi’i chwyddo: mae’r wardiau yn safle "
    )
    assert images[1].alt.startswith(enlarged) and images[1].alt.endswith(
        "are numbered there." if lang == "en" else "wedi’u rhifo yno."
    ), images[1].alt
    assert len(at.get("vega_lite_chart")) == 2  # area and per-ward trends
    labels = [b.label for b in at.get("download_button")]
    assert labels == (
        ["Download PDF", "Download Excel"]
        if lang == "en"
        else ["Lawrlwytho PDF", "Lawrlwytho Excel"]
    )
