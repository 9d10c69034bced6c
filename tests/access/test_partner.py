"""The partner view's building blocks: values, counts, classes, cells and the pack rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspots.access.disclosure import RULES, DisclosureRule
from hotspots.access.partner import (
    AUDIENCES,
    TOTALS,
    WITHHELD_HARM,
    check_audience,
    is_hidden,
    partner_counts,
    partner_pack_rows,
    partner_values,
    suppression_note,
)
from hotspots.outputs.map_classes import partner_classify
from hotspots.outputs.map_data import classify

UNDER5, ROUND5, UNDER10 = RULES["under-5"], RULES["under-5-round-5"], RULES["under-10"]


def test_stand_in_is_one_whole_number_no_shown_count_can_equal():
    assert (UNDER5.stand_in, UNDER10.stand_in, ROUND5.stand_in) == (2, 5, 2)
    assert DisclosureRule(2).stand_in == 1 and DisclosureRule(3).stand_in == 1
    for threshold in range(2, 30):
        rule = DisclosureRule(threshold)
        assert 1 <= rule.stand_in < threshold  # a hidden value, never a shown one


def test_values_known_answers():
    v = [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, np.nan]
    np.testing.assert_array_equal(
        partner_values(v, UNDER5), [0, 2, 2, 2, 2, 5, 6, 7, 12, 13, np.nan]
    )
    np.testing.assert_array_equal(
        partner_values(v, ROUND5), [0, 2, 2, 2, 2, 5, 5, 5, 10, 15, np.nan]
    )
    np.testing.assert_array_equal(
        partner_values(v, UNDER10), [0, 5, 5, 5, 5, 5, 5, 5, 12, 13, np.nan]
    )
    # a nullable column (no data) keeps its gaps
    s = pd.Series(pd.array([3, pd.NA, 9], dtype="Int64"))
    np.testing.assert_array_equal(partner_values(s, UNDER5), [2, np.nan, 9])


@pytest.mark.parametrize("rule", [UNDER5, ROUND5, UNDER10])
def test_values_do_not_depend_on_a_hidden_count(rule):
    """The property behind every partner output: any two counts both hidden give the same
    partner value, and a hidden count never reads as a shown one."""
    hidden = list(range(1, rule.threshold))
    values = partner_values(hidden, rule)
    assert set(values) == {rule.stand_in}
    assert is_hidden(values, rule).all()
    shown = partner_values([0, *range(rule.threshold, 200)], rule)
    assert not is_hidden(shown, rule).any()


def test_counts_frame_only_the_named_columns_and_dtypes():
    frame = pd.DataFrame(
        {
            "ward_code": ["a", "b", "c"],
            "sv_count": [3, 8, 0],
            "drugs_count": [1, 0, 40],
            "population": [3, 4, 1000],
        }
    )
    out = partner_counts(frame, ["sv_count", "drugs_count", "absent"], UNDER5)
    assert out["sv_count"].tolist() == [2, 8, 0] and out["sv_count"].dtype == "int64"
    assert out["drugs_count"].tolist() == [2, 0, 40]
    assert out["population"].tolist() == [3, 4, 1000]  # public: kept
    assert frame["sv_count"].tolist() == [3, 8, 0]  # not modified
    gaps = pd.DataFrame({"sv_count": pd.array([4, pd.NA, 6], dtype="Int64")})
    out = partner_counts(gaps, ["sv_count"], UNDER5)
    assert out["sv_count"].dtype == "Int64"
    assert out["sv_count"].isna().tolist() == [False, True, False]
    assert out["sv_count"].dropna().tolist() == [2, 6]


def test_audiences_and_notes():
    assert AUDIENCES == ("analyst", "partner") and TOTALS == ("sv_count", "drugs_count")
    assert check_audience("partner") == "partner"
    with pytest.raises(
        ValueError,
        match=r"audience must be one of \['analyst', 'partner'\], "
        r"got 'public'",
    ):
        check_audience("public")
    assert suppression_note(None) == "Exact counts (analyst view)."
    note = suppression_note(UNDER5)
    assert note.startswith('Small numbers suppressed: counts from 1 to 4 shown as "<5"')
    assert "each suppressed count taken as 2" in note and "differ slightly" in note
    assert "withheld" in WITHHELD_HARM


def test_classes_name_no_hidden_count():
    """Counts 0, hidden (stand-in), and shown: the legend gives no exact hidden value and
    every ward keeps the class the stand-in puts it in."""
    values = pd.Series([0, 0, 2, 2, 2, 5, 7, 9, 12, 40], dtype=float)
    cls = partner_classify(values, "Quantiles", 4, UNDER5)
    assert len(cls.labels) == len(cls.bins)
    for label in cls.labels:
        low = label.split(" – ")[0].replace(",", "")
        assert low in {"0", "1"} or float(low) >= 5, cls.labels
    hidden_class = set(cls.class_index[values == 2])
    assert len(hidden_class) == 1
    assert cls.labels[hidden_class.pop()].startswith(("0", "1"))
    # the same classes as the stand-ins classified at the largest value they may hide
    plain = classify(values.where(values != 2, 4.0), "Quantiles", 4)
    assert cls.class_index.tolist() == plain.class_index.tolist()
    assert cls.bins == plain.bins
    # nothing hidden: exactly the ordinary classes
    shown = pd.Series([0, 5, 6, 9, 30], dtype=float)
    a, b = partner_classify(shown, "Quantiles", 3, UNDER5), classify(shown, "Quantiles", 3)
    assert (a.bins, a.labels, a.class_index.tolist()) == (b.bins, b.labels, b.class_index.tolist())


def test_classes_one_hidden_class_reads_from_one():
    values = pd.Series([2, 2, 10, 20], dtype=float)
    cls = partner_classify(values, "Equal interval", 3, UNDER5)
    assert cls.labels[0] == "1 – 4" or cls.labels[0].startswith("1 – ")
    assert not any(label.startswith(("2", "3", "4")) for label in cls.labels)


def test_pack_rows_as_partners_see_them():
    rows = pd.DataFrame(
        {
            "ward_code": ["a", "b", "c"],
            "sv_count": [2, 30, 6],
            "drugs_count": [0, 2, 9],
            "sv_rate": [0.5, 3.0, 6.0],
        }
    )
    pop = pd.Series({"a": 4000, "b": 10000, "c": 0})
    out = partner_pack_rows(rows, pop, UNDER5)
    assert out["sv_count"].tolist() == ["<5", 30, 6]
    assert out["drugs_count"].tolist() == [0, "<5", 9]
    assert out["sv_rate"].tolist()[:2] == ["<5", 3.0]
    assert out["sv_rate"].tolist()[2] is None  # no residents: no rate, never inf
    assert "population" not in out.columns


def test_class_labels_known_answers():
    """Exact legends: a class that holds stand-ins starts at 1; one value reads alone."""
    cases = [
        ([0, 0, 2, 2, 2, 5, 7, 9, 12, 40], "Quantiles", 4, ("0 – 4", "5", "5 – 8", "9 – 40")),
        ([2, 2, 10, 20], "Equal interval", 3, ("1 – 9", "10 – 14", "15 – 20")),
        ([0, 0, 0, 2, 2, 5, 5, 6, 30], "Quantiles", 4, ("0", "1 – 4", "5", "6 – 30")),
        ([0, 0, 0, 2, 2, 5, 5, 6, 30], "Fisher-Jenks", 4, ("0", "1 – 4", "5 – 6", "7 – 30")),
    ]
    for values, scheme, k, labels in cases:
        cls = partner_classify(pd.Series(values, dtype=float), scheme, k, UNDER5)
        assert cls.labels == labels, (values, scheme)
    # Under "<10" the stand-in is 5; a class from 10 keeps its low end.
    cls = partner_classify(
        pd.Series([0, 5, 5, 10, 11, 30], dtype=float), "Fisher-Jenks", 4, UNDER10
    )
    assert cls.labels == ("0", "1 – 9", "10 – 11", "12 – 30")


def test_classes_of_values_that_are_not_counts_are_the_ordinary_ones():
    """Nothing hidden (e.g. rates): the ordinary classes and their decimal labels."""
    rates = pd.Series([0.5, 1.5, 3.25, 7.75, 12.0])
    a, b = (
        partner_classify(rates, "Equal interval", 3, UNDER5),
        classify(rates, "Equal interval", 3),
    )
    assert a.labels == b.labels and "." in a.labels[0]


def _grid_ward_data(grid_store, grid_crimes_file):
    from hotspots.store.ingest import load_paths
    from hotspots.store.ward_data import Selection, load_ward_data

    load_paths(grid_store, "crimes", [grid_crimes_file])
    return load_ward_data(grid_store, Selection("2023-01", "2023-01"))


@pytest.mark.slow
def test_ward_data_for_partners(grid_store, grid_crimes_file):
    """Counts and monthly counts through the stand-in; harm and the crimes placed in wards
    without data withheld; the rest kept."""
    from hotspots.access.partner import partner_ward_data

    data = _grid_ward_data(grid_store, grid_crimes_file)
    assert data.counts["sv_count"].tolist() == [2, 2, 1, 1]  # the grid's known answer
    partner = partner_ward_data(data, UNDER5)
    assert partner.counts["sv_count"].tolist() == [2, 2, 2, 2]
    assert partner.counts["robbery"].tolist() == [2, 2, 2, 2]
    assert partner.monthly["sv_count"].tolist() == [2, 2, 2, 2]
    assert partner.counts["population"].tolist() == data.counts["population"].tolist()
    assert partner.harm is None and partner.harm_reason == WITHHELD_HARM
    assert not partner.harm_available and partner.hidden == {}
    assert partner.wards is data.wards and partner.months_loaded == data.months_loaded
    assert data.counts["sv_count"].tolist() == [2, 2, 1, 1]  # the analysts' are unchanged


@pytest.mark.slow
def test_hotspot_table_for_each_audience(grid_store, grid_crimes_file):
    from hotspots.access.partner import hotspot_table, partner_ward_data
    from hotspots.stats.analysis import AnalysisSettings, analyse

    data = _grid_ward_data(grid_store, grid_crimes_file)
    settings = AnalysisSettings(spatial=False, top_n=2)
    result = analyse(data.counts, data.monthly, data.wards, settings, coverage=data.coverage)
    table = hotspot_table(data, result)
    assert set(table["definition"]) == {"police-uk-proxy (proxy)"}
    assert table["sv_count"].tolist() != ["<5"] * 4 and "sv_rate_smoothed" in table
    pdata = partner_ward_data(data, UNDER5)
    presult = analyse(pdata.counts, pdata.monthly, pdata.wards, settings, coverage=pdata.coverage)
    partner = hotspot_table(pdata, presult, None, UNDER5)
    assert partner["sv_count"].tolist() == ["<5"] * 4
    assert "sv_rate_smoothed" not in partner.columns
    assert set(partner["definition"]) == {"police-uk-proxy (proxy)"}
