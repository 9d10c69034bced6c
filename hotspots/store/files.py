"""Writing files safely: atomic replacement (temp file, fsync, ``os.replace``), syncing a
folder, the time stamp written into manifests and archives, and values made plain for
JSON."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def utc_now() -> str:
    """The time now in UTC, to the second, as ``2024-11-30T12:00:00Z``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fsync_dir(path: Path) -> None:
    """Sync the folder ``path`` (so that a file just created or replaced in it stays)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path, data: bytes | pa.Buffer, sync_dir: bool = True, mode: int | None = None
) -> None:
    """Replace ``path`` with ``data`` atomically (temp file, fsync, ``os.replace``);
    ``mode`` sets the file's permissions (e.g. 0o600 for secrets)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def jsonable(obj):
    """``obj`` with numpy scalars as Python values and tuples as lists (for JSON)."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj
