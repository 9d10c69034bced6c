"""The command line: exit codes, messages, and the store left unchanged on bad input."""

import subprocess
import sys

import pandas as pd
import pytest

from hotspots.cli import main
from hotspots.schema import WARD_COUNT_COLUMNS
from hotspots.store.base import Store
from tests.conftest import POLICE_UK_HEADER, ROOT, police_row, write_csv


def _load_grid(store_dir, grid_reference, grid_crimes_file, capsys):
    paths = [str(p) for p in grid_reference.values()] + [str(grid_crimes_file)]
    assert main(["--data-dir", str(store_dir), "load", "auto", "--quiet", *paths]) == 0
    return capsys.readouterr().out


def test_load_status_wards(tmp_path, grid_reference, grid_crimes_file, capsys):
    out = _load_grid(tmp_path / "s", grid_reference, grid_crimes_file, capsys)
    assert "loaded     2023-01-grid-street.csv" in out
    assert (
        "rows read = placed by code + by point + by nearest + outside + unlocated + "
        "skipped + duplicates: yes (12 = 12)" in out
    )
    assert main(["--data-dir", str(tmp_path / "s"), "status"]) == 0
    status = capsys.readouterr().out
    assert "police.uk:grid               1 months: 2023-01 to 2023-01" in status
    assert "lookup:lsoa21_ward:2022" in status
    out_csv = tmp_path / "w.csv"
    assert (
        main(
            [
                "--data-dir",
                str(tmp_path / "s"),
                "wards",
                "--from",
                "2023-01",
                "--to",
                "2023-01",
                "--area",
                "grid",
                "--out",
                str(out_csv),
            ]
        )
        == 0
    )
    frame = pd.read_csv(out_csv)
    assert list(frame.columns) == [
        *WARD_COUNT_COLUMNS,
        "violence_and_sexual_offences",
        "robbery",
        "drugs",
        "definition",
        "data_note",
    ]
    assert frame["sv_count"].tolist() == [2, 2, 1, 1]
    assert "PROXY" in capsys.readouterr().out
    assert (tmp_path / "w.meta.json").exists()


def test_loading_again_says_unchanged(tmp_path, grid_reference, grid_crimes_file, capsys):
    _load_grid(tmp_path / "s", grid_reference, grid_crimes_file, capsys)
    out = _load_grid(tmp_path / "s", grid_reference, grid_crimes_file, capsys)
    assert "unchanged  2023-01-grid-street.csv (already loaded)" in out
    assert "The store is unchanged." in out


def test_bad_input_exit_2_names_file_row_fix(tmp_path, grid_reference, grid_crimes_file, capsys):
    _load_grid(tmp_path / "s", grid_reference, grid_crimes_file, capsys)
    before = Store(tmp_path / "s").checksum()
    bad = write_csv(
        tmp_path / "2023-02-grid-street.csv",
        POLICE_UK_HEADER,
        [
            police_row("x", month="2023-02"),
            [*police_row("y", month="2023-02")[:4], "east", "51.5", *police_row("y")[6:]],
        ],
    )
    code = main(["--data-dir", str(tmp_path / "s"), "load", "crimes", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2023-02-grid-street.csv, row 2: Longitude 'east' is not a number." in err
    assert "Fix: correct or blank that cell." in err
    assert "Nothing was changed in the store." in err
    assert "Traceback" not in err
    assert Store(tmp_path / "s").checksum() == before


def test_unknown_definition_and_area(tmp_path, grid_reference, grid_crimes_file, capsys):
    _load_grid(tmp_path / "s", grid_reference, grid_crimes_file, capsys)
    base = [
        "--data-dir",
        str(tmp_path / "s"),
        "wards",
        "--from",
        "2023-01",
        "--to",
        "2023-01",
        "--out",
        str(tmp_path / "x.csv"),
    ]
    assert main([*base, "--definition", "nope"]) == 2
    assert (
        "unknown definition 'nope'; choose one of ['dyfed-powys', 'police-uk-proxy']"
        in capsys.readouterr().err
    )
    assert main([*base, "--from", "2023-13"]) == 2
    assert "not YYYY-MM" in capsys.readouterr().err


@pytest.mark.slow
def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "hotspots", "--data-dir", str(tmp_path), "status"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "Nothing is loaded" in proc.stdout


@pytest.mark.slow
def test_package_never_imports_streamlit():
    code = (
        "import sys, hotspots, hotspots.cli, hotspots.store.ingest, hotspots.store.ward_data, "
        "hotspots.demo.build, hotspots.io.fetch, hotspots.stats.getis_ord; "
        "import pkgutil, importlib; "
        "[importlib.import_module('hotspots.' + m.name) "
        " for m in pkgutil.iter_modules(hotspots.__path__) if m.name != '__main__']; "
        "sys.exit(1 if 'streamlit' in sys.modules else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr or "hotspots imported streamlit"
