"""Who may see the dashboard: the login gate, roles, logout and the audit log.

``app.py`` calls :func:`gate` once per run, before ``st.navigation``. With accounts
configured and nobody signed in, the gate draws only the login form and stops the run, so
no page script runs and no page, table, download or media file is produced. With no
accounts it lets everyone on this machine in as an analyst and says so on every page.

A sign-in holds for the connection it was made on and, through the signed ``HttpOnly``
cookie the browser is then given (``dashboard/web.py``), for reloads and new tabs of
that browser until logout or expiry. A session ID replayed on another connection without
the cookie gets the login form. See docs/access-control.md.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import streamlit as st

from dashboard import statement, web
from dashboard.language import N_, _, current_language, error_text, language_toggle, ngettext
from dashboard.oidc import authlib_installed, oidc_problems, secrets_auth
from dashboard.safe_text import md
from hotspots.access.accounts import (
    ROLES,
    Accounts,
    AccountsError,
    AccountSettings,
    LoginError,
    OidcConfig,
    Role,
    default_accounts_path,
    load_accounts,
)
from hotspots.access.audit import AuditLog, default_audit_path
from hotspots.access.login import verify
from hotspots.access.sessions import (
    COOKIE_NAME,
    check_cookie,
    end_session,
    session_live,
    start_session,
)

LOG = logging.getLogger(__name__)

OPEN_BANNER = N_("Open access: no accounts are configured")
SESSION_KEY = "user"
AUTH_SID_KEY = "_auth_sid"
CLEAR_COOKIE_KEY = "_auth_clear_cookie"
NEEDS_SERVER = N_(
    "The dashboard is closed: with accounts it must be started with "
    "scripts/start.sh (streamlit run serve.py), which ties sign-in to the "
    "browser and guards download links."
)
OPEN_LOCAL_ONLY = N_(
    "The dashboard is closed to other machines: it has no accounts (open "
    "access), so it serves only the computer it runs on. Ask the person "
    "who runs it to add accounts (docs/access-control.md)."
)
#: The roles' names as pages show them.
ROLE_WORDS = {"analyst": N_("analyst"), "partner": N_("partner")}
#: Keys every OIDC provider section of secrets.toml needs (Streamlit's st.login).


@dataclass(frozen=True)
class User:
    """The signed-in person. ``method`` is ``"password"``, ``"oidc"`` or ``"open"``."""

    name: str
    role: str
    method: str

    @property
    def permissions(self) -> Role:
        return ROLES[self.role]

    def can(self, role: str) -> bool:
        """Whether this user may do what ``role`` may."""
        return ROLES[self.role].includes(role)


OPEN_USER = User("open access", "analyst", "open")


# ---------------------------------------------------------------- session and audit


def _connection():
    """This run's Streamlit session ID and its connection (``None`` without a server,
    as under AppTest)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None, None
    runtime = web._runtime()
    client = runtime.get_client(ctx.session_id) if runtime is not None else None
    return ctx.session_id, client


def _peer(client) -> str | None:
    context = getattr(client, "client_context", None)
    return getattr(context, "remote_ip", None) if context is not None else None


def current_user() -> User | None:
    """The signed-in user of this session (the open user when no accounts exist).

    A user counts only on the connection their sign-in was made or confirmed on (the
    gate confirms it from the cookie on every run)."""
    user = st.session_state.get(SESSION_KEY)
    if not default_accounts_path().exists():
        return OPEN_USER
    if isinstance(user, User):
        session_id, client = _connection()
        if (
            session_id is None
            or web._runtime() is None
            or web.bound(session_id, client) is not None
        ):
            return user
    return None


def audit(action: str, detail=None, user: User | None = None) -> None:
    """Write one audit line (who, what, when) for the current user."""
    u = user or current_user()
    AuditLog(default_audit_path()).append(
        u.name if u else None, u.role if u else None, action, detail
    )


def _run_js(script: str) -> None:
    """Run a line of JavaScript in the browser (nothing shown)."""
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def _hand_cookie(token: str) -> None:
    """Have the browser exchange the one-time token for its HttpOnly session cookie."""
    body = json.dumps("token=" + token)
    _run_js(
        f"fetch({json.dumps(web.COOKIE_PATH)}, {{method: 'POST', credentials: "
        f"'same-origin', headers: {{'Content-Type': "
        f"'application/x-www-form-urlencoded'}}, body: {body}}});"
    )


