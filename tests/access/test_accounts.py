"""Accounts: hashing, login, lockout, the audit log, the ``user`` command and the OIDC
configuration (no identity provider needed)."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import threading
import time
from pathlib import Path

import bcrypt
import pytest

from dashboard.safe_text import plain
from hotspots.access import accounts as acc
from hotspots.access import audit, login, sessions, users
from hotspots.cli import main
from tests.conftest import ROOT

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def path(tmp_path) -> Path:
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    users.add_user(p, "bob", "partner", "partner-pass-1", rounds=4)
    return p


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_roles_registry():
    assert set(acc.ROLES) == {"analyst", "partner"}
    analyst, partner = acc.ROLES["analyst"], acc.ROLES["partner"]
    assert analyst.exact_counts and analyst.upload and analyst.publish
    assert not partner.exact_counts and not partner.upload and not partner.publish
    assert partner.download
    assert analyst.includes("partner") and analyst.includes("analyst")
    assert not partner.includes("analyst")


def test_settings_are_frozen_with_the_documented_defaults():
    s = acc.AccountSettings()
    assert (s.max_failures, s.lockout_minutes) == (5, 15)
    with pytest.raises(AttributeError):
        s.max_failures = 3
    with pytest.raises(ValueError):
        acc.AccountSettings(max_failures=0)


def test_add_user_writes_a_private_file_with_bcrypt_hashes(path):
    assert _mode(path) == 0o600
    data = acc.load_accounts(path)
    assert {n: a.role for n, a in data.users.items()} == {"alice": "analyst", "bob": "partner"}
    h = data.users["alice"].password_hash
    assert h.startswith("$2b$04$") and "analyst-pass-1" not in path.read_text()
    assert bcrypt.checkpw(b"analyst-pass-1", h.encode())
    # Only the accounts file and its lock are left: no temporary files.
    assert sorted(p.name for p in path.parent.iterdir()) == ["accounts.toml", "accounts.toml.lock"]


def test_add_user_refuses_bad_input_and_keeps_the_file(path):
    before = path.read_bytes()
    for name, role, pw in [
        ("carol", "analyst", "short"),
        ("carol", "admin", "long-enough-1"),
        ("bad name", "partner", "long-enough-1"),
        ("carol", "partner", "é" * 40),  # 80 bytes: over bcrypt's 72
        ("alice", "partner", "long-enough-1"),
    ]:  # exists
        with pytest.raises(ValueError):
            users.add_user(path, name, role, pw, rounds=4)
    assert path.read_bytes() == before
    users.add_user(path, "alice", "partner", "new-password-1", replace=True, rounds=4)
    assert login.verify(path, "alice", "new-password-1").name == "partner"


def test_add_user_keeps_the_oidc_section(tmp_path):
    p = tmp_path / "accounts.toml"
    p.write_text(
        '[oidc]\nroles = { "Lead@Council.gov.uk" = "analyst" }\ndefault_role = "partner"\n',
        encoding="utf-8",
    )
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    data = acc.load_accounts(p)
    assert data.oidc.roles == {"lead@council.gov.uk": "analyst"}
    assert data.oidc.default_role == "partner" and "alice" in data.users
    users.remove_user(p, "alice")
    assert acc.load_accounts(p).users == {} and acc.load_accounts(p).oidc.enabled


def test_verify_returns_the_role_or_a_generic_error(path):
    assert login.verify(path, "alice", "analyst-pass-1", T0) is acc.ROLES["analyst"]
    assert login.verify(path, "bob", "partner-pass-1", T0) is acc.ROLES["partner"]
    messages = set()
    for name, pw in [
        ("alice", "partner-pass-1"),
        ("nobody", "analyst-pass-1"),
        ("alice", ""),
        ("alice", "x" * 100),
    ]:
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, name, pw, T0)
        assert err.value.reason == "invalid"
        messages.add(err.value.message)
    assert messages == {"Wrong user name or password."}


def test_unknown_users_still_cost_a_bcrypt_check(path, monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(login.bcrypt, "checkpw", lambda p, h: calls.append(h) or real(p, h))
    with pytest.raises(acc.LoginError):
        login.verify(path, "nobody", "whatever-1", T0)
    assert len(calls) == 1 and calls[0].startswith(b"$2b$04$")  # the users' cost


def test_lockout_after_five_failures_and_release_after_the_window(path):
    settings = acc.AccountSettings()
    for i in range(4):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, "bob", "wrong-password", T0 + dt.timedelta(seconds=i))
        assert err.value.reason == "invalid"
    with pytest.raises(acc.LoginError) as err:
        login.verify(path, "bob", "wrong-password", T0 + dt.timedelta(seconds=4))
    assert err.value.reason == "locked" and "locked for 15 more minutes" in err.value.message
    state = json.loads(acc.lockout_path(path).read_text())
    assert state["pair"]["bob|-"]["failures"] == 5 and state["name"]["bob"]["failures"] == 5
    assert _mode(acc.lockout_path(path)) == 0o600
    assert acc.lockout_path(path).name == "accounts.toml.lockout.json"

    # While locked even the right password is refused; other users are not affected.
    later = T0 + dt.timedelta(minutes=10, seconds=4)  # the lock began at T0 + 4 s
    with pytest.raises(acc.LoginError) as err:
        login.verify(path, "bob", "partner-pass-1", later, settings)
    assert err.value.reason == "locked" and "5 more minutes" in err.value.message
    assert login.lockout_state(path, "bob", later) is not None
    assert login.verify(path, "alice", "analyst-pass-1", later).name == "analyst"

    # After the window the right password works and clears the count.
    free = T0 + dt.timedelta(minutes=15, seconds=4)
    assert login.lockout_state(path, "bob", free) is None
    assert login.verify(path, "bob", "partner-pass-1", free).name == "partner"
    assert "bob|-" not in json.loads(acc.lockout_path(path).read_text())["pair"]


def test_failures_far_apart_do_not_add_up_and_unknown_names_lock_too(path):
    for i in range(6):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, "bob", "wrong-password", T0 + dt.timedelta(minutes=20 * i))
        assert err.value.reason == "invalid"
    # An unknown name locks like a real one (a lock does not reveal that a name exists).
    for i in range(5):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, "nobody", "wrong-password", T0 + dt.timedelta(seconds=i))
    assert err.value.reason == "locked"
    settings = acc.AccountSettings(max_failures=2, lockout_minutes=1)
    for _ in range(2):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, "alice", "wrong-password", T0, settings)
    assert err.value.reason == "locked"
    login.unlock(path, "alice")
    assert login.verify(path, "alice", "analyst-pass-1", T0, settings).name == "analyst"


def test_accounts_file_is_never_inside_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv(acc.ACCOUNTS_ENV, raising=False)
    default = acc.default_accounts_path()
    assert default == Path("~/.config/hotspots/accounts.toml").expanduser()
    assert ROOT.resolve() not in default.resolve().parents
    monkeypatch.setenv(acc.ACCOUNTS_ENV, str(tmp_path / "a.toml"))
    assert acc.default_accounts_path() == tmp_path / "a.toml"
    inside = ROOT / "geodata" / "accounts-test.toml"
    with pytest.raises(acc.AccountsError, match="inside the project folder"):
        users.add_user(inside, "alice", "analyst", "analyst-pass-1", rounds=4)
    with pytest.raises(acc.AccountsError):
        acc.load_accounts(inside)
    assert not inside.exists()


@pytest.mark.parametrize(
    "text",
    [
        '[users.alice]\nrole = "admin"\npassword_hash = "$2b$04$x"\n',
        '[users.alice]\nrole = "analyst"\npassword_hash = "plain text"\n',
        '[people.alice]\nrole = "analyst"\n',
        '[oidc]\nroles = { "not-an-email" = "analyst" }\n',
        '[oidc]\ndefault_role = "boss"\n',
        "users = [",
    ],
)
def test_a_broken_accounts_file_is_an_error(tmp_path, text):
    p = tmp_path / "accounts.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(acc.AccountsError):
        acc.load_accounts(p)


def test_audit_log_appends_json_lines(tmp_path):
    log = audit.AuditLog(tmp_path / "audit" / "audit.log.jsonl")
    log.append("alice", "analyst", "login", {"method": "password"}, now=T0)
    log.append("bob", "partner", "download", "hotspots_all_2024-01_2024-12.csv")
    with pytest.raises(ValueError):
        log.append("bob", "partner", "delete-everything")
    records = log.read()
    assert [r["action"] for r in records] == ["login", "download"]
    assert records[0] == {
        "time": "2025-03-01T09:00:00Z",
        "user": "alice",
        "role": "analyst",
        "action": "login",
        "detail": {"method": "password"},
    }
    assert records[1]["time"].endswith("Z") and records[1]["user"] == "bob"
    assert _mode(log.path) == 0o600
    assert set(audit.AUDIT_ACTIONS) == {
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
    }

    def write(n):
        for i in range(25):
            log.append(f"user{n}", "partner", "download", f"file {i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 102 and all(json.loads(line)["action"] for line in lines)


def test_audit_log_default_path(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    assert audit.default_audit_path(tmp_path) == tmp_path / "audit.log.jsonl"
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "store"))
    assert audit.AuditLog().path == tmp_path / "store" / "audit.log.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "elsewhere.jsonl"))
    assert audit.AuditLog().path == tmp_path / "elsewhere.jsonl"


def test_cli_user_add_list_remove(tmp_path, monkeypatch, capsys):
    p = tmp_path / "cfg" / "accounts.toml"
    monkeypatch.setattr(acc, "DEFAULT_ROUNDS", 4)
    monkeypatch.setattr("sys.stdin", io.StringIO("partner-pass-1\n"))
    assert (
        main(["user", "add", "bob", "--role", "partner", "--password-stdin", "--accounts", str(p)])
        == 0
    )
    assert "added bob (partner)" in capsys.readouterr().out
    assert _mode(p) == 0o600
    assert login.verify(p, "bob", "partner-pass-1").name == "partner"

    # From the prompt (twice); through $HOTSPOTS_ACCOUNTS.
    monkeypatch.setenv(acc.ACCOUNTS_ENV, str(p))
    answers = iter(["analyst-pass-1", "analyst-pass-1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "alice", "--role", "analyst"]) == 0
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "alice" in out and "analyst" in out and "bob" in out and "partner" in out
    assert "hash" not in out and "$2b$" not in out

    answers = iter(["one-password", "another-password"])
    assert main(["user", "add", "carol", "--role", "analyst"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "carol", "--role", "analyst", "--password-stdin"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["user", "add", "carol", "--role", "admin", "--password-stdin"])
    assert main(["user", "remove", "alice"]) == 0
    assert set(acc.load_accounts(p).users) == {"bob"}
    assert main(["user", "remove", "alice"]) == 2


# ---------------------------------------------------------------- OIDC configuration

AUTH = {
    "redirect_uri": "https://hotspots.example.org/oauth2callback",
    "cookie_secret": "a-long-random-secret-string",
    "client_id": "hotspots",
    "client_secret": "s3cret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


def test_oidc_roles_map_email_addresses():
    oidc = acc.parse_oidc({"roles": {"Lead@Council.gov.uk": "analyst"}, "default_role": "partner"})
    assert oidc.enabled
    assert oidc.role_for("lead@council.gov.uk ") == "analyst"
    assert oidc.role_for("someone@health.wales") == "partner"
    assert oidc.role_for(None) is None
    strict = acc.parse_oidc({"roles": {"lead@council.gov.uk": "analyst"}})
    assert strict.role_for("someone@health.wales") is None
    assert not acc.parse_oidc({}).enabled


def test_oidc_configuration_checks():
    from dashboard.auth import oidc_problems

    oidc = acc.parse_oidc({"roles": {"lead@council.gov.uk": "analyst"}})
    assert oidc_problems(AUTH, oidc) == []
    assert oidc_problems(None, oidc) == ["no [auth] section in .streamlit/secrets.toml"]
    missing = oidc_problems(
        {k: v for k, v in AUTH.items() if k not in ("cookie_secret", "client_secret")}, oidc
    )
    assert missing == ["[auth] lacks cookie_secret", "[auth] lacks client_secret"]
    assert oidc_problems({**AUTH, "redirect_uri": "https://x.org/"}, oidc) != []
    assert oidc_problems({**AUTH, "server_metadata_url": "http://x.org/m"}, oidc) != []
    assert any("Authlib" in p for p in oidc_problems(AUTH, oidc, authlib_installed=False))
    assert oidc_problems(AUTH, acc.parse_oidc({})) != []

    # A named provider: [auth.council] holds the client settings.
    named = acc.parse_oidc({"roles": {"lead@council.gov.uk": "analyst"}, "provider": "council"})
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    client = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert oidc_problems({**shared, "council": client}, named) == []
    assert oidc_problems(shared, named) == ["no [auth.council] section in .streamlit/secrets.toml"]


def test_oidc_configuration_from_toml_files(tmp_path):
    """The documented example files parse and pass the checks."""
    import tomllib

    from dashboard.auth import oidc_problems

    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[oidc]\nroles = { "lead@council.gov.uk" = "analyst" }\ndefault_role = "partner"\n',
        encoding="utf-8",
    )
    secrets = tomllib.loads(
        '[auth]\nredirect_uri = "https://hotspots.example.org/oauth2callback"\n'
        'cookie_secret = "change-me-to-a-long-random-string"\n'
        'client_id = "hotspots"\nclient_secret = "from-the-identity-provider"\n'
        "server_metadata_url = "
        '"https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration"\n'
    )
    data = acc.load_accounts(accounts)
    assert data.configured and not data.users
    assert oidc_problems(secrets["auth"], data.oidc) == []


# ---------------------------------------------------------------- the gate (AppTest)

GATE_APP = """
import streamlit as st
from dashboard import auth

