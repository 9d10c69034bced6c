"""Placing stored crimes again at a commit: police.uk crime IDs counted once across
sources and months, and partitions placed under other wards or lookups placed under
the current ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from hotspots.geo.assign import (
    assign_table,
    assign_wards,
    duplicate_rows,
    reconcile,
    reconcile_records,
)
from hotspots.io.crime_table import decoded_crimes
from hotspots.store.files import jsonable
from hotspots.store.manifest import geography_key
from hotspots.store.objects import crimes_to_arrow
from hotspots.store.transaction import Transaction

if TYPE_CHECKING:
    from hotspots.store.base import Store


def deduplicate(store: Store, txn: Transaction) -> None:
    """Count every police.uk crime ID once across sources and months.

    police.uk crime IDs identify a crime wherever it appears: a row whose ID is already
    counted in an earlier partition (by month, then source; in file order within one)
    is a "duplicate", as a repeat within one file is. Computed over all police.uk
    partitions at every commit, so the answer does not depend on the order files were
    loaded in; partitions whose duplicates change are placed again and rewritten.
    Damaged objects are left out (their rows cannot be read)."""
    parts = sorted(
        (
            (k, p)
            for k, p in txn.manifest["partitions"].items()
            if p["source"].startswith("police.uk:")
        ),
        key=lambda kp: (kp[1]["month"], kp[1]["source"], kp[0]),
    )
    read = [
        (k, p, store.staged_columns(txn, p["object"], ["crime_id", "assignment"])) for k, p in parts
    ]
    read = [(k, p, t) for k, p, t in read if t is not None]
    if not read:
        return
    ids = pa.chunked_array(
        [c for _, _, t in read for c in t.column("crime_id").cast(pa.string()).chunks],
        type=pa.string(),
    )
    final = duplicate_rows([ids.combine_chunks()])
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
        placed = store.staged_columns(txn, part["object"], None)
        if (now & ~want).any():  # rows to count again: placed afresh
            geography = geography or store.staged_geography(txn)
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
        txn.manifest["partitions"][key] = jsonable(
            dict(part, object=txn.write(placed, "arrow"), reconciliation=new[0])
        )


def reassign(store: Store, txn: Transaction) -> None:
    """Place again the crimes placed under other wards or lookups than the current."""
    current = geography_key(txn.manifest)
    stale = {k: p for k, p in txn.manifest["partitions"].items() if p.get("geography") != current}
    if not stale:
        return
    geography = store.staged_geography(txn)
    for key, part in stale.items():
        crimes = store.staged_frame(txn, part["object"])
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
        txn.manifest["partitions"][key] = jsonable(part)
