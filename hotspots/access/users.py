"""Managing users: password hashes, and adding and removing users in the accounts file
(rewritten atomically, mode 0600; a removed user's sessions end)."""

from __future__ import annotations

from pathlib import Path

import bcrypt

from hotspots.access.accounts import (
    DEFAULT_ROUNDS,
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD,
    NAME_PATTERN,
    ROLES,
    Account,
    check_outside_project,
    dump_accounts,
    file_lock,
    parse_accounts,
    read_toml,
    sessions_path,
    write_private,
)
from hotspots.access.sessions import end_user_sessions


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A bcrypt hash of ``password`` (checked: 8 characters to 72 bytes)."""
    raw = password.encode("utf-8")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError(f"a password can be at most {MAX_PASSWORD_BYTES} bytes (bcrypt)")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds)).decode("ascii")


def add_user(
    path: Path,
    name: str,
    role: str,
    password: str,
    *,
    replace: bool = False,
    rounds: int = DEFAULT_ROUNDS,
) -> Account:
    """Add (or with ``replace`` update) a user; the file is rewritten atomically, mode
    0600, and its other content is kept."""
    path = Path(path).expanduser()
    check_outside_project(path)
    if not NAME_PATTERN.match(name):
        raise ValueError(
            "a user name is 1–64 letters, digits, . _ @ - (starting with a letter or digit)"
        )
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    pw_hash = hash_password(password, rounds)
    with file_lock(path):
        data = read_toml(path)
        parse_accounts(data, path)  # refuse to rewrite a broken file
        users = dict(data.get("users", {}))
        if name in users and not replace:
            raise ValueError(f"user {name!r} exists; use --replace to change them")
        users[name] = {"role": role, "password_hash": pw_hash}
        write_private(path, dump_accounts({**data, "users": users}))
    return Account(name, role, pw_hash)


def remove_user(path: Path, name: str) -> None:
    """Remove a user (their sessions end: their cookies are refused, and open pages
    show the login at their next run)."""
    path = Path(path).expanduser()
    check_outside_project(path)
    with file_lock(path):
        data = read_toml(path)
        users = dict(data.get("users", {}))
        if name not in users:
            raise ValueError(f"no user {name!r} in {path}")
        del users[name]
        write_private(path, dump_accounts({**data, "users": users}))
    if sessions_path(path).exists():
        end_user_sessions(path, name)
