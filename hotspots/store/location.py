"""Where the store lives: ``$HOTSPOTS_DATA_DIR``, else ``geodata/store`` in the project
(the demo store in ``geodata/demo-store``). Light to import (no data libraries)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "geodata" / "store"
DEMO_DIR = Path(__file__).resolve().parents[2] / "geodata" / "demo-store"


def default_dir() -> Path:
    """The store folder: ``$HOTSPOTS_DATA_DIR`` or ``geodata/store`` in the project."""
    env = os.environ.get("HOTSPOTS_DATA_DIR")
    return Path(env) if env else DEFAULT_DIR
