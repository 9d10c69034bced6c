"""Definitions are data: parsing, validation and classification."""

import pandas as pd
import pytest

from hotspots.definitions import (
    CLASS_SUBCLASS_CODES,
    classify_crimes,
    get_definition,
    load_definitions,
    normalise_ho_code,
    parse_definition,
)
from hotspots.errors import InputError
from hotspots.io.crime_table import crimes_frame


def test_registry_has_both_shipped_definitions():
    reg = load_definitions()
    assert set(reg) == {"dyfed-powys", "police-uk-proxy"}
    proxy = reg["police-uk-proxy"]
    assert proxy.proxy and proxy.match == "crime_type"
    assert proxy.category_keys == ["violence_and_sexual_offences", "robbery", "drugs"]
    dp = reg["dyfed-powys"]
    assert not dp.proxy and dp.match == "ho_code"
    assert dp.category_keys == [
        "homicide",
        "violence_with_injury",
        "rape",
        "other_serious_sexual",
        "robbery",
        "aggravated_burglary",
        "drug_trafficking",
        "drug_possession",
        "other_drug_offences",
    ]
    cats = {c.key: c.values for c in dp.categories}
    # current codes and the legacy ones they replaced
    assert cats["aggravated_burglary"] == ("29A", "31A", "29", "31")
    assert {"19J", "19K"} <= set(cats["rape"])
    assert {"4.3", "4.7"} <= set(cats["violence_with_injury"])
    # possession is possession: 92D (excluding cannabis) and 92E (cannabis); 92C apart
    assert cats["drug_possession"] == ("92D", "92E")
    assert cats["other_drug_offences"] == ("92C",)
    assert dp.serious_violence[1].exclude_flags == ("domestic",)
    assert dp.exclude_flags == ("terrorism",)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("08N", "8N"),
        (" 8n ", "8N"),
        ("8 N", "8N"),
        ("4.10", "4.10"),
        ("04.1", "4.1"),
        ("092A", "92A"),
        ("105A", "105A"),
        ("19j", "19J"),
        ("029a", "29A"),
        ("1", "1"),
        ("001", "1"),
        # class/subclass, as forces and the Counting Rules write them
        ("4/1", "4.1"),
        ("04/01", "4.1"),
        (" 4 / 1 ", "4.1"),
        ("4/10", "4.10"),
        ("4/7", "4.7"),
        ("37/2", "37.2"),
        ("037/01", "37.1"),
        ("4.01", "4.1"),
        # a subclass the code table does not name stays class/subclass, zeros dropped
        ("08/67", "8/67"),
        ("8/67", "8/67"),
        ("125/09", "125/9"),
        ("4/5", "4/5"),
    ],
)
def test_normalise_ho_code(raw, norm):
    assert normalise_ho_code(raw) == norm


def _shared_codes(shared_data) -> dict[str, str]:
    import csv

    with open(shared_data / "harm" / "ons_css_weights_by_ho_code.csv", encoding="utf-8") as fh:
        return {r["ho_code"]: r["offence"] for r in csv.DictReader(fh)}


@pytest.mark.shared
@pytest.mark.slow
def test_class_subclass_codes_are_the_dotted_codes_of_the_code_table(shared_data):
    codes = _shared_codes(shared_data)
    assert {c for c in codes if "." in c} == CLASS_SUBCLASS_CODES
    # the table writes every code as normalise_ho_code does
    assert all(normalise_ho_code(c) == c for c in codes)


@pytest.mark.shared
@pytest.mark.slow
def test_every_code_of_the_dyfed_powys_definition_is_a_home_office_code(shared_data):
    codes = _shared_codes(shared_data)
    dp = get_definition("dyfed-powys")
    values = [v for c in dp.categories for v in c.values]
    assert sorted(set(values) - set(codes)) == []
    assert codes["29A"] == "Aggravated Burglary Residential"
    assert codes["31A"] == "Aggravated Burglary Business and Community"
    assert codes["92C"] == "Other drug offences"
    assert codes["92D"] == "Possession of controlled drugs (excl. Cannabis)"
    assert codes["92E"] == "Possession of controlled drugs (Cannabis)"
    # every code of the table's rape and drug groups is in the definition
    assert {c for c, o in codes.items() if o.startswith("Rape")} == set(
        dp.serious_violence[2].values
    )
    assert {c for c in codes if c.startswith("92")} == {"92A", "92C", "92D", "92E"}


def test_proxy_says_what_it_over_and_under_counts():
    text = get_definition("police-uk-proxy").description
    for words in (
        "violence without injury",
        "stalking and harassment",
        "all sexual offences",
        "domestic crimes",
        "aggravated burglary",
        "cannot be separated",
        "Robbery matches exactly",
    ):
        assert words in text, words


