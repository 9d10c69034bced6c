"""Mutation testing: inject small faults into one module and see whether its tests notice.

    .venv/bin/python bench/mutate.py hotspots/access/disclosure.py tests/access/test_disclosure.py \
        [--max N] [--seed S] [--only-lines A-B] [--timeout S] [--json FILE] [--list]

Each mutant is one small change to the module's syntax tree: a comparison flipped
(``<`` → ``<=``, ``==`` → ``!=``, ``in`` → ``not in``), an arithmetic operator swapped
(``+`` ↔ ``-``, ``*`` ↔ ``/``), a number constant moved by ±1, a condition negated or a
``not`` removed, ``and`` ↔ ``or``, ``return X`` → ``return None``, ``True`` ↔ ``False``.
The tests given are run against each mutant with ``pytest -x -q -p no:randomly``; a
mutant is *killed* when a test fails (or the module no longer imports), *survived* when
every test passes, *timeout* when the run exceeds the per-mutant limit (counted as
detected). Score = (killed + timeout) / (mutants − equivalent).

The source file is never written. The runner refuses to start when the module differs
from git HEAD. Each mutant runs in a child process forked from this one (third-party
libraries the tests use are imported once, beforehand); the child installs an import
hook that serves the mutated code, compiled from the tree in memory, under the module's
own name and file name. A mutant that hangs is killed with its process group.

Equivalent mutants (no test could tell them apart) are listed in
``bench/mutants-equivalent.toml``, keyed by module, line and description, each with a
one-line reason; they are not run and not counted.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

EQUIVALENT_FILE = Path(__file__).resolve().with_name("mutants-equivalent.toml")
PYTEST_ARGS = ("-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider")

_CMP_SWAP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_BIN_SWAP = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Mult,
    ast.Pow: ast.Mult,
}
_SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass
class Mutant:
    """One candidate fault: which node (index in ``ast.walk`` order) and what to do."""

    index: int
    node: int
    kind: str
    arg: object
    line: int
    description: str
    status: str = "pending"
    seconds: float = 0.0
    reason: str = ""


# --------------------------------------------------------------------------- generation


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes never mutated: docstrings and type annotations."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                mark(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mark(node.returns)
        if isinstance(node, ast.arg):
            mark(node.annotation)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
    return skip


def _snippet(source: str, node: ast.AST, limit: int = 60) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def generate(source: str) -> list[Mutant]:
    """Every mutant of ``source``, in source order."""
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    out: list[tuple[int, int, str, object, int, str]] = []
    for i, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                new = _CMP_SWAP.get(type(op))
                if new:
                    out.append(
                        (
                            i,
                            line,
                            "cmp",
                            k,
                            node.col_offset,
                            f"{_SYMBOL[type(op)]} → {_SYMBOL[new]} in `{_snippet(source, node)}`",
                        )
                    )
        elif isinstance(node, ast.BinOp | ast.AugAssign):
            new = _BIN_SWAP.get(type(node.op))
            if new:
                out.append(
                    (
                        i,
                        line,
                        "binop",
                        None,
                        node.col_offset,
                        f"{_SYMBOL[type(node.op)]} → {_SYMBOL[new]} in `{_snippet(source, node)}`",
                    )
                )
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            out.append(
                (
                    i,
                    line,
                    "boolop",
                    None,
                    node.col_offset,
                    f"{_SYMBOL[type(node.op)]} → {_SYMBOL[new]} in `{_snippet(source, node)}`",
                )
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(
                (
                    i,
                    line,
                    "unnot",
                    None,
                    node.col_offset,
                    f"`not` removed in `{_snippet(source, node)}`",
                )
            )
        elif isinstance(node, ast.If | ast.While | ast.IfExp):
            out.append(
                (
                    i,
                    line,
                    "negate",
                    None,
                    node.col_offset,
                    f"condition negated: `{_snippet(source, node.test)}`",
                )
            )
        elif (
            isinstance(node, ast.Return)
            and node.value is not None
            and not (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            out.append(
                (
                    i,
                    line,
                    "return",
                    None,
                    node.col_offset,
                    f"`return {_snippet(source, node.value, 40)}` → `return None`",
                )
            )
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                out.append((i, line, "bool", None, node.col_offset, f"{v} → {not v}"))
            elif isinstance(v, int | float) and not isinstance(v, complex):
                for d in (1, -1):
                    out.append(
                        (i, line, "const", d, node.col_offset, f"constant {v!r} → {v + d!r}")
                    )
    out.sort(key=lambda m: (m[1], m[4], m[0]))
    mutants, seen = [], {}
    for n, (i, ln, k, a, _col, d) in enumerate(out):
        # the same change twice on a line (e.g. two `0` constants): number the repeats
        seen[ln, d] = seen.get((ln, d), 0) + 1
        if seen[ln, d] > 1:
            d = f"{d} (#{seen[ln, d]} on the line)"
        mutants.append(Mutant(index=n, node=i, kind=k, arg=a, line=ln, description=d))
    return mutants


def apply(source: str, mutant: Mutant) -> ast.Module:
    """The syntax tree of ``source`` with ``mutant`` applied (a fresh tree each time)."""
    tree = ast.parse(source)
    node = list(ast.walk(tree))[mutant.node]
    k = mutant.kind
    if k == "cmp":
        ops = list(node.ops)
        ops[mutant.arg] = _CMP_SWAP[type(ops[mutant.arg])]()
        node.ops = ops
    elif k == "binop":
        node.op = _BIN_SWAP[type(node.op)]()
    elif k == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif k == "unnot":
        _replace(tree, node, node.operand)
    elif k == "negate":
        node.test = ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=node.test), node.test)
    elif k == "return":
        node.value = ast.copy_location(ast.Constant(value=None), node.value)
    elif k == "bool":
        node.value = not node.value
    elif k == "const":
        node.value = node.value + mutant.arg
    else:  # pragma: no cover - generate() makes only the kinds above
        raise ValueError(k)
    return ast.fix_missing_locations(tree)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for j, item in enumerate(value):
                    if item is old:
                        value[j] = new
                        return
    raise LookupError("node not found")


# --------------------------------------------------------------------------- equivalents


def load_equivalent(path: Path, module: str) -> dict[tuple[int, str], str]:
    """(line, description) → reason for ``module`` (a path relative to the repository)."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for entry in data.get("equivalent", []):
        if entry.get("module") == module:
            if not str(entry.get("reason", "")).strip():
                raise SystemExit(
                    f"{path}: an equivalent mutant of {module} line "
                    f"{entry.get('line')} has no reason"
                )
            out[(int(entry["line"]), str(entry["mutant"]))] = str(entry["reason"])
    return out


