"""The analysis' phrases: every code the package can emit has Welsh, rendered from the same
parts as the English, with nothing read back from the English words."""

from __future__ import annotations

import ast
import copy
import pickle
import re
import string

import numpy as np
import pandas as pd
import pytest

from hotspots.i18n import translator
from hotspots.stats import phrases
from hotspots.stats.analysis import left_out
from hotspots.stats.emerging import EMERGING_CLASSES, not_enough_months
from hotspots.stats.expected import ExpectedFit
from hotspots.stats.getis_ord import GiSettings, gi_class_labels
from hotspots.stats.phrases import TEMPLATES, Phrase, known, reason_text, short_why
from hotspots.stats.ranking import COMPONENTS, rank_hotspots, rank_settings
from tests.conftest import ROOT

#: A sample value of each placeholder, of the type the package passes.
SAMPLES = {
    "what": "violence",
    "p": 7,
    "n": 1234,
    "k": 5,
    "more": 3,
    "r": 53.25,
    "nth": 3,
    "force": "South Wales",
    "ward": "Llanidloes",
    "level": "95%",
    "definition": "police-uk-proxy",
    "codes": ("5D", "8N"),
    "dispersion": 14.04,
    "n_wards": 410,
    "alpha": 0.123,
    "model": "negative-binomial",
    "rows": 70699,
    "source": "extract:cantre-gwaelod",
    "flag": "domestic",
    "flag_words": "domestic",
    "labels": (("Violence with injury (not domestic)", "Trais ag anaf (nid domestig)"),),
    "by": "Ana",
    "date": "2024-01-02",
    "then": Phrase("extract.accepted", by="Ana", date="2024-01-02"),
    "rule": Phrase("extract.exclusion", flag_name="terrorism"),
    "flag_name": "domestic",
    "reason": Phrase("harm.no_codes", definition="police-uk-proxy"),
    "vintage": "2024",
    "file": "css-2024.csv",
}
#: Codes that are words inside another phrase (the model's name, a flag's name): written
#: through the templates by name, not made as phrases of their own.
WORDS_ONLY = {
    "fit.poisson",
    "fit.negative-binomial",
    "high.both",
    *(c for c in TEMPLATES if c.startswith(("flag.", "flag_name."))),
}
#: Words that read the same in Welsh ("Poisson").
SAME_IN_WELSH = {"fit.poisson", "flag_name.alcohol"}
#: Words that stay as they are in Welsh: names, codes, a command to type, units.
KEPT = {
    "pearson", "poisson", "police", "uk", "ons", "lsoa", "python", "hotspots", "load",
    "harm", "weights", "file", "gi", "south", "wales", "llanidloes", "proxy",
    "data", "ward", "model", "extract", "cantre", "gwaelod", "ana", "accept", "missing",
    "flag", "definition", "source", "binomial", "alcohol",
}  # fmt: skip


def sample(code: str) -> Phrase:
    """A phrase of ``code`` with a value of the right kind for each placeholder."""
    if code in ("left_out", "high.both"):  # two highs are joined by "high.both"
        values = {
            "high": [Phrase("high.nth_count", nth=2, n=160), Phrase("high.most_rate", r=9.5)],
            "weak": [Phrase("weak.low.deprivation"), Phrase("weak.only_top", what="drugs", p=30)],
        }
        return Phrase("left_out", **values)
    names = {f for _, f, _, _ in string.Formatter().parse(TEMPLATES[code]) if f}
    values = {name: SAMPLES[name] for name in names}
    if code == "weak.no_figure":
        values["what"] = ["drugs", "deprivation"]
    return Phrase(code, **values)


def _english_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


PHRASE_CODES = sorted(set(TEMPLATES) - SAME_IN_WELSH)


@pytest.mark.parametrize("code", PHRASE_CODES)
def test_every_phrase_renders_in_welsh_with_no_english_left(code):
    p = sample(code)
    cy = reason_text(p, "cy")
    assert cy and cy != str(p)
    assert "{" not in cy and "}" not in cy
    # no word of the English template is left in the Welsh (names, codes and units aside)
    english = _english_words(re.sub(r"\{\w+\}", " ", TEMPLATES[code])) - KEPT
    left = {w for w in _english_words(cy) if w in english and len(w) > 2}
    assert not left, (code, cy)
    # the same parts in English are the phrase itself (what the machine columns hold)
    assert reason_text(p, "en") == str(p)


