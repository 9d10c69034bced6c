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
atomically). Failed logins are counted in ``<accounts>.lockout.json`` beside it, per
(name, client address), per address and per name (see :class:`AccountSettings`).

Signed-in browsers hold a signed cookie naming a server-side session in
``<accounts>.sessions.json``, signed with the key in ``<accounts>.secret`` (both mode 0600);
logging out deletes the session, so a copied cookie stops working too.

The audit log is JSON lines (``time`` UTC, ``user``, ``role``, ``action``, ``detail``) at
``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

from hotspots.store.files import atomic_write
from hotspots.store.location import default_dir

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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
    "partner": Role(
        "partner", "partner", exact_counts=False, upload=False, publish=False, download=True, rank=1
    ),
    "analyst": Role(
        "analyst", "analyst", exact_counts=True, upload=True, publish=True, download=True, rank=2
    ),
}

#: Actions written to the audit log: ``download`` is a download button pressed,
#: ``serve`` a file the server sent (by click or by link), ``load``/``load_failed`` a
#: command-line load, ``upload_failed`` an upload that stored nothing, ``refused`` a file
#: or page asked for without a valid sign-in.
AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "upload",
    "upload_failed",
    "download",
    "serve",
    "refused",
    "publish",
    "load",
    "load_failed",
)

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
            f"the accounts file {resolved} is inside the project folder {PROJECT_ROOT}, "
            f"where it could be committed; keep it outside, e.g. {DEFAULT_ACCOUNTS} "
            f"(set {ACCOUNTS_ENV})"
        )
    return resolved


def default_audit_path(store_root: Path | None = None) -> Path:
    """``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``."""
    env = os.environ.get(AUDIT_ENV)
    if env:
        return Path(env).expanduser()
    if store_root is None:
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
        raise AccountsError(
            f"{path}: unknown section(s) {sorted(unknown)}; expected [users.NAME] and [oidc]"
        )
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
            raise AccountsError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
        pw_hash = entry.get("password_hash")
        if not isinstance(pw_hash, str) or not pw_hash.startswith(
            ("$2a$", "$2b$", "$2y$", "$argon2")
        ):
            raise AccountsError(
                f"{where}: password_hash must be a bcrypt or argon2 hash "
                "(make one with: python -m hotspots user add)"
            )
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
            raise AccountsError(
                f"{path}: [oidc] roles: {email!r} = {role!r}; expected "
                f'"name@organisation" = one of {", ".join(ROLES)}'
            )
        out[email.strip().lower()] = role
    default = section.get("default_role")
    if default is not None and default not in ROLES:
        raise AccountsError(
            f"{path}: [oidc] default_role must be one of {', '.join(ROLES)}, not {default!r}"
        )
    provider = section.get("provider")
    if provider is not None and (not isinstance(provider, str) or "_" in provider or not provider):
        raise AccountsError(
            f"{path}: [oidc] provider must be the name of an "
            "[auth.NAME] section in secrets.toml (no underscores)"
        )
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
    atomic_write(path, text.encode("utf-8"), mode=0o600)


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
    """Remove a user (their sessions end: their cookies are refused, and open pages
    show the login at their next run)."""
    path = Path(path).expanduser()
    check_outside_project(path)
    with _locked(path):
        data = _read_toml(path)
        users = dict(data.get("users", {}))
        if name not in users:
            raise ValueError(f"no user {name!r} in {path}")
        del users[name]
        _write_private(path, dump_accounts({**data, "users": users}))
    if sessions_path(path).exists():
        end_user_sessions(path, name)


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
        return (
            bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES], pw_hash.encode("ascii"))
            and len(raw) <= MAX_PASSWORD_BYTES
        )
    except ValueError:
        return False


#: The three failure counters of ``<accounts>.lockout.json``.
_SCOPES = ("pair", "address", "name")


