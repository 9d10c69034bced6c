"""Harm weights: the ONS Crime Severity Score table loaded by the analyst (validated, with
its source and vintage), harm computed only when every code of the definition has a weight,
and the harm-weighted ranking offered only then."""

from __future__ import annotations

import json

import pytest

from hotspots.cli import main
from hotspots.definitions import get_definition
from hotspots.io.detect import detect_kind
from hotspots.io.harm import (
    HARM_KEY,
    NOT_STATED,
    harm_coverage,
    provenance,
    read_harm_weights,
)
from hotspots.store.ingest import load_paths
from hotspots.store.ward_data import Selection, load_ward_data
from tests.conftest import write_csv

HEADER = ["ho_code", "offence", "offence_group", "css_weight"]
EXTRACT = [
    "crime_reference",
    "recorded_at",
    "ho_code",
    "lsoa_code",
    "domestic_flag",
    "terrorism_flag",
]
#: ward A: murder + assault with injury; ward B: robbery + cannabis possession (a drug
#: offence: no harm); ward C: a domestic assault with injury (not counted: no harm).
ROWS = [
    ["H1", "2023-03-01 10:00", "1", "X01000001", "N", "N"],
    ["H2", "2023-03-02 10:00", "08N", "X01000001", "N", "N"],
    ["H3", "2023-03-03 10:00", "34B", "X01000003", "N", "N"],
    ["H4", "2023-03-04 10:00", "92E", "X01000003", "N", "N"],
    ["H5", "2023-03-05 10:00", "8N", "X01000004", "Y", "N"],
]


def _table(shared_data):
    return shared_data / "harm" / "ons_css_weights_by_ho_code.csv"


@pytest.mark.shared
@pytest.mark.slow
def test_the_ons_table_reads_with_its_source_and_vintage(shared_data):
    w = read_harm_weights(_table(shared_data))
    assert len(w) == 133 and w["ho_code"].is_unique
    by = w.set_index("ho_code")
    # cannabis possession is 92E, possession excluding cannabis 92D: weights on their codes
    assert by.loc["92E", "offence"] == "Possession of controlled drugs (Cannabis)"
    assert by.loc["92E", "weight"] == pytest.approx(1.7706)
    assert by.loc["92D", "offence"] == "Possession of controlled drugs (excl. Cannabis)"
    assert by.loc["92D", "weight"] == pytest.approx(8.0820)
    assert by.loc["92C", "weight"] == pytest.approx(9.0622)
    assert by.loc["1", "weight"] == pytest.approx(7973.3934)
    assert by.loc["29A", "weight"] == by.loc["29", "weight"] == pytest.approx(2288.6692)
    assert w.attrs["source"] == (
        "ONS Crime severity score (experimental statistics), as "
        "published in M-O-P-D/Police-Supply-Demand"
    )
    assert w.attrs["vintage"] == "roughly 2020 vintage"
    assert w.attrs["provenance"].startswith("data/PROVENANCE.md, 7. harm/ons_css_weights")
    assert detect_kind(_table(shared_data)) == "harm-weights"


def test_a_file_without_provenance_says_so(tmp_path):
    path = write_csv(tmp_path / "w.csv", HEADER, [["8N", "Assault with injury", "", "189.2"]])
    assert provenance(path) == {
        "source": NOT_STATED,
        "vintage": NOT_STATED,
        "provenance": NOT_STATED,
    }