user = auth.gate()
st.write(f"page for {user.name} ({user.role})")
auth.require_role("analyst")
st.write("analyst section")
"""


@pytest.fixture
def gate_app(tmp_path, monkeypatch):
    """A one-page app behind the gate (run in-process with Streamlit's AppTest)."""
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "gate_app" / "app.py"
    script.parent.mkdir()
    script.write_text(GATE_APP, encoding="utf-8")
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "audit.jsonl"))
    monkeypatch.syspath_prepend(str(ROOT))
    return lambda: AppTest.from_file(str(script), default_timeout=20)


def _texts(at) -> str:
    return " | ".join(str(m.value) for m in at.markdown)


def test_gate_is_open_without_accounts(gate_app, tmp_path, monkeypatch):
    monkeypatch.setenv(acc.ACCOUNTS_ENV, str(tmp_path / "none.toml"))
    at = gate_app().run()
    assert "Open access: no accounts are configured" in _texts(at)
    assert "page for open access (analyst)" in _texts(at) and "analyst section" in _texts(at)


def test_gate_logs_in_checks_roles_and_follows_the_file(gate_app, path, tmp_path, monkeypatch):
    monkeypatch.setenv(acc.ACCOUNTS_ENV, str(path))
    at = gate_app().run()
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert "page for" not in _texts(at)

    at.text_input[0].input("bob")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert [plain(e.value) for e in at.error] == ["Wrong user name or password."]
    assert "page for" not in _texts(at)

    at.text_input[0].input("bob")
    at.text_input[1].input("partner-pass-1")
    at.button[0].click().run()
    assert "page for bob (partner)" in _texts(at) and "analyst section" not in _texts(at)
    assert [i.value for i in at.info] == [
        "This section is for analysts. You are signed in as a partner."
    ]
    assert not at.text_input  # the form is gone

    # A role changed in the file applies at the next run; a removed user is signed out.
    users.add_user(path, "bob", "analyst", "partner-pass-1", replace=True, rounds=4)
    at.run()
    assert "page for bob (analyst)" in _texts(at) and "analyst section" in _texts(at)
    users.remove_user(path, "bob")
    at.run()
    assert "page for" not in _texts(at) and at.text_input[0].label == "User name"
    log = [(r["user"], r["action"]) for r in audit.AuditLog(tmp_path / "audit.jsonl").read()]
    assert log == [("bob", "login_failed"), ("bob", "login")]


