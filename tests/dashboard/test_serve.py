"""The server's listening address: open access (no accounts) serves this computer only;
another address needs accounts, or an explicit option that warns."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboard.web import OPEN_ANY_ADDRESS_ENV, listen_problem
from tests.browser_support import ROOT, free_port, running_app, wait_healthy


def test_listen_problem_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "accounts.toml"))
    for address in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert listen_problem(address, False, False) is None
    for address in (None, "", "0.0.0.0", "::", "192.0.2.2"):
        problem = listen_problem(address, False, False)
        assert problem is not None and "listens on 127.0.0.1 only" in problem
        assert OPEN_ANY_ADDRESS_ENV in problem and str(tmp_path / "accounts.toml") in problem
        assert listen_problem(address, True, False) is None  # accounts: any address
        assert listen_problem(address, False, True) is None  # the explicit option


def _start(env, *flags):
    port = free_port()
    return port, subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            *flags,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_open_access_refuses_every_interface_without_the_option(tmp_path):
    env = {"HOTSPOTS_ACCOUNTS": str(tmp_path / "none.toml"), OPEN_ANY_ADDRESS_ENV: ""}
    _, proc = _start(env, "--server.address", "0.0.0.0")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err.decode()[-2000:]
    assert "open access" in err.decode() and "listens on 127.0.0.1 only" in err.decode()


@pytest.mark.slow
def test_open_access_on_every_interface_with_the_option_warns(tmp_path, demo_store):
    env = {
        "HOTSPOTS_ACCOUNTS": str(tmp_path / "none.toml"),
        OPEN_ANY_ADDRESS_ENV: "1",
        "HOTSPOTS_DATA_DIR": str(demo_store.root),
    }
    port, proc = _start(env, "--server.address", "0.0.0.0")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "WARNING: open access on 0.0.0.0" in err.decode()


@pytest.mark.slow
def test_by_default_the_server_listens_on_this_computer_only(tmp_path, demo_store):
    """As scripts/start.sh starts it: no address given (the project's config says
    127.0.0.1); http://localhost:PORT answers."""
    env = {
        "HOTSPOTS_ACCOUNTS": str(tmp_path / "none.toml"),
        OPEN_ANY_ADDRESS_ENV: "",
        "HOTSPOTS_DATA_DIR": str(demo_store.root),
    }
    port, proc = _start(env)
    try:
        wait_healthy(f"http://localhost:{port}", proc)
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
        if out.returncode == 0:
            assert out.stdout.strip() and all(
                "127.0.0.1:" in line for line in out.stdout.splitlines()
            )
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_the_test_servers_run_serve_py():
    import inspect

    assert inspect.signature(running_app).parameters["script"].default == ROOT / "serve.py"


def test_session_ids_are_kept_out_of_the_log(caplog):
    import logging

    from dashboard import web

    web.install()
    sid = "0b6c3f0e-9d1a-4c4e-8f5e-2a7d9b1c3e4f"
    logger = logging.getLogger("streamlit.runtime.websocket_session_manager")
    with caplog.at_level(logging.WARNING, logger=logger.name):
        logger.warning(
            "Session with id %s is already connected! Reconnecting to existing session.", sid
        )
    assert "Session with id <session id> is already connected" in caplog.text
    assert sid not in caplog.text
