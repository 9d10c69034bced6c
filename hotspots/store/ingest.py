"""Load files into the store: detect what each file is, read it, place crimes, commit.

Every call is one transaction: if any file fails, nothing is stored.
"""

from __future__ import annotations

import dataclasses
import io
import os
import threading
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.errors import InputError
from hotspots.geo.assign import assign_table, reconcile_files, reconcile_records
from hotspots.io import boundaries, deprivation, harm, lookups, population
from hotspots.io import police_uk as crimes
from hotspots.io.csv_guard import check_size
from hotspots.io.extract_checks import profile_extract
from hotspots.io.police_uk import compact_crimes, decoded_crimes
from hotspots.schema import RECONCILIATION_COLUMNS
from hotspots.store.base import (
    Store,
    Transaction,
    _jsonable,
    frame_to_parquet,
    geography_key,
)

#: What ``load KIND`` accepts, with a plain description (feeds the CLI and upload page).
KINDS = {
    "auto": "detect each file's kind from its content",
    "crimes": "police.uk street CSVs, folders or police.uk archive zips",
    "crimes-extract": "force extract CSV with Home Office offence codes",
    "boundaries": "ward boundaries (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet)",
    "lookup": "ONS lookup: LSOA 2011→2021, LSOA 2021→ward, or local authority→force",
    "deprivation": "WIMD 2019 or IMD 2019 LSOA ranks",
    "population": "ONS mid-year population by LSOA",
    "harm-weights": "ONS Crime Severity Score weights by Home Office offence code",
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


_POLICE_UK_HEADER = {"crimeid", "month", "crimetype", "lsoacode"}
_EXTRACT_HEADER = {"crimereference", "hocode"}


def detect_kind(path: Path) -> str | None:
    """The kind of one file from its name and content, or None when unknown."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return None
        if any(crimes._STREET_NAME.search(n) for n in names):
            return "crimes"
        if any(n.lower().endswith(".shp") for n in names):
            return "boundaries"
        return None
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet"):
        return "boundaries" if ward_code_column(path) else None
    if suffix != ".csv":
        return None
    try:
        head = read_table_head(path)
    except (
        InputError,
        ValueError,
        UnicodeDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ):
        return None
    keys = {crimes._key(c) for c in head.columns}
    if keys >= _POLICE_UK_HEADER:
        return "crimes"
    if keys >= _EXTRACT_HEADER:
        return "crimes-extract"
    if harm.is_harm_weights(head.columns):
        return "harm-weights"
    if lookups.detect_lookup(head):
        return "lookup"
    if deprivation.detect_index(head):
        return "deprivation"
    if {"totalpopulation"} & keys or ({"allages"} & keys and any("lsoa" in k for k in keys)):
        return "population"
    return None


#: For telling what a CSV of no known kind looks like: kind → (description, the columns
#: it needs, each as (name to show, lower-case letters-and-digits patterns)).
_CSV_SIGNATURES = {
    "crimes": (
        "a police.uk street CSV",
        [
            ("Crime ID", r"crimeid"),
            ("Month", r"month"),
            ("Longitude", r"longitude"),
            ("Latitude", r"latitude"),
            ("LSOA code", r"lsoacode"),
            ("Crime type", r"crimetype"),
        ],
    ),
    "crimes-extract": (
        "a force extract",
        [
            ("crime_reference", r"crimereference"),
            ("recorded_at", r"recordedat"),
            ("ho_code", r"hocode"),
        ],
    ),
    "lookup (LSOA 2011→2021)": (
        "the ONS LSOA 2011→2021 lookup",
        [("LSOA11CD", r"lsoa11c(ode|d)"), ("LSOA21CD", r"lsoa21c(ode|d)")],
    ),
    "lookup (LSOA 2021→ward)": (
        "the ONS LSOA 2021→ward lookup",
        [("LSOA21CD", r"lsoa21c(ode|d)"), ("WD22CD", r"(wd\d\dcd|ward\d\dcode)")],
    ),
    "lookup (local authority→force)": (
        "the ONS local authority→police force lookup",
        [("LAD24CD", r"(lad|ltla)\d\dc(ode|d)"), ("PFA24CD", r"pfa\d\dc(ode|d)")],
    ),
    "deprivation": (
        "a WIMD/IMD 2019 LSOA table",
        [("lsoa_code", r"lsoa(11)?c(ode|d)"), ("IMD_rank", r"imdrank")],
    ),
    "population": (
        "an ONS LSOA population table",
        [
            ("lsoa11_code", r"lsoa(11|21)?c(ode|d)"),
            ("total_population", r"(totalpopulation|allages)"),
        ],
    ),
}

#: Words in other columns that tell the kinds apart when they match equally well.
_CSV_HINTS = {
    "crimes": r"crime|outcome|location|reportedby|fallswithin|context",
    "crimes-extract": r"offence|flag|victim|reference|recorded",
    "lookup (LSOA 2011→2021)": r"lsoa11|lsoa21|change",
    "lookup (LSOA 2021→ward)": r"wd\d\d|ward",
    "lookup (local authority→force)": r"lad\d\d|ltla|csp|pfa",
    "deprivation": r"imd|rank|decile|score|wimd",
    "population": r"population|persons|^\d+$|allages|females|males",
}


def why_unrecognised(path: Path) -> str:
    """Why ``auto`` cannot tell the kind of a file, in words: empty, binary (and what it
    looks like), or which kind it is closest to and the columns that kind needs that it
    lacks."""
    import re

    from hotspots.io.csv_guard import check_text

    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if size == 0 or not head.strip():
        return "the file is empty (0 bytes" + (")" if size == 0 else " but blanks)")
    if suffix == ".zip" or head[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError):
            return "the zip is damaged or incomplete"
        if any(n.startswith("xl/") for n in names):
            return (
                "it is an Excel workbook, not a CSV: save the sheet as 'CSV UTF-8 "
                "(comma delimited)' and load that"
            )
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return (
            "the zip holds neither police.uk street CSVs (YYYY-MM-<force>-street.csv) "
            f"nor a Shapefile (.shp); it holds: {shown or 'nothing'}"
        )
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet"):
        return (
            "it looks like a map or table file but has no ward code column (e.g. "
            "WD22CD or ward22_code)"
        )
    try:
        check_text(head, path.name)
    except InputError as exc:
        return (
            exc.problem
            if "binary" not in exc.problem
            else ("the file is binary, not text (" + _looks_like(head) + ")")
        )
    try:
        header = read_table_head(path).columns
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return f"it cannot be read as a CSV ({str(exc).splitlines()[0][:100]})"
    keys = [crimes._key(c) for c in header]
    near = []
    for kind, (what, needs) in _CSV_SIGNATURES.items():
        have = [n for n, pat in needs if any(re.fullmatch(pat, k) for k in keys)]
        missing = [n for n, pat in needs if n not in have]
        if have:
            hints = sum(
                bool(re.search(_CSV_HINTS[kind], k))
                for k in keys
                if not any(re.fullmatch(pat, k) for _, pat in needs)
            )
            near.append(((len(have) / len(needs), len(have), hints), kind, what, missing))
    shown = ", ".join(str(c) for c in list(header)[:8]) + (" …" if len(header) > 8 else "")
    if not near:
        return f"its columns ({shown}) are not those of any kind of file the tool loads"
    top = max(n[0] for n in near)
    best = [n for n in near if n[0] == top]
    if len(best) == 1:
        _, kind, what, missing = best[0]
        return (
            f"it looks like {what} ({kind}) but lacks the column(s) "
            f"{', '.join(missing)} (its columns: {shown})"
        )
    could = [f"{what} (lacks {', '.join(missing)})" for _, _, what, missing in best]
    return (
        f"it could be {', '.join(could[:-1])} or {could[-1]}: it lacks the columns "
        f"each of them needs (its columns: {shown})"
    )


def _looks_like(head: bytes) -> str:
    """What binary bytes look like, from their first bytes."""
    for magic, what in (
        (b"%PDF", "a PDF document"),
        (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
        (b"PK", "a zip, or an Excel .xlsx workbook"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"SQLite format", "a SQLite database (a GeoPackage needs the .gpkg extension)"),
        (b"PAR1", "a Parquet file (it needs the .parquet extension)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8", "a JPEG image"),
    ):
        if head.startswith(magic):
            return f"it looks like {what}"
    return "not a known kind of file"


def ward_code_column(path: Path) -> str | None:
    """The ward code column of a vector file (schema only is read), or None."""
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            import pyarrow.parquet as pq

            fields = pq.read_schema(path).names
        else:
            import pyogrio

            fields = list(pyogrio.read_info(path)["fields"])
    except Exception:  # unreadable: not ours to detect
        return None
    return boundaries._match(fields, boundaries.CODE_PATTERNS[:-1])


def _choose_boundaries(todo: list[tuple[str, Path]], report: LoadReport) -> list[tuple[str, Path]]:
    """With several ward boundary files in one ``auto`` load, keep the one that covers the
    wards of the LSOA→ward lookups loaded with it with the fewest extra wards."""
    files = [p for k, p in todo if k == "boundaries"]
    if len(files) < 2:
        return todo
    import pyogrio

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


def read_table_head(path: Path) -> pd.DataFrame:
    """The header and first rows of a CSV (for detection)."""
    with open(path, "rb") as fh:
        data = fh.read(65536)
    text = data.decode("utf-8-sig", errors="replace")
    text = text[: text.rfind("\n")] if "\n" in text else text
    return pd.read_csv(io.StringIO(text), dtype=str, nrows=5)


def _expand(kind: str, paths: Iterable[str | Path], report: LoadReport) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("no such file or folder", file=str(p), fix="check the path")
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
                    "the zip is damaged or incomplete", file=p.name, fix="download or copy it again"
                )
            if k is None:
                why = why_unrecognised(p)
                fix = (
                    "add or rename the missing column(s), or name the kind (e.g. 'load "
                    "crimes FILE') to see that loader's own message"
                    if "lacks" in why
                    else "check that this is the right file (export or download it again)"
                    if why.startswith(("the file", "this is", "it is"))
                    else "name the kind, e.g. 'load boundaries FILE'"
                )
                raise InputError(
                    "the kind of this file cannot be recognised: " + why,
                    file=p.name,
                    expected="one of: "
                    + "; ".join(f"{k} ({v})" for k, v in KINDS.items() if k != "auto"),
                    fix=fix,
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
    mapping: crimes.ExtractMapping | None = None,
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
        raise InputError(
            exc.problem,
            file=", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else ""),
            row=exc.row,
            expected=exc.expected,
            fix=exc.fix,
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
        batch: list[crimes.RawFile] = []
        batch_bytes = [0]
        batches_sent = [0]
        batch_geo: list = []

        def finish_one() -> None:
            try:
                prepared = pending.popleft().result()
            except InputError as exc:
                raise _WorkerError(exc) from None
            for prep in prepared:
                recs.extend(_commit_crime_file(txn, prep, report))

        def submit(fn, *args) -> None:
            pending.append(pool.submit(fn, *args))
            while len(pending) > WORKERS:
                finish_one()

        def flush() -> None:
            if batch:
                submit(_prepare_police_batch, list(batch), *batch_geo, store, txn)
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
                        _load_reference(txn, k, p, code_column, name_column, report)
                        continue
                    key = geography_key(txn.manifest)
                    if not batch_geo or batch_geo[1] != key:
                        flush()
                        # Built in a worker while the first files are read and parsed;
                        # queued first, so its problem (e.g. no boundaries) comes first.
                        building = pool.submit(_geography, store, txn)
                        pending.append(building)
                        batch_geo[:] = [building, key]
                    geo = list(batch_geo)
                    if k == "crimes-extract":
                        flush()
                        submit(
                            _prepare_extract,
                            crimes.RawFile(name=p.name, data=_read(p)),
                            mapping,
                            *geo,
                            store,
                            txn,
                        )
                        continue
                    for raw in crimes.iter_police_uk([p], forces, months):
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
            "a folder was given for a force extract",
            file=str(p),
            expected="a CSV file",
            fix="give the extract's CSV file itself",
        )
    check_size(p.stat().st_size, p.name)
    return p.read_bytes()


def _load_reference(
    txn: Transaction, kind: str, path: Path, code_column, name_column, report: LoadReport
) -> None:
    if path.is_dir():
        raise InputError(
            f"a folder was given for {kind}",
            file=str(path),
            expected="a file",
            fix="give the file itself, or load the folder with 'load auto'",
        )
    check_size(path.stat().st_size, path.name)
    sha = crimes.RawFile(name=path.name, data=path.read_bytes()).checksum
    if kind == "boundaries":
        frame = boundaries.load_wards(path, code_column, name_column)
        key, meta = "wards", {"vintage": frame.attrs.get("vintage", "")}
    elif kind == "lookup":
        sub, frame = lookups.load_lookup(path)
        key = f"lookup:{sub}" + (f":{frame.attrs['vintage']}" if sub == "lsoa21_ward" else "")
        meta = dict(frame.attrs)
    elif kind == "deprivation":
        frame = deprivation.load_deprivation(path)
        key, meta = f"deprivation:{frame.attrs['index']}", dict(frame.attrs)
    elif kind == "population":
        frame = population.load_population(path)
        key, meta = f"population:{int(frame['year'].iloc[0])}", {"year": int(frame["year"].iloc[0])}
    elif kind == "harm-weights":
        frame = harm.read_harm_weights(path)
        key, meta = harm.HARM_KEY, {**frame.attrs, "file": path.name}
    else:  # pragma: no cover - guarded by KINDS
        raise ValueError(kind)
    ref = txn.manifest["reference"]
    repair = key in ref and ref[key]["checksum"] == sha
    # A lookup stored by an earlier reader that kept fewer of its columns (before the
    # Welsh names, WD22NMW and LAD22NMW, were kept) is stored again from the same file.
    same_columns = kind != "lookup" or ref.get(key, {}).get("columns") == list(frame.columns)
    if repair and same_columns and txn.intact(ref[key]["object"]):
        report.unchanged.append(path.name)
        return
    action = "repaired" if repair and same_columns else "replaced" if key in ref else "loaded"
    ref[key] = {
        "object": txn.put(frame_to_parquet(frame)),
        "file": path.name,
        "checksum": sha,
        "kind": kind,
        "rows": len(frame),
        "meta": _jsonable(meta),
    }
    if kind == "lookup":
        ref[key]["columns"] = list(frame.columns)
    txn.record(kind if kind != "lookup" else key, path.name, sha, [], len(frame), action)
    (report.repaired if action == "repaired" else report.loaded).append(path.name)


@dataclass(frozen=True)
class _Prepared:
    """One crime file read, placed, reconciled and serialised (ready to commit)."""

    kind: str
    name: str
    checksum: str
    source: str
    rows_read: dict[str, int]
    reconciliation: list[dict]  # a record per month (RECONCILIATION_COLUMNS)
    objects: dict[str, tuple[pa.Table, int]]  # month → (rows to store, their number)
    geography: str
    #: Force extracts: month → offence codes and rows without each flag
    #: (:func:`hotspots.io.extract_checks.profile_extract`).
    profiles: dict[str, dict] | None = None


def _geography(store: Store, txn: Transaction) -> list:
    """Build the staged geography (a worker task; prepares no file)."""
    store.staged_geography(txn)
    return []


def _staged(building: Future, store: Store, txn: Transaction):
    """The geography built by ``building`` (waits for it)."""
    building.result()
    return store.staged_geography(txn)


def _prepare_police_batch(
    raws: list[crimes.RawFile], building: Future, geo_key: str, store: Store, txn: Transaction
) -> list[_Prepared]:
    """Read, place and serialise police.uk files together, safe to run in a worker thread
    (touches no shared state). Each file comes out exactly as it would alone."""
    try:
        batch = crimes.read_police_uk_many(raws, compact=True)
    except InputError:
        building.result()  # no geography is the first problem
        raise
    geography = _staged(building, store, txn)
    extra = {
        crimes.force_key(n): crimes._slug(n)
        for n in geography.wards["police_force"].dropna().unique()
    }
    for parsed in batch.files:  # in order: the first file naming no known force fails
        crimes.check_force(parsed, extra)
    assigned = assign_table(batch.table, geography, groups=batch.groups)
    recs = reconcile_files(assigned, batch.offsets, batch.files)
    return [
        _prepared("crimes", parsed, assigned.slice(lo, hi - lo), rec, geo_key)
        for parsed, lo, hi, rec in zip(
            batch.files, batch.offsets[:-1], batch.offsets[1:], recs, strict=True
        )
    ]


def _prepare_extract(
    raw: crimes.RawFile, mapping, building: Future, geo_key: str, store: Store, txn: Transaction
) -> list[_Prepared]:
    """Read, place and serialise one force extract (in a worker thread)."""
    try:
        parsed = crimes.read_extract(raw, mapping)
    except InputError:
        building.result()  # no geography is the first problem
        raise
    assigned = assign_table(parsed.table, _staged(building, store, txn))
    rec = reconcile_records(
        assigned, parsed.rows_read, parsed.skipped, parsed.name, parsed.checksum, parsed.source
    )
    prepared = _prepared("crimes-extract", parsed, assigned, rec, geo_key)
    return [dataclasses.replace(prepared, profiles=profile_extract(parsed.crimes))]


def _prepared(
    kind: str, parsed: crimes.CrimeFile, assigned: pa.Table, rec: list[dict], geo_key: str
) -> _Prepared:
    """Split one placed and reconciled file by month, in the compact form the store keeps
    (the objects are written by the store's writer threads)."""
    objects = {}
    months = list(parsed.rows_read)
    for month in months:
        part = (
            assigned
            if len(months) == 1
            else assigned.filter(
                pc.equal(decoded_crimes(assigned.select(["month"])).column("month"), month)
            )
        )
        objects[month] = (compact_crimes(part), part.num_rows)
    return _Prepared(
        kind=kind,
        name=parsed.name,
        checksum=parsed.checksum,
        source=parsed.source,
        rows_read=parsed.rows_read,
        reconciliation=rec,
        objects=objects,
        geography=geo_key,
    )


def _commit_crime_file(txn: Transaction, prep: _Prepared, report: LoadReport) -> list[dict]:
    """Stage a prepared file in the transaction (or note that it is already loaded);
    returns its reconciliation records (none when it was already loaded)."""
    parts = txn.manifest["partitions"]
    keys = {m: f"{prep.source}|{m}" for m in prep.rows_read}
    repair = all(k in parts and parts[k]["checksum"] == prep.checksum for k in keys.values())
    if repair and all(txn.intact(parts[k]["object"]) for k in keys.values()):
        report.unchanged.append(prep.name)
        return []
    # (already loaded, but a stored copy is damaged: it is stored again)
    rec = {r["month"]: r for r in prep.reconciliation}
    replaced = []
    for month, key in keys.items():
        if key in parts and not repair:
            replaced.append(f"{prep.source} {month} (was {parts[key]['file']})")
        data, rows = prep.objects[month]
        parts[key] = _jsonable(
            {
                "object": txn.write(data, "arrow"),
                "source": prep.source,
                "month": month,
                "file": prep.name,
                "checksum": prep.checksum,
                "rows": rows,
                "geography": prep.geography,
                "reconciliation": dict(rec[month]),
                **({"extract_profile": prep.profiles[month]} if prep.profiles else {}),
            }
        )
    txn.record(
        prep.kind,
        prep.name,
        prep.checksum,
        sorted(keys),
        sum(prep.rows_read.values()),
        "repaired" if repair else "replaced" if replaced else "loaded",
    )
    (report.repaired if repair else report.loaded).append(prep.name)
    report.replaced.extend(replaced)
    return prep.reconciliation


def describe_kinds() -> str:
    """One line per kind, for help texts."""
    return "\n".join(f"  {k:15s} {v}" for k, v in KINDS.items())