# --------------------------------------------------------------------------- running


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``name`` from an in-memory code object (the mutant); the file is untouched."""

    def __init__(self, name: str, origin: str, code, package: bool):
        self.name, self.origin, self.code, self.package = name, origin, code, package

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        locations = [str(Path(self.origin).parent)] if self.package else None
        return importlib.util.spec_from_file_location(
            fullname, self.origin, loader=self, submodule_search_locations=locations
        )

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.code, module.__dict__)


def _child(
    root: Path,
    module: str,
    origin: Path,
    code,
    tests: list[str],
    log: Path,
    report_modules: Path | None,
) -> None:
    """In the forked child: serve the mutant, run pytest, exit with its status."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    status = 3
    try:
        os.chdir(root)
        sys.path.insert(0, str(root))
        if code is not None:
            sys.meta_path.insert(
                0, _MutantFinder(module, str(origin), code, origin.name == "__init__.py")
            )
        import pytest

        status = int(pytest.main([*tests, *PYTEST_ARGS]))
        if report_modules is not None:
            # in import order, submodules included (scipy.stats is most of the cost)
            report_modules.write_text(
                json.dumps([name for name, m in list(sys.modules.items()) if _third_party(m)])
            )
    except BaseException as exc:
        print(f"mutate: child error {exc!r}", flush=True)
        status = 4
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _third_party(m) -> bool:
    f = getattr(m, "__file__", None) or ""
    return "site-packages" in f or "dist-packages" in f


def run_one(
    root: Path,
    module: str,
    origin: Path,
    code,
    tests: list[str],
    timeout: float,
    log: Path,
    report_modules: Path | None = None,
) -> tuple[str, float, int]:
    """Fork, run the tests against ``code`` (None: the unmutated module); return
    (status, seconds, pytest exit code)."""
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        _child(root, module, origin, code, tests, log, report_modules)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also here, so that a kill never misses the group
    try:
        while True:
            done, wstatus = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - start > timeout:
                _kill_group(pid)
                os.waitpid(pid, 0)
                return "timeout", time.monotonic() - start, -1
            time.sleep(0.02)
    except BaseException:
        _kill_group(pid)
        raise
    seconds = time.monotonic() - start
    code_ = os.waitstatus_to_exitcode(wstatus)
    if code_ == 0:
        return "survived", seconds, code_
    return "killed", seconds, code_


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


