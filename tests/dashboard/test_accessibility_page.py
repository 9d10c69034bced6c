"""The accessibility statement (AppTest, demo store): the sections the Public Sector
Bodies Accessibility Regulations 2018 expect, in English and Welsh, with the contact the
deployment sets; and the tables' values as shown."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")

#: The statement's headings (the GOV.UK model statement's sections).
HEADINGS = {
    "en": [
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "How we tested this website",
    ],
    "cy": [
        "Pa mor hygyrch yw'r wefan hon",
        "Adborth a gwybodaeth gyswllt",
        "Gweithdrefn orfodi",
        "Gwybodaeth dechnegol am hygyrchedd y wefan hon",
        "Sut y gwnaethom brofi'r wefan hon",
    ],
}


def _statement(demo_store, monkeypatch, tmp_path, lang: str, contact: str | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(demo_store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    if contact is None:
        monkeypatch.delenv("HOTSPOTS_ACCESSIBILITY_CONTACT", raising=False)
    else:
        monkeypatch.setenv("HOTSPOTS_ACCESSIBILITY_CONTACT", contact)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/accessibility.py").run()
    assert not at.exception, at.exception[0].value
    return at


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_statement_has_the_regulations_sections(demo_store, monkeypatch, tmp_path, lang):
    at = _statement(demo_store, monkeypatch, tmp_path, lang)
    title = {"en": "Accessibility statement", "cy": "Datganiad hygyrchedd"}[lang]
    assert [t.value for t in at.title] == [title]
    assert [h.value for h in at.header] == HEADINGS[lang]
    text = "\n".join(m.value for m in at.markdown)
    # What is not yet compliant, and the enforcement body, are stated.
    assert "1.1.1" in text and "2.1.1" in text and "1.3.1" in text
    assert "EHRC" in text and "EASS" in text
    assert ("6 December 2026" if lang == "en" else "6 Rhagfyr 2026") in text
    assert any("HOTSPOTS_ACCESSIBILITY_CONTACT" in c.value for c in at.caption)


def test_statement_names_the_contact_the_deployment_sets(demo_store, monkeypatch, tmp_path):
    contact = "Safer Dyfed Partnership, 01234 567890, safer@example.gov.uk [x](http://e)"
    at = _statement(demo_store, monkeypatch, tmp_path, "en", contact)
    from dashboard.safe_text import md

    text = "\n".join(m.value for m in at.markdown)
    assert text.count(md(contact)) == 2
    assert "[x](http" not in text  # the contact is text, never Markdown
    assert not any("HOTSPOTS_ACCESSIBILITY_CONTACT" in c.value for c in at.caption)


def test_as_shown_rounds_formats_and_keeps_gaps():
    import pandas as pd

    from dashboard.accessibility import as_shown

    frame = pd.DataFrame(
        {
            "share": [0.46597903842954586, 1.0, 0.05, None],
            "rate": [39.59407752453835, "<5", None, 3],
            "flag": [False, True, pd.NA, False],
        }
    )
    out = as_shown(frame, rounded_1=["rate"], percent=["share"], flags=["flag"])
    assert out["share"].tolist() == ["\u200746.6%", "100.0%", "\u2007\u20075.0%", None]
    assert out["rate"].tolist() == [39.6, "<5", None, 3.0]
    assert out["flag"].tolist() == ["No", "Yes", None, "No"]
    # (The browser sorts the padded shares by value: tests/browser.) The frame is unchanged.
    assert frame["share"].iloc[0] == 0.46597903842954586
    numeric = as_shown(pd.DataFrame({"r": [1.26, None]}), rounded_1=["r"])
    assert numeric["r"].dtype == float and numeric["r"].iloc[0] == 1.3