@pytest.mark.parametrize(
    ("rows", "header", "match"),
    [
        (
            [["8N", "x", "", "1"]],
            ["ho_code", "offence", "weight"],
            r"w\.csv: missing column\(s\) \['css_weight'\]",
        ),
        (
            [["8N", "x", "", "1"], ["2", "x", "", "-2"]],
            HEADER,
            r"w\.csv, row 2: the weight '-2' of code '2' is not a positive number",
        ),
        ([["8N", "x", "", "lots"]], HEADER, r"row 1: the weight 'lots' of code '8N'"),
        ([["8N", "x", "", "0"]], HEADER, r"row 1: the weight '0' of code '8N' is not a positive"),
        ([["8N", "x", "", "inf"]], HEADER, r"row 1: the weight 'inf'"),
        (
            [["8N", "x", "", "1"], ["1", "x", "", "2"], ["08n", "x", "", "3"]],
            HEADER,
            r"row 3: code '8N' is given twice",
        ),
        (
            [["8N", "x", "", "1"], [" ", "x", "", "2"]],
            HEADER,
            r"row 2: the Home Office code is blank",
        ),
    ],
)
@pytest.mark.slow
def test_bad_weights_files_name_the_first_bad_row_and_change_nothing(
    tmp_path, grid_store, rows, header, match, capsys
):
    path = write_csv(tmp_path / "w.csv", header, [r[: len(header)] for r in rows])
    before = grid_store.checksum()
    assert main(["--data-dir", str(grid_store.root), "load", "harm-weights", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Nothing was changed in the store." in err
    import re

    assert re.search(match, err), err
    assert grid_store.checksum() == before
    assert grid_store.reference(HARM_KEY) is None


def _extract_store(tmp_path, grid_store):
    load_paths(grid_store, "crimes-extract", [write_csv(tmp_path / "e.csv", EXTRACT, ROWS)])
    return grid_store


@pytest.mark.shared
@pytest.mark.slow
def test_harm_by_ward_is_the_sum_of_the_ons_weights(tmp_path, grid_store, shared_data, capsys):
    store = _extract_store(tmp_path, grid_store)
    root = str(store.root)
    sel = Selection("2023-03", "2023-03", definition="dyfed-powys")
    before = load_ward_data(store, sel)
    assert before.harm is None and not before.harm_available
    assert before.harm_reason.startswith("no harm weights are loaded")
    out = tmp_path / "r.csv"
    rank = [
        "--data-dir",
        root,
        "rank",
        "--from",
        "2023-03",
        "--to",
        "2023-03",
        "--definition",
        "dyfed-powys",
        "--preset",
        "harm-weighted",
        "--top-n",
        "3",
        "--out",
        str(out),
    ]
    assert main(rank) == 2
    assert (
        "error: the harm-weighted ranking is not available: no harm weights are loaded: "
        "load the ONS Crime Severity Score table with 'python -m hotspots load "
        "harm-weights FILE'"
    ) in capsys.readouterr().err
    assert not out.exists()

    # load auto recognises the table; status states its source and vintage
    assert main(["--data-dir", root, "load", "auto", "--quiet", str(_table(shared_data))]) == 0
    assert "loaded     ons_css_weights_by_ho_code.csv" in capsys.readouterr().out
    assert main(["--data-dir", root, "status"]) == 0
    assert (
        "Harm weights: ons_css_weights_by_ho_code.csv (133 codes); source: ONS Crime "
        "severity score (experimental statistics), as published in "
        "M-O-P-D/Police-Supply-Demand; vintage: roughly 2020 vintage"
    ) in capsys.readouterr().out

    data = load_ward_data(store, sel)
    assert data.harm_available and data.harm_reason == ""
    assert data.harm.to_dict() == pytest.approx(
        {"X05000001": 7973.3934 + 189.1539, "X05000002": 799.6289}
    )
    assert data.harm_note.startswith(
        "ONS Crime Severity Score weights by Home Office code "
        "(133 codes; source: ONS Crime severity score"
    )
    assert main(rank) == 0
    meta = json.loads(out.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert (
        meta["preset"] == "harm-weighted"
        and "vintage: roughly 2020 vintage" in meta["harm_weights"]
    )

    # the proxy has no offence codes: no harm, and the preset is refused with the reason
    proxy = get_definition("police-uk-proxy")
    assert not harm_coverage(proxy, store.reference(HARM_KEY)).available
    assert harm_coverage(proxy, None).reason == (
        "police.uk data has no Home Office offence codes and the Crime Severity Score weighs "
        "offences by code, so no harm is computed for 'police-uk-proxy'"
    )


@pytest.mark.shared
@pytest.mark.slow
def test_a_table_missing_a_code_of_the_definition_hides_harm(tmp_path, shared_data):
    text = _table(shared_data).read_text(encoding="utf-8").splitlines()
    kept = [line for line in text if not line.startswith(("19J,", "31A,"))]
    path = tmp_path / "partial.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    cover = harm_coverage(get_definition("dyfed-powys"), read_harm_weights(path))
    assert not cover.available
    assert cover.reason == (
        "the loaded harm weights have no weight for 2 code(s) of 'dyfed-powys': 19J, 31A"
    )
    full = harm_coverage(get_definition("dyfed-powys"), read_harm_weights(_table(shared_data)))
    assert full.available


def test_no_weights_ship_with_the_tool():
    from tests.conftest import ROOT

    assert not (ROOT / "geodata" / "harm").exists() or not any(
        (ROOT / "geodata" / "harm").iterdir()
    )
