"""The store's commands: ``load``, ``status``, ``verify`` and ``accept-missing-flag``."""

from __future__ import annotations

import argparse
import getpass
import sys

import pandas as pd

from hotspots.cli.run import EXIT_BAD_INPUT
from hotspots.definitions import get_definition, load_definitions
from hotspots.io import extract_checks
from hotspots.io.extract_checks import FLAG_WORDS, accept_missing_flag, with_profiles
from hotspots.io.force_extract import read_extract_mapping
from hotspots.store.base import Store
from hotspots.store.ingest import load_paths
from hotspots.store.manifest import referenced_objects


def _progress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = {"bar": None}

    def update(label: str, done: int, total: int) -> None:
        if bar["bar"] is None:
            bar["bar"] = tqdm(total=total, unit="file", file=sys.stderr, leave=False)
        b = bar["bar"]
        b.set_description(label[:40])
        b.n = done
        b.refresh()
        if done >= total:
            b.close()

    return update


def cmd_load(args: argparse.Namespace) -> int:
    store = Store(args.data_dir)
    mapping = None
    if args.mapping:
        mapping = read_extract_mapping(args.mapping)
    before = store.checksum()
    problem = store.manifest_problem()
    if problem:
        print(
            f"warning: {problem.split('. Fix:')[0]}. This load starts from it and writes a "
            "new manifest.",
            file=sys.stderr,
        )
    report = load_paths(
        store,
        args.kind,
        args.paths,
        forces=args.force,
        months=args.month,
        mapping=mapping,
        code_column=args.code_column,
        name_column=args.name_column,
        progress=_progress_bar(sys.stderr.isatty() and not args.quiet),
    )
    for name in report.loaded:
        print(f"loaded     {name}")
    for name in report.unchanged:
        print(f"unchanged  {name} (already loaded)")
    for name in report.repaired:
        print(f"repaired   {name} (already loaded; its damaged stored copy was rewritten)")
    for what in report.replaced:
        print(f"replaced   {what}")
    for name in report.ignored:
        print(f"ignored    {name}")
    for note in report.notes:
        print(f"note       {note}")
    if report.reconciliation is not None:
        print()
        print(format_reconciliation(report.reconciliation))
        loaded = set(report.reconciliation["source"])
        lines = [
            line
            for line in extract_lines(store.manifest())
            if line.split(" under ", 1)[0] in loaded
        ]
        if lines:
            print("\n" + "\n".join(lines))
    if store.checksum() == before:
        print("The store is unchanged.")
    return 0


def format_reconciliation(rec: pd.DataFrame) -> str:
    """The reconciliation as a text table with a total row and the sum check."""
    cols = [
        "rows_read",
        "by_code",
        "by_point",
        "by_nearest",
        "outside",
        "unlocated",
        "skipped",
        "duplicates",
    ]
    show = rec[["source", "file", "month", *cols]].copy()
    show["file"] = show["file"].str.slice(-40)
    total = pd.DataFrame(
        [{"source": "TOTAL", "file": "", "month": "", **{c: int(rec[c].sum()) for c in cols}}]
    )
    show = pd.concat([show, total], ignore_index=True)
    parts = int(rec[cols[1:]].sum().sum())
    ok = "yes" if parts == int(rec["rows_read"].sum()) else "NO"
    return (
        show.to_string(index=False)
        + f"\nrows read = placed by code + by point + by nearest + outside + unlocated + "
        f"skipped + duplicates: {ok} ({int(rec['rows_read'].sum()):,} = {parts:,})"
    )


def extract_lines(manifest: dict) -> list[str]:
    """The force extracts' codes and flags in words, under every offence-code definition."""
    return extract_checks.extract_lines(manifest, load_definitions().values())


def _store_problems(store: Store) -> tuple[str | None, list]:
    """The manifest's problem (None when it is sound) and the damaged objects; says them
    on standard error."""
    problem = store.manifest_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
    damaged = store.verify()
    for name, what, holds, command in damaged:
        print(
            f"damaged    objects/{name}: {what}. It holds {holds}.\n           Repair: {command}",
            file=sys.stderr,
        )
    return problem, damaged


def cmd_verify(args: argparse.Namespace) -> int:
    """Check the manifest and every stored object against the sizes and checksums
    recorded when they were written."""
    store = Store(args.data_dir)
    m = store.manifest()
    problem, damaged = _store_problems(store)
    n = len(referenced_objects(m))
    if damaged or problem:
        print(
            f"{len(damaged)} of {n} stored objects damaged"
            + ("; the manifest is damaged" if problem else "")
            + ". Load the originals again as shown (the load rewrites them), then run "
            "python -m hotspots verify again.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(
        f"All {n} stored objects are intact (sizes and checksums as written); "
        f"manifest version {m['version']}."
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    store = Store(args.data_dir)
    m = store.manifest()
    print(f"Store: {store.root}" + (f"  [{m['label']}]" if m.get("label") else ""))
    if not m["version"]:
        print(
            "Nothing is loaded. Try: python -m hotspots load auto ../shared/data "
            "(or python -m hotspots demo)"
        )
        return 0
    problem, damaged = _store_problems(store)
    print(f"Version {m['version']}, updated {m['updated']}, checksum {store.checksum()[:12]}")
    print("\nReference data:")
    for key, e in sorted(m["reference"].items()):
        print(f"  {key:28s} {e['file']} ({e['rows']:,} rows)")
    rec = store.reconciliation()
    if len(rec):
        print("\nMonths per source:")
        for src, g in rec.groupby("source"):
            ms = sorted(g["month"])
            print(f"  {src:28s} {len(ms)} months: {ms[0]} to {ms[-1]}")
        print("\nReconciliation:")
        print(format_reconciliation(rec))
        lines = extract_lines(with_profiles(store))
        if lines:
            print("\nOffence codes and flags of the force extracts:")
            print("\n".join(f"  {line}" for line in lines))
    harm = m["reference"].get("harm-weights")
    if harm:
        meta = harm.get("meta", {})
        print(
            f"\nHarm weights: {harm['file']} ({harm['rows']:,} codes); source: "
            f"{meta.get('source', 'not stated')}; vintage: {meta.get('vintage', 'not stated')}"
        )
    else:
        print(
            "\nHarm weights: none loaded (the harm-weighted ranking is not offered; load "
            "the ONS table with 'python -m hotspots load harm-weights FILE')"
        )
    if damaged:
        print(
            f"\nDAMAGED: {len(damaged)} stored object(s) cannot be used (see above); the "
            "figures above are as recorded, but the rows cannot be read until the "
            "originals are loaded again."
        )
        return EXIT_BAD_INPUT
    return EXIT_BAD_INPUT if problem else 0


def cmd_accept_missing_flag(args: argparse.Namespace) -> int:
    """Record an analyst's acceptance of counting rows without a flag as not flagged."""

    store = Store(args.data_dir)
    entry = accept_missing_flag(
        store, get_definition(args.definition), args.source, args.flag, args.by or getpass.getuser()
    )
    print(
        f"Recorded: {entry['by']} accepts, on {entry['time']}, that '{args.definition}' "
        f"counts {entry['rows']:,} rows of {args.source} without the "
        f"{FLAG_WORDS[args.flag]} as not {args.flag}. Every view and download made with "
        "it says so."
    )
    return 0