def _drop_cookie() -> None:
    _run_js(
        f"fetch({json.dumps(web.LOGOUT_PATH)}, {{method: 'POST', credentials: 'same-origin'}});"
    )


def on_download(what: str) -> Callable[[], None]:
    """A download button's ``on_click`` that writes the download to the audit log:
    ``st.download_button(..., on_click=auth.on_download("hotspots.csv"))``."""
    return lambda: audit("download", what)


def require_role(role: str) -> User:
    """Stop the page here (with a plain message) unless the user has ``role``."""
    user = current_user()
    if user is None or not user.can(role):
        st.info(
            (
                _("This section is for analysts.")
                if role == "analyst"
                else _("This section is for partners.")
            )
            + (
                " "
                + _("You are signed in as a {role}.").format(
                    role=_(ROLE_WORDS.get(user.role, user.role))
                )
                if user
                else ""
            )
        )
        st.stop()
    return user


# ---------------------------------------------------------------- the gate


def _leave_legacy_pages_mode() -> None:
    """Streamlit runs ``pages/*.py`` directly — without ``app.py``, so without the gate —
    until the first ``st.navigation`` call in the server process (its "pages directory"
    mode, on because the folder is named ``pages``). Switch that mode off and run again,
    so every run starts in ``app.py``."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        _hold_address()  # replaces the page list that mode has already sent
        st.rerun()


def _asked_page() -> str | None:
    """The page this run's address asks for (its URL path), or ``None``."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    pm = ctx.pages_manager
    wanted = pm.intended_page_name
    if not wanted and pm.intended_page_script_hash:  # a page known by its hash
        info = pm.get_pages().get(pm.intended_page_script_hash) or {}
        wanted = info.get("url_pathname")
    return wanted or None


def _hold_address() -> None:
    """Register hidden stand-in pages so that, while the login form shows, the browser
    keeps the address asked for (e.g. ``/data?ward=...``) and no page list is shown; once
    signed in, ``st.navigation`` in app.py opens that page (a page is known by its URL
    path)."""
    wanted = _asked_page() or st.session_state.get("_auth_wanted")
    pages = [st.Page(_blank, title="Sign in", url_path="signin", default=True)]
    if wanted and wanted != "signin" and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", wanted):
        st.session_state["_auth_wanted"] = wanted
        pages.append(st.Page(_blank, title="Sign in", url_path=wanted))
    st.navigation(pages, position="hidden")


def _public_statement() -> None:
    """The accessibility statement for a visitor who is not signed in (it holds no
    data), with a way back to the login and the language toggle."""
    from dashboard import accessibility

    accessibility.page_title("Accessibility")
    statement.draw()
    _link(_("Sign in"), _signin_href())
    language_toggle(key="lang_toggle_statement")


def _link(text: str, href: str) -> None:
    """A plain link in this tab (a markdown link would open a new one)."""
    st.html(f'<p><a href="{html.escape(href)}" target="_self">{html.escape(text)}</a></p>')


def _signin_href() -> str:
    """The login's address from any page (relative, so a base URL path is kept)."""
    return "./" + ("?lang=cy" if current_language() == "cy" else "")


def _blank() -> None:
    """A page that shows nothing (never run)."""


def page_guard() -> User:
    """First thing on every page: make sure the run came through :func:`gate`; stop
    otherwise. (``dashboard.selection.sidebar`` calls it.)"""
    _leave_legacy_pages_mode()
    user = current_user()
    if user is None:
        st.stop()
    return user


