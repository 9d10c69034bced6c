"""Accounts and roles (no streamlit here): the accounts file, its users and their
password hashes.

The accounts file is TOML, kept **outside the project folder** (it is refused inside it),
at ``$HOTSPOTS_ACCOUNTS`` or ``~/.config/hotspots/accounts.toml``::

    [users.alice]
    role = "analyst"
    password_hash = "$2b$12$..."          # bcrypt (argon2 too if argon2-cffi is installed)

    [oidc]                                # optional: sign-in through the organisation
    roles = { "lead@council.gov.uk" = "analyst" }
    default_role = "partner"              # optional: any other signed-in user
    provider = "council"                  # optional: [auth.council] in secrets.toml

Write it with ``python -m hotspots user add NAME --role ROLE`` (mode 0600, replaced
atomically). Logins are checked in :mod:`hotspots.access.login`, signed-in browsers'
sessions kept in :mod:`hotspots.access.sessions`, and who did what written by
:mod:`hotspots.access.audit`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hotspots.errors import N_, LocalisedError
from hotspots.store.files import atomic_write

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ACCOUNTS = Path("~/.config/hotspots/accounts.toml")
ACCOUNTS_ENV = "HOTSPOTS_ACCOUNTS"


@dataclass(frozen=True)
class Role:
    """What a role may do."""

    name: str
    label: str
    exact_counts: bool
    upload: bool
    publish: bool
    download: bool
    rank: int  # a higher rank includes every permission of a lower one

    def includes(self, other: str) -> bool:
        """Whether this role may do what role ``other`` may."""
        return self.rank >= ROLES[other].rank


#: The roles (registry). Analysts see exact counts, load files and publish packs;
#: partners see suppressed views and download them.
ROLES: dict[str, Role] = {
    "partner": Role(
        "partner", "partner", exact_counts=False, upload=False, publish=False, download=True, rank=1
    ),
    "analyst": Role(
        "analyst", "analyst", exact_counts=True, upload=True, publish=True, download=True, rank=2
    ),
}

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 refuses longer passwords
DEFAULT_ROUNDS = 12


@dataclass(frozen=True)
class AccountSettings:
    """Lockout and sign-in policy.

    ``max_failures`` wrong passwords in a row for one name from one client address lock
    that name, from that address, for ``lockout_minutes``. ``address_max_failures``
    failures from one address (any names) lock that address; ``name_max_failures``
    failures for one name (any addresses) lock the name everywhere, so guessing from many
    addresses is bounded too while one anonymous address cannot keep a user out.
    A sign-in lasts ``session_hours``.
    """

    max_failures: int = 5
    lockout_minutes: int = 15
    address_max_failures: int = 20
    name_max_failures: int = 100
    session_hours: float = 12.0

    def __post_init__(self) -> None:
        if (
            min(
                self.max_failures,
                self.lockout_minutes,
                self.address_max_failures,
                self.name_max_failures,
            )
            < 1
            or self.session_hours <= 0
        ):
            raise ValueError(
                "the failure limits and lockout_minutes must be at least 1 "
                "and session_hours above 0"
            )


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class OidcConfig:
    """Who may sign in through the identity provider, and as what."""

    roles: Mapping[str, str] = field(default_factory=dict)  # lower-cased e-mail → role
    default_role: str | None = None
    provider: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.roles) or self.default_role is not None

    def role_for(self, email: str | None) -> str | None:
        """The role of a signed-in e-mail address, or ``None`` (no access)."""
        if not email:
            return None
        return self.roles.get(email.strip().lower(), self.default_role)


@dataclass(frozen=True)
class Accounts:
    """The parsed accounts file."""

    path: Path
    users: Mapping[str, Account]
    oidc: OidcConfig

    @property
    def configured(self) -> bool:
        return bool(self.users) or self.oidc.enabled


#: The settings used when none are given.
DEFAULT_SETTINGS = AccountSettings()


class AccountsError(LocalisedError):
    """The accounts file cannot be used (the dashboard then lets nobody in): a template
    marked ``N_()`` and its values; ``str()`` is English, :meth:`localised` another
    language."""


class LoginError(Exception):
    """A refused login. ``reason`` is ``"invalid"`` or ``"locked"``; ``message`` can be
    shown as it is (it never says whether the name exists)."""

    def __init__(self, reason: str, message: str, locked_until: dt.datetime | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.locked_until = locked_until


# ---------------------------------------------------------------- paths


def default_accounts_path() -> Path:
    """``$HOTSPOTS_ACCOUNTS`` or ``~/.config/hotspots/accounts.toml``."""
    env = os.environ.get(ACCOUNTS_ENV)
    return Path(env).expanduser() if env else DEFAULT_ACCOUNTS.expanduser()


def lockout_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lockout.json")


def sessions_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".sessions.json")


def secret_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".secret")


def _lock_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


def check_outside_project(path: Path) -> Path:
    """Refuse an accounts file inside the project folder (it could be committed)."""
    resolved = Path(path).expanduser().resolve()
    if resolved == PROJECT_ROOT or PROJECT_ROOT in resolved.parents:
        raise AccountsError(
            N_(
                "the accounts file {path} is inside the project folder {project}, where it "
                "could be committed; keep it outside, e.g. {default} (set {variable})"
            ),
            {
                "path": resolved,
                "project": PROJECT_ROOT,
                "default": DEFAULT_ACCOUNTS,
                "variable": ACCOUNTS_ENV,
            },
        )
    return resolved


# ---------------------------------------------------------------- reading and writing


def read_toml(path: Path) -> dict:
    """The accounts file's TOML ({} when there is none)."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise AccountsError(
            N_("{path} is not valid TOML: {reason}"), {"path": path, "reason": exc}
        ) from exc