def test_gate_closes_on_a_broken_accounts_file(gate_app, tmp_path, monkeypatch):
    bad = tmp_path / "accounts.toml"
    bad.write_text('[users.alice]\nrole = "admin"\npassword_hash = "$2b$04$x"\n')
    monkeypatch.setenv(acc.ACCOUNTS_ENV, str(bad))
    at = gate_app().run()
    assert "The dashboard is closed" in at.error[0].value
    assert "page for" not in _texts(at) and not at.text_input


# ---------------------------------------------------------------- throttling by address


def test_failures_from_one_address_do_not_lock_the_name_elsewhere(path):
    for i in range(5):
        with pytest.raises(acc.LoginError) as err:
            login.verify(
                path, "bob", "wrong-password", T0 + dt.timedelta(seconds=i), address="203.0.113.9"
            )
    assert err.value.reason == "locked"
    later = T0 + dt.timedelta(seconds=10)
    with pytest.raises(acc.LoginError, match="locked for 15 more minutes"):
        login.verify(path, "bob", "partner-pass-1", later, address="203.0.113.9")
    # The same name from another address signs in: one address cannot lock a user out.
    assert (
        login.verify(path, "bob", "partner-pass-1", later, address="198.51.100.7").name == "partner"
    )
    assert login.lockout_state(path, "bob", later, address="198.51.100.7") is None
    assert login.lockout_state(path, "bob", later, address="203.0.113.9") is not None
    assert login.lockout_state(path, "bob", later) is not None  # locked from somewhere