def gate(settings: AccountSettings | None = None) -> User:
    """Return the signed-in user, or draw only the login form and stop the run.

    Call once per run in ``app.py`` before ``st.navigation(...)``. With no accounts file
    at ``$HOTSPOTS_ACCOUNTS`` (or the default path) everyone on this machine is an
    analyst and every page says so (other machines are refused unless
    ``HOTSPOTS_OPEN_ACCESS_ANY_ADDRESS=1``). An accounts file that cannot be read, or
    holds nobody, closes the dashboard.
    """
    _leave_legacy_pages_mode()
    path = default_accounts_path()
    session_id, client = _connection()
    runtime = web._runtime()
    if runtime is not None:
        web.install_hooks(runtime)
    try:
        if not path.exists():
            if not web.is_loopback(_peer(client)) and not web.open_any_address():
                st.error(_(OPEN_LOCAL_ONLY))
                st.stop()
            st.session_state[SESSION_KEY] = OPEN_USER
            if session_id is not None:
                web.bind(session_id, client, None, OPEN_USER.name)
            st.badge(_(OPEN_BANNER), icon=":material/lock_open:", color="orange")
            return OPEN_USER
        accounts = load_accounts(path)
        if not accounts.configured:
            raise AccountsError(
                N_(
                    "{path} has no users and no [oidc] section; add a user "
                    "with: python -m hotspots user add NAME --role analyst"
                ),
                {"path": path},
            )
    except AccountsError as exc:
        st.error(
            _("**The dashboard is closed** until its accounts file is fixed: {problem}").format(
                problem=md(error_text(exc))
            )
        )
        st.stop()
    if client is not None and not web.INSTALLED:
        st.error(_(NEEDS_SERVER))
        st.stop()

    try:
        user = _still_valid(_signed_in(path, session_id, client), accounts)
    except AccountsError as exc:
        st.error(
            _("**The dashboard is closed** until its session files are fixed: {problem}").format(
                problem=md(error_text(exc))
            )
        )
        st.stop()
    auth = secrets_auth() if accounts.oidc.enabled else None
    oidc_ready = accounts.oidc.enabled and not oidc_problems(
        auth, accounts.oidc, authlib_installed()
    )
    if user is None and oidc_ready:
        user = _oidc_user(accounts.oidc)
        if user is not None:
            _sign_in(path, session_id, client, user, settings)
    if user is None:
        _sign_out_here(session_id)
        _hold_address()
        if _asked_page() == statement.URL_PATH:  # the statement is open to everyone
            _public_statement()
            st.stop()
        holder = st.empty()
        with holder.container():
            user = _login_page(accounts, settings, auth, oidc_ready, _peer(client))
        if user is None:
            if st.session_state.pop(CLEAR_COOKIE_KEY, False):
                _drop_cookie()
            st.stop()
        # Signed in: clear the form and go on to the page asked for, in this same run
        # (a rerun would lose the page address).
        holder.empty()
        _sign_in(path, session_id, client, user, settings)
    st.session_state[SESSION_KEY] = user
    _sidebar(user, path, session_id)
    return user


def _signed_in(path, session_id: str | None, client) -> User | None:
    """The user this run may act as: the session's user if signed in on this very
    connection (and that sign-in is still live), else the user the browser's session
    cookie names (a reload, a new tab, a reconnection), else ``None``."""
    user = st.session_state.get(SESSION_KEY)
    sid = st.session_state.get(AUTH_SID_KEY)
    if session_id is None or web._runtime() is None:
        # No server (AppTest): no connection to bind to, so the session's own state.
        return user if isinstance(user, User) and user.method != "open" else None
    cookie = check_cookie(path, st.context.cookies.get(COOKIE_NAME))
    binding = web.bound(session_id, client)
    if (
        isinstance(user, User)
        and user.method != "open"
        and binding is not None
        and binding.auth_sid == sid
        and sid is not None
    ):
        if cookie is not None and cookie.sid == sid:
            return user
        if session_live(path, sid):
            return user
        return None  # logged out elsewhere (the session was ended)
    if isinstance(user, User) and user.method != "open" and (cookie is None or cookie.sid != sid):
        # Another connection on this session without this sign-in's cookie (a replayed
        # session ID, or another sign-in): it inherits nothing of the session.
        st.session_state.clear()
    if cookie is None:
        return None
    found = User(cookie.user, "partner", cookie.method)  # the role comes from the file
    st.session_state[AUTH_SID_KEY] = cookie.sid
    web.bind(session_id, client, cookie.sid, cookie.user)
    return found


def _sign_in(
    path, session_id: str | None, client, user: User, settings: AccountSettings | None
) -> None:
    """Start the server-side session of a new sign-in, bind it to this connection and
    hand the browser its cookie."""
    session, token = start_session(
        path, user.name, user.method, settings=settings or AccountSettings()
    )
    st.session_state[AUTH_SID_KEY] = session.sid
    if session_id is not None:
        web.bind(session_id, client, session.sid, user.name)
        with st.sidebar:
            _hand_cookie(token)


