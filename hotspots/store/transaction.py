"""A transaction: the objects and manifest changes staged for one commit of the store."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from hotspots.store.files import utc_now
from hotspots.store.objects import object_problem, object_record, table_to_arrow, write_object

_IO: tuple[int, ThreadPoolExecutor] | None = None
_IO_LOCK = threading.Lock()


def _io_pool() -> ThreadPoolExecutor:
    """Threads that write objects (they wait on the disk, not the CPU), kept for the
    life of the process (made again after a fork)."""
    global _IO
    with _IO_LOCK:
        if _IO is None or _IO[0] != os.getpid():
            _IO = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=8, thread_name_prefix="hotspots-write"),
            )
        return _IO[1]


@dataclass
class Transaction:
    """Changes staged for one commit (see :meth:`Store.transaction`).

    Objects are staged in memory (:meth:`put`, written at the commit) or written at once
    (:meth:`write`): under a fresh name no manifest refers to until the commit, and
    removed again if the transaction does not commit.
    """

    manifest: dict
    objects: dict[str, bytes | pa.Buffer] = field(default_factory=dict)
    #: The geography built for this transaction, by geography key.
    geographies: dict = field(default_factory=dict)
    folder: Path | None = None
    written: dict[str, Future] = field(default_factory=dict)
    #: The manifest file on disk cannot be read (the commit writes it even when nothing
    #: else changes).
    damaged_manifest: bool = False
    #: What the commit found worth saying (e.g. crimes already stored under another
    #: source or month).
    notes: list[str] = field(default_factory=list)

    def put(self, data: bytes | pa.Buffer, kind: str = "parquet") -> str:
        """Stage an object; returns its name (a fresh id with the format as extension)."""
        name = f"{secrets.token_hex(16)}.{kind}"
        self.objects[name] = data
        return name

    def records(self) -> dict[str, dict]:
        """The :func:`object_record` of every object staged or written (waits for the
        writes)."""
        out = {name: object_record(data) for name, data in self.objects.items()}
        out.update({name: done.result() for name, done in self.written.items()})
        return out

    def intact(self, name: str) -> bool:
        """True when the committed object ``name`` is on disk as the manifest recorded it
        (an object without a record: when it can be read)."""
        if self.folder is None:
            return True
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            return False
        return object_problem(name, data, self.manifest.get("objects", {}).get(name)) is None

    def write(self, data: bytes | pa.Buffer | pa.Table, kind: str = "arrow") -> str:
        """Start writing an object into the store's objects folder now (on a writer
        thread, synced to disk); returns its name as :meth:`put` does. ``data`` is the
        object's bytes or a crimes table (serialised by the writer thread, see
        :func:`table_to_arrow`). Without a folder (a transaction not made by a store),
        the object is staged as :meth:`put` does."""
        if self.folder is None:
            return self.put(table_to_arrow(data) if isinstance(data, pa.Table) else data, kind)
        name = f"{secrets.token_hex(16)}.{kind}"
        self.written[name] = _io_pool().submit(write_object, self.folder / name, data)
        return name

    def wait(self) -> None:
        """Wait for the objects being written; raises the first write's error."""
        for done in list(self.written.values()):
            done.result()

    def discard_unkept(self, keep: set[str]) -> None:
        """Remove the objects written by :meth:`write` that are not in ``keep`` (after
        they are finished)."""
        for name, done in self.written.items():
            with contextlib.suppress(Exception):
                done.result()
            if name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / name).unlink()

    def record(
        self, kind: str, file: str, checksum: str, months: list[str], rows: int, action: str
    ) -> None:
        """Append a line to the history."""
        self.manifest["history"].append(
            {
                "time": utc_now(),
                "kind": kind,
                "file": file,
                "checksum": checksum,
                "months": months,
                "rows": int(rows),
                "action": action,
            }
        )
