"""Force extracts counted through the Home Office code definition: every code of every
category lands in its category; codes no category uses and missing flags are reported in
words; a rule needing a missing flag is refused until an analyst accepts it, and the
acceptance is stated on every output."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from hotspots.cli import main
from hotspots.definitions import classify_crimes, get_definition
from hotspots.io.extract_checks import MissingFlagError, extract_report
from hotspots.store.ingest import load_paths
from hotspots.store.ward_data import Selection, load_ward_data
from tests.conftest import write_csv

HEADER = [
    "crime_reference",
    "recorded_at",
    "ho_code",
    "offence_description",
    "lsoa_code",
    "domestic_flag",
    "terrorism_flag",
]
LSOAS = ["X01000001", "X01000003", "X01000004", "X01000005"]  # one in each grid ward


def _spell(code: str, i: int) -> str:
    """The code as a force might write it: as is, lower case, zero-padded, or (for a
    dotted code) as class/subclass."""
    if "." in code:
        a, b = code.split(".")
        return [f"{a}/{b}", f"0{a}/0{b}", code][i % 3]
    return [code, code.lower(), f"0{code}", f" {code} "][i % 4]


def _shared_table(shared_data) -> dict[str, str]:
    with open(shared_data / "harm" / "ons_css_weights_by_ho_code.csv", encoding="utf-8") as fh:
        return {r["ho_code"]: r["offence"] for r in csv.DictReader(fh)}


@pytest.mark.shared
@pytest.mark.slow
def test_every_code_of_every_category_lands_in_its_category(
    tmp_path, grid_store, shared_data, capsys
):
    table = _shared_table(shared_data)
    dp = get_definition("dyfed-powys")
    rows, expected = [], {}
    for cat in dp.categories:
        for code in cat.values:
            i = len(rows)
            ref = f"DP/{i:04d}"
            rows.append(
                [
                    ref,
                    f"2023-01-{1 + i % 28:02d} 10:00",
                    _spell(code, i),
                    table[code],
                    LSOAS[i % 4],
                    "N",
                    "N",
                ]
            )
            expected[ref] = cat.key
    # flagged rows: domestic violence with injury and a terrorism-marked homicide
    rows.append(["DP/DOM", "2023-01-05 10:00", "8N", "Assault with injury", LSOAS[0], "Y", "N"])
    rows.append(["DP/TER", "2023-01-05 10:00", "1", "Murder", LSOAS[0], "N", "Y"])
    # codes no category uses: reported, kept, not counted
    for i, code in enumerate(["8U", "8U", "8U", "105A", "105a", "08/67"]):
        rows.append([f"DP/X{i}", "2023-01-06 10:00", code, "", LSOAS[1], "N", "N"])
    path = write_csv(tmp_path / "extract.csv", HEADER, rows)
    assert (
        main(["--data-dir", str(grid_store.root), "load", "crimes-extract", "--quiet", str(path)])
        == 0
    )
    loaded = capsys.readouterr().out
    assert len(rows) == 54  # 46 codes of the definition, 2 flagged rows, 6 others
    want = (
        "extract:force-extract under 'dyfed-powys': 6 rows of 54 have codes no category "
        "uses: 8U ×3, 105A ×2, 8/67 ×1 (kept in the store, not counted)."
    )
    assert want in loaded

    stored = grid_store.crimes()
    assert len(stored) == len(rows)  # nothing lost
    got = dict(zip(stored["crime_id"], classify_crimes(stored, dp), strict=True))
    assert {ref: got[ref] for ref in expected} == expected
    assert pd.isna(got["DP/DOM"]) and pd.isna(got["DP/TER"])
    assert all(pd.isna(got[f"DP/X{i}"]) for i in range(6))

    data = load_ward_data(grid_store, Selection("2023-01", "2023-01", definition="dyfed-powys"))
    per_cat = pd.Series(expected).value_counts()
    for cat in dp.categories:
        assert int(data.counts[cat.key].sum()) == per_cat[cat.key], cat.key
    assert int(data.counts["sv_count"].sum()) == sum(len(c.values) for c in dp.serious_violence)
    assert int(data.counts["drugs_count"].sum()) == 4  # 92A, 92D, 92E, 92C
    assert data.caveats == ()  # every flag present

    assert main(["--data-dir", str(grid_store.root), "status"]) == 0
    status = capsys.readouterr().out
    assert "Offence codes and flags of the force extracts:" in status and want in status
    assert extract_report(dp, grid_store.manifest()) == [want]
    assert extract_report(get_definition("police-uk-proxy"), grid_store.manifest()) == []


def _flagless(tmp_path, name="no-flag.csv", domestic=None, terrorism=False):
    """An extract of five violence-with-injury rows and one robbery; ``domestic`` is the
    flag column's values (None: no such column)."""
    header = ["crime_reference", "recorded_at", "ho_code", "lsoa_code"]
    rows = [[f"N{i}", "2023-02-01 10:00", "8N", LSOAS[i % 4]] for i in range(5)]
    rows.append(["N5", "2023-02-01 10:00", "34B", LSOAS[0]])
    if domestic is not None:
        header.append("domestic_flag")
        rows = [[*r, d] for r, d in zip(rows, domestic, strict=True)]
    if terrorism:
        header.append("terrorism_flag")
        rows = [[*r, "N"] for r in rows]
    return write_csv(tmp_path / name, header, rows)