def _sign_out_here(session_id: str | None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(AUTH_SID_KEY, None)
    if session_id is not None:
        web.unbind(session_id)


def _still_valid(user: User | None, accounts: Accounts) -> User | None:
    """The session's user re-checked against the accounts file (removed → signed out,
    role changed → new role)."""
    if user is None or user.method == "open":
        return None
    if user.method == "password":
        account = accounts.users.get(user.name)
        if account is None:
            return None
        return user if account.role == user.role else replace(user, role=account.role)
    role = accounts.oidc.role_for(user.name)
    if role is None:
        return None
    return user if role == user.role else replace(user, role=role)


def _oidc_user(oidc: OidcConfig) -> User | None:
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    role = oidc.role_for(email) if st.user.get("email_verified", True) is not False else None
    if role is None:
        st.title(_("Serious violence hotspots"))
        st.error(
            _("{who} has no access to this dashboard. Ask an analyst to add you.").format(
                who=md(email) or _("Your account")
            )
        )
        if st.button(_("Sign out")):
            st.logout()
        st.stop()
    user = User(str(email).lower(), role, "oidc")
    audit("login", {"method": "oidc"}, user)
    return user


def _login_page(
    accounts: Accounts,
    settings: AccountSettings | None,
    auth: Mapping | None,
    oidc_ready: bool,
    address: str | None = None,
) -> User | None:
    """Draw the login form (in the language the address names, ``?lang=cy``); the user
    when this run's submission signed them in."""
    st.title(_("Serious violence hotspots"))
    st.write(_("Sign in to see the dashboard."))
    if accounts.users:
        with st.form("login", clear_on_submit=True):
            name = st.text_input(_("User name"), autocomplete="username")
            password = st.text_input(
                _("Password"), type="password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(_("Sign in"), type="primary")
        if submitted:
            name = name.strip()
            try:
                role = verify(
                    accounts.path,
                    name,
                    password,
                    settings=settings or AccountSettings(),
                    address=address,
                )
            except LoginError as exc:
                AuditLog(default_audit_path()).append(
                    name[:64], None, "login_failed", {"reason": exc.reason, "address": address}
                )
                st.error(md(_login_message(exc)))
            except AccountsError as exc:
                st.error(
                    _("Signing in is not possible: {problem}").format(problem=md(error_text(exc)))
                )
            else:
                user = User(name, role.name, "password")
                audit("login", {"method": "password", "address": address}, user)
                return user
    if oidc_ready:
        if st.button(
            _("Sign in with your organisation"),
            type="primary" if not accounts.users else "secondary",
        ):
            st.login(accounts.oidc.provider)
    elif accounts.oidc.enabled:
        st.caption(
            _(
                "Sign-in through your organisation is not set up yet: {problems}. "
                "See docs/access-control.md."
            ).format(
                problems="; ".join(
                    oidc_problems(auth, accounts.oidc, authlib_installed(), current_language())
                )
            )
        )
    lang = "?lang=cy" if current_language() == "cy" else ""
    _link(_("Accessibility statement"), f"./{statement.URL_PATH}{lang}")
    language_toggle(key="lang_toggle_login")  # after the form: its button stays the first
    return None


def _login_message(exc: LoginError) -> str:
    """A refused login's message in the page's language."""
    if exc.reason == "locked" and exc.locked_until is not None:
        import datetime as dt

        now = dt.datetime.now(exc.locked_until.tzinfo)
        minutes = max(1, -(-int((exc.locked_until - now).total_seconds()) // 60))
        return ngettext(
            "Too many failed attempts: this account is locked for {n} more minute. "
            "Try again later or ask an analyst.",
            "Too many failed attempts: this account is locked for {n} more minutes. "
            "Try again later or ask an analyst.",
            minutes,
        ).format(n=minutes)
    if exc.reason == "invalid":
        return _("Wrong user name or password.")
    return exc.message


def _sidebar(user: User, path, session_id: str | None) -> None:
    with st.sidebar:
        st.caption(
            _("Signed in as **{name}** ({role})").format(
                name=md(user.name), role=_(ROLE_WORDS.get(user.role, user.role))
            )
        )
        if st.button(_("Log out"), key="_auth_logout"):
            audit("logout", None, user)
            end_session(path, st.session_state.get(AUTH_SID_KEY))  # its cookie too
            if session_id is not None:
                web.unbind(session_id)
            st.session_state.clear()
            st.session_state[CLEAR_COOKIE_KEY] = True
            if user.method == "oidc":
                st.logout()
            st.rerun()
