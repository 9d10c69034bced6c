"""Every page in Welsh and in English (``?lang=cy``), for an analyst and a partner, through
Streamlit's AppTest on the demo region: no error, the sidebar and the page's own words in
the language asked for, and place names in Welsh where ONS (or the demo) gives them."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from hotspots.i18n import LOCALE_DIR
from tests.conftest import DEMO_QUERY, partner_app

QUERY = DEMO_QUERY
PAGES = [
    "pages/home.py",
    "pages/map.py",
    "pages/hotspots.py",
    "pages/pack.py",
    "pages/profile.py",
    "pages/data.py",
    "pages/method.py",
]
#: The page titles in Welsh (the map's and the pack's titles are their parts' own).
TITLES_CY = {
    "pages/home.py": "Mannau problemus trais difrifol",
    "pages/hotspots.py": "Rhestr mannau problemus",
    "pages/data.py": "Data",
    "pages/method.py": "Dull",
}


def _english_with_welsh() -> set[str]:
    """English texts of the dashboard catalogue whose Welsh differs (a page showing one
    of them in Welsh has left a string untranslated)."""
    with (LOCALE_DIR / "cy" / "LC_MESSAGES" / "dashboard.po").open("rb") as fh:
        cat = read_po(fh, locale="cy")
    return {
        m.id
        for m in cat
        if isinstance(m.id, str) and m.id and m.string and m.string != m.id and len(m.id) > 3
    }


ENGLISH = _english_with_welsh()


def _texts(at) -> list[str]:
    out = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "warning", "error"):
        out += [e.value for e in at.get(kind)]
    for kind in ("selectbox", "button", "download_button", "text_input", "number_input"):
        out += [e.label for e in at.get(kind)]
    return out


def _run(at, page: str, lang: str):
    at.query_params.update({**QUERY, "lang": lang})
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    if page == "pages/map.py":  # the map's controls come in the run after its map
        at.run()
    assert not at.exception, at.exception[0].value
    return at


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_welsh_for_an_analyst(app, page):
    at = _run(app, page, "cy")
    labels = [s.label for s in at.sidebar.selectbox]
    assert labels[:2] == ["Ardal", "Cyfnod"] and labels[-1] == "Diffiniad"
    assert [b.label for b in at.sidebar.button if b.key == "lang_toggle_sidebar"] == ["English"]
    if page in TITLES_CY:
        assert [t.value for t in at.title] == [TITLES_CY[page]]
    left = [t for t in _texts(at) if t in ENGLISH]
    if page not in ("pages/map.py", "pages/pack.py"):  # their own words: their catalogues
        assert left == [], left
    # The source line names the definition once, saying PROCSI once (not "(procsi) (PROCSI)").
    source = [t for t in _texts(at) if "data agored police.uk" in t and "PROCSI" in t]
    assert all(t.lower().count("procsi") == 1 for t in source), source
    if page not in ("pages/data.py", "pages/method.py", "pages/accessibility.py"):
        assert source, page  # the pages about the data have a source line
    # The ranking's weights in words ("trais 50%, …"), never the settings' English.
    assert not [t for t in _texts(at) if re.search(r"\b(violence|drugs|deprivation) \d+%", t)]
    # Months by their Welsh names ("From" in the sidebar).
    start = next(s for s in at.sidebar.selectbox if s.label == "O")
    assert start.value == "2024-01" and start.format_func("2024-01") == "Ion 2024"


@pytest.mark.slow
def test_welsh_names_and_words_on_the_home_page(app):
    at = _run(app, "pages/home.py", "cy")
    top = " ".join(e.proto.label for e in at.get("page_link") if "ward=" in e.proto.query_string)
    # The demo's councils have Welsh names (LAD22NMW); the English ones are not shown.
    assert "Dinas Seithenyn" in top or "Bro Helig" in top or "Glannau Mererid" in top
    assert "Seithenyn City" not in top and "Vale of Helig" not in top
    assert [s.value for s in at.subheader] == ["Y pum ward uchaf nawr"]
    # The area choice shows the force's Welsh name; the address keeps the English key.
    area = at.sidebar.selectbox[0]
    assert area.value == "cantre-gwaelod" and area.format_func("cantre-gwaelod") == (
        "Heddlu Cantre'r Gwaelod"
    )
    assert at.query_params["lang"] == ["cy"] or at.query_params["lang"] == "cy"


@pytest.mark.slow
def test_the_toggle_switches_the_language_and_keeps_it_in_the_address(app):
    at = _run(app, "pages/home.py", "en")
    assert [t.value for t in at.title] == ["Serious violence hotspots"]
    toggle = next(b for b in at.button if b.key == "lang_toggle_top")
    assert toggle.label == "Cymraeg"
    toggle.click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Mannau problemus trais difrifol"]
    assert at.query_params["lang"] in (["cy"], "cy")
    # Another page: still Welsh (the session keeps the language when the query is lost).
    at.switch_page("pages/method.py").run()
    assert [t.value for t in at.title] == ["Dull"]
    next(b for b in at.button if b.key == "lang_toggle_top").click().run()
    assert [t.value for t in at.title] == ["Method"]
    assert "lang" not in at.query_params


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_welsh_and_english_for_a_partner(demo_store, tmp_path, monkeypatch, page):
    from dashboard.auth import User

    for lang, area in (("cy", "Ardal"), ("en", "Area")):
        at = partner_app(demo_store, tmp_path, monkeypatch)
        at.session_state["user"] = User("bob", "partner", "password")
        at = _run(at, page, lang)
        labels = [s.label for s in at.sidebar.selectbox]
        assert labels[0] == area and "Cyfnod" not in labels and "Period" not in labels
        said = " ".join(c.value for c in at.sidebar.caption)
        assert ("Golwg partner" if lang == "cy" else "Partner view") in said
        if lang == "cy" and page not in ("pages/map.py", "pages/pack.py"):
            left = [t for t in _texts(at) if t in ENGLISH]
            assert left == [], left
