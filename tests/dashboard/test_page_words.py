"""The words the analysis and the definitions produce, on the pages, in the page's language
(Streamlit's AppTest on the demo region): definition titles and categories, "why it ranks
here", hot spot classes, the charts' tooltips, and a force's name in the Area box."""

from __future__ import annotations

import json

import pytest

from dashboard.safe_text import plain
from tests.a11y_support import ward_tables
from tests.conftest import DEMO_QUERY

pytestmark = pytest.mark.slow

QUERY = DEMO_QUERY


def _open(at, page: str, lang: str, **query):
    at.query_params.update({**QUERY, "lang": lang, **query})
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception[0].value
    return at


def _tooltips(at) -> list[list[dict]]:
    """The tooltip entries of every chart of the page, from the charts' Vega-Lite specs."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding") or {}
            if "tooltip" in enc:
                tips = enc["tooltip"]
                out.append(tips if isinstance(tips, list) else [tips])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for chart in at.get("vega_lite_chart"):
        walk(json.loads(chart.proto.spec))
    return out


def test_definition_titles_and_categories_in_welsh_on_the_method_page(app):
    at = _open(app, "pages/method.py", "cy")
    said = plain(" ".join(m.value for m in at.markdown))
    assert "Diffiniad cytûn Dyfed-Powys (codau’r Swyddfa Gartref)" in said
    assert "data agored police.uk (procsi)" in said
    assert "Trais difrifol wedi’i frasamcanu" in said  # the description in Welsh
    categories = [c for t in at.table for c in t.value.iloc[:, 0]]
    assert {"Dynladdiad", "Lladrad", "Masnachu cyffuriau", "Cyffuriau"} <= set(categories)
    assert "Homicide" not in categories
    # both shipped definitions have their Welsh: no "shown in English" note
    assert not any("yn Saesneg" in c.value for c in at.caption)
    # the sidebar's definition in Welsh too
    choice = next(s for s in at.sidebar.selectbox if s.label == "Diffiniad")
    assert choice.format_func("police-uk-proxy") == "data agored police.uk (procsi)"
    # and in English on an English page
    at = _open(app, "pages/method.py", "en")
    categories = [c for t in at.table for c in t.value.iloc[:, 0]]
    assert "Homicide" in categories and "Dynladdiad" not in categories


def test_why_and_classes_in_welsh_on_the_list(app):
    at = _open(app, "pages/hotspots.py", "cy")
    table = next(t for t in ward_tables(at) if "why" in t.columns)
    # "High violence, not in the top N": each reason in Welsh, made from its parts.
    reasons = [r for t in ward_tables(at) if "reason" in t.columns for r in t["reason"] if r]
    assert reasons and all(" but " not in r and "violence" not in r for r in reasons), reasons
    assert all(" ond " in r for r in reasons), reasons
    why = [w for w in table["why"] if w]
    assert why and all("in the top" not in w for w in why)
    assert any("uchaf" in w for w in why)
    classes = set(table["gi_class"].dropna())
    assert classes and classes <= {
        "Ddim yn arwyddocaol",
        *(f"Man problemus {c}" for c in ("90%", "95%", "99%")),
        *(f"Man oer {c}" for c in ("90%", "95%", "99%")),
    }


def test_profile_tooltips_have_titles_in_the_page_s_language(app, demo_store):
    ward = demo_store.geography().wards.iloc[3]
    query = {"area": ward["local_authority_name"], "ward": ward["ward_code"]}
    for lang, month, violence in (("cy", "Mis", "Trais difrifol"), ("en", "Month", None)):
        at = _open(app, "pages/profile.py", lang, **query)
        tips = _tooltips(at)
        assert len(tips) >= 4  # month by month, kinds of crime, rank, deprivation
        for chart in tips:
            assert all(t.get("title") for t in chart), chart  # no machine name shown
        titles = {t["title"] for chart in tips for t in chart}
        fields = {t["field"] for chart in tips for t in chart}
        assert {"month", "sv_count", "drugs_count"} <= fields
        assert month in titles
        if violence:
            assert violence in titles and "Serious violence" not in titles
        why = next(m.value for m in at.markdown if m.value.startswith(("**Why", "**Pam")))
        assert ("in the top" in why or "no " in why) if lang == "en" else "in the top" not in why


def test_pack_tooltips_have_titles(app):
    at = _open(app, "pages/pack.py", "cy")
    tips = _tooltips(at)
    assert len(tips) >= 2
    titles = {t["title"] for chart in tips for t in chart}
    assert {"Mis", "Ward"} <= titles and "month" not in titles
    # the definition's Welsh title in the Welsh pack (its method notes, as in the PDF)
    said = plain(" ".join(m.value for m in at.markdown))
    assert "data agored police.uk" in said and "police.uk open data" not in said


def test_the_area_box_names_the_force(app):
    at = _open(app, "pages/hotspots.py", "en")
    area = next(s for s in at.sidebar.selectbox if s.label == "Area")
    assert area.value == "cantre-gwaelod"  # the key stays in the address
    assert area.format_func("cantre-gwaelod") == "Cantre Gwaelod"
    assert at.query_params["area"] == ["cantre-gwaelod"] or at.query_params["area"] == (
        "cantre-gwaelod"
    )


def test_the_offence_code_lines_in_welsh_on_the_data_page(app):
    at = _open(app, "pages/data.py", "cy")
    text = "\n".join(plain(m.value) for m in at.markdown)
    assert (
        "extract:cantre-gwaelod dan 'dyfed-powys': mae gan 54,304 o’r 70,699 rhes godau nad "
        "oes categori yn eu defnyddio: 105A ×12,618" in text
    )
    assert "nid oes gan 70,699 rhes marciwr terfysgaeth: ni ellir hepgor troseddau" in text
    assert "rows have no" not in text and "under 'dyfed-powys'" not in text
