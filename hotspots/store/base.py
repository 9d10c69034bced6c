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
import fcntl
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.feather as pf

from hotspots.errors import N_, InputError, LocalisedError, Text, either
from hotspots.geo.geography import Geography, build_geography
from hotspots.io.crime_table import crimes_frame
from hotspots.schema import HISTORY_COLUMNS, RECONCILIATION_COLUMNS
from hotspots.store.files import atomic_write, fsync_dir, utc_now
from hotspots.store.location import default_dir
from hotspots.store.manifest import (
    empty_manifest,
    geography_key,
    parse_manifest,
    referenced_objects,
    reload_command,
)
from hotspots.store.objects import object_problem, read_crimes_object
from hotspots.store.placement import deduplicate, reassign
from hotspots.store.transaction import Transaction

#: A store file that is not there.
MISSING = N_("the file is missing")


class StoreDamagedError(InputError):
    """A store file (an object or the manifest) is missing, truncated or altered."""


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

    def manifest_problem(self, lang: str = "en") -> str | None:
        """What is wrong with manifest.json when the previous manifest is in use, else
        None (in ``lang``)."""
        problem = self._read_manifest()[1]
        return None if problem is None else problem.localised(lang)

    def _read_manifest(self) -> tuple[dict, Text | None]:
        try:
            data = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return empty_manifest(), None
        try:
            return parse_manifest(data), None
        except ValueError as exc:
            reason = exc.text if isinstance(exc, LocalisedError) else exc
        try:
            previous = parse_manifest(self.previous_manifest_path.read_bytes())
        except (FileNotFoundError, ValueError):
            raise StoreDamagedError(
                N_(
                    "the store's manifest is damaged: {problem}, and there is no readable "
                    "previous manifest"
                ),
                file=str(self.manifest_path),
                fix=N_(
                    "restore the store folder {folder} from a backup, or move it away "
                    "and load the original files again (python -m hotspots load auto FOLDER)"
                ),
                values={"problem": reason, "folder": self.root},
            ) from None
        return previous, Text(
            N_(
                "the store's manifest is damaged: {problem}. Showing the previous manifest "
                "(version {version}, {updated}): the last load may be missing. Fix: load the "
                "last files again (python -m hotspots load ...), which writes a new manifest; "
                "check with python -m hotspots verify"
            ),
            {
                "problem": reason,
                "version": previous["version"],
                "updated": previous.get("updated") or Text(N_("no date")),
            },
        )

    def object_problem(
        self, name: str, manifest: dict | None = None, data: bytes | None = None
    ) -> Text | None:
        """What is wrong with the object ``name`` (missing, truncated, altered; ``str()``
        in English), or None when it is as the manifest recorded it. An object without a
        record (written by an earlier version) is checked by reading it."""
        m = manifest if manifest is not None else self.manifest()
        record = m.get("objects", {}).get(name)
        if data is None:
            try:
                data = self._raw(name)
            except FileNotFoundError:
                return Text(MISSING)
        return object_problem(name, data, record)

    def describe_object(
        self, name: str, manifest: dict | None = None, lang: str = "en"
    ) -> tuple[str, str]:
        """What the object holds (in ``lang``), and the command that rewrites it from its
        original."""
        what, command = self._describe(name, manifest)
        return what.localised(lang), command

    def _describe(self, name: str, manifest: dict | None = None) -> tuple[Text, str]:
        m = manifest if manifest is not None else self.manifest()
        for p in m["partitions"].values():
            if p["object"] == name:
                return (
                    Text(
                        N_("the crimes of {source} {month} from {file}"),
                        {"source": p["source"], "month": p["month"], "file": p["file"]},
                    ),
                    reload_command(p["source"], p["month"], p["file"]),
                )
        for key, e in m["reference"].items():
            if e["object"] == name:
                kind = e.get("kind", "auto")
                return (
                    Text(N_("the {key} table from {file}"), {"key": key, "file": e["file"]}),
                    f"python -m hotspots load {kind} PATH/TO/{e['file']}",
                )
        return Text(N_("an object no manifest names")), "python -m hotspots load auto FOLDER"

    def damaged(
        self, name: str, problem: Text | str, manifest: dict | None = None
    ) -> StoreDamagedError:
        """The error for a damaged object: names it, what it holds and the repair."""
        what, command = self._describe(name, manifest)
        return StoreDamagedError(
            N_("a store file is damaged: {problem}. It holds {what}"),
            file=str(self.root / "objects" / name),
            fix=N_(
                "load the original again, which rewrites it: {command} "
                "(then check with python -m hotspots verify)"
            ),
            values={"problem": problem, "what": what, "command": command},
        )

    def verify(self, lang: str = "en") -> list[tuple[str, str, str, str]]:
        """Check every object the manifest names: ``(object, problem, what it holds,
        repair command)`` for each damaged one (empty when all are intact), the problem and
        what it holds in ``lang``."""
        m = self.manifest()
        out = []
        for name in sorted(referenced_objects(m)):
            problem = self.object_problem(name, m)
            if problem is not None:
                out.append((name, problem.localised(lang), *self.describe_object(name, m, lang)))
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
            raise self.damaged(name, Text(MISSING), m) from None
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
        m = manifest or self.manifest()
        ref = m["reference"]
        missing = [
            what
            for key, what in (
                ("wards", N_("ward boundaries")),
                ("lookup:lsoa11_lsoa21", N_("the LSOA 2011→2021 lookup")),
            )
            if key not in ref
        ]
        ward_lookups = sorted(k for k in ref if k.startswith("lookup:lsoa21_ward"))
        if not ward_lookups:
            missing.append(N_("the LSOA 2021→ward lookup"))
        if missing:
            raise InputError(
                N_("the store has no {missing}"),
                fix=N_(
                    "load them first, e.g. 'python -m hotspots load auto ../shared/data' "
                    "(reference files are loaded before crimes)"
                ),
                values={"missing": either([Text(m) for m in missing])},
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
                reassign(self, txn)
                deduplicate(self, txn)
                if json.dumps(txn.manifest, sort_keys=True) != before or txn.damaged_manifest:
                    self._commit(txn, json.loads(before))
            finally:
                try:
                    if txn is not None and txn.written:
                        # Objects written for a load that did not commit (or not needed
                        # by it) go again; what the manifests on disk name stays.
                        txn.discard_unkept(self._kept())
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _kept(self) -> set[str]:
        """Objects the manifests on disk (current and previous) name."""
        names: set[str] = set()
        for path in (self.manifest_path, self.previous_manifest_path):
            with contextlib.suppress(FileNotFoundError, ValueError):
                names |= referenced_objects(parse_manifest(path.read_bytes()))
        return names

    def _commit(self, txn: Transaction, previous: dict) -> None:
        objdir = self.root / "objects"
        wanted = referenced_objects(txn.manifest)
        todo = [
            (objdir / name, data)
            for name, data in txn.objects.items()
            if name in wanted and not (objdir / name).exists()
        ]
        if len(todo) > 1:  # writes and fsyncs wait on the disk, not the CPU: overlap them
            with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
                for done in [
                    pool.submit(atomic_write, target, data, False) for target, data in todo
                ]:
                    done.result()
        else:
            for target, data in todo:
                atomic_write(target, data, sync_dir=False)
        txn.wait()  # objects written during the load: written and synced
        fsync_dir(objdir)  # every object is on disk before the manifest names it
        records = dict(txn.manifest.get("objects", {}))
        records.update(txn.records())
        txn.manifest["objects"] = {n: records[n] for n in sorted(wanted) if n in records}
        # After a damaged manifest.json (whose version was at most one more than the one
        # read), the version moves past it: caches keyed on the version stay right.
        txn.manifest["version"] = int(txn.manifest["version"]) + (2 if txn.damaged_manifest else 1)
        txn.manifest["updated"] = utc_now()
        if previous["version"]:
            # The manifest this commit replaces (the one read, even when that was the
            # previous one because manifest.json was damaged) is kept, with its objects.
            atomic_write(
                self.previous_manifest_path,
                json.dumps(previous, indent=1, sort_keys=True).encode("utf-8"),
                sync_dir=False,
            )
        atomic_write(
            self.manifest_path, json.dumps(txn.manifest, indent=1, sort_keys=True).encode("utf-8")
        )
        keep = wanted | referenced_objects(previous)
        for path in objdir.iterdir():
            stale = path.suffix in (".parquet", ".arrow") and path.name not in keep
            if stale or path.name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def staged_frame(self, txn: Transaction, name: str) -> pd.DataFrame:
        data = txn.objects.get(name)
        if data is None:
            if name in txn.written:
                txn.written[name].result()
                data = self._raw(name)  # written by this load: not recorded yet
            else:
                data = self._object(name, txn.manifest)
        return read_crimes_object(pa.BufferReader(data))

    def staged_columns(self, txn: Transaction, name: str, columns: list[str]) -> pa.Table | None:
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

    def staged_geography(self, txn: Transaction) -> Geography:
        """The geography as staged in ``txn`` (built once per geography key, and kept for
        the process while the committed wards and lookups it was built from stay)."""
        key = geography_key(txn.manifest)
        if key not in txn.geographies:
            txn.geographies.clear()
            txn.geographies[key] = self._kept_geography(txn)
        return txn.geographies[key]

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


#: The last geography built for a load, by the names, sizes and times of the committed
#: objects it was built from (objects are never rewritten under the same name): loading
#: again in the same process (the upload page) does not build it again.
_KEPT_GEOGRAPHY: dict[tuple, Geography] = {}
_KEPT_LOCK = threading.Lock()


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
