"""Build the demo region's store: synthetic files written, then loaded by the normal loaders.

The demo store is labelled "synthetic demo" and keeps the generator's planted truth
(``planted_truth.json``) beside its manifest for the analytics tests.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from hotspots.demo.writers import write_demo_files
from hotspots.io.force_extract import ExtractMapping
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from hotspots.store.location import DEMO_DIR

DEMO_LABEL = "synthetic demo"
_EXTRACT = re.compile(r"synthetic_demo_(.+?)_force_extract")


def build_demo(root: str | Path | None = None, seed: int = 2019, force: bool = False) -> Store:
    """Build (or return the existing) demo store at ``root`` (default ``geodata/demo-store``).

    The store is built in a temporary folder beside ``root`` and moved into place at the
    end, so an interrupted build never leaves a half-built demo.
    """
    root = Path(root) if root is not None else DEMO_DIR
    existing = Store(root)
    if not force and existing.label == DEMO_LABEL and existing.sources():
        return existing
    root.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".demo-build-", dir=root.parent))
    try:
        files = write_demo_files(work / "files", seed=seed)
        store = Store(work / "store")
        base = work / "files"
        load_paths(
            store,
            "auto",
            [base / "boundaries", base / "lookups", base / "deprivation", base / "population"],
        )
        load_paths(store, "crimes", [base / "crime" / "police_uk"])
        for path in sorted((base / "crime" / "force_extract").glob("*.csv")):
            m = _EXTRACT.search(path.name)
            load_paths(
                store,
                "crimes-extract",
                [path],
                mapping=ExtractMapping(source=m.group(1) if m else "demo"),
            )
        with store.transaction() as txn:
            txn.manifest["label"] = DEMO_LABEL
            txn.manifest["demo_seed"] = seed
        shutil.copy2(files.root / "planted_truth.json", store.root / "planted_truth.json")
        if force and root.exists():
            shutil.rmtree(root)
        try:
            os.replace(store.root, root)
        except OSError:  # built meanwhile by another process: keep theirs
            if not Store(root).sources():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Store(root)
