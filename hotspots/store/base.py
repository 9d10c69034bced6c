"""The on-disk store: Parquet objects plus one JSON manifest, with history.

Layout of the store folder (``HOTSPOTS_DATA_DIR``, default ``geodata/store``)::

    manifest.json          what is loaded now, the reconciliation, the history, and the
                           size and checksum of every object
    manifest.prev.json     the manifest before the last commit (used, with a warning, when
                           manifest.json cannot be read)
    objects/<id>.arrow     crimes, one object per source and month (Arrow IPC, compact)
    objects/<id>.parquet   reference tables (wards as GeoParquet, lookups, deprivation,
                           population)
    .lock                  held by a writer for the whole load

A load writes its new objects first (crimes objects as soon as each is ready, while the
rest of the load goes on), then replaces ``manifest.json`` in one ``os.replace`` (the
commit point). A crash or a kill at any moment leaves either the
old manifest or the new one, each pointing at complete objects; objects neither manifest
refers to are removed by the next successful load.

Every object is checked against the size and checksum the manifest recorded for it when
it is read (:class:`StoreDamagedError` names it and the repair), by ``status`` and by
``python -m hotspots verify``; loading its original file again rewrites it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as pf
import xxhash

from hotspots.errors import InputError
from hotspots.geo.geography import Geography, build_geography
from hotspots.io.crime_table import (
    compact_crimes,
    crimes_frame,
    crimes_table,
    crimes_to_pandas,
    decoded_crimes,
)
from hotspots.schema import HISTORY_COLUMNS, RECONCILIATION_COLUMNS

FORMAT = 1
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "geodata" / "store"
DEMO_DIR = Path(__file__).resolve().parents[2] / "geodata" / "demo-store"

#: Reference tables a store holds, and what each needs in the manifest key.
REFERENCE_KINDS = ("wards", "lookup", "deprivation", "population")


def default_dir() -> Path:
    """The store folder: ``$HOTSPOTS_DATA_DIR`` or ``geodata/store`` in the project."""
    env = os.environ.get("HOTSPOTS_DATA_DIR")
    return Path(env) if env else DEFAULT_DIR


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(
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
        _fsync_dir(path.parent)


def empty_manifest() -> dict:
    """A manifest with nothing loaded."""
    return {
        "format": FORMAT,
        "version": 0,
        "updated": None,
        "label": None,
        "reference": {},
        "partitions": {},
        "history": [],
        "objects": {},
    }


#: Keys every manifest has (a file without them is not a complete manifest).
_MANIFEST_KEYS = ("format", "version", "reference", "partitions", "history")


def _parse_manifest(data: bytes) -> dict:
    """A manifest from its bytes; ValueError (saying what is wrong) when it is damaged."""
    try:
        m = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"it is not valid JSON ({exc})") from None
    if not isinstance(m, dict) or any(k not in m for k in _MANIFEST_KEYS):
        raise ValueError("it is not a complete manifest")
    m.setdefault("objects", {})
    return m


def object_record(data: bytes | pa.Buffer) -> dict:
    """What the manifest records of an object: its size and checksum (XXH3-128)."""
    return {
        "size": len(data) if not isinstance(data, pa.Buffer) else data.size,
        "xxh3": xxhash.xxh3_128_hexdigest(data),
    }


class StoreDamagedError(InputError):
    """A store file (an object or the manifest) is missing, truncated or altered."""


def _write_object(path: Path, data: bytes | pa.Buffer | pa.Table) -> dict:
    """Write a new object file and fsync it (its directory is synced at the commit); a
    crimes table is serialised first (see :func:`table_to_arrow`). Returns the object's
    :func:`object_record`."""
    if isinstance(data, pa.Table):
        data = table_to_arrow(data)
    record = object_record(data)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(os.dup(fd), "wb") as fh:
            fh.write(data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return record


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
    _geography: dict = field(default_factory=dict)
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
        return Store(self.folder.parent).object_problem(name, self.manifest) is None

    def write(self, data: bytes | pa.Buffer | pa.Table, kind: str = "arrow") -> str:
        """Start writing an object into the store's objects folder now (on a writer
        thread, synced to disk); returns its name as :meth:`put` does. ``data`` is the
        object's bytes or a crimes table (serialised by the writer thread, see
        :func:`table_to_arrow`). Without a folder (a transaction not made by a store),
        the object is staged as :meth:`put` does."""
        if self.folder is None:
            return self.put(table_to_arrow(data) if isinstance(data, pa.Table) else data, kind)
        name = f"{secrets.token_hex(16)}.{kind}"
        self.written[name] = _io_pool().submit(_write_object, self.folder / name, data)
        return name

    def wait(self) -> None:
        """Wait for the objects being written; raises the first write's error."""
        for done in list(self.written.values()):
            done.result()

    def _discard(self, keep: set[str]) -> None:
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
                "time": _now(),
                "kind": kind,
                "file": file,
                "checksum": checksum,
                "months": months,
                "rows": int(rows),
                "action": action,
            }
        )


