"""The on-disk store: Parquet objects plus one JSON manifest, with history.

Layout of the store folder (``HOTSPOTS_DATA_DIR``, default ``geodata/store``)::

    manifest.json          what is loaded now, the reconciliation, and the history
    objects/<id>.arrow     crimes, one object per source and month (Arrow IPC, compact)
    objects/<id>.parquet   reference tables (wards as GeoParquet, lookups, deprivation,
                           population)
    .lock                  held by a writer for the whole load

A load writes its new objects first (crimes objects as soon as each is ready, while the
rest of the load goes on), then replaces ``manifest.json`` in one ``os.replace`` (the
commit point). A crash or a kill at any moment leaves either the
old manifest or the new one, each pointing at complete objects; objects no manifest
refers to are removed by the next successful load.
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
import pyarrow.feather as pf

from hotspots.geography import Geography, build_geography
from hotspots.schema import HISTORY_COLUMNS, RECONCILIATION_COLUMNS

FORMAT = 1
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "geodata" / "store"
DEMO_DIR = Path(__file__).resolve().parents[1] / "geodata" / "demo-store"

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


def _atomic_write(path: Path, data: bytes | pa.Buffer, sync_dir: bool = True,
                  mode: int | None = None) -> None:
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
    return {"format": FORMAT, "version": 0, "updated": None, "label": None,
            "reference": {}, "partitions": {}, "history": []}


def _write_object(path: Path, data: bytes | pa.Buffer | pa.Table) -> None:
    """Write a new object file and fsync it (its directory is synced at the commit); a
    crimes table is serialised straight into the file (see :func:`table_to_arrow`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        if isinstance(data, pa.Table):
            # Arrow's own file (not a Python one): the serialisation writes without
            # taking the GIL for every buffer, so it does not wait on the loader's threads.
            with pa.OSFile(str(path), "wb") as sink:
                _write_crimes(data, sink)
        else:
            with os.fdopen(os.dup(fd), "wb") as fh:
                fh.write(data)
        os.fsync(fd)
    finally:
        os.close(fd)


_IO: tuple[int, ThreadPoolExecutor] | None = None
_IO_LOCK = threading.Lock()


def _io_pool() -> ThreadPoolExecutor:
    """Threads that write objects (they wait on the disk, not the CPU), kept for the
    life of the process (made again after a fork)."""
    global _IO
    with _IO_LOCK:
        if _IO is None or _IO[0] != os.getpid():
            _IO = (os.getpid(), ThreadPoolExecutor(max_workers=8,
                                                   thread_name_prefix="hotspots-write"))
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

    def put(self, data: bytes | pa.Buffer, kind: str = "parquet") -> str:
        """Stage an object; returns its name (a fresh id with the format as extension)."""
        name = f"{secrets.token_hex(16)}.{kind}"
        self.objects[name] = data
        return name

    def write(self, data: bytes | pa.Buffer | pa.Table, kind: str = "arrow") -> str:
        """Start writing an object into the store's objects folder now (on a writer
        thread, synced to disk); returns its name as :meth:`put` does. ``data`` is the
        object's bytes or a crimes table (serialised by the writer thread, see
        :func:`table_to_arrow`). Without a folder (a transaction not made by a store),
        the object is staged as :meth:`put` does."""
        if self.folder is None:
            return self.put(table_to_arrow(data) if isinstance(data, pa.Table) else data,
                            kind)
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

    def record(self, kind: str, file: str, checksum: str, months: list[str], rows: int,
               action: str) -> None:
        """Append a line to the history."""
        self.manifest["history"].append({
            "time": _now(), "kind": kind, "file": file, "checksum": checksum,
            "months": months, "rows": int(rows), "action": action})


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

    def manifest(self) -> dict:
        """The current manifest (an empty one when nothing has been loaded)."""
        try:
            return json.loads(self.manifest_path.read_bytes())
        except FileNotFoundError:
            return empty_manifest()

    def version(self) -> int:
        """Increases by one with every commit; 0 for an empty store."""
        return int(self.manifest()["version"])

    def checksum(self) -> str:
        """Checksum of the whole committed content (the manifest names every object)."""
        try:
            return hashlib.sha256(self.manifest_path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return "empty"

    def _object(self, name: str) -> bytes:
        return (self.root / "objects" / name).read_bytes()

    def _read_frame(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(io.BytesIO(self._object(name)))

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
        return ("wards" in keys and "lookup:lsoa11_lsoa21" in keys
                and any(k.startswith("lookup:lsoa21_ward") for k in keys))

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
        missing = [what for key, what in (
            ("wards", "ward boundaries"), ("lookup:lsoa11_lsoa21", "the LSOA 2011→2021 lookup"),
        ) if key not in ref]
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
        return build_geography(wards, self._ref_from(m, "lookup:lsoa11_lsoa21"),
                               self._ref_from(m, lookup_key), lad)

    def _ref_from(self, manifest: dict, key: str) -> pd.DataFrame:
        entry = manifest["reference"][key]
        if key == "wards":
            frame = gpd.read_parquet(io.BytesIO(self._object(entry["object"])))
        else:
            frame = self._read_frame(entry["object"])
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
        from hotspots.crimes import _frame

        for attempt in range(3):
            m = self.manifest()
            parts = [p for p in m["partitions"].values()
                     if (months is None or p["month"] in months)
                     and (sources is None or p["source"] in sources)]
            try:
                frames = [read_crimes_object(self.root / "objects" / p["object"], columns)
                          for p in sorted(parts, key=lambda p: (p["source"], p["month"]))]
                break
            except FileNotFoundError:  # a writer replaced the manifest meanwhile
                if attempt == 2:
                    raise
        if not frames:
            empty = _frame({}, 0)
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
        """"synthetic demo" for the demo store, else None."""
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
                txn = Transaction(manifest=self.manifest(), folder=self.root / "objects")
                before = json.dumps(txn.manifest, sort_keys=True)
                yield txn
                self._reassign(txn)
                if json.dumps(txn.manifest, sort_keys=True) != before:
                    self._commit(txn)
            finally:
                try:
                    if txn is not None and txn.written:
                        # Objects written for a load that did not commit (or not needed
                        # by it) go again; what the manifest on disk names stays.
                        txn._discard(self._referenced(self.manifest()))
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _commit(self, txn: Transaction) -> None:
        objdir = self.root / "objects"
        wanted = self._referenced(txn.manifest)
        todo = [(objdir / name, data) for name, data in txn.objects.items()
                if name in wanted and not (objdir / name).exists()]
        if len(todo) > 1:  # writes and fsyncs wait on the disk, not the CPU: overlap them
            with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
                for done in [pool.submit(_atomic_write, target, data, False)
                             for target, data in todo]:
                    done.result()
        else:
            for target, data in todo:
                _atomic_write(target, data, sync_dir=False)
        txn.wait()  # objects written during the load: written and synced
        _fsync_dir(objdir)  # every object is on disk before the manifest names it
        txn.manifest["version"] = int(txn.manifest["version"]) + 1
        txn.manifest["updated"] = _now()
        _atomic_write(self.manifest_path,
                      json.dumps(txn.manifest, indent=1, sort_keys=True).encode("utf-8"))
        for path in objdir.iterdir():
            stale = path.suffix in (".parquet", ".arrow") and path.name not in wanted
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
            data = self._object(name)
        return read_crimes_object(pa.BufferReader(data))

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
        names = sorted(v["object"] for k, v in ref.items()
                       if k == "wards" or k.startswith("lookup:"))
        try:
            if any(n in txn.objects for n in names):
                raise FileNotFoundError  # staged in this transaction: not kept
            stamp = tuple((n, st.st_size, st.st_mtime_ns) for n in names
                          for st in [(self.root / "objects" / n).stat()])
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
        from hotspots.assign import assign_wards, reconcile

        current = geography_key(txn.manifest)
        stale = {k: p for k, p in txn.manifest["partitions"].items()
                 if p.get("geography") != current}
        if not stale:
            return
        geography = self.staged_geography(txn)
        for key, part in stale.items():
            crimes = self._staged_frame(txn, part["object"])
            assigned = assign_wards(crimes, geography)
            rec = part["reconciliation"]
            new = reconcile(assigned, {part["month"]: rec["rows_read"]},
                            {part["month"]: rec["skipped"]}, rec["file"], rec["checksum"],
                            rec["source"])
            part = dict(part, object=txn.write(crimes_to_arrow(assigned), "arrow"),
                        geography=current,
                        reconciliation=new.iloc[0].to_dict())
            txn.manifest["partitions"][key] = _jsonable(part)


#: The last geography built for a load, by the names, sizes and times of the committed
#: objects it was built from (objects are never rewritten under the same name): loading
#: again in the same process (the upload page) does not build it again.
_KEPT_GEOGRAPHY: dict[tuple, Geography] = {}
_KEPT_LOCK = threading.Lock()


def geography_key(manifest: dict) -> str:
    """Names the wards and lookups in force: crimes placed under another key are stale."""
    ref = manifest["reference"]
    parts = sorted(f"{k}={v['object']}" for k, v in ref.items()
                   if k == "wards" or k.startswith("lookup:"))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class _StagedStore(Store):
    """A store view that reads staged (uncommitted) objects first."""

    def __init__(self, store: Store, txn: Transaction) -> None:
        super().__init__(store.root)
        self._txn = txn

    def _object(self, name: str) -> bytes:
        data = self._txn.objects.get(name)
        return data if data is not None else super()._object(name)


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

    The table is stored in the compact form of :func:`hotspots.crimes.compact_crimes`
    (text with few values dictionary-encoded, columns with no value of type ``null``);
    :func:`read_crimes_object` decodes it. Returns the bytes as a
    :class:`pyarrow.Buffer` (bytes-like; not copied into a Python ``bytes``)."""
    sink = pa.BufferOutputStream()
    _write_crimes(table, sink)
    return sink.getvalue()


def _write_crimes(table: pa.Table, sink) -> None:
    """Serialise a crimes table into ``sink`` (see :func:`table_to_arrow`)."""
    from hotspots.crimes import compact_crimes

    pf.write_feather(compact_crimes(table), sink,
                     compression=CRIMES_COMPRESSION or "uncompressed")


def crimes_to_arrow(frame: pd.DataFrame) -> pa.Buffer:
    """Serialise a crimes frame (see :func:`table_to_arrow`)."""
    from hotspots.crimes import crimes_table

    return table_to_arrow(crimes_table(frame))


def read_crimes_object(source, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a crimes object written by :func:`table_to_arrow` (or by an earlier version,
    as text compressed with LZ4) as a frame of :data:`hotspots.schema.CRIME_COLUMNS` with
    the package's dtypes."""
    from hotspots.crimes import crimes_to_pandas

    return crimes_to_pandas(pf.read_table(source, columns=columns, memory_map=False))


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj
