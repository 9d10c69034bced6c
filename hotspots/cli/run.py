"""Running one command: its group's module imported, bad input turned into exit code 2
and a message (never a traceback), and ``load`` written to the audit log."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from hotspots.access import audit
from hotspots.cli.parser import build_parser
from hotspots.errors import InputError
from hotspots.i18n import check_language, translator
from hotspots.store.base import Store

EXIT_BAD_INPUT = 2
#: The environment variable choosing the language of the messages (``en``, ``cy``).
LANG_ENV = "HOTSPOTS_LANG"


def message_language() -> str:
    """The language of error messages: ``$HOTSPOTS_LANG`` (``cy`` for Welsh), else English."""
    return check_language(os.environ.get(LANG_ENV))


def _said(exc: BaseException, lang: str) -> str:
    localised = getattr(exc, "localised", None)
    return localised(lang) if callable(localised) else str(exc)


def command(args: argparse.Namespace):
    """The function that runs the parsed command (``"module:function"`` in
    :mod:`hotspots.cli`)."""
    module, name = args.func.split(":")
    return getattr(importlib.import_module(f"hotspots.cli.{module}"), name)


def _audit_load(args: argparse.Namespace, action: str, outcome: str) -> None:
    """A ``load`` command's audit line (with the operating-system user), success or not,
    in the audit log of the store it loads into."""
    if getattr(args, "command", None) != "load":
        return
    try:
        audit.AuditLog(audit.default_audit_path(Store(args.data_dir).root)).append(
            audit.os_user(),
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
        code = int(command(args)(args) or 0)
        _audit_load(args, "load" if code == 0 else "load_failed", f"exit code {code}")
        return code
    except InputError as exc:
        lang = message_language()
        _ = translator(lang)
        _audit_load(args, "load_failed", exc.message)
        print(f"error: {exc.localised(lang)}", file=sys.stderr)
        print(_("Nothing was changed in the store."), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:
        _audit_load(args, "load_failed", str(exc))
        print(f"error: {_said(exc, message_language())}", file=sys.stderr)
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
