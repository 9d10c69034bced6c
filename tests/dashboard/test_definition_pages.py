"""The pages say what the definitions and harm weights can do on the data loaded (AppTest):
unmatched codes and missing flags on the Data page, the harm table's source and vintage on
the Method page, the harm preset hidden with the reason, a refused rule shown as a message,
and an accepted one stated on the page."""

from __future__ import annotations

import pytest

from dashboard.safe_text import plain
from hotspots.io.extract_checks import accept_missing_flag
from hotspots.store.ingest import load_paths
from tests.conftest import analyst_app, write_csv


def _app(monkeypatch, tmp_path, store, query):
    return analyst_app(store, tmp_path, monkeypatch, query)


def _open(at, page: str):
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception[0].value
    return at


DEMO = {"area": "cantre-gwaelod", "period": "range", "from": "2024-01", "to": "2024-12"}


@pytest.mark.slow
def test_demo_pages_say_harm_is_not_offered_and_list_unmatched_codes(
    demo_store, monkeypatch, tmp_path
):
    at = _open(
        _app(monkeypatch, tmp_path, demo_store, {**DEMO, "def": "police-uk-proxy"}),
        "pages/hotspots.py",
    )
    (ranking,) = [s for s in at.selectbox if s.label == "Ranking"]
    assert "Violence only" in ranking.options
    assert not any("Harm" in o for o in ranking.options)
    assert any(
        c.value.startswith(
            "Harm-weighted ranking not offered: police.uk data has no Home Office offence codes"
        )
        for c in at.caption
    )

    at = _open(
        _app(monkeypatch, tmp_path, demo_store, {**DEMO, "def": "police-uk-proxy"}), "pages/data.py"
    )
    text = "\n".join(plain(m.value) for m in at.markdown)
    assert (
        "extract:cantre-gwaelod under 'dyfed-powys': 54,304 rows of 70,699 have codes no "
        "category uses: 105A ×12,618" in text
    )
    assert "70,699 rows have no terrorism marker" in text
    assert any(c.value.startswith("Harm weights: none loaded") for c in at.caption)

    at = _open(
        _app(monkeypatch, tmp_path, demo_store, {**DEMO, "def": "police-uk-proxy"}),
        "pages/method.py",
    )
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "No harm weights are loaded, so the harm-weighted ranking is not offered" in text
    assert "cannot be separated" in text  # the proxy's description


EXTRACT = ["crime_reference", "recorded_at", "ho_code", "lsoa_code"]


@pytest.fixture
def flagless_store(grid_store, tmp_path):
    rows = [
        [f"R{i}", "2023-01-10 10:00", code, lsoa]
        for i, (code, lsoa) in enumerate(
            [("8N", "X01000001"), ("8N", "X01000003"), ("34B", "X01000004"), ("92A", "X01000005")]
        )
    ]
    load_paths(grid_store, "crimes-extract", [write_csv(tmp_path / "e.csv", EXTRACT, rows)])
    return grid_store


GRID = {
    "area": "All wards",
    "period": "range",
    "from": "2023-01",
    "to": "2023-01",
    "def": "dyfed-powys",
}


@pytest.mark.slow
def test_a_refused_rule_is_a_message_and_an_accepted_one_is_stated(
    flagless_store, monkeypatch, tmp_path
):
    at = _open(_app(monkeypatch, tmp_path, flagless_store, GRID), "pages/profile.py")
    assert any(
        "but 2 of those rows from extract:force-extract have no domestic flag" in e.value
        for e in at.error
    )
    from hotspots.definitions import get_definition

    accept_missing_flag(
        flagless_store,
        get_definition("dyfed-powys"),
        "extract:force-extract",
        "domestic",
        "Ana Analyst",
    )
    at = _open(_app(monkeypatch, tmp_path, flagless_store, GRID), "pages/profile.py")
    assert not at.error
    assert any(c.value.startswith("⚠️ ACCEPTED by Ana Analyst on ") for c in at.caption)


@pytest.mark.shared
@pytest.mark.slow
def test_method_page_states_the_harm_tables_source_and_vintage(
    flagless_store, monkeypatch, tmp_path, shared_data
):
    load_paths(
        flagless_store, "harm-weights", [shared_data / "harm" / "ons_css_weights_by_ho_code.csv"]
    )
    at = _open(_app(monkeypatch, tmp_path, flagless_store, GRID), "pages/method.py")
    text = " ".join(plain(m.value) for m in at.markdown)
    assert (
        "Source: ONS Crime severity score (experimental statistics), as published in "
        "M-O-P-D/Police-Supply-Demand. Vintage: roughly 2020 vintage."
    ) in text
    assert "`ons_css_weights_by_ho_code.csv`, 133 codes" in text


@pytest.mark.slow
def test_an_analyst_accepts_a_missing_flag_on_the_data_page(flagless_store, monkeypatch, tmp_path):
    at = _open(_app(monkeypatch, tmp_path, flagless_store, GRID), "pages/data.py")
    assert [s.value for s in at.subheader if s.value == "Rows without a flag"]
    text = "\n".join(plain(m.value) for m in at.markdown)
    assert "**dyfed-powys** on **extract:force-extract**: 4 rows have no domestic flag." in text
    # ticking the box without a name records nothing
    at.checkbox[0].check().run()
    assert any("Give your name first" in w.value for w in at.warning)
    assert flagless_store.manifest().get("accepted_missing_flags") is None
    at.text_input[0].input("Ana Analyst").run()
    assert not at.exception
    (acc,) = flagless_store.manifest()["accepted_missing_flags"]
    assert (acc["by"], acc["definition"], acc["source"], acc["flag"], acc["rows"]) == (
        "Ana Analyst",
        "dyfed-powys",
        "extract:force-extract",
        "domestic",
        4,
    )
    assert not [s.value for s in at.subheader if s.value == "Rows without a flag"]