def _crimes(codes, domestic=None, terrorism=None):
    n = len(codes)
    return crimes_frame(
        {
            "ho_code": pd.array(codes, dtype="string"),
            "domestic": pd.array(domestic or [None] * n, dtype="boolean"),
            "terrorism": pd.array(terrorism or [None] * n, dtype="boolean"),
        },
        n,
    )


def test_dyfed_powys_classification():
    dp = get_definition("dyfed-powys")
    crimes = _crimes(
        [
            "1",
            "4.10",
            "8N",
            "8N",
            "19C",
            "88B",
            "34A",
            "31",
            "92A",
            "92D",
            "8L",
            "008P",
            "1",
            "4/1",
            "29A",
            "31a",
            "19K",
            "04/07",
            "92C",
            "92E",
        ],
        domestic=[
            None,
            None,
            False,
            True,
            True,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            False,
            None,
            None,
        ],
        terrorism=[None] * 12 + [True] + [None] * 7,
    )
    got = classify_crimes(crimes, dp).tolist()
    assert got == [
        "homicide",
        "homicide",
        "violence_with_injury",
        pd.NA,
        "rape",
        pd.NA,
        "robbery",
        "aggravated_burglary",
        "drug_trafficking",
        "drug_possession",
        pd.NA,
        "violence_with_injury",
        pd.NA,
        "homicide",
        "aggravated_burglary",
        "aggravated_burglary",
        "rape",
        "violence_with_injury",
        "other_drug_offences",
        "drug_possession",
    ]


def test_unknown_definition_lists_choices():
    with pytest.raises(ValueError, match=r"unknown definition 'x'; choose one of \['dyfed"):
        get_definition("x")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("name = 'x'\nmatch = 'colour'\nserious_violence = []\ndrugs = []", r"match = 'colour'"),
        ("name = 'x'\nmatch = 'ho_code'\ndrugs = []", r"no 'serious_violence'"),
        (
            "name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'a'\n"
            "values = ['8N']\n[[serious_violence]]\nkey = 'b'\nvalues = ['08n']",
            r"'8N' is in two",
        ),
        (
            "name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'Bad Key'\n"
            "values = ['1']",
            r"not a snake_case name",
        ),
        (
            "name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'sv_count'\n"
            "values = ['1']",
            r"is reserved",
        ),
        ("name = = 'x'", r"not valid TOML"),
    ],
)
def test_bad_definitions(text, match):
    with pytest.raises(InputError, match=match):
        parse_definition(text, file="bad.toml")


def test_welsh_words_of_a_definition():
    """Optional title_cy, description_cy and label_cy: both shipped definitions have them;
    a definition without them falls back to English and says it has no Welsh."""
    for d in load_definitions().values():
        assert d.has_language("cy") and d.has_language("en")
        assert d.title_in("cy") != d.title and d.description_in("cy") != d.description
        assert all(c.label_in("cy") != c.label for c in d.categories)
    proxy = load_definitions()["police-uk-proxy"]
    assert proxy.title_in("cy") == "data agored police.uk (procsi)"
    assert proxy.label_in("cy") == "data agored police.uk (procsi)"
    assert [c.label_in("cy") for c in proxy.categories] == [
        "Trais a throseddau rhywiol",
        "Lladrad",
        "Cyffuriau",
    ]
    assert proxy.title_in("en") == proxy.title == "police.uk open data (proxy)"
    bare = parse_definition(
        'name = "x"\ntitle = "Just English"\nproxy = true\nmatch = "crime_type"\n'
        '[[serious_violence]]\nkey = "r"\nlabel = "Robbery"\nvalues = ["Robbery"]\n'
        '[[drugs]]\nkey = "d"\nlabel = "Drugs"\nvalues = ["Drugs"]\n'
    )
    assert not bare.has_language("cy") and bare.has_language("en")
    assert bare.title_in("cy") == "Just English" and bare.label_in("cy") == "Just English — proxy"
    assert [c.label_in("cy") for c in bare.categories] == ["Robbery", "Drugs"]
    half = parse_definition(
        'name = "x"\ntitle = "T"\ntitle_cy = "T cy"\nmatch = "crime_type"\n'
        '[[serious_violence]]\nkey = "r"\nlabel = "Robbery"\nvalues = ["Robbery"]\n'
        '[[drugs]]\nkey = "d"\nlabel = "Drugs"\nlabel_cy = "Cyffuriau"\nvalues = ["Drugs"]\n'
    )
    assert not half.has_language("cy")  # a category without Welsh
    assert half.title_in("cy") == "T cy"
