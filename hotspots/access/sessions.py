"""Signed-in sessions: signed browsers hold a signed cookie naming a server-side session
in ``<accounts>.sessions.json``, signed with the key in ``<accounts>.secret`` (both mode
0600); logging out deletes the session, so a copied cookie stops working too."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from hotspots.access.accounts import (
    DEFAULT_SETTINGS,
    AccountsError,
    AccountSettings,
    file_lock,
    iso_time,
    parse_time,
    secret_path,
    sessions_path,
    utc,
    write_private,
)
from hotspots.errors import N_

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
            N_(
                "{file} is too short to be the session key; delete it (every "
                "browser then signs in again)"
            ),
            {"file": file},
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
        sid: e for sid, e in table.items() if isinstance(e, dict) and parse_time(e["expires"]) > now
    }
    write_private(sessions_path(path), json.dumps(live, indent=1, sort_keys=True))


def start_session(
    path: Path,
    user: str,
    method: str,
    now: dt.datetime | None = None,
    settings: AccountSettings = DEFAULT_SETTINGS,
) -> tuple[Session, str]:
    """Record a sign-in; returns the session and a one-time token (valid for two
    minutes) that :func:`redeem_token` exchanges for the browser's cookie."""
    path = Path(path).expanduser()
    now = utc(now)
    session_secret(path)  # made now, so that a missing key is found at sign-in
    sid = secrets.token_urlsafe(24)
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.session_hours)
    with file_lock(path):
        table = _read_sessions(path)
        table[sid] = {
            "user": user,
            "method": method,
            "created": iso_time(now),
            "expires": iso_time(expires),
            "token": _hash_token(token),
            "token_expires": iso_time(now + dt.timedelta(seconds=_TOKEN_SECONDS)),
        }
        _write_sessions(path, table, now)
    return Session(sid, user, method, parse_time(iso_time(expires))), token


def cookie_value(path: Path, session: Session) -> str:
    """The cookie naming ``session``: ``v1.<sid>.<expiry>.<HMAC-SHA256>``."""
    body = f"v1.{session.sid}.{int(session.expires.timestamp())}"
    return f"{body}.{_sign(session_secret(path), body)}"


def redeem_token(
    path: Path, token: str, now: dt.datetime | None = None
) -> tuple[Session, str] | None:
    """The session and its cookie for a one-time token (used up here), or ``None``."""
    path = Path(path).expanduser()
    now = utc(now)
    if not token or len(token) > 200:
        return None
    wanted = _hash_token(token)
    with file_lock(path):
        table = _read_sessions(path)
        for sid, e in table.items():
            if e.get("token") and hmac.compare_digest(e["token"], wanted):
                fresh = parse_time(e["token_expires"]) > now
                e.pop("token", None)
                e.pop("token_expires", None)
                _write_sessions(path, table, now)
                if not fresh or parse_time(e["expires"]) <= now:
                    return None
                session = Session(sid, e["user"], e["method"], parse_time(e["expires"]))
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
    now = utc(now)
    try:
        if int(parts[2]) <= now.timestamp():
            return None
    except ValueError:
        return None
    e = _read_sessions(path).get(parts[1])
    if not isinstance(e, dict) or parse_time(e["expires"]) <= now:
        return None
    return Session(parts[1], e["user"], e["method"], parse_time(e["expires"]))


def session_live(path: Path, sid: str | None, now: dt.datetime | None = None) -> bool:
    """Whether the server-side session ``sid`` exists and has not expired."""
    if not sid:
        return False
    e = _read_sessions(Path(path).expanduser()).get(sid)
    return isinstance(e, dict) and parse_time(e["expires"]) > utc(now)


def end_session(path: Path, sid: str | None, now: dt.datetime | None = None) -> bool:
    """Delete a session (logging out): its cookie is refused from now on."""
    if not sid:
        return False
    path = Path(path).expanduser()
    with file_lock(path):
        table = _read_sessions(path)
        found = table.pop(sid, None) is not None
        if found or sessions_path(path).exists():
            _write_sessions(path, table, utc(now))
    return found


def end_user_sessions(path: Path, user: str, now: dt.datetime | None = None) -> int:
    """Delete every session of ``user`` (e.g. when removed); returns how many."""
    path = Path(path).expanduser()
    with file_lock(path):
        table = _read_sessions(path)
        gone = [sid for sid, e in table.items() if e.get("user") == user]
        for sid in gone:
            del table[sid]
        if gone:
            _write_sessions(path, table, utc(now))
    return len(gone)
