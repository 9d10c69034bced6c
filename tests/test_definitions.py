"""Definitions are data: parsing, validation and classification."""

import pandas as pd
import pytest

from hotspots.crimes import _frame
from hotspots.definitions import (
    classify_crimes,
    get_definition,
    load_definitions,
    normalise_ho_code,
    parse_definition,
)
from hotspots.errors import InputError


def test_registry_has_both_shipped_definitions():
    reg = load_definitions()
    assert set(reg) == {"dyfed-powys", "police-uk-proxy"}
    proxy = reg["police-uk-proxy"]
    assert proxy.proxy and proxy.match == "crime_type"
    assert proxy.category_keys == ["violence_and_sexual_offences", "robbery", "drugs"]
    dp = reg["dyfed-powys"]
    assert not dp.proxy and dp.match == "ho_code"
    assert dp.category_keys == ["homicide", "violence_with_injury", "rape",
                                "other_serious_sexual", "robbery", "aggravated_burglary",
                                "drug_trafficking", "drug_possession"]
    assert dp.serious_violence[1].exclude_flags == ("domestic",)
    assert dp.exclude_flags == ("terrorism",)


@pytest.mark.parametrize(("raw", "norm"), [("08N", "8N"), (" 8n ", "8N"), ("4.10", "4.10"),
                                           ("04.1", "4.1"), ("092A", "92A"), ("105A", "105A")])
def test_normalise_ho_code(raw, norm):
    assert normalise_ho_code(raw) == norm


def _crimes(codes, domestic=None, terrorism=None):
    n = len(codes)
    return _frame({"ho_code": pd.array(codes, dtype="string"),
                   "domestic": pd.array(domestic or [None] * n, dtype="boolean"),
                   "terrorism": pd.array(terrorism or [None] * n, dtype="boolean")}, n)


def test_dyfed_powys_classification():
    dp = get_definition("dyfed-powys")
    crimes = _crimes(["1", "4.10", "8N", "8N", "19C", "88B", "34A", "31", "92A", "92D", "8L",
                      "008P", "1"],
                     domestic=[None, None, False, True, True, None, None, None, None, None,
                               None, None, None],
                     terrorism=[None] * 12 + [True])
    got = classify_crimes(crimes, dp).tolist()
    assert got == ["homicide", "homicide", "violence_with_injury", pd.NA, "rape", pd.NA,
                   "robbery", "aggravated_burglary", "drug_trafficking", "drug_possession",
                   pd.NA, "violence_with_injury", pd.NA]


def test_unknown_definition_lists_choices():
    with pytest.raises(ValueError, match=r"unknown definition 'x'; choose one of \['dyfed"):
        get_definition("x")


@pytest.mark.parametrize(("text", "match"), [
    ("name = 'x'\nmatch = 'colour'\nserious_violence = []\ndrugs = []", r"match = 'colour'"),
    ("name = 'x'\nmatch = 'ho_code'\ndrugs = []", r"no 'serious_violence'"),
    ("name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'a'\n"
     "values = ['8N']\n[[serious_violence]]\nkey = 'b'\nvalues = ['08n']", r"'8N' is in two"),
    ("name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'Bad Key'\n"
     "values = ['1']", r"not a snake_case name"),
    ("name = 'x'\nmatch = 'ho_code'\ndrugs = []\n[[serious_violence]]\nkey = 'sv_count'\n"
     "values = ['1']", r"is reserved"),
    ("name = = 'x'", r"not valid TOML"),
])
def test_bad_definitions(text, match):
    with pytest.raises(InputError, match=match):
        parse_definition(text, file="bad.toml")
