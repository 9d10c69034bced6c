"""The audit log: JSON lines, its default place, and command-line loads written to it."""

from __future__ import annotations

import datetime as dt
import json
import stat
import threading
from pathlib import Path

import pytest

from hotspots.access import audit
from hotspots.cli import main

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


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
