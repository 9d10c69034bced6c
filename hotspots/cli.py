"""The command line: ``python -m hotspots COMMAND``.

Bad input ends with exit code 2 and a message naming the file, the row, what was
expected and how to fix it; the store is left as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hotspots.errors import InputError
from hotspots.store.base import Store

EXIT_BAD_INPUT = 2


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
    from hotspots.io.police_uk import read_extract_mapping
    from hotspots.store.ingest import load_paths

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
    from hotspots.definitions import load_definitions
    from hotspots.io import extract_checks

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
    n = len(Store._referenced(m))
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
        from hotspots.io.extract_checks import with_profiles

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
    import getpass

    from hotspots.definitions import get_definition
    from hotspots.io.extract_checks import FLAG_WORDS, accept_missing_flag

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


def _selection(args: argparse.Namespace):
    from hotspots.store.ward_data import Selection

    return Selection(start=args.start, end=args.end, area=args.area, definition=args.definition)


def cmd_wards(args: argparse.Namespace) -> int:
    from hotspots.outputs.exports import write_ward_counts
    from hotspots.store.ward_data import load_ward_data

    store = Store(args.data_dir)
    data = load_ward_data(store, _selection(args))
    out = Path(args.out)
    write_ward_counts(data, out)
    print(f"wrote {out} ({len(data.counts)} wards; metadata in {out.with_suffix('.meta.json')})")
    _warn(data)
    if data.definition.proxy:
        print("Note: definition is a PROXY (police.uk categories approximate serious violence).")
    for line in data.caveats:
        print(f"Note: {line}")
    return 0


def _audience_rule(args: argparse.Namespace):
    """The disclosure rule of ``--audience partner`` ($HOTSPOTS_SUPPRESSION), else None."""
    from hotspots.access.disclosure import rule_from_env
    from hotspots.access.partner import check_audience

    return rule_from_env() if check_audience(args.audience) == "partner" else None


def _warn(data) -> None:
    """Print what is missing from the selection (forces, months, wards counted elsewhere)."""
    line = data.coverage_warning()
    if line:
        print(line)


def cmd_rank(args: argparse.Namespace) -> int:
    from hotspots.access.partner import hotspot_table, partner_ward_data, suppression_note
    from hotspots.outputs.exports import hotspot_list_csv
    from hotspots.stats.analysis import AnalysisSettings, analyse, hotspot_list, left_out
    from hotspots.stats.concordance import named_overlaps
    from hotspots.stats.ranking import NORMALISATION, parse_weights, rank_settings
    from hotspots.store.ward_data import load_ward_data

    ranking = (
        rank_settings(weights=parse_weights(args.weights))
        if args.weights
        else rank_settings(args.preset)
    )
    store = Store(args.data_dir)
    rule = _audience_rule(args)
    data = load_ward_data(store, _selection(args))
    if rule is not None:
        data = partner_ward_data(data, rule)
    if ranking.as_dict.get("harm") and not data.harm_available:
        raise ValueError(f"the harm-weighted ranking is not available: {data.harm_reason}")
    settings = AnalysisSettings(ranking=ranking, top_n=args.top_n)
    result = analyse(
        data.counts,
        data.monthly,
        data.wards,
        settings,
        lsoa_deprivation=data.lsoa_deprivation,
        lsoa_weights=data.lsoa_weights,
        harm=data.harm,
        coverage=data.coverage,
    )
    d = data.definition
    table = hotspot_table(data, result, None, rule)  # as downloaded (partner: suppressed)
    full = hotspot_list(result, f"{d.name} (proxy)" if d.proxy else d.name)
    overlap = named_overlaps(full, args.top_n)
    missed = left_out(full, args.top_n, ranking.as_dict)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(hotspot_list_csv(table))
    conc = result.concordance
    meta = {
        **data.metadata(),
        "weights": dict(ranking.weights),
        "preset": ranking.preset,
        "normalisation": NORMALISATION,
        "top_n": args.top_n,
        "audience": args.audience,
        "suppression": suppression_note(rule),
        "concordance": None
        if conc is None
        else {
            "top_n": conc.top_n,
            "overlap": conc.overlap,
            "overlap_wards": list(conc.overlap_codes),
            "spearman_rho": conc.spearman_rho,
            "overlap_p": conc.overlap_p,
        },
        "overlap": overlap.as_dict(),
        "left_out": [
            {"ward_code": c, "ward_name": n, "rank": int(r), "reason": why}
            for c, n, r, why in zip(
                missed["ward_code"],
                missed["ward_name"],
                missed["rank"],
                missed["reason"],
                strict=True,
            )
        ],
    }
    out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"wrote {out} ({len(table)} wards, ranked by {ranking.describe()})")
    _warn(data)
    names = dict(zip(table["ward_code"].astype(str), table["ward_name"].astype(str), strict=True))
    for line in overlap.lines(names):
        print(line)
    if conc is not None:
        print(
            f"Violence and drugs: {conc.overlap} of the top {conc.top_n} wards by violence "
            f"are also in the top {conc.top_n} for drug offences (permutation p = "
            f"{conc.overlap_p:.4f}); Spearman rho = {conc.spearman_rho:.2f}."
        )
    if d.proxy:
        print("Note: definition is a PROXY (police.uk categories approximate serious violence).")
    if rule is not None:
        print(f"Partner view: {suppression_note(rule)}")
    for line in data.caveats:
        print(f"Note: {line}")
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from hotspots.access.partner import partner_ward_data
    from hotspots.definitions import get_definition
    from hotspots.geo.counts import sources_for
    from hotspots.outputs.pack import (
        PackArchive,
        assemble_pack,
        pack_excel,
        pack_json,
        pack_metadata,
        pack_pdf,
        pack_period,
        welsh_names,
    )
    from hotspots.stats.analysis import AnalysisSettings, analyse
    from hotspots.stats.ranking import rank_settings
    from hotspots.store.ward_data import Selection, load_ward_data

    store = Store(args.data_dir)
    rule = _audience_rule(args)
    definition = get_definition(args.definition)
    loaded = store.months(sources_for(definition, store.sources()))
    if not loaded:
        raise ValueError("no crimes are loaded; load police.uk files or a force extract first")
    start, end = pack_period(args.month)
    selection = Selection(
        start=max(start, loaded[0]), end=end, area=args.area, definition=args.definition
    )
    data = load_ward_data(store, selection)
    if rule is not None:
        data = partner_ward_data(data, rule)
    ranking = rank_settings()
    settings = AnalysisSettings(top_n=args.top_n)
    result = analyse(
        data.counts,
        data.monthly,
        data.wards,
        settings,
        lsoa_deprivation=data.lsoa_deprivation,
        lsoa_weights=data.lsoa_weights,
        harm=data.harm,
        coverage=data.coverage,
    )
    meta = pack_metadata(data, ranking)
    previous = PackArchive(store.root).latest_before(
        meta["area"], meta["definition"], args.month, args.audience
    )
    pack = assemble_pack(
        data,
        result,
        args.month,
        top_n=args.top_n,
        ranking=ranking,
        previous=previous,
        rule=rule,
        lang=args.lang,
        welsh_names=welsh_names(store.geography().lsoa21_ward) if args.lang == "cy" else None,
    )
    written = []
    for path, make in (
        (args.out, pack_pdf),
        (args.excel, pack_excel),
        (
            args.json,
            lambda p: (json.dumps(pack_json(p), indent=1, ensure_ascii=False) + "\n").encode(
                "utf-8"
            ),
        ),
    ):
        if path:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(make(pack))
            written.append(str(target))
    print(
        f"wrote {', '.join(written)} ({pack.title}; {pack.area}; top {pack.top_n}; "
        f"for {'partners' if rule is not None else 'analysts'})"
    )
    for line in pack.summary:
        print(f"  - {line}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hotspots.demo.build import build_demo

    root = Path(args.dir) if args.dir else None
    store = build_demo(root, seed=args.seed, force=args.force)
    print(f"Demo region (synthetic demo) ready in {store.root}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from hotspots.io.fetch import fetch

    results = fetch(
        args.what,
        out_dir=Path(args.out),
        months=args.month,
        forces=args.force,
        base_url=args.base_url,
    )
    for r in results:
        print(f"{r.status:10s} {r.path} sha256={r.sha256[:12]} ({r.size:,} bytes)")
    print(json.dumps({"log": str(Path(args.out) / "fetch-log.json")}))
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    """Dashboard accounts: ``user add NAME --role ROLE``, ``user list``, ``user remove``."""
    import getpass

    from hotspots.access import accounts as acc

    path = Path(args.accounts).expanduser() if args.accounts else acc.default_accounts_path()
    if args.user_command == "add":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"Password for {args.name}: ")
            if getpass.getpass("Again: ") != password:
                raise ValueError("the two passwords differ; nothing was changed")
        acc.add_user(path, args.name, args.role, password, replace=args.replace)
        print(f"{'updated' if args.replace else 'added'} {args.name} ({args.role}) in {path}")
    elif args.user_command == "remove":
        acc.remove_user(path, args.name)
        print(f"removed {args.name} from {path}")
    else:
        accounts = acc.load_accounts(path)
        print(f"Accounts: {path}" + ("" if path.exists() else " (none: the dashboard is open)"))
        for a in accounts.users.values():
            until = acc.lockout_state(path, a.name)
            print(
                f"  {a.name:24s} {a.role}"
                + (f"  locked until {until:%Y-%m-%d %H:%M} UTC" if until else "")
            )
        if accounts.oidc.enabled:
            print(
                f"OIDC: {len(accounts.oidc.roles)} address(es) with a role; others: "
                f"{accounts.oidc.default_role or 'no access'}"
            )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from hotspots.store.ingest import KINDS, describe_kinds

    p = argparse.ArgumentParser(
        prog="python -m hotspots", description="Serious-violence hotspots by ward."
    )
    p.add_argument(
        "--data-dir",
        default=None,
        help="store folder (default: $HOTSPOTS_DATA_DIR or geodata/store)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    ld = sub.add_parser(
        "load",
        help="load files into the store",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load files. KIND is one of:\n" + describe_kinds(),
    )
    ld.add_argument("kind", choices=list(KINDS))
    ld.add_argument("paths", nargs="+", help="files, folders or zips")
    ld.add_argument(
        "--force",
        action="append",
        help="police.uk archives: only this force (repeatable), e.g. dyfed-powys",
    )
    ld.add_argument(
        "--month", action="append", help="police.uk archives: only this month YYYY-MM (repeatable)"
    )
    ld.add_argument("--mapping", help="force extract column mapping (TOML)")
    ld.add_argument("--code-column", help="boundaries: the ward code column")
    ld.add_argument("--name-column", help="boundaries: the ward name column")
    ld.add_argument("--quiet", action="store_true", help="no progress bar")
    ld.set_defaults(func=cmd_load)

    st = sub.add_parser(
        "status", help="what is loaded, the reconciliation, and a check of the stored files"
    )
    st.set_defaults(func=cmd_status)

    vf = sub.add_parser(
        "verify",
        help="check every stored file against the size and "
        "checksum recorded when it was written (exit code 2 when damaged)",
    )
    vf.set_defaults(func=cmd_verify)

    for name, helptext, func in (("wards", "ward counts for a period and area", cmd_wards),):
        w = sub.add_parser(name, help=helptext)
        _period_args(w)
        w.add_argument("--out", required=True, help="output CSV file")
        w.set_defaults(func=func)

    rk = sub.add_parser("rank", help="the ranked hotspot list for a period and area")
    _period_args(rk)
    from hotspots.stats.ranking import PRESETS

    rk.add_argument(
        "--preset",
        default=None,
        choices=list(PRESETS),
        help="preset weighting (default violence-drugs-deprivation)",
    )
    rk.add_argument(
        "--weights",
        help="own weights, e.g. violence=0.5,drugs=0.25,deprivation=0.25 (must sum to 1)",
    )
    rk.add_argument("--top-n", type=int, default=12, help="N for top-N figures (default 12)")
    rk.add_argument("--out", required=True, help="output CSV file")
    _audience_arg(rk)
    rk.set_defaults(func=cmd_rank)

    pk = sub.add_parser("pack", help="the monthly targeting pack (PDF, Excel, JSON)")
    pk.add_argument(
        "--month",
        required=True,
        help="meeting month YYYY-MM (the pack covers the 12 months ending then)",
    )
    pk.add_argument("--area", help="force, local authority code or name; default all wards")
    pk.add_argument(
        "--definition", default="police-uk-proxy", help="definition name (geodata/definitions)"
    )
    pk.add_argument("--top-n", type=int, default=12, help="wards listed (default 12)")
    _audience_arg(pk)
    pk.add_argument("--out", required=True, help="output PDF file")
    pk.add_argument("--excel", help="also write the Excel workbook here")
    pk.add_argument("--json", help="also write the pack as JSON here")
    pk.add_argument(
        "--lang",
        choices=["en", "cy"],
        default="en",
        help="language of the pack: en (English, default) or cy (Welsh)",
    )
    pk.set_defaults(func=cmd_pack)

    from hotspots.definitions import FLAGS

    ac = sub.add_parser(
        "accept-missing-flag",
        help="accept counting an extract's rows without a flag as not flagged",
    )
    ac.add_argument("--definition", required=True, help="definition name, e.g. dyfed-powys")
    ac.add_argument("--source", required=True, help="extract source, e.g. extract:dyfed-powys")
    ac.add_argument(
        "--flag", default="domestic", choices=list(FLAGS), help="the flag (default domestic)"
    )
    ac.add_argument("--by", help="who accepts it (default: your login name)")
    ac.set_defaults(func=cmd_accept_missing_flag)

    dm = sub.add_parser("demo", help="build the synthetic demo region")
    dm.add_argument("--dir", help="store folder for the demo (default geodata/demo-store)")
    dm.add_argument("--seed", type=int, default=2019)
    dm.add_argument("--force", action="store_true", help="rebuild even if present")
    dm.set_defaults(func=cmd_demo)

    ft = sub.add_parser("fetch", help="download the official originals")
    ft.add_argument(
        "what",
        nargs="*",
        default=[],
        help="what to fetch (default: everything); see hotspots/io/fetch.py",
    )
    ft.add_argument("--out", default="geodata/fetched", help="download folder")
    ft.add_argument("--month", action="append", help="police.uk archive month YYYY-MM")
    ft.add_argument("--force", action="append", help="police.uk force slug")
    ft.add_argument("--base-url", help="mirror to download from instead of the publishers")
    ft.set_defaults(func=cmd_fetch)

    from hotspots.access.accounts import ROLES

    us = sub.add_parser("user", help="dashboard accounts (see docs/access-control.md)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--accounts",
        help="accounts file (default: $HOTSPOTS_ACCOUNTS or ~/.config/hotspots/accounts.toml)",
    )
    us_sub = us.add_subparsers(dest="user_command", required=True)
    ua = us_sub.add_parser("add", parents=[common], help="add a user (asks for the password)")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=list(ROLES))
    ua.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    ua.add_argument("--replace", action="store_true", help="change an existing user")
    ur = us_sub.add_parser("remove", parents=[common], help="remove a user")
    ur.add_argument("name")
    us_sub.add_parser("list", parents=[common], help="list users and locks")
    us.set_defaults(func=cmd_user)
    return p


def _audience_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--audience",
        default="analyst",
        choices=["analyst", "partner"],
        help="analyst: exact counts (default); partner: the partner view, small "
        "numbers suppressed by $HOTSPOTS_SUPPRESSION's rule, as partners see it "
        "on the dashboard",
    )


def _period_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="start", required=True, help="first month YYYY-MM")
    p.add_argument("--to", dest="end", required=True, help="last month YYYY-MM")
    p.add_argument(
        "--area",
        help="force (dyfed-powys, south-wales), local authority code or name; default all wards",
    )
    p.add_argument(
        "--definition", default="police-uk-proxy", help="definition name (geodata/definitions)"
    )


def _audit_load(args: argparse.Namespace, action: str, outcome: str) -> None:
    """A ``load`` command's audit line (with the operating-system user), success or not,
    in the audit log of the store it loads into."""
    if getattr(args, "command", None) != "load":
        return
    from hotspots.access import accounts as acc

    try:
        acc.AuditLog(acc.default_audit_path(Store(args.data_dir).root)).append(
            acc.os_user(),
            "command line",
            action,
            {"kind": args.kind, "paths": [str(p) for p in args.paths], "outcome": outcome[:500]},
        )
    except Exception as exc:  # the load's own outcome matters more than its audit line
        print(f"warning: cannot write the audit log: {exc}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        _audit_load(args, "load" if code == 0 else "load_failed", f"exit code {code}")
        return code
    except InputError as exc:
        _audit_load(args, "load_failed", exc.message)
        print(f"error: {exc.message}", file=sys.stderr)
        print("Nothing was changed in the store.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:
        _audit_load(args, "load_failed", str(exc))
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        _audit_load(args, "load_failed", f"{exc.strerror or exc}: {exc.filename or ''}")
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug, not bad input: say so briefly, keep the store
        _audit_load(args, "load_failed", f"unexpected {type(exc).__name__}")
        if os.environ.get("HOTSPOTS_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc}. Nothing was changed in the "
            "store. Run again with HOTSPOTS_DEBUG=1 for the details, and please report it.",
            file=sys.stderr,
        )
        return 1
