"""Managing users: bcrypt hashes in a private file, bad input refused, the ``user`` command."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import bcrypt
import pytest

from hotspots.access import accounts as acc
from hotspots.access import login, users
from hotspots.cli import main


@pytest.fixture
def path(tmp_path) -> Path:
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    users.add_user(p, "bob", "partner", "partner-pass-1", rounds=4)
    return p


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


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


@pytest.mark.slow
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