def test_one_address_guessing_many_names_is_locked(path):
    settings = acc.AccountSettings(address_max_failures=6)
    for i in range(6):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, f"guess{i}", "wrong-password", T0, settings, address="203.0.113.9")
    assert err.value.reason == "locked"
    # That address is locked for every name, even with the right password ...
    with pytest.raises(acc.LoginError) as err:
        login.verify(path, "alice", "analyst-pass-1", T0, settings, address="203.0.113.9")
    assert err.value.reason == "locked"
    # ... and no other address is.
    assert (
        login.verify(path, "alice", "analyst-pass-1", T0, settings, address="198.51.100.7").name
        == "analyst"
    )


def test_many_addresses_guessing_one_name_lock_it_everywhere(path):
    settings = acc.AccountSettings(name_max_failures=8)
    for i in range(8):
        with pytest.raises(acc.LoginError) as err:
            login.verify(path, "alice", "wrong-password", T0, settings, address=f"203.0.113.{i}")
    assert err.value.reason == "locked"
    with pytest.raises(acc.LoginError) as err:
        login.verify(path, "alice", "analyst-pass-1", T0, settings, address="198.51.100.7")
    assert err.value.reason == "locked"
    login.unlock(path, "alice")
    assert (
        login.verify(path, "alice", "analyst-pass-1", T0, settings, address="198.51.100.7").name
        == "analyst"
    )


