"""Login with lockout: a password checked against the accounts file, failed logins
counted in ``<accounts>.lockout.json`` beside it, per (name, client address), per address
and per name (see :class:`~hotspots.access.accounts.AccountSettings`)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from pathlib import Path

import bcrypt

from hotspots.access.accounts import (
    DEFAULT_SETTINGS,
    MAX_PASSWORD_BYTES,
    ROLES,
    AccountsError,
    AccountSettings,
    LoginError,
    Role,
    file_lock,
    iso_time,
    load_accounts,
    lockout_path,
    parse_time,
    utc,
    write_private,
)
from hotspots.errors import N_


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
            raise AccountsError(N_("an argon2 password hash needs argon2-cffi")) from exc
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
        until = parse_time(entry["locked_until"])
        if until > now:
            return until
    return None


def lockout_state(
    path: Path,
    name: str,
    now: dt.datetime | None = None,
    settings: AccountSettings = DEFAULT_SETTINGS,
    address: str | None = None,
) -> dt.datetime | None:
    """When ``name`` is locked (for ``address``, or with no address: from anywhere at
    all, or from some address), the time the lock ends; else ``None``."""
    now = utc(now)
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
    settings: AccountSettings = DEFAULT_SETTINGS,
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
    now = utc(now)
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
    with file_lock(path):
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
    with file_lock(path):
        state = _read_lockout(path)  # again: other logins may have counted meanwhile
        if ok:
            state["pair"].pop(keys["pair"], None)
        else:
            for scope, k in keys.items():
                entry = state[scope].get(k) or {}
                if entry.get("locked_until") or (
                    entry.get("last") and now - parse_time(entry["last"]) > window
                ):
                    entry = {}  # an expired lock, or an old run of failures
                failures = int(entry.get("failures", 0)) + 1
                entry = {"failures": failures, "last": iso_time(now)}
                if failures >= limits[scope]:
                    entry["locked_until"] = iso_time(now + window)
                    until = max(until or now, now + window)
                state[scope][k] = entry
        state = {scope: _prune(state[scope], now, window) for scope in _SCOPES}
        write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))
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
        if (v.get("locked_until") and parse_time(v["locked_until"]) > now)
        or (v.get("last") and now - parse_time(v["last"]) <= window)
    }
    if len(live) > keep:
        live = dict(sorted(live.items(), key=lambda kv: kv[1].get("last", ""))[-keep:])
    return live


def unlock(path: Path, name: str, address: str | None = None) -> None:
    """Clear the failure counts and locks of ``name`` (every address's, and its own) or,
    with ``address``, of that address too."""
    path = Path(path).expanduser()
    with file_lock(path):
        state = _read_lockout(path)
        prefix = _key(name) + "|"
        state["pair"] = {k: v for k, v in state["pair"].items() if not k.startswith(prefix)}
        state["name"].pop(_key(name), None)
        if address is not None:
            state["address"].pop(_address(address), None)
        write_private(lockout_path(path), json.dumps(state, indent=1, sort_keys=True))
