"""The dashboard's own HTTP layer around Streamlit: the sign-in cookie and the guard on
served files.

``serve.py`` builds ``st.App("app.py", routes=routes(), middleware=middleware())``; this
module holds what that needs and what the gate (``dashboard.auth``) shares with it:

- ``POST /api/auth/cookie`` exchanges the one-time token the gate hands to a browser that
  has just signed in for the session cookie (``HttpOnly``, ``SameSite=Strict``,
  ``Secure`` over https); ``POST /api/auth/logout`` ends the session its cookie names and
  clears the cookie.
- :class:`MediaGuard` serves ``/media/...`` (downloads, images) only to the browser that
  made them, while its tab is open and it is signed in, and writes every file it serves
  (or refuses) to the audit log.
- :data:`BINDINGS` ties each Streamlit session to the connection that signed in and to
  its server-side sign-in, so a replayed session ID (a new connection) gets the login.

See docs/access-control.md.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
import weakref
from dataclasses import dataclass
from http.cookies import SimpleCookie

from hotspots.access.accounts import AccountsError, default_accounts_path, load_accounts
from hotspots.access.audit import AuditLog, default_audit_path
from hotspots.access.sessions import COOKIE_NAME, check_cookie, end_session, redeem_token
from hotspots.i18n import N_, translator

LOG = logging.getLogger(__name__)

COOKIE_PATH = "/api/auth/cookie"
LOGOUT_PATH = "/api/auth/logout"
#: Set to 1 to let open access (no accounts file) serve other machines than this one.
OPEN_ANY_ADDRESS_ENV = "HOTSPOTS_OPEN_ACCESS_ANY_ADDRESS"
#: What a refused download link answers (in English and Welsh: the address has no language).
NOT_YOURS = N_("Not found: this link has expired or is not yours.")
_MEDIA = re.compile(r"(?:^|/)media/([0-9A-Za-z_-]+)(?:\.[0-9A-Za-z]+)?$")

#: True once ``serve.py`` has installed the routes and the guard in this process.
INSTALLED = False


@dataclass
class Binding:
    """A Streamlit session's sign-in: the connection it was made or confirmed on, and
    the server-side session (``None`` under open access)."""

    client: object  # a weak reference to the SessionClient, or None (no server: AppTest)
    auth_sid: str | None
    user: str


#: Streamlit session ID → its sign-in.
BINDINGS: dict[str, Binding] = {}
#: File ID → the Streamlit sessions it was made for (a page's files, and downloads made
#: on demand by a download button given a function).
FILES: dict[str, set[str]] = {}
_LOCK = threading.Lock()


def bind(session_id: str, client, auth_sid: str | None, user: str) -> None:
    """Record that ``session_id`` is signed in on ``client`` (a SessionClient, or None)."""
    ref = weakref.ref(client) if client is not None else None
    with _LOCK:
        BINDINGS[session_id] = Binding(ref, auth_sid, user)
        for sid in [s for s, b in BINDINGS.items() if b.client is not None and b.client() is None]:
            del BINDINGS[sid]  # connections that are gone


def unbind(session_id: str) -> None:
    with _LOCK:
        BINDINGS.pop(session_id, None)


def bound(session_id: str, client) -> Binding | None:
    """The session's sign-in if it was made on this very connection, else ``None``."""
    b = BINDINGS.get(session_id)
    if b is None:
        return None
    if b.client is None:
        return b if client is None else None
    return b if client is not None and b.client() is client else None


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` is this machine (``None``: no network peer at all)."""
    if address is None:
        return True
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address == "localhost"


def open_any_address() -> bool:
    return os.environ.get(OPEN_ANY_ADDRESS_ENV, "").strip() == "1"


# ---------------------------------------------------------------- routes


def _secure(request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or proto == "https"


def _same_origin(request) -> bool:
    """A browser's POST from one of our own pages (its Origin names our host)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and origin.split("://", 1)[-1] == host


async def _cookie_endpoint(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    if not _same_origin(request):
        return Response("cross-origin request refused", status_code=403)
    form = await request.form()
    token = str(form.get("token") or "")
    try:
        found = await run_in_threadpool(redeem_token, default_accounts_path(), token)
    except AccountsError:
        LOG.exception("cannot give a session cookie")
        found = None
    if found is None:
        return Response("unknown or expired token", status_code=403)
    session, value = found
    response = Response(status_code=204)
    max_age = max(1, int(session.expires.timestamp() - _now()))
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _logout_endpoint(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    if not _same_origin(request):
        return Response("cross-origin request refused", status_code=403)
    path = default_accounts_path()
    try:
        session = await run_in_threadpool(check_cookie, path, request.cookies.get(COOKIE_NAME))
    except AccountsError:
        session = None
    if session is not None:
        await run_in_threadpool(end_session, path, session.sid)
    response = Response(status_code=204)
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _now() -> float:
    import time

    return time.time()


def routes() -> list:
    """The sign-in routes for ``st.App(..., routes=routes())``."""
    from starlette.routing import Route

    return [
        Route(COOKIE_PATH, _cookie_endpoint, methods=["POST"]),
        Route(LOGOUT_PATH, _logout_endpoint, methods=["POST"]),
    ]


def middleware() -> list:
    """The file guard for ``st.App(..., middleware=middleware())``."""
    from starlette.middleware import Middleware

    return [Middleware(MediaGuard)]


# ---------------------------------------------------------------- the file guard


def _runtime():
    """The running server's Runtime (``None`` without one; AppTest's stand-in is none)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return runtime if type(runtime) is Runtime else None


def _remember(url: str, session_id: str | None) -> None:
    match = _MEDIA.search(url.split("?")[0])
    if match and session_id:
        with _LOCK:
            FILES.setdefault(match.group(1), set()).add(session_id)
            if len(FILES) > 20_000:  # the oldest first
                for key in list(FILES)[:2_000]:
                    del FILES[key]


def _install_media_hooks(runtime) -> None:
    """Remember which session each served file was made for. Streamlit itself forgets
    it while a page reruns, and never records it for downloads made on demand."""
    from streamlit.runtime import media_file_manager as mfm

    mgr = runtime.media_file_mgr
    if getattr(mgr, "_hotspots_hooked", False):
        return
    add, execute_deferred = mgr.add, mgr.execute_deferred

    def add_hooked(*args, **kwargs):
        url = add(*args, **kwargs)
        _remember(url, mfm._get_session_id())
        return url

    def execute_deferred_hooked(file_id: str) -> str:
        with mgr._lock:
            entry = mgr._deferred_callables.get(file_id)
        url = execute_deferred(file_id)
        _remember(url, entry["session_id"] if entry is not None else None)
        return url

    mgr.add, mgr.execute_deferred = add_hooked, execute_deferred_hooked
    mgr._hotspots_hooked = True


def _sessions_holding(runtime, file_id: str) -> set[str]:
    """The Streamlit sessions that ``file_id`` was made for."""
    mgr = runtime.media_file_mgr
    with mgr._lock:
        holders = {
            sid
            for sid, by_coord in mgr._files_by_session_and_coord.items()
            if file_id in by_coord.values()
        }
    with _LOCK:
        holders |= FILES.get(file_id, set())
    return holders


def _peer(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def _cookie(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no cookie
                return None
            if COOKIE_NAME in jar:
                return jar[COOKIE_NAME].value
    return None


def media_decision(
    file_id: str, cookie: str | None, peer: str | None
) -> tuple[bool, str | None, str | None, str]:
    """Whether to serve ``/media/<file_id>`` to a request with ``cookie`` from ``peer``:
    ``(allowed, user, role, reason)``."""
    runtime = _runtime()
    if runtime is None:
        return False, None, None, "no server"
    path = default_accounts_path()
    holders = {
        s for s in _sessions_holding(runtime, file_id) if runtime.get_client(s) is not None
    }  # tabs still open
    if not path.exists():
        if not is_loopback(peer) and not open_any_address():
            return False, None, None, "open access serves this machine only"
        if not holders:
            return False, "open access", "analyst", "no open tab holds this file"
        return True, "open access", "analyst", "open access"
    try:
        session = check_cookie(path, cookie)
    except AccountsError as exc:
        return False, None, None, str(exc)
    if session is None:
        return False, None, None, "not signed in (no valid session cookie)"
    try:
        account = load_accounts(path).users.get(session.user)
    except Exception:  # an unreadable accounts file closes everything
        return False, session.user, None, "the accounts file cannot be read"
    role = account.role if account is not None else None
    if session.method == "password" and account is None:
        return False, session.user, None, "the user no longer exists"
    with _LOCK:
        mine = [
            s for s in holders if (b := BINDINGS.get(s)) is not None and b.auth_sid == session.sid
        ]
    if not mine:
        return False, session.user, role, "no open tab of this sign-in holds this file"
    return True, session.user, role, "signed in"


class MediaGuard:
    """ASGI middleware: ``/media/...`` only for the signed-in browser whose open tab made
    the file; every served or refused file is an audit line."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        match = _MEDIA.search(scope.get("path", ""))
        if match is None:
            return await self.app(scope, receive, send)
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        runtime = _runtime()
        if runtime is not None:
            _install_media_hooks(runtime)
        file_id = match.group(1)
        allowed, user, role, reason = await run_in_threadpool(
            media_decision, file_id, _cookie(scope), _peer(scope)
        )
        detail = {"file": file_id, "path": scope.get("path"), "address": _peer(scope)}
        if not allowed:
            detail["reason"] = reason
            await run_in_threadpool(_audit, user, role, "refused", detail)
            return await Response(
                NOT_YOURS + "\n" + translator("cy")(NOT_YOURS),  # English and Welsh
                status_code=404,
                media_type="text/plain; charset=utf-8",
            )(scope, receive, send)
        status = {}

        async def send_status(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                filename = _filename(runtime, file_id)
                if filename:
                    detail["name"] = filename
                detail["status"] = message["status"]
                await run_in_threadpool(_audit, user, role, "serve", detail)
            await send(message)

        await self.app(scope, receive, send_status)


def _filename(runtime, file_id: str) -> str | None:
    try:
        file = runtime.media_file_mgr.read_file(file_id)
    except Exception:  # another storage: no name to add
        return None
    return getattr(file, "filename", None) if file is not None else None


def _audit(user, role, action, detail) -> None:
    try:
        AuditLog(default_audit_path()).append(user, role, action, detail)
    except OSError:
        LOG.exception("cannot write the audit log")


_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class RedactSessionIds(logging.Filter):
    """Streamlit writes session IDs to its log (e.g. on a reconnection); keep them out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                _SESSION_ID.sub("<session id>", a) if isinstance(a, str) else a for a in args
            )
        if isinstance(record.msg, str):
            record.msg = _SESSION_ID.sub("<session id>", record.msg)
        return True


#: Streamlit's loggers that name sessions.
SESSION_LOGGERS = (
    "streamlit.runtime.websocket_session_manager",
    "streamlit.runtime.runtime",
    "streamlit.runtime.app_session",
    "streamlit.runtime.media_file_manager",
)


def install() -> None:
    """Mark the routes and the guard as installed and keep session IDs out of the log
    (``serve.py`` calls this)."""
    global INSTALLED
    INSTALLED = True
    for name in SESSION_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSessionIds) for f in logger.filters):
            logger.addFilter(RedactSessionIds())


def listen_problem(address: str | None, accounts_exist: bool, override: bool) -> str | None:
    """Why the server must not listen on ``address`` (``None``: it may).

    Open access (no accounts file) is for this machine only: any address other than a
    loopback one needs accounts, or ``HOTSPOTS_OPEN_ACCESS_ANY_ADDRESS=1``.
    """
    if accounts_exist or override:
        return None
    if address and is_loopback(address):
        return None
    shown = address or "every interface (server.address not set)"
    return (
        f"open access (no accounts file at {default_accounts_path()}) listens on "
        f"127.0.0.1 only, not on {shown}. Add accounts (python -m hotspots user add "
        f"NAME --role analyst), or listen on 127.0.0.1, or set "
        f"{OPEN_ANY_ADDRESS_ENV}=1 to serve everyone who can reach this machine as an "
        "analyst."
    )


def check_listen_address() -> None:
    """Stop the server (exit 2) when open access would listen beyond this machine; warn
    when ``HOTSPOTS_OPEN_ACCESS_ANY_ADDRESS=1`` allows it."""
    import sys

    from streamlit import config

    address = config.get_option("server.address")
    exists = default_accounts_path().exists()
    problem = listen_problem(address, exists, open_any_address())
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        raise SystemExit(2)
    if not exists and not is_loopback(address or "0.0.0.0"):
        print(
            f"WARNING: open access on {address or 'every interface'}: anyone who can "
            f"reach this machine is an analyst ({OPEN_ANY_ADDRESS_ENV}=1).",
            file=sys.stderr,
        )


def install_hooks(runtime) -> None:
    """What the guard needs from the running server (the gate calls this every run)."""
    _install_media_hooks(runtime)
