"""The ``user`` command: dashboard accounts (add, remove, list)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from hotspots.access import accounts as acc
from hotspots.access import login, users


def cmd_user(args: argparse.Namespace) -> int:
    """Dashboard accounts: ``user add NAME --role ROLE``, ``user list``, ``user remove``."""

    path = Path(args.accounts).expanduser() if args.accounts else acc.default_accounts_path()
    if args.user_command == "add":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"Password for {args.name}: ")
            if getpass.getpass("Again: ") != password:
                raise ValueError("the two passwords differ; nothing was changed")
        users.add_user(path, args.name, args.role, password, replace=args.replace)
        print(f"{'updated' if args.replace else 'added'} {args.name} ({args.role}) in {path}")
    elif args.user_command == "remove":
        users.remove_user(path, args.name)
        print(f"removed {args.name} from {path}")
    else:
        accounts = acc.load_accounts(path)
        print(f"Accounts: {path}" + ("" if path.exists() else " (none: the dashboard is open)"))
        for a in accounts.users.values():
            until = login.lockout_state(path, a.name)
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