def _read_lockout(path: Path) -> dict:
    try:
        state = json.loads(lockout_path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        state = {}
    if not isinstance(state, dict):
        state = {}
    return {
        scope: dict(state.get(scope) or {}) if isinstance(state.get(scope), dict) else {}
        for scope in _SCOPES
    }


def _key(name: str) -> str:
    return name.strip().lower()[:64]


def _address(address: str | None) -> str:
    return (address or "-").strip()[:64] or "-"


def _keys(name: str, address: str | None) -> dict[str, str]:
    """The counter of each scope that a login of ``name`` from ``address`` counts in."""
    return {
        "pair": f"{_key(name)}|{_address(address)}",
        "address": _address(address),
        "name": _key(name),
    }


def _limits(settings: AccountSettings) -> dict[str, int]:
    return {
        "pair": settings.max_failures,
        "address": settings.address_max_failures,
        "name": settings.name_max_failures,
    }


def _lock_end(entry: Mapping | None, now: dt.datetime) -> dt.datetime | None:
    if entry and entry.get("locked_until"):
        until = _parse_time(entry["locked_until"])
        if until > now:
            return until
    return None


def lockout_state(
    path: Path,
    name: str,
    now: dt.datetime | None = None,
    settings: AccountSettings = AccountSettings(),
    address: str | None = None,
) -> dt.datetime | None:
    """When ``name`` is locked (for ``address``, or with no address: from anywhere at
    all, or from some address), the time the lock ends; else ``None``."""
    now = _utc(now)
    state = _read_lockout(path)
    if address is not None:
        ends = [_lock_end(state[scope].get(k), now) for scope, k in _keys(name, address).items()]
    else:
        prefix = _key(name) + "|"
        ends = [_lock_end(state["name"].get(_key(name)), now)]
        ends += [_lock_end(v, now) for k, v in state["pair"].items() if k.startswith(prefix)]
    ends = [e for e in ends if e is not None]
    return max(ends) if ends else None


def verify(
    path: Path,
    name: str,
    password: str,
    now: dt.datetime | None = None,
    settings: AccountSettings = AccountSettings(),
    address: str | None = None,
) -> Role:
    """Check a login; returns the user's :class:`Role` or raises :class:`LoginError`.

    Every attempt costs one password hash check, known name or not, so a refusal does
    not tell whether the name exists. Failures are counted (known names or not) in
    ``<accounts>.lockout.json`` per (name, ``address``), per address and per name; a
    counter that reaches its limit (:class:`AccountSettings`) locks for
    ``settings.lockout_minutes``, during which even the right password is refused. A
    success clears the (name, address) count.

    The file lock is held only to read and to update the counters, never during the slow
    hash check, so concurrent logins do not queue behind each other.
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
    keys, limits = _keys(name, address), _limits(settings)
    with _locked(path):
        state = _read_lockout(path)
    locked = [_lock_end(state[scope].get(k), now) for scope, k in keys.items()]
    locked = [u for u in locked if u is not None]
    if locked:
        _check_password(password, _dummy_hash(cost).decode())
        until = max(locked)
        raise LoginError("locked", _locked_message(until, now), until)
    if account is not None:
        ok = _check_password(password, account.password_hash)
    else:
        _check_password(password, _dummy_hash(cost).decode())
        ok = False
    until = None
    with _locked(path):
        state = _read_lockout(path)  # again: other logins may have counted meanwhile
        if ok:
            state["pair"].pop(keys["pair"], None)
        else:
            for scope, k in keys.items():
                entry = state[scope].get(k) or {}
                if entry.get("locked_until") or (
                    entry.get("last") and now - _parse_time(entry["last"]) > window
                ):
                    entry = {}  # an expired lock, or an old run of failures
                failures = int(entry.get("failures", 0)) + 1
                entry = {"failures": failures, "last": _iso(now)}
                if failures >= limits[scope]:
                    entry["locked_until"] = _iso(now + window)
                    until = max(until or now, now + window)
                state[scope][k] = entry
        state = {scope: _prune(state[scope], now, window) for scope in _SCOPES}
        _write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))
    if not ok:
        if until is not None:
            raise LoginError("locked", _locked_message(until, now), until)
        raise LoginError("invalid", "Wrong user name or password.")
    return ROLES[account.role]


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (
        f"Too many failed attempts: this account is locked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''}. Try again later or ask an analyst."
    )


def _prune(state: dict, now: dt.datetime, window: dt.timedelta, keep: int = 10_000) -> dict:
    """Drop expired entries (and the oldest beyond ``keep``) so the file stays small."""
    live = {
        k: v
        for k, v in state.items()
        if (v.get("locked_until") and _parse_time(v["locked_until"]) > now)
        or (v.get("last") and now - _parse_time(v["last"]) <= window)
    }
    if len(live) > keep:
        live = dict(sorted(live.items(), key=lambda kv: kv[1].get("last", ""))[-keep:])
    return live


def unlock(path: Path, name: str, address: str | None = None) -> None:
    """Clear the failure counts and locks of ``name`` (every address's, and its own) or,
    with ``address``, of that address too."""
    path = Path(path).expanduser()
    with _locked(path):
        state = _read_lockout(path)
        prefix = _key(name) + "|"
        state["pair"] = {k: v for k, v in state["pair"].items() if not k.startswith(prefix)}
        state["name"].pop(_key(name), None)
        if address is not None:
            state["address"].pop(_address(address), None)
        _write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))


# ---------------------------------------------------------------- signed-in sessions

COOKIE_NAME = "hotspots_session"
_TOKEN_SECONDS = 120


@dataclass(frozen=True)
class Session:
    """A signed-in browser: ``sid`` is the server-side session, ``user`` and ``method``
    who signed in and how, ``expires`` when it ends."""

    sid: str
    user: str
    method: str
    expires: dt.datetime


def session_secret(path: Path) -> bytes:
    """The server's signing key, ``<accounts>.secret`` (made on first use, mode 0600)."""
    file = secret_path(Path(path).expanduser())
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        # Written whole to a temporary file, then linked into place: a crash leaves no
        # half-written key, and of two processes starting at once the first one wins.
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = file.with_name(f"{file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        raw = file.read_bytes()
    if len(raw) < 32:
        raise AccountsError(
            f"{file} is too short to be the session key; delete it (every "
            "browser then signs in again)"
        )
    return raw


def _sign(secret: bytes, text: str) -> str:
    mac = hmac.new(secret, text.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _read_sessions(path: Path) -> dict:
    try:
        data = json.loads(sessions_path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_sessions(path: Path, table: dict, now: dt.datetime) -> None:
    live = {
        sid: e
        for sid, e in table.items()
        if isinstance(e, dict) and _parse_time(e["expires"]) > now
    }
    _write_private(sessions_path(path), json.dumps(live, indent=1, sort_keys=True))


def start_session(
    path: Path,
    user: str,
    method: str,
    now: dt.datetime | None = None,
    settings: AccountSettings = AccountSettings(),
) -> tuple[Session, str]:
    """Record a sign-in; returns the session and a one-time token (valid for two
    minutes) that :func:`redeem_token` exchanges for the browser's cookie."""
    path = Path(path).expanduser()
    now = _utc(now)
    session_secret(path)  # made now, so that a missing key is found at sign-in
    sid = secrets.token_urlsafe(24)
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.session_hours)
    with _locked(path):
        table = _read_sessions(path)
        table[sid] = {
            "user": user,
            "method": method,
            "created": _iso(now),
            "expires": _iso(expires),
            "token": _hash_token(token),
            "token_expires": _iso(now + dt.timedelta(seconds=_TOKEN_SECONDS)),
        }
        _write_sessions(path, table, now)
    return Session(sid, user, method, _parse_time(_iso(expires))), token


def cookie_value(path: Path, session: Session) -> str:
    """The cookie naming ``session``: ``v1.<sid>.<expiry>.<HMAC-SHA256>``."""
    body = f"v1.{session.sid}.{int(session.expires.timestamp())}"
    return f"{body}.{_sign(session_secret(path), body)}"


def redeem_token(
    path: Path, token: str, now: dt.datetime | None = None
) -> tuple[Session, str] | None:
    """The session and its cookie for a one-time token (used up here), or ``None``."""
    path = Path(path).expanduser()
    now = _utc(now)
    if not token or len(token) > 200:
        return None
    wanted = _hash_token(token)
    with _locked(path):
        table = _read_sessions(path)
        for sid, e in table.items():
            if e.get("token") and hmac.compare_digest(e["token"], wanted):
                fresh = _parse_time(e["token_expires"]) > now
                e.pop("token", None)
                e.pop("token_expires", None)
                _write_sessions(path, table, now)
                if not fresh or _parse_time(e["expires"]) <= now:
                    return None
                session = Session(sid, e["user"], e["method"], _parse_time(e["expires"]))
                return session, cookie_value(path, session)
    return None


def check_cookie(path: Path, value: str | None, now: dt.datetime | None = None) -> Session | None:
    """The live session a cookie names, or ``None`` (bad signature, expired, or the
    session was ended by logging out)."""
    if not value or len(value) > 300:
        return None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != "v1":
        return None
    path = Path(path).expanduser()
    if not secret_path(path).exists():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(session_secret(path), body), parts[3]):
        return None
    now = _utc(now)
    try:
        if int(parts[2]) <= now.timestamp():
            return None
    except ValueError:
        return None
    e = _read_sessions(path).get(parts[1])
    if not isinstance(e, dict) or _parse_time(e["expires"]) <= now:
        return None
    return Session(parts[1], e["user"], e["method"], _parse_time(e["expires"]))


def session_live(path: Path, sid: str | None, now: dt.datetime | None = None) -> bool:
    """Whether the server-side session ``sid`` exists and has not expired."""
    if not sid:
        return False
    e = _read_sessions(Path(path).expanduser()).get(sid)
    return isinstance(e, dict) and _parse_time(e["expires"]) > _utc(now)


def end_session(path: Path, sid: str | None, now: dt.datetime | None = None) -> bool:
    """Delete a session (logging out): its cookie is refused from now on."""
    if not sid:
        return False
    path = Path(path).expanduser()
    with _locked(path):
        table = _read_sessions(path)
        found = table.pop(sid, None) is not None
        if found or sessions_path(path).exists():
            _write_sessions(path, table, _utc(now))
    return found


def end_user_sessions(path: Path, user: str, now: dt.datetime | None = None) -> int:
    """Delete every session of ``user`` (e.g. when removed); returns how many."""
    path = Path(path).expanduser()
    with _locked(path):
        table = _read_sessions(path)
        gone = [sid for sid, e in table.items() if e.get("user") == user]
        for sid in gone:
            del table[sid]
        if gone:
            _write_sessions(path, table, _utc(now))
    return len(gone)


def os_user() -> str:
    """The operating-system user running this process (for command-line audit lines)."""
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (e.g. some containers)
        return f"uid {os.getuid()}"


# ---------------------------------------------------------------- audit


class AuditLog:
    """Append-only JSON lines: who did what, when. Safe across processes (flock)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_audit_path()

    def append(
        self,
        user: str | None,
        role: str | None,
        action: str,
        detail=None,
        now: dt.datetime | None = None,
    ) -> dict:
        """Write one line; ``detail`` is a string or a JSON-able mapping."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"audit action must be one of {', '.join(AUDIT_ACTIONS)}")
        record = {
            "time": _iso(_utc(now)),
            "user": user,
            "role": role,
            "action": action,
            "detail": detail,
        }
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
