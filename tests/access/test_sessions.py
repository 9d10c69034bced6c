"""Signed-in sessions: signed cookies, one-time tokens, logout and the signing key."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from hotspots.access import accounts as acc
from hotspots.access import sessions, users

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def path(tmp_path) -> Path:
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    users.add_user(p, "bob", "partner", "partner-pass-1", rounds=4)
    return p


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# ---------------------------------------------------------------- signed-in sessions


def test_session_cookie_is_signed_expires_and_ends_at_logout(path):
    session, token = sessions.start_session(path, "alice", "password", T0)
    assert acc.sessions_path(path).name == "accounts.toml.sessions.json"
    assert _mode(acc.sessions_path(path)) == 0o600
    assert _mode(acc.secret_path(path)) == 0o600 and len(acc.secret_path(path).read_bytes()) == 32
    # The one-time token gives the cookie once.
    redeemed, cookie = sessions.redeem_token(path, token, T0 + dt.timedelta(seconds=5))
    assert redeemed.sid == session.sid and redeemed.user == "alice"
    assert sessions.redeem_token(path, token, T0 + dt.timedelta(seconds=6)) is None
    assert token not in acc.sessions_path(path).read_text()  # only its hash was kept
    live = sessions.check_cookie(path, cookie, T0 + dt.timedelta(hours=1))
    assert live is not None and (live.sid, live.user, live.method) == (
        session.sid,
        "alice",
        "password",
    )
    # A changed cookie, another key or the end of the 12 hours: refused.
    sid, exp, sig = cookie.split(".")[1:]
    assert sessions.check_cookie(path, f"v1.{sid}.{int(exp) + 3600}.{sig}", T0) is None
    assert (
        sessions.check_cookie(path, cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"), T0)
        is None
    )
    assert sessions.check_cookie(path, cookie, T0 + dt.timedelta(hours=12, seconds=1)) is None
    assert (
        sessions.check_cookie(path, "", T0) is None
        and sessions.check_cookie(path, "x.y", T0) is None
    )
    assert sessions.session_live(path, session.sid, T0 + dt.timedelta(hours=11))
    assert not sessions.session_live(path, session.sid, T0 + dt.timedelta(hours=12, seconds=1))
    # Logging out deletes the session: the very same cookie is refused from then on.
    assert sessions.end_session(path, session.sid, T0)
    assert not sessions.session_live(path, session.sid, T0)
    assert sessions.check_cookie(path, cookie, T0 + dt.timedelta(minutes=1)) is None


def test_an_old_token_gives_no_cookie_and_removed_users_lose_their_sessions(path):
    _, token = sessions.start_session(path, "bob", "password", T0)
    assert sessions.redeem_token(path, token, T0 + dt.timedelta(minutes=3)) is None
    _, token2 = sessions.start_session(path, "bob", "password", T0)
    _, cookie = sessions.redeem_token(path, token2, T0)
    assert sessions.check_cookie(path, cookie, T0) is not None
    users.remove_user(path, "bob")
    assert sessions.check_cookie(path, cookie, T0) is None


def test_a_cookie_signed_with_another_key_is_refused(path):
    _, token = sessions.start_session(path, "alice", "password", T0)
    _, cookie = sessions.redeem_token(path, token, T0)
    acc.secret_path(path).write_bytes(b"k" * 32)  # a new key: every browser signs in again
    assert sessions.check_cookie(path, cookie, T0) is None