def test_the_enumeration_is_the_code_s():
    """Every code a ``Phrase(...)`` call in the package names is a template, and every
    template is named by some call (literal codes, or codes made from the component keys,
    hot/cold and the emerging kinds): the test above covers what the analysis emits."""
    made: set[str] = set()
    patterns: list[str] = []
    for path in sorted((ROOT / "hotspots").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Phrase"):
                continue
            if not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                made.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                patterns.append(
                    "".join(
                        re.escape(v.value) if isinstance(v, ast.Constant) else r"[\w-]+"
                        for v in arg.values
                    )
                )
    assert made - set(TEMPLATES) - set(phrases.STRUCTURAL) == set()
    reached = {c for c in TEMPLATES if c in made or any(re.fullmatch(p, c) for p in patterns)}
    assert set(TEMPLATES) - reached - WORDS_ONLY == set()
    # the codes made from parts: every component key, hot and cold, every kind
    for key in COMPONENTS:
        assert f"weak.low.{key}" in TEMPLATES
        assert key in phrases.COMPONENT_WORDS and key in phrases.WEAK_WORDS
    assert {str(c) for c in EMERGING_CLASSES} == {str(Phrase(c)) for c in phrases.EMERGING_CODES}


def test_the_component_words_are_the_ranking_s():
    assert {k: v[2] for k, v in COMPONENTS.items()} == phrases.COMPONENT_WORDS


@pytest.mark.parametrize("code", PHRASE_CODES)
def test_a_template_without_welsh_is_found(code, monkeypatch):
    """A reworded English template is a new catalogue entry: the catalogue has no Welsh for
    it, and the check every code passes above fails for it (nothing falls back silently)."""
    cy = translator("cy")
    assert cy(TEMPLATES[code]) != TEMPLATES[code]
    monkeypatch.setitem(TEMPLATES, code, TEMPLATES[code] + " (reworded)")
    assert cy(TEMPLATES[code]) == TEMPLATES[code]  # gettext has nothing for the new words
    with pytest.raises(AssertionError):
        test_every_phrase_renders_in_welsh_with_no_english_left(code)


def test_text_the_package_did_not_write_is_refused():
    with pytest.raises(TypeError, match="not a phrase of the analysis"):
        reason_text("violence rate in the top 5% (typed by hand)", "cy")
    with pytest.raises(KeyError, match="no phrase has the code"):
        Phrase("why.nowhere")
    assert reason_text("", "cy") == "" and reason_text(None, "cy") == ""
    assert reason_text(float("nan"), "cy") == ""


def test_a_phrase_keeps_its_parts_through_tables_pickles_and_plain_strings():
    p = Phrase(
        "why", parts=[Phrase("why.top", what="drugs", p=3), Phrase("why.top", what="violence", p=9)]
    )
    assert p == "drug offence rate in the top 3%; violence rate in the top 9%"
    for copied in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), str(p), "".join(p)):
        assert known(copied).values == p.values
        assert reason_text(copied, "cy") == (
            "cyfradd troseddau cyffuriau yn y 3% uchaf; cyfradd trais yn y 9% uchaf"
        )
    # pandas stores text as plain strings: the same words still come back to the phrase
    column = pd.Series([p, p]).map(lambda v: v)
    assert type(column.iloc[0]) is str and reason_text(column.iloc[0], "cy").startswith("cyfradd")
    with pytest.raises(AttributeError):
        p.code = "why.none"


def test_one_part_reads_as_that_part():
    one = Phrase("why.top", what="violence", p=5)
    assert Phrase("why", parts=[one]) is one