def _git_root(path: Path) -> Path:
    out = subprocess.run(
        ["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"mutate: {path} is not in a git repository")
    return Path(out.stdout.strip()).resolve()


def _check_clean(root: Path, rel: str) -> str:
    """The module's source, refusing to start unless it equals git HEAD."""
    head = subprocess.run(["git", "-C", str(root), "show", f"HEAD:{rel}"], capture_output=True)
    if head.returncode:
        raise SystemExit(f"mutate: {rel} is not committed; commit it first")
    text = (root / rel).read_bytes()
    if text != head.stdout:
        raise SystemExit(
            f"mutate: {rel} differs from git HEAD; commit or stash the change "
            "first (the runner never edits the file, but refuses to score an "
            "uncommitted version)"
        )
    return text.decode("utf-8")


def _module_name(rel: str) -> str:
    parts = list(Path(rel).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _line_range(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    a, _, b = text.partition("-")
    return int(a), int(b or a)


def _preload(names: list[str], own: str) -> None:
    """Import the third-party packages the tests use, once, before forking."""
    for name in names:
        if name.split(".")[0] == own or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:
            continue


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", help="the module to mutate, e.g. hotspots/access/disclosure.py")
    ap.add_argument("tests", nargs="+", help="test files (or pytest node ids) to run")
    ap.add_argument("--max", type=int, default=None, help="run at most N mutants (sampled)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    ap.add_argument(
        "--only-lines", default=None, metavar="A-B", help="only mutants on lines A to B"
    )
    ap.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per mutant (default 3 × the unmutated run + 10)",
    )
    ap.add_argument(
        "--equivalent",
        type=Path,
        default=EQUIVALENT_FILE,
        help="equivalent-mutant list (default bench/mutants-equivalent.toml)",
    )
    ap.add_argument("--json", default=None, metavar="FILE", help="write results ('-': stdout)")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument(
        "--show-survivors", action="store_true", help="print each survivor's mutated line"
    )
    args = ap.parse_args(argv)

    origin = Path(args.module).resolve()
    root = _git_root(origin)
    rel = origin.relative_to(root).as_posix()
    source = _check_clean(root, rel)
    module = _module_name(rel)
    tests = [str(Path(t).resolve()) if Path(t.split("::")[0]).exists() else t for t in args.tests]

    mutants = generate(source)
    equivalent = load_equivalent(args.equivalent, rel)
    known = {(m.line, m.description) for m in mutants}
    stale = sorted(key for key in equivalent if key not in known)
    lines = _line_range(args.only_lines)
    if lines:
        mutants = [m for m in mutants if lines[0] <= m.line <= lines[1]]
    if args.max is not None and len(mutants) > args.max:
        picked = sorted(random.Random(args.seed).sample(range(len(mutants)), args.max))
        mutants = [mutants[i] for i in picked]
    for m in mutants:
        if (m.line, m.description) in equivalent:
            m.status, m.reason = "equivalent", equivalent[(m.line, m.description)]
    quiet_json = args.json == "-"
    say = (
        (lambda *a: print(*a, file=sys.stderr, flush=True))
        if quiet_json
        else (lambda *a: print(*a, flush=True))
    )
    for line, description in stale:  # the module changed: re-check and update the entry
        say(
            f"warning: {args.equivalent.name} lists {rel}:{line} {description!r}, which is "
            "no longer a mutant of the module"
        )
    if args.list:
        for m in mutants:
            say(
                f"{rel}:{m.line}  {m.description}"
                + ("  [equivalent]" if m.status == "equivalent" else "")
            )
        return 0

    def stop(signum, frame):  # a terminated runner takes its running mutant with it
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        log = Path(tmp) / "pytest.log"
        modules_file = Path(tmp) / "modules.json"
        status, base_s, code_ = run_one(root, module, origin, None, tests, 3600, log, modules_file)
        if status != "survived":
            say(log.read_text(errors="replace")[-3000:])
            say(
                f"mutate: the tests fail on the unmutated module (pytest exit {code_}); "
                "fix them first"
            )
            return 2
        if modules_file.exists():
            _preload(json.loads(modules_file.read_text()), module.split(".")[0])
        timeout = args.timeout or 3 * base_s + 10
        todo = [m for m in mutants if m.status != "equivalent"]
        say(
            f"{rel}: {len(mutants)} mutants ({len(mutants) - len(todo)} equivalent), "
            f"tests {' '.join(args.tests)}; unmutated run {base_s:.1f} s, "
            f"timeout {timeout:.0f} s"
        )
        for n, m in enumerate(todo, 1):
            code = compile(apply(source, m), str(origin), "exec")
            m.status, m.seconds, _ = run_one(root, module, origin, code, tests, timeout, log)
            say(
                f"[{n}/{len(todo)}] {rel}:{m.line}  {m.description}  "
                f"{m.status.upper()} ({m.seconds:.1f} s)"
            )
            if m.status == "survived" and args.show_survivors:
                say("    " + source.splitlines()[m.line - 1].strip())

    counted = [m for m in mutants if m.status != "equivalent"]
    detected = sum(m.status in ("killed", "timeout") for m in counted)
    score = detected / len(counted) if counted else 1.0
    summary = {
        "module": rel,
        "tests": args.tests,
        "commit": subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "mutants": len(mutants),
        "equivalent": len(mutants) - len(counted),
        "killed": sum(m.status == "killed" for m in counted),
        "timeout": sum(m.status == "timeout" for m in counted),
        "survived": sum(m.status == "survived" for m in counted),
        "score": round(score, 4),
        "results": [asdict(m) | {"arg": repr(m.arg)} for m in mutants],
    }
    say(
        f"{rel}: {summary['killed']} killed, {summary['timeout']} timeout, "
        f"{summary['survived']} survived, {summary['equivalent']} equivalent — score "
        f"{detected}/{len(counted)} = {100 * score:.1f} %"
    )
    for m in counted:
        if m.status == "survived":
            say(f"  SURVIVED {rel}:{m.line}  {m.description}")
    if args.json:
        text = json.dumps(summary, indent=2, ensure_ascii=False)
        if quiet_json:
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
