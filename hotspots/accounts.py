"""Accounts, roles, login with lockout, and the audit log (no streamlit here).

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
atomically). Failed logins are counted per user name in ``<accounts>.lockout.json``
beside it: after ``max_failures`` in a row the name is locked for ``lockout_minutes``.

The audit log is JSON lines (``time`` UTC, ``user``, ``role``, ``action``, ``detail``) at
``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ACCOUNTS = Path("~/.config/hotspots/accounts.toml")
ACCOUNTS_ENV = "HOTSPOTS_ACCOUNTS"
AUDIT_ENV = "HOTSPOTS_AUDIT_LOG"
AUDIT_FILE = "audit.log.jsonl"


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
    "partner": Role("partner", "partner", exact_counts=False, upload=False, publish=False,
                    download=True, rank=1),
    "analyst": Role("analyst", "analyst", exact_counts=True, upload=True, publish=True,
                    download=True, rank=2),
}

#: Actions written to the audit log.
AUDIT_ACTIONS = ("login", "login_failed", "logout", "upload", "download", "publish")

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 refuses longer passwords
DEFAULT_ROUNDS = 12


@dataclass(frozen=True)
class AccountSettings:
    """Lockout policy: ``max_failures`` wrong passwords in a row lock a name for
    ``lockout_minutes``."""

    max_failures: int = 5
    lockout_minutes: int = 15

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.lockout_minutes < 1:
            raise ValueError("max_failures and lockout_minutes must be at least 1")


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


class AccountsError(ValueError):
    """The accounts file cannot be used (the dashboard then lets nobody in)."""


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


def _lock_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


def check_outside_project(path: Path) -> Path:
    """Refuse an accounts file inside the project folder (it could be committed)."""
    resolved = Path(path).expanduser().resolve()
    if resolved == PROJECT_ROOT or PROJECT_ROOT in resolved.parents:
        raise AccountsError(
            f"the accounts file {resolved} is inside the project folder {PROJECT_ROOT}, "
            f"where it could be committed; keep it outside, e.g. {DEFAULT_ACCOUNTS} "
            f"(set {ACCOUNTS_ENV})")
    return resolved


def default_audit_path(store_root: Path | None = None) -> Path:
    """``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``."""
    env = os.environ.get(AUDIT_ENV)
    if env:
        return Path(env).expanduser()
    if store_root is None:
        from hotspots.store import default_dir

        store_root = default_dir()
    return Path(store_root) / AUDIT_FILE


# ---------------------------------------------------------------- reading and writing


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise AccountsError(f"{path} is not valid TOML: {exc}") from exc


def parse_accounts(data: Mapping, path: Path = Path("accounts.toml")) -> Accounts:
    """Check and parse the content of an accounts file."""
    unknown = set(data) - {"users", "oidc"}
    if unknown:
        raise AccountsError(f"{path}: unknown section(s) {sorted(unknown)}; expected "
                            "[users.NAME] and [oidc]")
    users = {}
    raw_users = data.get("users", {})
    if not isinstance(raw_users, Mapping):
        raise AccountsError(f"{path}: [users] must hold tables [users.NAME]")
    for name, entry in raw_users.items():
        where = f"{path}: [users.{name}]"
        if not NAME_PATTERN.match(name):
            raise AccountsError(f"{where}: a user name is 1–64 letters, digits, . _ @ -")
        if not isinstance(entry, Mapping):
            raise AccountsError(f"{where} must be a table with role and password_hash")
        role = entry.get("role")
        if role not in ROLES:
            raise AccountsError(f"{where}: role must be one of {', '.join(ROLES)}, "
                                f"not {role!r}")
        pw_hash = entry.get("password_hash")
        if not isinstance(pw_hash, str) or not pw_hash.startswith(("$2a$", "$2b$", "$2y$",
                                                                   "$argon2")):
            raise AccountsError(f"{where}: password_hash must be a bcrypt or argon2 hash "
                                "(make one with: python -m hotspots user add)")
        users[name] = Account(name, role, pw_hash)
    return Accounts(Path(path), users, parse_oidc(data.get("oidc", {}), path))


def parse_oidc(section: Mapping, path: Path = Path("accounts.toml")) -> OidcConfig:
    """Parse the ``[oidc]`` section: ``roles`` (e-mail → role), ``default_role``,
    ``provider``."""
    if not isinstance(section, Mapping):
        raise AccountsError(f"{path}: [oidc] must be a table")
    unknown = set(section) - {"roles", "default_role", "provider"}
    if unknown:
        raise AccountsError(f"{path}: [oidc] has unknown key(s) {sorted(unknown)}")
    roles = section.get("roles", {})
    if not isinstance(roles, Mapping):
        raise AccountsError(f"{path}: [oidc] roles must map e-mail addresses to roles")
    out = {}
    for email, role in roles.items():
        if "@" not in email or role not in ROLES:
            raise AccountsError(f"{path}: [oidc] roles: {email!r} = {role!r}; expected "
                                f"\"name@organisation\" = one of {', '.join(ROLES)}")
        out[email.strip().lower()] = role
    default = section.get("default_role")
    if default is not None and default not in ROLES:
        raise AccountsError(f"{path}: [oidc] default_role must be one of "
                            f"{', '.join(ROLES)}, not {default!r}")
    provider = section.get("provider")
    if provider is not None and (not isinstance(provider, str) or "_" in provider
                                 or not provider):
        raise AccountsError(f"{path}: [oidc] provider must be the name of an "
                            "[auth.NAME] section in secrets.toml (no underscores)")
    return OidcConfig(out, default, provider)


def load_accounts(path: Path | None = None) -> Accounts:
    """Read the accounts file (a missing file gives no accounts)."""
    path = Path(path) if path is not None else default_accounts_path()
    check_outside_project(path)
    return parse_accounts(_read_toml(path), path)


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
        return "{ " + ", ".join(f"{_toml_str(k)} = {_toml_value(v)}"
                                for k, v in value.items()) + " }"
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
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock beside the accounts file (for read-modify-write)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file of mode 0600."""
    from hotspots.store import _atomic_write

    _atomic_write(path, text.encode("utf-8"), mode=0o600)


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A bcrypt hash of ``password`` (checked: 8 characters to 72 bytes)."""
    raw = password.encode("utf-8")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError(f"a password can be at most {MAX_PASSWORD_BYTES} bytes (bcrypt)")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds)).decode("ascii")


def add_user(path: Path, name: str, role: str, password: str, *, replace: bool = False,
             rounds: int = DEFAULT_ROUNDS) -> Account:
    """Add (or with ``replace`` update) a user; the file is rewritten atomically, mode
    0600, and its other content is kept."""
    path = Path(path).expanduser()
    check_outside_project(path)
    if not NAME_PATTERN.match(name):
        raise ValueError("a user name is 1–64 letters, digits, . _ @ - (starting with a "
                         "letter or digit)")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    pw_hash = hash_password(password, rounds)
    with _locked(path):
        data = _read_toml(path)
        parse_accounts(data, path)  # refuse to rewrite a broken file
        users = dict(data.get("users", {}))
        if name in users and not replace:
            raise ValueError(f"user {name!r} exists; use --replace to change them")
        users[name] = {"role": role, "password_hash": pw_hash}
        _write_private(path, dump_accounts({**data, "users": users}))
    return Account(name, role, pw_hash)


def remove_user(path: Path, name: str) -> None:
    """Remove a user (their sessions end at their next page run)."""
    path = Path(path).expanduser()
    check_outside_project(path)
    with _locked(path):
        data = _read_toml(path)
        users = dict(data.get("users", {}))
        if name not in users:
            raise ValueError(f"no user {name!r} in {path}")
        del users[name]
        _write_private(path, dump_accounts({**data, "users": users}))


# ---------------------------------------------------------------- login


def _utc(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


@functools.cache
def _dummy_hash(cost: bytes) -> bytes:
    """A hash of the same cost as the real ones, checked against for unknown names."""
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(int(cost)))


def _check_password(password: str, pw_hash: str) -> bool:
    raw = password.encode("utf-8")
    if pw_hash.startswith("$argon2"):
        try:
            from argon2 import PasswordHasher
            from argon2.exceptions import Argon2Error
        except ImportError as exc:  # pragma: no cover - optional
            raise AccountsError("an argon2 password hash needs argon2-cffi") from exc
        try:
            return PasswordHasher().verify(pw_hash, password)
        except Argon2Error:
            return False
    try:
        return bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES], pw_hash.encode("ascii")) and len(
            raw) <= MAX_PASSWORD_BYTES
    except ValueError:
        return False


def _read_lockout(path: Path) -> dict:
    try:
        return json.loads(lockout_path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _key(name: str) -> str:
    return name.strip().lower()[:64]


def lockout_state(path: Path, name: str, now: dt.datetime | None = None,
                  settings: AccountSettings = AccountSettings()) -> dt.datetime | None:
    """When ``name`` is locked, the time the lock ends; else ``None``."""
    entry = _read_lockout(path).get(_key(name))
    if entry and entry.get("locked_until"):
        until = _parse_time(entry["locked_until"])
        if until > _utc(now):
            return until
    return None


def verify(path: Path, name: str, password: str, now: dt.datetime | None = None,
           settings: AccountSettings = AccountSettings()) -> Role:
    """Check a login; returns the user's :class:`Role` or raises :class:`LoginError`.

    Every attempt costs one password hash check, known name or not, so a refusal does
    not tell whether the name exists. Failures are counted per name (known or not) in
    ``<accounts>.lockout.json``; ``settings.max_failures`` in a row lock the name for
    ``settings.lockout_minutes``, during which even the right password is refused.
    A success clears the count.
    """
    path = Path(path).expanduser()
    now = _utc(now)
    accounts = load_accounts(path)
    account = accounts.users.get(name)
    cost = b"12"
    if account is not None and account.password_hash.startswith("$2"):
        cost = account.password_hash.encode("ascii")[4:6]
    elif accounts.users:
        first = next(iter(accounts.users.values())).password_hash
        cost = first.encode("ascii")[4:6] if first.startswith("$2") else cost
    window = dt.timedelta(minutes=settings.lockout_minutes)
    key = _key(name)
    with _locked(path):
        state = _read_lockout(path)
        entry = state.get(key, {})
        until = _parse_time(entry["locked_until"]) if entry.get("locked_until") else None
        if until is not None and until > now:
            _check_password(password, _dummy_hash(cost).decode())
            raise LoginError("locked", _locked_message(until, now), until)
        if until is not None or (entry.get("last") and now - _parse_time(entry["last"])
                                 > window):
            entry = {}  # the lock (or an old run of failures) has expired
        if account is not None:
            ok = _check_password(password, account.password_hash)
        else:
            _check_password(password, _dummy_hash(cost).decode())
            ok = False
        if ok:
            state.pop(key, None)
        else:
            failures = int(entry.get("failures", 0)) + 1
            entry = {"failures": failures, "last": _iso(now)}
            if failures >= settings.max_failures:
                entry["locked_until"] = _iso(now + window)
            state[key] = entry
        state = _prune(state, now, window)
        _write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))
    if not ok:
        if entry.get("locked_until"):
            until = _parse_time(entry["locked_until"])
            raise LoginError("locked", _locked_message(until, now), until)
        raise LoginError("invalid", "Wrong user name or password.")
    return ROLES[account.role]


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (f"Too many failed attempts: this account is locked for {minutes} more "
            f"minute{'s' if minutes != 1 else ''}. Try again later or ask an analyst.")


def _prune(state: dict, now: dt.datetime, window: dt.timedelta, keep: int = 10_000) -> dict:
    """Drop expired entries (and the oldest beyond ``keep``) so the file stays small."""
    live = {k: v for k, v in state.items()
            if (v.get("locked_until") and _parse_time(v["locked_until"]) > now)
            or (v.get("last") and now - _parse_time(v["last"]) <= window)}
    if len(live) > keep:
        live = dict(sorted(live.items(), key=lambda kv: kv[1].get("last", ""))[-keep:])
    return live


def unlock(path: Path, name: str) -> None:
    """Clear the failure count and any lock of ``name``."""
    path = Path(path).expanduser()
    with _locked(path):
        state = _read_lockout(path)
        if state.pop(_key(name), None) is not None:
            _write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))


# ---------------------------------------------------------------- audit


class AuditLog:
    """Append-only JSON lines: who did what, when. Safe across processes (flock)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_audit_path()

    def append(self, user: str | None, role: str | None, action: str, detail=None,
               now: dt.datetime | None = None) -> dict:
        """Write one line; ``detail`` is a string or a JSON-able mapping."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"audit action must be one of {', '.join(AUDIT_ACTIONS)}")
        record = {"time": _iso(_utc(now)), "user": user, "role": role, "action": action,
                  "detail": detail}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return record

    def read(self) -> list[dict]:
        """Every record, oldest first (an unreadable line is skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out
