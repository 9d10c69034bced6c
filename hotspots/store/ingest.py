"""Load files into the store: detect what each file is, read it, place crimes, commit.

Every call is one transaction: if any file fails, nothing is stored.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hotspots.errors import N_, InputError, Text
from hotspots.io import lookups
from hotspots.io.csv_guard import check_size
from hotspots.io.detect import detect_kind, read_table_head, ward_code_column, why_unrecognised
from hotspots.io.force_extract import ExtractMapping
from hotspots.io.raw import RawFile
from hotspots.io.street_files import iter_police_uk
from hotspots.schema import RECONCILIATION_COLUMNS
from hotspots.store.base import Store
from hotspots.store.manifest import geography_key
from hotspots.store.staging import (
    build_staged_geography,
    prepare_extract,
    prepare_police_batch,
    stage_crime_file,
    stage_reference,
)

#: What ``load KIND`` accepts, with a plain description (feeds the CLI and upload page).
KINDS = {
    "auto": N_("detect each file's kind from its content"),
    "crimes": N_("police.uk street CSVs, folders or police.uk archive zips"),
    "crimes-extract": N_("force extract CSV with Home Office offence codes"),
    "boundaries": N_("ward boundaries (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet)"),
    "lookup": N_("ONS lookup: LSOA 2011→2021, LSOA 2021→ward, or local authority→force"),
    "deprivation": N_("WIMD 2019 or IMD 2019 LSOA ranks"),
    "population": N_("ONS mid-year population by LSOA"),
    "harm-weights": N_("ONS Crime Severity Score weights by Home Office offence code"),
}
#: Reference kinds are loaded before crimes, in this order.
ORDER = [
    "boundaries",
    "lookup",
    "deprivation",
    "population",
    "harm-weights",
    "crimes",
    "crimes-extract",
]

Progress = Callable[[str, int, int], None]

#: Batches of crime files read and placed at once (threads: Arrow and NumPy release the
#: GIL).
WORKERS = 2
#: police.uk files are read and placed in batches of about this many bytes (one pass over
#: the rows of many small files; several batches keep both cores busy).
BATCH_BYTES = 16 << 20
#: The first batch of each worker in a load is this many times smaller, so that every
#: worker starts while the files after its batch are still being read.
FIRST_BATCH_SHARE = 4


@dataclass
class LoadReport:
    """What one load did.

    Attributes
    ----------
    loaded, unchanged, replaced : list of str
        Files (or zip members) stored, already present, and months replaced.
    repaired : list of str
        Files already loaded whose stored copy was damaged, stored again.
    notes : list of str
        What else the load did (e.g. crimes found already stored under another source or
        month, counted once).
    ignored : list of str
        Files in a folder given to ``auto`` whose kind is not recognised.
    reconciliation : DataFrame
        The reconciliation of the crime files loaded (:data:`RECONCILIATION_COLUMNS`).
    """

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    reconciliation: pd.DataFrame | None = None
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _choose_boundaries(todo: list[tuple[str, Path]], report: LoadReport) -> list[tuple[str, Path]]:
    """With several ward boundary files in one ``auto`` load, keep the one that covers the
    wards of the LSOA→ward lookups loaded with it with the fewest extra wards."""
    files = [p for k, p in todo if k == "boundaries"]
    if len(files) < 2:
        return todo
    import pyogrio  # read only when several boundary files are given

    wanted: set[str] = set()
    for k, p in todo:
        if k == "lookup" and lookups.detect_lookup(read_table_head(p)) == "lsoa21_ward":
            wanted |= set(lookups.load_lsoa21_ward(p)["ward_code"])

    def score(p: Path) -> tuple[int, int]:
        col = ward_code_column(p)
        if p.suffix.lower() in (".parquet", ".geoparquet"):
            codes = set(pd.read_parquet(p, columns=[col])[col].astype(str))
        else:
            codes = set(pyogrio.read_dataframe(p, columns=[col], read_geometry=False)[col])
        return (len(wanted - codes), len(codes))

    best = min(files, key=score)
    for p in files:
        if p != best:
            report.ignored.append(
                f"{p} (another ward boundary file, {best.name}, fits the "
                "lookups better; load it with 'load boundaries' to use it)"
            )
    return [(k, p) for k, p in todo if k != "boundaries" or p == best]


def _expand(kind: str, paths: Iterable[str | Path], report: LoadReport) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(N_("no such file or folder"), file=str(p), fix=N_("check the path"))
        if kind != "auto":
            out.append((kind, p))
            continue
        if p.is_dir():
            for q in sorted(x for x in p.rglob("*") if x.is_file()):
                k = detect_kind(q)
                if k is None:
                    report.ignored.append(f"{q} ({why_unrecognised(q)})")
                else:
                    out.append((k, q))
        else:
            k = detect_kind(p)
            if k is None and p.suffix.lower() == ".zip" and not zipfile.is_zipfile(p):
                raise InputError(
                    N_("the zip is damaged or incomplete"),
                    file=p.name,
                    fix=N_("download or copy it again"),
                )
            if k is None:
                why = why_unrecognised(p)
                said = str(why)
                raise InputError(
                    N_("the kind of this file cannot be recognised: {why}"),
                    file=p.name,
                    expected=N_("one of: {kinds}"),
                    fix=N_(
                        "add or rename the missing column(s), or name the kind (e.g. 'load "
                        "crimes FILE') to see that loader's own message"
                    )
                    if "lacks" in said
                    else N_("check that this is the right file (export or download it again)")
                    if said.startswith(("the file", "this is", "it is"))
                    else N_("name the kind, e.g. 'load boundaries FILE'"),
                    values={
                        "why": why,
                        "kinds": Text.join(
                            "; ",
                            (
                                Text("{kind} ({what})", {"kind": k, "what": Text(v)})
                                for k, v in KINDS.items()
                                if k != "auto"
                            ),
                        ),
                    },
                )
            out.append((k, p))
    out = sorted(out, key=lambda kp: ORDER.index(kp[0]))
    return _choose_boundaries(out, report) if kind == "auto" else out


def load_paths(
    store: Store,
    kind: str,
    paths: Iterable[str | Path],
    *,
    forces: Iterable[str] | None = None,
    months: Iterable[str] | None = None,
    mapping: ExtractMapping | None = None,
    code_column: str | None = None,
    name_column: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load files of ``kind`` (see :data:`KINDS`) into ``store`` in one transaction.

    Parameters
    ----------
    store : Store
    kind : str
        A key of :data:`KINDS`; ``"auto"`` detects each file (folders are walked).
    paths : paths of files, folders or zips
    forces, months : optional
        For police.uk archives: read only these forces (slugs) and months.
    mapping : ExtractMapping, optional
        Column mapping for force extracts.
    code_column, name_column : str, optional
        Ward code and name columns of a boundary file, when not detected.
    progress : callable(label, done, total), optional

    Returns
    -------
    LoadReport

    Raises
    ------
    InputError
        Any file that cannot be loaded; nothing is stored then.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {list(KINDS)}")
    report = LoadReport()
    todo = _expand(kind, list(paths), report)
    try:
        recs = _load(
            store, todo, forces, months, mapping, code_column, name_column, progress, report
        )
    except InputError as exc:
        if exc.file is not None or not todo:
            raise
        # A problem of the files together (e.g. a lookup whose wards are not in the
        # boundaries, or crimes before any boundaries): name the files of this load.
        names = sorted({p.name for _, p in todo})
        raise exc.replace(
            file=", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        ) from None
    # As committed: crimes counted once across sources and months change some records.
    parts = store.manifest()["partitions"]
    recs = [
        dict(parts[k]["reconciliation"])
        if k in parts and parts[k]["reconciliation"]["file"] == r["file"]
        else r
        for r in recs
        for k in [f"{r['source']}|{r['month']}"]
    ]
    report.reconciliation = pd.DataFrame(recs, columns=RECONCILIATION_COLUMNS) if recs else None
    return report


def _load(
    store: Store,
    todo: list[tuple[str, Path]],
    forces,
    months,
    mapping,
    code_column,
    name_column,
    progress: Progress | None,
    report: LoadReport,
) -> list[dict]:
    """The transaction of :func:`load_paths`; returns the reconciliation records of the
    crime files loaded."""
    recs: list[dict] = []
    pool = _workers()
    with store.transaction() as txn:
        total = len(todo)
        pending: deque[Future] = deque()
        batch: list[RawFile] = []
        batch_bytes = [0]
        batches_sent = [0]
        batch_geo: list = []

        def finish_one() -> None:
            try:
                prepared = pending.popleft().result()
            except InputError as exc:
                raise _WorkerError(exc) from None
            for prep in prepared:
                recs.extend(stage_crime_file(txn, prep, report))

        def submit(fn, *args) -> None:
            pending.append(pool.submit(fn, *args))
            while len(pending) > WORKERS:
                finish_one()

        def flush() -> None:
            if batch:
                submit(prepare_police_batch, list(batch), *batch_geo, store, txn)
                batch.clear()
                batch_bytes[0] = 0
                batches_sent[0] += 1

        try:
            try:
                for i, (k, p) in enumerate(todo):
                    if progress:
                        progress(p.name, i, total)
                    if k not in ("crimes", "crimes-extract"):
                        flush()
                        stage_reference(txn, k, p, code_column, name_column, report)
                        continue
                    key = geography_key(txn.manifest)
                    if not batch_geo or batch_geo[1] != key:
                        flush()
                        # Built in a worker while the first files are read and parsed;
                        # queued first, so its problem (e.g. no boundaries) comes first.
                        building = pool.submit(build_staged_geography, store, txn)
                        pending.append(building)
                        batch_geo[:] = [building, key]
                    geo = list(batch_geo)
                    if k == "crimes-extract":
                        flush()
                        submit(
                            prepare_extract,
                            RawFile(name=p.name, data=_read(p)),
                            mapping,
                            *geo,
                            store,
                            txn,
                        )
                        continue
                    for raw in iter_police_uk([p], forces, months):
                        batch.append(raw)
                        batch_bytes[0] += len(raw.data)
                        if batch_bytes[0] >= (
                            BATCH_BYTES // FIRST_BATCH_SHARE
                            if batches_sent[0] < WORKERS
                            else BATCH_BYTES
                        ):
                            flush()
                flush()
            except InputError:
                # A file that cannot be read: a problem in the files before it comes first.
                flush()
                while pending:
                    finish_one()
                raise
            while pending:
                finish_one()
        except _WorkerError as failed:
            raise failed.error from None
        finally:
            for future in pending:  # after a failure: work not started is dropped
                future.cancel()
        if progress:
            progress("committing", total, total)
    report.notes.extend(txn.notes)
    return recs


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _workers() -> ThreadPoolExecutor:
    """The worker threads, kept for the life of the process (made again after a fork):
    each sets up the WGS84→British National Grid transformation once (about 50 ms of
    PROJ database work per new thread), not on every load."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="hotspots-load"),
            )
        return _POOL[1]


class _WorkerError(Exception):
    """A file prepared in a worker thread failed (carries its InputError)."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def _read(p: Path) -> bytes:
    if p.is_dir():
        raise InputError(
            N_("a folder was given for a force extract"),
            file=str(p),
            expected=N_("a CSV file"),
            fix=N_("give the extract's CSV file itself"),
        )
    check_size(p.stat().st_size, p.name)
    return p.read_bytes()


def describe_kinds() -> str:
    """One line per kind, for help texts."""
    return "\n".join(f"  {k:15s} {v}" for k, v in KINDS.items())