def test_why_of_a_ranking_in_both_languages():
    ind = pd.DataFrame(
        {
            "ward_code": ["A", "B", "C", "D", "E", "F"],
            "population": [1000, 1000, 1000, 1000, 1000, 0],
            "sv_count": [50, 10, 8, 6, 4, 3],
            "sv_rate_smoothed": [50.0, 10.0, 8.0, 6.0, 4.0, np.nan],
            "drugs_rate_smoothed": [1.0, 9.0, 2.0, 3.0, 4.0, np.nan],
            "dep_share_20": [0.0, 0.0, 0.0, 0.0, 0.1, 0.0],
        }
    )
    for c in ("ward_name", "local_authority_code", "local_authority_name", "police_force"):
        ind[c] = "x"
    for c in ("sv_rate", "drugs_count", "drugs_rate", "harm_rate", "dep_most_deprived_rank"):
        ind[c] = np.nan
    ranked = rank_hotspots(ind, rank_settings("violence-drugs-deprivation")).set_index("ward_code")
    assert ranked.loc["A", "why"] == "violence rate in the top 1%"
    assert reason_text(ranked.loc["A", "why"], "cy") == "cyfradd trais yn y 1% uchaf"
    assert ranked.loc["F", "why"] == "no resident population: not ranked"
    assert reason_text(ranked.loc["F", "why"], "cy") == "dim poblogaeth breswyl: heb safle"
    assert short_why(ranked.loc["E", "why"], "en") == "deprivation: top 1%"


def test_every_class_of_the_hot_spot_tests_in_welsh():
    classes = [
        *gi_class_labels(GiSettings()),
        *gi_class_labels(GiSettings(alphas=(0.001, 0.2))),
        *EMERGING_CLASSES,
        not_enough_months(5, 10),
    ]
    welsh = [reason_text(c, "cy") for c in classes]
    assert all(w != c and "{" not in w for w, c in zip(welsh, classes, strict=True))
    assert reason_text(gi_class_labels()[0], "cy") == "Man problemus 99%"
    assert reason_text(not_enough_months(5, 10), "cy") == "Dim digon o fisoedd (5 o 10)"
    assert len(set(welsh)) == len(set(map(str, classes)))


def test_left_out_reasons_in_welsh_for_every_component():
    hot = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "ward_code": ["A", "B", "C", "D"],
            "ward_name": ["a", "b", "c", "d"],
            "local_authority_name": "x",
            "sv_count": [10, 20, 1500, 5],
            "sv_rate": [1.0, 2.0, 3.04, 40.0],
            "comp_violence": [1.0, 0.9, 0.3, 0.6],
            "comp_drugs": [1.0, 0.9, 0.7, np.nan],
            "comp_deprivation": [1.0, 0.9, 0.1, 0.2],
            "comp_harm": [1.0, 0.9, 0.6, 0.4],
        }
    )
    out = left_out(hot, 2, {k: 0.25 for k in COMPONENTS}).set_index("ward_code")
    assert out.loc["C", "reason"] == (
        "most violence offences (1,500) and 2nd highest violence rate (3.0 per 1,000) but "
        "a modest smoothed violence rate, drug offence rate only in the top 30%, low "
        "deprivation and harm-weighted violence rate only in the top 40%"
    )
    assert reason_text(out.loc["C", "reason"], "cy") == (
        "y nifer fwyaf o droseddau trais (1,500); safle 2 am gyfradd trais "
        "(3.0 fesul 1,000) ond cyfradd trais wedi’i llyfnhau gymedrol, cyfradd troseddau "
        "cyffuriau yn y 30% uchaf yn unig, amddifadedd isel a cyfradd trais wedi’i "
        "phwysoli yn ôl niwed yn y 40% uchaf yn unig"
    )
    d = out.loc["D", "reason"]
    assert d.endswith("low harm-weighted violence and no drug offence rate figure")
    assert "dim ffigur cyfradd troseddau cyffuriau" in reason_text(d, "cy")


