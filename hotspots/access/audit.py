"""The audit log: JSON lines (``time`` UTC, ``user``, ``role``, ``action``, ``detail``) at
``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``, safe across processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
from pathlib import Path

from hotspots.access.accounts import iso_time, utc
from hotspots.store.location import default_dir

AUDIT_ENV = "HOTSPOTS_AUDIT_LOG"
AUDIT_FILE = "audit.log.jsonl"

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


def default_audit_path(store_root: Path | None = None) -> Path:
    """``$HOTSPOTS_AUDIT_LOG`` or ``<store folder>/audit.log.jsonl``."""
    env = os.environ.get(AUDIT_ENV)
    if env:
        return Path(env).expanduser()
    if store_root is None:
        store_root = default_dir()
    return Path(store_root) / AUDIT_FILE


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
            "time": iso_time(utc(now)),
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
