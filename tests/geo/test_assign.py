"""The ward assignment rule, branch by branch, on a hand-built grid."""

import numpy as np
import pandas as pd
import pytest

from hotspots.geo.assign import assign_wards, reconcile, to_bng
from hotspots.io.police_uk import read_police_uk
from hotspots.io.raw import RawFile
from hotspots.schema import CRIME_COLUMNS, RECONCILIATION_COLUMNS
from hotspots.store.ingest import load_paths
from tests.conftest import GRID_CRIMES


def test_every_branch_of_the_rule(grid_store, grid_crimes_file):
    parsed = read_police_uk(RawFile(grid_crimes_file.name, grid_crimes_file.read_bytes()))
    geography = grid_store.geography()
    out = assign_wards(parsed.crimes, geography)
    assert list(out.columns) == CRIME_COLUMNS
    expected = [(how, ward) for _, how, ward in GRID_CRIMES if how != "skipped"]
    got = list(
        zip(
            out["assignment"],
            out["ward_code"].astype(object).where(out["ward_code"].notna(), None),
            strict=True,
        )
    )
    assert got == expected


def test_split_lsoa_is_known_but_multi_ward(grid_store):
    g = grid_store.geography()
    assert "X01000090" in g.multi_ward
    assert g.single_ward["X01000091"] == "X05000004"  # merged 2011 code → one ward
    assert g.single_ward["X01000003"] == "X05000002"  # 2021 code
    assert "E01000001" not in g.known_codes


def test_assign_does_not_mutate_input(grid_store, grid_crimes_file):
    parsed = read_police_uk(RawFile(grid_crimes_file.name, grid_crimes_file.read_bytes()))
    before = parsed.crimes.copy()
    assign_wards(parsed.crimes, grid_store.geography())
    pd.testing.assert_frame_equal(parsed.crimes, before)


def test_reconciliation_parts_sum_to_rows_read(grid_store, grid_crimes_file):
    report = load_paths(grid_store, "crimes", [grid_crimes_file])
    rec = report.reconciliation
    assert list(rec.columns) == RECONCILIATION_COLUMNS
    row = rec.iloc[0]
    assert (
        row.rows_read,
        row.by_code,
        row.by_point,
        row.by_nearest,
        row.outside,
        row.unlocated,
        row.skipped,
        row.duplicates,
    ) == (12, 3, 2, 1, 1, 3, 1, 1)


def test_reconcile_refuses_parts_that_do_not_sum(grid_store, grid_crimes_file):
    parsed = read_police_uk(RawFile(grid_crimes_file.name, grid_crimes_file.read_bytes()))
    out = assign_wards(parsed.crimes, grid_store.geography())
    with pytest.raises(ValueError, match="does not sum"):
        reconcile(out, {"2023-01": 99}, parsed.skipped, "f.csv", "x", parsed.source)


def test_to_bng_known_point():
    # The OS trig point at Pen y Fan: 51.8839 N, 3.4369 W → roughly E 301200, N 221600.
    e, n = to_bng(np.array([-3.436926]), np.array([51.883921]))
    assert abs(e[0] - 301_200) < 150 and abs(n[0] - 221_600) < 150