@pytest.mark.slow
def test_missing_domestic_flag_is_reported_refused_then_accepted(tmp_path, grid_store, capsys):
    root = str(grid_store.root)
    assert (
        main(["--data-dir", root, "load", "crimes-extract", "--quiet", str(_flagless(tmp_path))])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "extract:force-extract under 'dyfed-powys': 6 rows have no domestic flag: the "
        "'not domestic' rule of Violence with injury (not domestic) cannot be applied — "
        "counting is refused until an analyst accepts it (python -m hotspots "
        "accept-missing-flag --definition dyfed-powys --source extract:force-extract "
        "--flag domestic)."
    ) in out
    assert ("6 rows have no terrorism marker: terrorism offences cannot be excluded.") in out

    sel = Selection("2023-02", "2023-02", definition="dyfed-powys")
    with pytest.raises(
        MissingFlagError,
        match=(
            r"'dyfed-powys' counts Violence with injury \(not domestic\) only when not "
            r"domestic, but 5 of those rows from extract:force-extract have no domestic flag "
            r"\(the column is missing or blank\), so the rule cannot be applied"
        ),
    ):
        load_ward_data(grid_store, sel)
    wards = tmp_path / "w.csv"
    args = [
        "--data-dir",
        root,
        "wards",
        "--from",
        "2023-02",
        "--to",
        "2023-02",
        "--definition",
        "dyfed-powys",
        "--out",
        str(wards),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "accept-missing-flag --definition dyfed-powys --source extract:force-extract" in err
    assert not wards.exists()

    # a flag the definition does not use, or a source not loaded, is refused
    assert (
        main(
            [
                "--data-dir",
                root,
                "accept-missing-flag",
                "--definition",
                "dyfed-powys",
                "--source",
                "extract:force-extract",
                "--flag",
                "knife",
                "--by",
                "ana",
            ]
        )
        == 2
    )
    assert "has no rule on the 'knife' flag" in capsys.readouterr().err
    assert (
        main(
            [
                "--data-dir",
                root,
                "accept-missing-flag",
                "--definition",
                "dyfed-powys",
                "--source",
                "extract:other",
                "--by",
                "ana",
            ]
        )
        == 2
    )
    assert "no force extract 'extract:other' is loaded" in capsys.readouterr().err

    assert (
        main(
            [
                "--data-dir",
                root,
                "accept-missing-flag",
                "--definition",
                "dyfed-powys",
                "--source",
                "extract:force-extract",
                "--flag",
                "domestic",
                "--by",
                "Ana Analyst",
            ]
        )
        == 0
    )
    assert "Ana Analyst accepts" in capsys.readouterr().out
    m = grid_store.manifest()
    (acc,) = m["accepted_missing_flags"]
    assert acc["by"] == "Ana Analyst" and acc["flag"] == "domestic" and acc["rows"] == 6
    assert m["history"][-1]["kind"] == "accept-missing-flag"

    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Note: ACCEPTED by Ana Analyst on " in printed
    frame = pd.read_csv(wards)
    assert frame["violence_with_injury"].sum() == 5 and frame["robbery"].sum() == 1
    meta = json.loads(wards.with_suffix(".meta.json").read_text(encoding="utf-8"))
    note = meta["definition_note"]
    assert note.startswith("Home Office offence codes ACCEPTED by Ana Analyst on ")
    assert (
        "5 Violence with injury (not domestic) rows from extract:force-extract have no "
        "domestic flag and are counted as not domestic."
    ) in note
    assert "6 counted rows from extract:force-extract have no terrorism marker" in note
    caveats = meta["definition_caveats"]
    assert len(caveats) == 2 and caveats[0].startswith("ACCEPTED by Ana Analyst on ")
    assert note == "Home Office offence codes " + " ".join(caveats)

    assert main(["--data-dir", root, "status"]) == 0
    assert "(accepted by Ana Analyst on " in capsys.readouterr().out


def test_blank_flags_count_only_the_blank_rows(tmp_path, grid_store):
    path = _flagless(tmp_path, "blanks.csv", domestic=["Y", "", "N", "", "N", ""], terrorism=True)
    load_paths(grid_store, "crimes-extract", [path])
    (line,) = extract_report(get_definition("dyfed-powys"), grid_store.manifest())[1:]
    assert line.startswith(
        "extract:force-extract under 'dyfed-powys': 3 rows have no domestic flag"
    )
    with pytest.raises(MissingFlagError, match=r"but 2 of those rows"):
        load_ward_data(grid_store, Selection("2023-02", "2023-02", definition="dyfed-powys"))
    # the proxy does not read flags: nothing to refuse (and no extract is counted by it)
    assert extract_report(get_definition("police-uk-proxy"), grid_store.manifest()) == []


def test_extract_months_loaded_without_profiles_are_profiled_from_the_rows(
    tmp_path, grid_store, capsys
):
    from hotspots.io.extract_checks import with_profiles

    load_paths(grid_store, "crimes-extract", [_flagless(tmp_path)])
    want = extract_report(get_definition("dyfed-powys"), grid_store.manifest())
    with grid_store.transaction() as txn:  # as a store loaded by an earlier version
        for part in txn.manifest["partitions"].values():
            del part["extract_profile"]
    assert extract_report(get_definition("dyfed-powys"), grid_store.manifest()) == []
    assert extract_report(get_definition("dyfed-powys"), with_profiles(grid_store)) == want
    assert len(want) == 3 and "6 rows have no domestic flag" in want[1]
    assert main(["--data-dir", str(grid_store.root), "status"]) == 0
    assert want[1] in capsys.readouterr().out


def test_the_terrorism_caveat_counts_only_rows_a_category_counts():
    from hotspots.io.crime_table import crimes_frame
    from hotspots.io.extract_checks import caveats

    n = 4
    crimes = crimes_frame(
        {
            "source": pd.array(["extract:x"] * n, dtype="string"),
            "ho_code": pd.array(["8N", "105A", "92E", "8U"], dtype="string"),
            "domestic": pd.array([False] * n, dtype="boolean"),
            "assignment": pd.array(["code", "code", "code", "code"], dtype="string"),
        },
        n,
    )
    dp = get_definition("dyfed-powys")
    assert caveats(crimes, dp, {"partitions": {}}) == (
        "2 counted rows from extract:x have no terrorism marker: terrorism offences cannot "
        "be excluded.",
    )
    assert caveats(crimes.iloc[:1], dp, {"partitions": {}}) == (
        "1 counted row from extract:x has no terrorism marker: terrorism offences cannot be "
        "excluded.",
    )
    # rows not placed in a ward are not counted, so they need no flag
    crimes["assignment"] = pd.array(["outside"] * n, dtype="string")
    assert caveats(crimes, dp, {"partitions": {}}) == ()
