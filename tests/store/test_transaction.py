"""A transaction: objects written as the load goes, staged without a folder, and a failed
write that fails the load and changes nothing."""

import os

import pyarrow as pa
import pyarrow.feather as pf
import pytest

from hotspots.store import transaction as transaction_mod
from hotspots.store.ingest import load_paths
from hotspots.store.manifest import empty_manifest


def test_a_failed_object_write_fails_the_load_and_changes_nothing(
    grid_store, grid_crimes_file, monkeypatch
):
    before = grid_store.checksum()
    objects = sorted(os.listdir(grid_store.root / "objects"))

    def broken(path, data):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transaction_mod, "write_object", broken)
    with pytest.raises(OSError, match="No space"):
        load_paths(grid_store, "crimes", [grid_crimes_file])
    assert grid_store.checksum() == before
    assert sorted(os.listdir(grid_store.root / "objects")) == objects


def test_a_transaction_without_a_folder_stages_written_objects(grid_store):
    table = pa.table({"month": ["2023-01"]})
    txn = transaction_mod.Transaction(manifest=empty_manifest())
    name = txn.write(table)
    assert name.endswith(".arrow") and name in txn.objects and not txn.written
    assert pf.read_table(pa.BufferReader(txn.objects[name])).column("month").to_pylist() == [
        "2023-01"
    ]
