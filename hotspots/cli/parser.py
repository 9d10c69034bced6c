"""The command line's parser: every command, its arguments and help, and the module
that runs it (imported only when the command is run)."""

from __future__ import annotations

import argparse

from hotspots.access.accounts import ROLES
from hotspots.definitions import FLAGS
from hotspots.stats.ranking import PRESETS
from hotspots.store.ingest import KINDS, describe_kinds


def build_parser() -> argparse.ArgumentParser:
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
    ld.set_defaults(func="store:cmd_load")

    st = sub.add_parser(
        "status", help="what is loaded, the reconciliation, and a check of the stored files"
    )
    st.set_defaults(func="store:cmd_status")

    vf = sub.add_parser(
        "verify",
        help="check every stored file against the size and "
        "checksum recorded when it was written (exit code 2 when damaged)",
    )
    vf.set_defaults(func="store:cmd_verify")

    for name, helptext, func in (
        ("wards", "ward counts for a period and area", "analysis:cmd_wards"),
    ):
        w = sub.add_parser(name, help=helptext)
        _period_args(w)
        w.add_argument("--out", required=True, help="output CSV file")
        w.set_defaults(func=func)

    rk = sub.add_parser("rank", help="the ranked hotspot list for a period and area")
    _period_args(rk)
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
    rk.set_defaults(func="analysis:cmd_rank")

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
    pk.set_defaults(func="analysis:cmd_pack")

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
    ac.set_defaults(func="store:cmd_accept_missing_flag")

    dm = sub.add_parser("demo", help="build the synthetic demo region")
    dm.add_argument("--dir", help="store folder for the demo (default geodata/demo-store)")
    dm.add_argument("--seed", type=int, default=2019)
    dm.add_argument("--force", action="store_true", help="rebuild even if present")
    dm.set_defaults(func="sources:cmd_demo")

    ft = sub.add_parser("fetch", help="download the official originals")
    ft.add_argument(
        "what",
        nargs="*",
        default=[],
        help="what to fetch (default: everything); see hotspots/io/sources.py",
    )
    ft.add_argument("--out", default="geodata/fetched", help="download folder")
    ft.add_argument("--month", action="append", help="police.uk archive month YYYY-MM")
    ft.add_argument("--force", action="append", help="police.uk force slug")
    ft.add_argument("--base-url", help="mirror to download from instead of the publishers")
    ft.set_defaults(func="sources:cmd_fetch")

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
    us.set_defaults(func="users:cmd_user")
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
