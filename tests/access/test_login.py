"""Login: the password check, lockout after failures, throttling by name and by client
address."""

from __future__ import annotations

import datetime as dt
import json
import stat
import threading
import time
from pathlib import Path

import bcrypt
import pytest

from hotspots.access import accounts as acc
from hotspots.access import login, users

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def path(tmp_path) -> Path:
    p = tmp_path / "config" / "accounts.toml"
    users.add_user(p, "alice", "analyst", "analyst-pass-1", rounds=4)
    users.add_user(p, "bob", "partner", "partner-pass-1", rounds=4)
    return p


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


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


@pytest.mark.slow
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
