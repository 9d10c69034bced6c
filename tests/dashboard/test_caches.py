"""dashboard.caches: what the dashboard keeps between runs."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest


class _Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the collector can free it


def _build(n: int) -> list[_Node]:
    return [_Node() for _ in range(n)]


@pytest.mark.slow
def test_long_lived_collects_then_freezes_what_a_cache_miss_built():
    from dashboard.caches import long_lived

    gc.unfreeze()
    try:
        garbage = [weakref.ref(_Node()) for _ in range(3)]  # cyclic garbage, not yet freed
        assert all(r() is not None for r in garbage)
        before = gc.get_freeze_count()
        built = long_lived(_build)(1000)
        assert len(built) == 1000 and long_lived(_build).__name__ == "_build"
        # The garbage was collected first (not frozen); what was alive is frozen, so later
        # full collections do not walk it.
        assert all(r() is None for r in garbage)
        assert gc.get_freeze_count() >= before + 1000
        walked = {id(o) for o in gc.get_objects()}
        assert not any(id(n) in walked for n in built)
        # Frozen objects that later become cyclic garbage (an evicted cache entry) are
        # freed by the next cache miss.
        evicted = weakref.ref(built[0])
        del built
        assert evicted() is not None
        long_lived(_build)(1)
        assert evicted() is None
    finally:
        gc.unfreeze()


def test_long_lived_collects_once_for_nested_misses(monkeypatch):
    from dashboard import caches as state

    calls = []
    monkeypatch.setattr(state.gc, "collect", lambda *a: calls.append("collect") or 0)
    inner = state.long_lived(_build)
    outer = state.long_lived(lambda n: inner(n) + inner(n))
    try:
        assert len(outer(2)) == 4
        assert calls == ["collect"]
    finally:
        gc.unfreeze()


EXTRACT_HEADER = [
    "crime_reference",
    "recorded_at",
    "ho_code",
    "offence_description",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "lsoa_code",
    "domestic_flag",
    "alcohol_flag",
    "drugs_flag",
    "knife_flag",
    "victim_age_band",
    "victim_sex",
]


@pytest.mark.slow
def test_ward_crime_times_are_one_wards_recorded_times(grid_store, tmp_path):
    """The ward profile's heat map: the recorded date-times of one ward's crimes in the
    period, from a force extract (police.uk rows have none)."""
    from dashboard.caches import ward_crime_times
    from hotspots.store.ingest import load_paths
    from hotspots.store.ward_data import Selection
    from tests.conftest import write_csv

    def row(ref, when, lsoa):
        return [
            ref,
            when,
            "8N",
            "Assault with injury",
            "",
            "",
            "",
            "",
            lsoa,
            "N",
            "",
            "",
            "",
            "",
            "",
        ]

    extract = write_csv(
        tmp_path / "extract.csv",
        EXTRACT_HEADER,
        [
            row("E/1", "2023-01-06 23:40", "X01000001"),  # ward A
            row("E/2", "2023-01-07 01:15", "X01000001"),  # ward A
            row("E/3", "2023-01-09 12:00", "X01000004"),  # ward C
            row("E/4", "2023-02-01 08:00", "X01000001"),  # ward A, outside the period
        ],
    )
    load_paths(grid_store, "crimes-extract", [extract])
    selection = Selection(start="2023-01", end="2023-01", area=None, definition="dyfed-powys")
    root, version = str(grid_store.root), grid_store.version()
    times = ward_crime_times(root, version, selection, "X05000001")
    assert times.tolist() == [pd.Timestamp("2023-01-06 23:40"), pd.Timestamp("2023-01-07 01:15")]
    assert ward_crime_times(root, version, selection, "X05000003").tolist() == [
        pd.Timestamp("2023-01-09 12:00")
    ]
    assert ward_crime_times(root, version, selection, "X05000004").empty
