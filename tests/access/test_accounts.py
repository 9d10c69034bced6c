"""Accounts: roles, settings, the accounts file kept outside the project, the OIDC
configuration and the login gate (no identity provider needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.safe_text import plain
from hotspots.access import accounts as acc
from hotspots.access import audit, users
from tests.conftest import ROOT


@pytest.fixture
def path(tmp_path) -> Path:
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    users.add_user(p, "bob", "partner", "partner-pass-1", rounds=4)
    return p


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


@pytest.mark.slow
def test_oidc_configuration_checks():
    from dashboard.oidc import oidc_problems

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


@pytest.mark.slow
def test_oidc_configuration_from_toml_files(tmp_path):
    """The documented example files parse and pass the checks."""
    import tomllib

    from dashboard.oidc import oidc_problems

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
