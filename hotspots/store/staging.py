"""Staging one file of a load in the store's transaction: a reference table, or a crime
file read, placed in wards, reconciled and split by month (in a worker thread), then
recorded in the manifest."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from hotspots.errors import N_, InputError
from hotspots.geo.assign import assign_table, reconcile_files, reconcile_records
from hotspots.io import boundaries, deprivation, harm, lookups, population
from hotspots.io.crime_table import CrimeFile, compact_crimes, decoded_crimes
from hotspots.io.csv_guard import check_size
from hotspots.io.extract_checks import profile_extract
from hotspots.io.force_extract import read_extract
from hotspots.io.forces import check_force
from hotspots.io.police_uk import read_police_uk_many
from hotspots.io.raw import RawFile
from hotspots.slugs import force_key, force_slug
from hotspots.store.base import Store
from hotspots.store.files import jsonable
from hotspots.store.objects import frame_to_parquet
from hotspots.store.transaction import Transaction

if TYPE_CHECKING:
    from hotspots.store.ingest import LoadReport


def stage_reference(
    txn: Transaction, kind: str, path: Path, code_column, name_column, report: LoadReport
) -> None:
    """Read the reference file ``path`` of ``kind`` and stage it under its manifest key
    (or note it unchanged when the same file is stored intact)."""
    if path.is_dir():
        raise InputError(
            N_("a folder was given for {kind}"),
            file=str(path),
            expected=N_("a file"),
            fix=N_("give the file itself, or load the folder with 'load auto'"),
            values={"kind": kind},
        )
    check_size(path.stat().st_size, path.name)
    sha = RawFile(name=path.name, data=path.read_bytes()).checksum
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
        "meta": jsonable(meta),
    }
    if kind == "lookup":
        ref[key]["columns"] = list(frame.columns)
    txn.record(kind if kind != "lookup" else key, path.name, sha, [], len(frame), action)
    (report.repaired if action == "repaired" else report.loaded).append(path.name)


@dataclass(frozen=True)
class PreparedFile:
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


def build_staged_geography(store: Store, txn: Transaction) -> list:
    """Build the staged geography (a worker task; prepares no file)."""
    store.staged_geography(txn)
    return []


def _staged(building: Future, store: Store, txn: Transaction):
    """The geography built by ``building`` (waits for it)."""
    building.result()
    return store.staged_geography(txn)


def prepare_police_batch(
    raws: list[RawFile], building: Future, geo_key: str, store: Store, txn: Transaction
) -> list[PreparedFile]:
    """Read, place and serialise police.uk files together, safe to run in a worker thread
    (touches no shared state). Each file comes out exactly as it would alone."""
    try:
        batch = read_police_uk_many(raws, compact=True)
    except InputError:
        building.result()  # no geography is the first problem
        raise
    geography = _staged(building, store, txn)
    extra = {force_key(n): force_slug(n) for n in geography.wards["police_force"].dropna().unique()}
    for parsed in batch.files:  # in order: the first file naming no known force fails
        check_force(parsed, extra)
    assigned = assign_table(batch.table, geography, groups=batch.groups)
    recs = reconcile_files(assigned, batch.offsets, batch.files)
    return [
        _prepared("crimes", parsed, assigned.slice(lo, hi - lo), rec, geo_key)
        for parsed, lo, hi, rec in zip(
            batch.files, batch.offsets[:-1], batch.offsets[1:], recs, strict=True
        )
    ]


def prepare_extract(
    raw: RawFile, mapping, building: Future, geo_key: str, store: Store, txn: Transaction
) -> list[PreparedFile]:
    """Read, place and serialise one force extract (in a worker thread)."""
    try:
        parsed = read_extract(raw, mapping)
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
    kind: str, parsed: CrimeFile, assigned: pa.Table, rec: list[dict], geo_key: str
) -> PreparedFile:
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
    return PreparedFile(
        kind=kind,
        name=parsed.name,
        checksum=parsed.checksum,
        source=parsed.source,
        rows_read=parsed.rows_read,
        reconciliation=rec,
        objects=objects,
        geography=geo_key,
    )


def stage_crime_file(txn: Transaction, prep: PreparedFile, report: LoadReport) -> list[dict]:
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
        parts[key] = jsonable(
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