class Store:
    """An on-disk store of crimes and reference data with history.

    Parameters
    ----------
    root : path, optional
        The store folder; :func:`default_dir` when not given. Created on first write.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_dir()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- reading -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def previous_manifest_path(self) -> Path:
        """The manifest before the last commit (kept for when manifest.json is damaged)."""
        return self.root / "manifest.prev.json"

    def manifest(self) -> dict:
        """The current manifest (an empty one when nothing has been loaded).

        When manifest.json cannot be read (truncated, altered), the previous manifest
        (manifest.prev.json) is used; :meth:`manifest_problem` then says so.

        Raises
        ------
        StoreDamagedError
            When neither manifest can be read.
        """
        return self._read_manifest()[0]

    def manifest_problem(self) -> str | None:
        """What is wrong with manifest.json when the previous manifest is in use, else
        None."""
        return self._read_manifest()[1]

    def _read_manifest(self) -> tuple[dict, str | None]:
        try:
            data = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return empty_manifest(), None
        try:
            return _parse_manifest(data), None
        except ValueError as exc:
            problem = f"the store's manifest is damaged: {exc}"
        try:
            previous = _parse_manifest(self.previous_manifest_path.read_bytes())
        except (FileNotFoundError, ValueError):
            raise StoreDamagedError(
                problem + ", and there is no readable previous manifest",
                file=str(self.manifest_path),
                fix=f"restore the store folder {self.root} from a backup, or move it away "
                "and load the original files again (python -m hotspots load auto FOLDER)",
            ) from None
        return previous, (
            f"{problem}. Showing the previous manifest (version {previous['version']}, "
            f"{previous.get('updated') or 'no date'}): the last load may be missing. "
            "Fix: load the last files again (python -m hotspots load ...), which writes a "
            "new manifest; check with python -m hotspots verify"
        )

    def object_problem(
        self, name: str, manifest: dict | None = None, data: bytes | None = None
    ) -> str | None:
        """What is wrong with the object ``name`` (missing, truncated, altered), or None
        when it is as the manifest recorded it. An object without a record (written by an
        earlier version) is checked by reading it."""
        m = manifest if manifest is not None else self.manifest()
        record = m.get("objects", {}).get(name)
        if data is None:
            try:
                data = self._raw(name)
            except FileNotFoundError:
                return "the file is missing"
        if record is None:
            return _readable(name, data)
        size = len(data)
        if size != record["size"]:
            return (
                f"the file has {size:,} bytes where {record['size']:,} were written "
                "(truncated or altered)"
            )
        if xxhash.xxh3_128_hexdigest(data) != record["xxh3"]:
            return "its checksum differs from the one recorded when it was written (altered)"
        return None

    def describe_object(self, name: str, manifest: dict | None = None) -> tuple[str, str]:
        """What the object holds, and the command that rewrites it from its original."""
        m = manifest if manifest is not None else self.manifest()
        for p in m["partitions"].values():
            if p["object"] == name:
                return (
                    f"the crimes of {p['source']} {p['month']} from {p['file']}",
                    _reload_command(p["source"], p["month"], p["file"]),
                )
        for key, e in m["reference"].items():
            if e["object"] == name:
                kind = e.get("kind", "auto")
                return (
                    f"the {key} table from {e['file']}",
                    f"python -m hotspots load {kind} PATH/TO/{e['file']}",
                )
        return ("an object no manifest names", "python -m hotspots load auto FOLDER")

    def damaged(self, name: str, problem: str, manifest: dict | None = None) -> StoreDamagedError:
        """The error for a damaged object: names it, what it holds and the repair."""
        what, command = self.describe_object(name, manifest)
        return StoreDamagedError(
            f"a store file is damaged: {problem}. It holds {what}",
            file=str(self.root / "objects" / name),
            fix=f"load the original again, which rewrites it: {command} "
            "(then check with python -m hotspots verify)",
        )

    def verify(self) -> list[tuple[str, str, str, str]]:
        """Check every object the manifest names: ``(object, problem, what it holds,
        repair command)`` for each damaged one (empty when all are intact)."""
        m = self.manifest()
        out = []
        for name in sorted(self._referenced(m)):
            problem = self.object_problem(name, m)
            if problem is not None:
                out.append((name, problem, *self.describe_object(name, m)))
        return out

    def _raw(self, name: str) -> bytes:
        return (self.root / "objects" / name).read_bytes()

    def version(self) -> int:
        """Increases by one with every commit; 0 for an empty store."""
        return int(self.manifest()["version"])

    def checksum(self) -> str:
        """Checksum of the whole committed content (the manifest names every object)."""
        try:
            return hashlib.sha256(self.manifest_path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return "empty"

    def _object(self, name: str, manifest: dict | None = None) -> bytes:
        """The bytes of a committed object, checked against the manifest's record.

        Raises
        ------
        StoreDamagedError
            When it is missing, truncated or altered (naming it and the repair).
        """
        m = manifest if manifest is not None else self.manifest()
        try:
            data = self._raw(name)
        except FileNotFoundError:
            raise self.damaged(name, "the file is missing", m) from None
        problem = self.object_problem(name, m, data)
        if problem is not None:
            raise self.damaged(name, problem, m)
        return data

    def _read_frame(self, name: str, manifest: dict | None = None) -> pd.DataFrame:
        return pd.read_parquet(io.BytesIO(self._object(name, manifest)))

    def reference(self, key: str) -> pd.DataFrame | None:
        """A reference table by manifest key (e.g. ``"lookup:lsoa11_lsoa21"``), or None."""
        m = self.manifest()
        return self._ref_from(m, key) if key in m["reference"] else None

    def reference_keys(self, prefix: str = "") -> list[str]:
        """Keys of the loaded reference tables starting with ``prefix``."""
        return sorted(k for k in self.manifest()["reference"] if k.startswith(prefix))

    def has_geography(self) -> bool:
        """True when wards and both LSOA lookups are loaded."""
        keys = self.manifest()["reference"]
        return (
            "wards" in keys
            and "lookup:lsoa11_lsoa21" in keys
            and any(k.startswith("lookup:lsoa21_ward") for k in keys)
        )

    def geography(self, manifest: dict | None = None) -> Geography:
        """Build the :class:`Geography` from the loaded wards and lookups.

        Raises
        ------
        hotspots.errors.InputError
            When boundaries or lookups are missing, naming what to load.
        """
        from hotspots.errors import InputError

        m = manifest or self.manifest()
        ref = m["reference"]
        missing = [
            what
            for key, what in (
                ("wards", "ward boundaries"),
                ("lookup:lsoa11_lsoa21", "the LSOA 2011→2021 lookup"),
            )
            if key not in ref
        ]
        ward_lookups = sorted(k for k in ref if k.startswith("lookup:lsoa21_ward"))
        if not ward_lookups:
            missing.append("the LSOA 2021→ward lookup")
        if missing:
            raise InputError(
                "the store has no " + " or ".join(missing),
                fix="load them first, e.g. 'python -m hotspots load auto ../shared/data' "
                "(reference files are loaded before crimes)",
            )
        wards = self._ref_from(m, "wards")
        vintage = ref["wards"].get("meta", {}).get("vintage", "")
        key = f"lookup:lsoa21_ward:{vintage}"
        lookup_key = key if key in ref else ward_lookups[-1]
        lad = self._ref_from(m, "lookup:lad_force") if "lookup:lad_force" in ref else None
        return build_geography(
            wards, self._ref_from(m, "lookup:lsoa11_lsoa21"), self._ref_from(m, lookup_key), lad
        )

    def _ref_from(self, manifest: dict, key: str) -> pd.DataFrame:
        entry = manifest["reference"][key]
        if key == "wards":
            frame = gpd.read_parquet(io.BytesIO(self._object(entry["object"], manifest)))
        else:
            frame = self._read_frame(entry["object"], manifest)
        frame.attrs.update(entry.get("meta", {}))
        return frame

    def months(self, sources: list[str] | None = None) -> list[str]:
        """Months with crimes loaded (for the given sources), sorted."""
        parts = self.manifest()["partitions"].values()
        return sorted({p["month"] for p in parts if sources is None or p["source"] in sources})

    def sources(self) -> list[str]:
        """Crime sources loaded, e.g. ``["police.uk:dyfed-powys", "extract:dyfed-powys"]``."""
        return sorted({p["source"] for p in self.manifest()["partitions"].values()})

    def crimes(
        self,
        months: list[str] | None = None,
        sources: list[str] | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """The stored crime rows (:data:`hotspots.schema.CRIME_COLUMNS`) for months/sources."""
        for attempt in range(3):
            m = self.manifest()
            parts = [
                p
                for p in m["partitions"].values()
                if (months is None or p["month"] in months)
                and (sources is None or p["source"] in sources)
            ]
            try:
                frames = [
                    read_crimes_object(pa.BufferReader(self._object(p["object"], m)), columns)
                    for p in sorted(parts, key=lambda p: (p["source"], p["month"]))
                ]
                break
            except StoreDamagedError:
                if attempt == 2 or m == self.manifest():
                    raise
                # else a writer replaced the manifest meanwhile: read again
        if not frames:
            empty = crimes_frame({}, 0)
            return empty[columns] if columns else empty
        return pd.concat(frames, ignore_index=True)

    def reconciliation(self) -> pd.DataFrame:
        """One row per file and month (:data:`RECONCILIATION_COLUMNS`)."""
        rows = [p["reconciliation"] for p in self.manifest()["partitions"].values()]
        frame = pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)
        return frame.sort_values(["source", "month"]).reset_index(drop=True)

    def history(self) -> pd.DataFrame:
        """Every load that changed the store, oldest first (:data:`HISTORY_COLUMNS`)."""
        frame = pd.DataFrame(self.manifest()["history"], columns=HISTORY_COLUMNS)
        frame["months"] = frame["months"].map(lambda m: ", ".join(m) if m else "")
        return frame

    @property
    def label(self) -> str | None:
        """ "synthetic demo" for the demo store, else None."""
        return self.manifest().get("label")

    # -- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage changes and commit them atomically on a clean exit.

        Only one writer at a time (a lock file is held). If the body raises, nothing is
        written and the store is as it was.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "objects").mkdir(exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            txn = None
            try:
                current, problem = self._read_manifest()
                txn = Transaction(
                    manifest=current,
                    folder=self.root / "objects",
                    damaged_manifest=problem is not None,
                )
                before = json.dumps(txn.manifest, sort_keys=True)
                yield txn
                self._reassign(txn)
                self._deduplicate(txn)
                if json.dumps(txn.manifest, sort_keys=True) != before or txn.damaged_manifest:
                    self._commit(txn, json.loads(before))
            finally:
                try:
                    if txn is not None and txn.written:
                        # Objects written for a load that did not commit (or not needed
                        # by it) go again; what the manifests on disk name stays.
                        txn._discard(self._kept())
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _kept(self) -> set[str]:
        """Objects the manifests on disk (current and previous) name."""
        names: set[str] = set()
        for path in (self.manifest_path, self.previous_manifest_path):
            with contextlib.suppress(FileNotFoundError, ValueError):
                names |= self._referenced(_parse_manifest(path.read_bytes()))
        return names

    def _commit(self, txn: Transaction, previous: dict) -> None:
        objdir = self.root / "objects"
        wanted = self._referenced(txn.manifest)
        todo = [
            (objdir / name, data)
            for name, data in txn.objects.items()
            if name in wanted and not (objdir / name).exists()
        ]
        if len(todo) > 1:  # writes and fsyncs wait on the disk, not the CPU: overlap them
            with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
                for done in [
                    pool.submit(_atomic_write, target, data, False) for target, data in todo
                ]:
                    done.result()
        else:
            for target, data in todo:
                _atomic_write(target, data, sync_dir=False)
        txn.wait()  # objects written during the load: written and synced
        _fsync_dir(objdir)  # every object is on disk before the manifest names it
        records = dict(txn.manifest.get("objects", {}))
        records.update(txn.records())
        txn.manifest["objects"] = {n: records[n] for n in sorted(wanted) if n in records}
        # After a damaged manifest.json (whose version was at most one more than the one
        # read), the version moves past it: caches keyed on the version stay right.
        txn.manifest["version"] = int(txn.manifest["version"]) + (2 if txn.damaged_manifest else 1)
        txn.manifest["updated"] = _now()
        if previous["version"]:
            # The manifest this commit replaces (the one read, even when that was the
            # previous one because manifest.json was damaged) is kept, with its objects.
            _atomic_write(
                self.previous_manifest_path,
                json.dumps(previous, indent=1, sort_keys=True).encode("utf-8"),
                sync_dir=False,
            )
        _atomic_write(
            self.manifest_path, json.dumps(txn.manifest, indent=1, sort_keys=True).encode("utf-8")
        )
        keep = wanted | self._referenced(previous)
        for path in objdir.iterdir():
            stale = path.suffix in (".parquet", ".arrow") and path.name not in keep
            if stale or path.name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    @staticmethod
    def _referenced(manifest: dict) -> set[str]:
        names = {e["object"] for e in manifest["reference"].values()}
        names |= {p["object"] for p in manifest["partitions"].values()}
        return names

    def _staged_frame(self, txn: Transaction, name: str) -> pd.DataFrame:
        data = txn.objects.get(name)
        if data is None:
            if name in txn.written:
                txn.written[name].result()
                data = self._raw(name)  # written by this load: not recorded yet
            else:
                data = self._object(name, txn.manifest)
        return read_crimes_object(pa.BufferReader(data))

    def _staged_columns(self, txn: Transaction, name: str, columns: list[str]) -> pa.Table | None:
        """Some columns of a staged or committed crimes object as stored (compact form);
        None when a committed object is damaged."""
        data = txn.objects.get(name)
        if data is None:
            if name in txn.written:
                txn.written[name].result()
                data = self._raw(name)
            else:
                try:
                    data = self._object(name, txn.manifest)
                except StoreDamagedError:
                    return None
        return pf.read_table(pa.BufferReader(data), columns=columns, memory_map=False)

    def _deduplicate(self, txn: Transaction) -> None:
        """Count every police.uk crime ID once across sources and months.

        police.uk crime IDs identify a crime wherever it appears: a row whose ID is already
        counted in an earlier partition (by month, then source; in file order within one)
        is a "duplicate", as a repeat within one file is. Computed over all police.uk
        partitions at every commit, so the answer does not depend on the order files were
        loaded in; partitions whose duplicates change are placed again and rewritten.
        Damaged objects are left out (their rows cannot be read)."""
        from hotspots.geo.assign import _duplicates, assign_table, reconcile_records

        parts = sorted(
            (
                (k, p)
                for k, p in txn.manifest["partitions"].items()
                if p["source"].startswith("police.uk:")
            ),
            key=lambda kp: (kp[1]["month"], kp[1]["source"], kp[0]),
        )
        read = [
            (k, p, self._staged_columns(txn, p["object"], ["crime_id", "assignment"]))
            for k, p in parts
        ]
        read = [(k, p, t) for k, p, t in read if t is not None]
        if not read:
            return
        ids = pa.chunked_array(
            [c for _, _, t in read for c in t.column("crime_id").cast(pa.string()).chunks],
            type=pa.string(),
        )
        final = _duplicates([ids.combine_chunks()])
        at = 0
        geography = None
        for key, part, table in read:
            n = table.num_rows
            want = final[at : at + n]
            at += n
            how = table.column("assignment").cast(pa.string())
            now = pc.fill_null(pc.equal(how, "duplicate"), False).to_numpy(zero_copy_only=False)
            if (want == now).all():
                continue
            placed = self._staged_columns(txn, part["object"], None)
            if (now & ~want).any():  # rows to count again: placed afresh
                geography = geography or self.staged_geography(txn)
                placed = assign_table(decoded_crimes(placed), geography)
            mask = pa.array(want)
            for column, value in (
                ("assignment", pa.scalar("duplicate")),
                ("ward_code", pa.scalar(None, pa.string())),
            ):
                placed = placed.set_column(
                    placed.schema.get_field_index(column),
                    column,
                    pc.if_else(mask, value, placed.column(column).cast(pa.string())),
                )
            rec = part["reconciliation"]
            new = reconcile_records(
                placed,
                {part["month"]: rec["rows_read"]},
                {part["month"]: rec["skipped"]},
                rec["file"],
                rec["checksum"],
                rec["source"],
            )
            added = int(want.sum()) - int(now.sum())
            if added > 0:
                txn.notes.append(
                    f"{part['source']} {part['month']}: {added} crime(s) already stored under "
                    "another police.uk source or month are counted once (as duplicates)"
                )
            txn.manifest["partitions"][key] = _jsonable(
                dict(part, object=txn.write(placed, "arrow"), reconciliation=new[0])
            )

    def staged_geography(self, txn: Transaction) -> Geography:
        """The geography as staged in ``txn`` (built once per geography key, and kept for
        the process while the committed wards and lookups it was built from stay)."""
        key = geography_key(txn.manifest)
        if key not in txn._geography:
            txn._geography.clear()
            txn._geography[key] = self._kept_geography(txn)
        return txn._geography[key]

    def _kept_geography(self, txn: Transaction) -> Geography:
        ref = txn.manifest["reference"]
        names = sorted(
            v["object"] for k, v in ref.items() if k == "wards" or k.startswith("lookup:")
        )
        try:
            if any(n in txn.objects for n in names):
                raise FileNotFoundError  # staged in this transaction: not kept
            stamp = tuple(
                (n, st.st_size, st.st_mtime_ns)
                for n in names
                for st in [(self.root / "objects" / n).stat()]
            )
        except FileNotFoundError:
            return _StagedStore(self, txn).geography(txn.manifest)
        with _KEPT_LOCK:
            kept = _KEPT_GEOGRAPHY.get(stamp)
        if kept is None:
            kept = _StagedStore(self, txn).geography(txn.manifest)
            with _KEPT_LOCK:
                _KEPT_GEOGRAPHY.clear()
                _KEPT_GEOGRAPHY[stamp] = kept
        return kept

    def _reassign(self, txn: Transaction) -> None:
        """Place again the crimes placed under other wards or lookups than the current."""
        from hotspots.geo.assign import assign_wards, reconcile

        current = geography_key(txn.manifest)
        stale = {
            k: p for k, p in txn.manifest["partitions"].items() if p.get("geography") != current
        }
        if not stale:
            return
        geography = self.staged_geography(txn)
        for key, part in stale.items():
            crimes = self._staged_frame(txn, part["object"])
            assigned = assign_wards(crimes, geography)
            rec = part["reconciliation"]
            new = reconcile(
                assigned,
                {part["month"]: rec["rows_read"]},
                {part["month"]: rec["skipped"]},
                rec["file"],
                rec["checksum"],
                rec["source"],
            )
            part = dict(
                part,
                object=txn.write(crimes_to_arrow(assigned), "arrow"),
                geography=current,
                reconciliation=new.iloc[0].to_dict(),
            )
            txn.manifest["partitions"][key] = _jsonable(part)


#: The last geography built for a load, by the names, sizes and times of the committed
#: objects it was built from (objects are never rewritten under the same name): loading
#: again in the same process (the upload page) does not build it again.
_KEPT_GEOGRAPHY: dict[tuple, Geography] = {}
_KEPT_LOCK = threading.Lock()


def geography_key(manifest: dict) -> str:
    """Names the wards and lookups in force: crimes placed under another key are stale."""
    ref = manifest["reference"]
    parts = sorted(
        f"{k}={v['object']}" for k, v in ref.items() if k == "wards" or k.startswith("lookup:")
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class _StagedStore(Store):
    """A store view that reads staged (uncommitted) objects first."""

    def __init__(self, store: Store, txn: Transaction) -> None:
        super().__init__(store.root)
        self._txn = txn

    def _object(self, name: str, manifest: dict | None = None) -> bytes:
        data = self._txn.objects.get(name)
        if data is not None:
            return data
        return super()._object(name, manifest if manifest is not None else self._txn.manifest)


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    """Serialise a (Geo)DataFrame to Parquet bytes (GeoParquet for a GeoDataFrame)."""
    buf = io.BytesIO()
    frame = frame.copy()
    frame.attrs = {}
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


#: Compression of the crimes objects. None: in the compact form (see
#: :func:`table_to_arrow`) they are about as small as the text form compressed with LZ4
#: (the crime IDs, most of the bytes, do not compress), and cost nothing to compress or
#: to decompress.
CRIMES_COMPRESSION: str | None = None


def table_to_arrow(table: pa.Table) -> pa.Buffer:
    """Serialise a crimes table as an Arrow IPC file: fast to write and to read.

    The table is stored in the compact form of :func:`hotspots.io.crime_table.compact_crimes`
    (text with few values dictionary-encoded, columns with no value of type ``null``);
    :func:`read_crimes_object` decodes it. Returns the bytes as a
    :class:`pyarrow.Buffer` (bytes-like; not copied into a Python ``bytes``)."""
    sink = pa.BufferOutputStream()
    _write_crimes(table, sink)
    return sink.getvalue()


def _write_crimes(table: pa.Table, sink) -> None:
    """Serialise a crimes table into ``sink`` (see :func:`table_to_arrow`)."""
    pf.write_feather(compact_crimes(table), sink, compression=CRIMES_COMPRESSION or "uncompressed")


def crimes_to_arrow(frame: pd.DataFrame) -> pa.Buffer:
    """Serialise a crimes frame (see :func:`table_to_arrow`)."""
    return table_to_arrow(crimes_table(frame))


def read_crimes_object(source, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a crimes object written by :func:`table_to_arrow` (or by an earlier version,
    as text compressed with LZ4) as a frame of :data:`hotspots.schema.CRIME_COLUMNS` with
    the package's dtypes."""
    return crimes_to_pandas(pf.read_table(source, columns=columns, memory_map=False))


def _readable(name: str, data: bytes) -> str | None:
    """For an object with no recorded checksum: None when it can be read whole."""
    try:
        if name.endswith(".arrow"):
            pf.read_table(pa.BufferReader(data), memory_map=False)
        else:
            import pyarrow.parquet as pq

            pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        return f"it cannot be read ({str(exc).splitlines()[0][:120]})"
    return None


def _reload_command(source: str, month: str, file: str) -> str:
    """The command that loads a crimes partition's original file again."""
    kind = "crimes-extract" if source.startswith("extract:") else "crimes"
    if ".zip:" in file:
        archive = file.split(".zip:", 1)[0] + ".zip"
        force = source.split(":", 1)[1]
        return f"python -m hotspots load {kind} PATH/TO/{archive} --force {force} --month {month}"
    return f"python -m hotspots load {kind} PATH/TO/{file}"


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj
