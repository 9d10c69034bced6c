"""The mutation runner (bench/mutate.py) on a ten-line module with known mutants."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "bench" / "mutate.py"

MINI = '''\
def clamp(x, low=0, high=10):
    """x held between low and high."""
    if x < low:
        return low
    if x > high:
        return high
    return x
'''
TEST_MINI = """\
from mini import clamp


def test_clamp():
    assert clamp(-5) == 0
    assert clamp(50) == 10
    assert clamp(5) == 5
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "mini.py").write_text(MINI)
    (tmp_path / "test_mini.py").write_text(TEST_MINI)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "mini")
    return tmp_path


def _run(repo: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUNNER), "mini.py", "test_mini.py", "--json", "-", *extra],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _by_description(result: dict) -> dict[tuple[int, str], str]:
    return {(m["line"], m["description"]): m["status"] for m in result["results"]}


@pytest.mark.slow
def test_known_mutants_killed_and_survived(repo: Path) -> None:
    out = _run(repo, "--equivalent", str(repo / "none.toml"))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    status = _by_description(result)
    # x == low gives low either way: nothing can kill it.
    assert status[(3, "< → <= in `x < low`")] == "survived"
    assert status[(5, "> → >= in `x > high`")] == "survived"
    # clamp(-5) == 0 fails when the low branch returns None or never runs.
    assert status[(4, "`return low` → `return None`")] == "killed"
    assert status[(3, "condition negated: `x < low`")] == "killed"
    # clamp(50) == 10 fails when the default high moves.
    assert status[(1, "constant 10 → 11")] == "killed"
    assert status[(1, "constant 10 → 9")] == "killed"
    # The docstring is never mutated; every mutant was run.
    assert all(m["line"] != 2 for m in result["results"])
    assert result["equivalent"] == 0
    assert result["killed"] + result["survived"] + result["timeout"] == result["mutants"]
    assert result["score"] == pytest.approx(result["killed"] / result["mutants"], abs=1e-4)
    assert (repo / "mini.py").read_text() == MINI  # the source is never written


@pytest.mark.slow
def test_equivalent_mutants_excluded_from_score(repo: Path) -> None:
    equivalent = repo / "equivalent.toml"
    equivalent.write_text(
        '[[equivalent]]\nmodule = "mini.py"\nline = 3\nmutant = "< → <= in `x < low`"\n'
        'reason = "x == low returns low on both branches"\n'
        '[[equivalent]]\nmodule = "mini.py"\nline = 5\nmutant = "> → >= in `x > high`"\n'
        'reason = "x == high returns high on both branches"\n'
    )
    out = _run(repo, "--equivalent", str(equivalent), "--only-lines", "3-6")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["equivalent"] == 2
    assert result["survived"] == 0
    assert result["score"] == 1.0
    reasons = {m["reason"] for m in result["results"] if m["status"] == "equivalent"}
    assert reasons == {
        "x == low returns low on both branches",
        "x == high returns high on both branches",
    }
    assert all(3 <= m["line"] <= 6 for m in result["results"])


def test_refuses_a_module_that_differs_from_head(repo: Path) -> None:
    changed = MINI.replace("x < low", "x <= low")
    (repo / "mini.py").write_text(changed)
    out = _run(repo)
    assert out.returncode != 0
    assert "mini.py differs from git HEAD" in out.stderr
    assert (repo / "mini.py").read_text() == changed


@pytest.mark.slow
def test_failing_tests_stop_the_run(repo: Path) -> None:
    (repo / "test_mini.py").write_text(TEST_MINI.replace("== 5", "== 6"))
    out = _run(repo)
    assert out.returncode == 2
    assert "the tests fail on the unmutated module" in out.stderr


@pytest.mark.slow
def test_max_and_seed_sample_repeatably(repo: Path) -> None:
    listed = _run(repo, "--max", "3", "--seed", "7", "--list")
    assert listed.stdout == ""  # with --json -, the listing goes to stderr
    a = listed.stderr.splitlines()
    b = _run(repo, "--max", "3", "--seed", "7", "--list").stderr.splitlines()
    everything = _run(repo, "--list").stderr.splitlines()
    assert a == b
    assert len(a) == 3
    assert set(a) <= set(everything)
    assert len(everything) > 3


def test_stale_equivalent_entries_are_reported(repo: Path) -> None:
    equivalent = repo / "equivalent.toml"
    equivalent.write_text(
        '[[equivalent]]\nmodule = "mini.py"\nline = 9\nmutant = "< → <= in `x < low`"\n'
        'reason = "moved"\n'
    )
    out = _run(repo, "--equivalent", str(equivalent), "--list")
    assert out.returncode == 0
    assert (
        "warning: equivalent.toml lists mini.py:9 '< → <= in `x < low`', which is no "
        "longer a mutant of the module"
    ) in out.stderr


def test_an_equivalent_entry_without_a_reason_is_refused(repo: Path) -> None:
    equivalent = repo / "equivalent.toml"
    equivalent.write_text(
        '[[equivalent]]\nmodule = "mini.py"\nline = 3\nmutant = "< → <= in `x < low`"\n'
        'reason = " "\n'
    )
    out = _run(repo, "--equivalent", str(equivalent), "--list")
    assert out.returncode != 0
    assert "an equivalent mutant of mini.py line 3 has no reason" in out.stderr