def test_the_fit_in_words():
    fit = ExpectedFit(model="negative-binomial", dispersion=14.04, alpha=0.1234, n_wards=410)
    assert fit.describe() == (
        "Pearson dispersion of a Poisson fit: 14.0 (1 would be Poisson) over 410 wards; "
        "the negative binomial model is used (alpha 0.123)."
    )
    assert fit.describe("cy") == (
        "Gwasgariad Pearson ffit Poisson: 14.0 (1 fyddai Poisson) dros 410 ward; "
        "defnyddir y model binomial negatif (alffa 0.123)."
    )


@pytest.mark.shared
@pytest.mark.slow
def test_every_phrase_of_the_real_analysis_renders_in_welsh(real_store):
    """All of Wales, October 2018 – February 2019 (police.uk for Dyfed-Powys and South
    Wales; Gwent and North Wales without crimes): every "why", Gi* and emerging class, data
    note, left-out reason and the harm reason have Welsh made from their parts."""
    from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data, hotspot_list
    from hotspots.store.ward_data import Selection, load_ward_data

    data = load_ward_data(real_store, Selection("2018-10", "2019-02"))
    result = analyse_ward_data(data, AnalysisSettings(uncertainty_draws=200))
    table = hotspot_list(result, "proxy")
    texts = [
        *table["why"],
        *table["gi_class"].dropna(),
        *table["emerging_class"].dropna(),
        *[n for n in table["data_note"] if n],
        *left_out(table, 12, result.settings.ranking.as_dict)["reason"],
        data.harm_reason,
    ]
    assert len(texts) > 1900  # 762 wards: why and data note, classes of the wards with data
    codes = {known(t).code for t in texts}
    assert {"why", "why.top", "note.no_crimes", "note.counted_with", "left_out"} <= codes
    assert "harm.no_codes" in codes and "gi.none" in codes
    for text in set(texts):
        cy = reason_text(text, "cy")
        assert cy != text and "{" not in cy, text
    no_gwent = table.set_index("police_force").loc["Gwent", "data_note"].iloc[0]
    assert no_gwent == "no data: no crimes loaded for Gwent"
    assert (
        reason_text(no_gwent, "cy")
        == "dim data: dim troseddau wedi’u llwytho ar gyfer Heddlu Gwent"
    )


def test_the_excel_list_has_the_phrases_in_the_page_s_language():
    import io

    from openpyxl import load_workbook

    from hotspots.outputs.exports import hotspot_list_excel

    table = pd.DataFrame(
        {
            "ward_code": ["A", "B"],
            "gi_class": [gi_class_labels()[1], gi_class_labels()[3]],
            "emerging_class": [EMERGING_CLASSES[0], not_enough_months(5, 10)],
            "why": [Phrase("why.top", what="violence", p=2), Phrase("note.no_data")],
            "data_note": ["", Phrase("note.no_data")],
        }
    )

    def cells(lang):
        sheet = load_workbook(io.BytesIO(hotspot_list_excel(table, {}, lang))).worksheets[0]
        return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]

    assert cells("en") == [
        ["A", "Hot spot 95%", "New hot spot", "violence rate in the top 2%", None],
        ["B", "Not significant", "Not enough months (5 of 10)", "no data", "no data"],
    ]
    assert cells("cy") == [
        ["A", "Man problemus 95%", "Man problemus newydd", "cyfradd trais yn y 2% uchaf", None],
        ["B", "Ddim yn arwyddocaol", "Dim digon o fisoedd (5 o 10)", "dim data", "dim data"],
    ]


def test_the_map_shows_notes_and_classes_in_the_page_s_language():
    from hotspots.outputs.map_values import value_text

    frame = pd.DataFrame(
        {
            "value": [Phrase("note.counted_with", ward="Llanidloes"), 12.0, "<5"],
            "sv_count": [np.nan, 12.0, np.nan],
        }
    )
    assert list(value_text(frame, "Violence (count)", "cy")) == [
        "wedi’i chyfrif gyda Llanidloes",
        "12",
        "<5",
    ]
    gi = pd.DataFrame({"value": list(gi_class_labels()[2:4]), "gi_class": gi_class_labels()[2:4]})
    assert list(value_text(gi, "Hot spot test (Gi*)", "cy")) == [
        "Man problemus 90%",
        "Ddim yn arwyddocaol",
    ]