def parse_accounts(data: Mapping, path: Path = Path("accounts.toml")) -> Accounts:
    """Check and parse the content of an accounts file."""
    unknown = set(data) - {"users", "oidc"}
    if unknown:
        raise AccountsError(
            N_("{path}: unknown section(s) {sections}; expected [users.NAME] and [oidc]"),
            {"path": path, "sections": sorted(unknown)},
        )
    users = {}
    raw_users = data.get("users", {})
    if not isinstance(raw_users, Mapping):
        raise AccountsError(N_("{path}: [users] must hold tables [users.NAME]"), {"path": path})
    for name, entry in raw_users.items():
        where = {"path": path, "name": name}
        if not NAME_PATTERN.match(name):
            raise AccountsError(
                N_("{path}: [users.{name}]: a user name is 1–64 letters, digits, . _ @ -"), where
            )
        if not isinstance(entry, Mapping):
            raise AccountsError(
                N_("{path}: [users.{name}] must be a table with role and password_hash"), where
            )
        role = entry.get("role")
        if role not in ROLES:
            raise AccountsError(
                N_("{path}: [users.{name}]: role must be one of {roles}, not {role}"),
                {**where, "roles": ", ".join(ROLES), "role": repr(role)},
            )
        pw_hash = entry.get("password_hash")
        if not isinstance(pw_hash, str) or not pw_hash.startswith(
            ("$2a$", "$2b$", "$2y$", "$argon2")
        ):
            raise AccountsError(
                N_(
                    "{path}: [users.{name}]: password_hash must be a bcrypt or argon2 hash "
                    "(make one with: python -m hotspots user add)"
                ),
                where,
            )
        users[name] = Account(name, role, pw_hash)
    return Accounts(Path(path), users, parse_oidc(data.get("oidc", {}), path))


def parse_oidc(section: Mapping, path: Path = Path("accounts.toml")) -> OidcConfig:
    """Parse the ``[oidc]`` section: ``roles`` (e-mail → role), ``default_role``,
    ``provider``."""
    if not isinstance(section, Mapping):
        raise AccountsError(N_("{path}: [oidc] must be a table"), {"path": path})
    unknown = set(section) - {"roles", "default_role", "provider"}
    if unknown:
        raise AccountsError(
            N_("{path}: [oidc] has unknown key(s) {keys}"), {"path": path, "keys": sorted(unknown)}
        )
    roles = section.get("roles", {})
    if not isinstance(roles, Mapping):
        raise AccountsError(
            N_("{path}: [oidc] roles must map e-mail addresses to roles"), {"path": path}
        )
    out = {}
    for email, role in roles.items():
        if "@" not in email or role not in ROLES:
            raise AccountsError(
                N_(
                    "{path}: [oidc] roles: {email} = {role}; expected "
                    '"name@organisation" = one of {roles}'
                ),
                {"path": path, "email": repr(email), "role": repr(role), "roles": ", ".join(ROLES)},
            )
        out[email.strip().lower()] = role
    default = section.get("default_role")
    if default is not None and default not in ROLES:
        raise AccountsError(
            N_("{path}: [oidc] default_role must be one of {roles}, not {role}"),
            {"path": path, "roles": ", ".join(ROLES), "role": repr(default)},
        )
    provider = section.get("provider")
    if provider is not None and (not isinstance(provider, str) or "_" in provider or not provider):
        raise AccountsError(
            N_(
                "{path}: [oidc] provider must be the name of an "
                "[auth.NAME] section in secrets.toml (no underscores)"
            ),
            {"path": path},
        )
    return OidcConfig(out, default, provider)


def load_accounts(path: Path | None = None) -> Accounts:
    """Read the accounts file (a missing file gives no accounts)."""
    path = Path(path) if path is not None else default_accounts_path()
    check_outside_project(path)
    return parse_accounts(read_toml(path), path)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_str(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} to the accounts file")


def dump_accounts(data: Mapping) -> str:
    """TOML for an accounts mapping (users as tables; other sections as they are)."""
    lines = ["# Dashboard accounts (python -m hotspots user add). Keep out of git.", ""]
    for name, entry in data.get("users", {}).items():
        lines.append(f"[users.{_toml_str(name)}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
        lines.append("")
    if data.get("oidc"):
        lines.append("[oidc]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in data["oidc"].items()]
        lines.append("")
    return "\n".join(lines)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock beside the accounts file (for read-modify-write)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file of mode 0600."""
    atomic_write(path, text.encode("utf-8"), mode=0o600)


# ---------------------------------------------------------------- time stamps


def utc(now: dt.datetime | None) -> dt.datetime:
    """``now`` (the current time when None) as an aware UTC time."""
    now = now or dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def iso_time(t: dt.datetime) -> str:
    """``2024-11-30T12:00:00Z``: the time stamp written into the files."""
    return t.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(s: str) -> dt.datetime:
    """The time of an :func:`iso_time` stamp."""
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