def test_a_slow_password_check_does_not_hold_up_other_logins(tmp_path):
    """One login's slow hash check (cost 14, about a second or more) runs without the
    accounts lock: a login from another address finishes while it is still running."""
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "slow", "analyst", "slow-password-1", rounds=14)
    users.add_user(p, "quick", "partner", "quick-password-1", rounds=4)
    started = threading.Event()
    done = {}

    def slow_login():
        started.set()
        t0 = time.perf_counter()
        with pytest.raises(acc.LoginError):
            login.verify(p, "slow", "wrong-password", address="203.0.113.9")
        done["slow"] = time.perf_counter() - t0

    worker = threading.Thread(target=slow_login)
    worker.start()
    started.wait()
    time.sleep(0.2)  # the slow check is under way
    t0 = time.perf_counter()
    assert login.verify(p, "quick", "quick-password-1", address="198.51.100.7").name == "partner"
    quick = time.perf_counter() - t0
    still_running = worker.is_alive()
    worker.join()
    assert still_running, f"the slow check ended first ({done})"
    assert quick < done["slow"] / 2, (quick, done["slow"])
    assert quick < 0.5, quick


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


# ---------------------------------------------------------------- command-line loads


def test_command_line_loads_are_in_the_audit_log(
    tmp_path, grid_reference, grid_crimes_file, monkeypatch, capsys
):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(log))
    store = tmp_path / "store"
    paths = [str(p) for p in grid_reference.values()] + [str(grid_crimes_file)]
    assert main(["--data-dir", str(store), "load", "auto", "--quiet", *paths]) == 0
    bad = tmp_path / "2023-02-grid-street.csv"
    bad.write_text("not,a,police,file\n1,2,3,4\n")
    assert main(["--data-dir", str(store), "load", "crimes", "--quiet", str(bad)]) != 0
    records = audit.AuditLog(log).read()
    assert [r["action"] for r in records] == ["load", "load_failed"]
    assert {r["user"] for r in records} == {audit.os_user()} and audit.os_user()
    assert records[0]["role"] == "command line"
    assert records[0]["detail"]["paths"] == paths and records[0]["detail"]["kind"] == "auto"
    assert records[1]["detail"]["paths"] == [str(bad)]
    assert "2023-02-grid-street.csv" in records[1]["detail"]["outcome"]
