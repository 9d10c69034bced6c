"""Write every user-visible output of the product into a folder, to prove a refactor
changed nothing.

Usage::

    python scripts/snapshot_outputs.py OUTDIR [--shared PATH] [--no-real] [--no-cli] [--no-app]

Run it before and after a change, then ``diff -r BEFORE AFTER``: an empty diff means
every output is the same. It drives the product only from the outside, as a user would:

- the command line (``python -m hotspots ...``): every command's standard output,
  standard error and exit code, and the files it writes (CSV and JSON as text, Excel
  workbooks as their cell values, PDFs as their text and a hash of their bytes without
  the creation date and document id);
- the dashboard (``app.py`` and ``pages/``) through Streamlit's ``AppTest``, configured
  only by the environment variables the product reads (``HOTSPOTS_DATA_DIR``,
  ``HOTSPOTS_ACCOUNTS``, ``HOTSPOTS_AUDIT_LOG``) and the address's query parameters,
  signed in through the login form: every page's element tree as text (element type and
  its values, Markdown, tables, the map component's arguments) and the contents of every
  download button, as an analyst and as a partner.

Two stores are covered: the synthetic demo (``python -m hotspots demo``) and, unless
``--no-real``, a store loaded from the real open data (``--shared``, default
``../shared/data`` next to the repository). Temporary paths, the repository path,
timestamps, today's date and the store's checksum (it covers the load times) are replaced
by placeholders, so two runs on the same commit give identical folders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?"
)

STORE_CHECKSUM = re.compile(r"(checksum )[0-9a-f]{12}\b")
RANDOM_ID = re.compile(r"(?<=[A-Za-z]_)([0-9a-f]{32})(?![0-9a-f])")


class Normaliser:
    """Replaces the run's temporary folder, the repository path, timestamps, today's
    date, the store's checksum and the web-page map's random element ids by
    placeholders."""

    def __init__(self, tmp: Path):
        self.pairs = [
            (str(tmp.resolve()), "<TMP>"),
            (str(tmp), "<TMP>"),
            (str(ROOT), "<ROOT>"),
            (str(ROOT.parent), "<ROOT>/.."),
        ]
        today = dt.date.today()
        self.dates = sorted(
            {
                today.isoformat(),
                today.strftime("%d %B %Y"),
                f"{today.day} {today:%B %Y}",
                today.strftime("%d %b %Y"),
                f"{today.day} {today:%b %Y}",
                today.strftime("%d/%m/%Y"),
            },
            key=len,
            reverse=True,
        )

    def __call__(self, text: str) -> str:
        for a, b in self.pairs:
            text = text.replace(a, b)
        text = TIMESTAMP.sub("<TIME>", text)
        for d in self.dates:
            text = text.replace(d, "<TODAY>")
        # The store's checksum covers its manifest, which holds the load times.
        text = STORE_CHECKSUM.sub(r"\1<CHECKSUM>", text)
        # The web-page map's element ids are random: numbered by first appearance.
        ids: dict[str, int] = {}
        return RANDOM_ID.sub(lambda m: f"<ID{ids.setdefault(m.group(1), len(ids) + 1)}>", text)


class Snapshot:
    def __init__(self, out: Path, tmp: Path):
        self.out = out
        self.tmp = tmp
        self.norm = Normaliser(tmp)
        self.env = {
            **os.environ,
            "TZ": "UTC",
            "PYTHONHASHSEED": "0",
            "HOTSPOTS_ACCOUNTS": str(tmp / "no-accounts.toml"),
            "HOTSPOTS_AUDIT_LOG": str(tmp / "audit.jsonl"),
            "COLUMNS": "100",
        }
        self.env.pop("HOTSPOTS_DATA_DIR", None)
        self.env.pop("HOTSPOTS_SUPPRESSION", None)
        self.env.pop("HOTSPOTS_DEBUG", None)

    # ------------------------------------------------------------------ writing
    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.norm(text), encoding="utf-8")

    def cli(
        self, rel: str, args: list[str], stdin: str | None = None, env: dict | None = None
    ) -> int:
        """Run ``python -m hotspots ARGS``; write its exit code, stdout and stderr."""
        proc = subprocess.run(
            [PY, "-m", "hotspots", *args],
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
        )
        self.write(
            f"{rel}.txt",
            f"$ python -m hotspots {' '.join(args)}\n"
            f"exit code: {proc.returncode}\n--- stdout\n{proc.stdout}"
            f"--- stderr\n{proc.stderr}",
        )
        return proc.returncode

    def file(self, rel: str, path: Path) -> None:
        """A written file as comparable text (by its content's kind)."""
        if not path.exists():
            self.write(f"{rel}.missing", f"{path.name} was not written\n")
            return
        self.content(rel, path.read_bytes())

    def content(self, rel: str, data: bytes) -> None:
        if data[:4] == b"%PDF":
            self.write(f"{rel}.pdf.txt", pdf_text(data))
        elif data[:2] == b"PK":
            self.write(f"{rel}.xlsx.txt", xlsx_text(data))
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = f"binary, sha256 {hashlib.sha256(data).hexdigest()}\n"
            self.write(f"{rel}.txt", text)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    stable = re.sub(rb"/(CreationDate|ModDate) *\([^)]*\)", b"", data)
    stable = re.sub(rb"/ID *\[[^\]]*\]", b"", stable)
    reader = PdfReader(io.BytesIO(data))
    parts = [
        f"pages: {len(reader.pages)}",
        f"sha256 without dates and id: {hashlib.sha256(stable).hexdigest()}",
    ]
    for i, page in enumerate(reader.pages, 1):
        parts.append(f"--- page {i}\n{page.extract_text()}")
    return "\n".join(parts) + "\n"


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    parts = []
    for ws in wb.worksheets:
        parts.append(f"=== sheet {ws.title!r} ({ws.max_row} x {ws.max_column})")
        if ws.merged_cells.ranges:
            parts.append("merged: " + " ".join(sorted(str(r) for r in ws.merged_cells.ranges)))
        for row in ws.iter_rows():
            cells = [f"{c.coordinate}={c.value!r}" for c in row if c.value is not None]
            if cells:
                parts.append("  ".join(cells))
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- command line
def cli_outputs(
    snap: Snapshot, name: str, store: Path, selections: list[dict], pack_month: str
) -> None:
    d = ["--data-dir", str(store)]
    base = f"{name}/cli"
    snap.cli(f"{base}/status", [*d, "status"])
    snap.cli(f"{base}/verify", [*d, "verify"])
    files = snap.tmp / f"{name}-files"
    for i, sel in enumerate(selections):
        period = ["--from", sel["from"], "--to", sel["to"]]
        if sel.get("area"):
            period += ["--area", sel["area"]]
        if sel.get("def"):
            period += ["--definition", sel["def"]]
        tag = f"sel{i}"
        out = files / f"{tag}-wards.csv"
        snap.cli(f"{base}/{tag}/wards", [*d, "wards", *period, "--out", str(out)])
        snap.file(f"{base}/{tag}/wards.csv", out)
        snap.file(f"{base}/{tag}/wards.meta.json", out.with_suffix(".meta.json"))
        for preset in sel.get("presets", [None]):
            for audience in ("analyst", "partner"):
                stem = f"rank-{preset or 'default'}-{audience}"
                out = files / f"{tag}-{stem}.csv"
                args = [*d, "rank", *period, "--out", str(out), "--audience", audience]
                if preset:
                    args += ["--preset", preset]
                snap.cli(f"{base}/{tag}/{stem}", args)
                snap.file(f"{base}/{tag}/{stem}.csv", out)
                snap.file(f"{base}/{tag}/{stem}.meta.json", out.with_suffix(".meta.json"))
        if sel.get("weights"):
            out = files / f"{tag}-rank-weights.csv"
            snap.cli(
                f"{base}/{tag}/rank-weights",
                [
                    *d,
                    "rank",
                    *period,
                    "--out",
                    str(out),
                    "--weights",
                    sel["weights"],
                    "--top-n",
                    "5",
                ],
            )
            snap.file(f"{base}/{tag}/rank-weights.csv", out)
            snap.file(f"{base}/{tag}/rank-weights.meta.json", out.with_suffix(".meta.json"))
    for area in (None, selections[0].get("area")):
        for audience in ("analyst", "partner"):
            stem = f"pack-{area or 'all'}-{audience}"
            pdf, xlsx, js = (files / f"{stem}.{e}" for e in ("pdf", "xlsx", "json"))
            args = [
                *d,
                "pack",
                "--month",
                pack_month,
                "--audience",
                audience,
                "--out",
                str(pdf),
                "--excel",
                str(xlsx),
                "--json",
                str(js),
            ]
            if area:
                args += ["--area", area]
            snap.cli(f"{base}/{stem}", args)
            snap.file(f"{base}/{stem}-pdf", pdf)
            snap.file(f"{base}/{stem}-excel", xlsx)
            snap.file(f"{base}/{stem}.json", js)
    # Bad input: the messages a user sees.
    snap.cli(
        f"{base}/error-area",
        [
            *d,
            "rank",
            "--from",
            selections[0]["from"],
            "--to",
            selections[0]["to"],
            "--area",
            "nowhere-at-all",
            "--out",
            str(files / "x.csv"),
        ],
    )
    snap.cli(
        f"{base}/error-weights",
        [
            *d,
            "rank",
            "--from",
            selections[0]["from"],
            "--to",
            selections[0]["to"],
            "--weights",
            "violence=2",
            "--out",
            str(files / "x.csv"),
        ],
    )
    snap.cli(
        f"{base}/error-definition",
        [
            *d,
            "wards",
            "--from",
            selections[0]["from"],
            "--to",
            selections[0]["to"],
            "--definition",
            "no-such-definition",
            "--out",
            str(files / "x.csv"),
        ],
    )
    snap.cli(
        f"{base}/error-pack-month",
        [*d, "pack", "--month", "1999-13", "--out", str(files / "x.pdf")],
    )
    snap.cli(f"{base}/status-after", [*d, "status"])


def cli_general(snap: Snapshot) -> None:
    snap.cli("cli/help", ["--help"])
    for cmd in (
        "load",
        "status",
        "verify",
        "wards",
        "rank",
        "pack",
        "accept-missing-flag",
        "demo",
        "fetch",
        "user",
    ):
        snap.cli(f"cli/help-{cmd}", [cmd, "--help"])
    acc = snap.tmp / "cli-accounts.toml"
    snap.cli("cli/user-list-none", ["user", "list", "--accounts", str(acc)])
    snap.cli(
        "cli/user-add",
        ["user", "add", "ann", "--role", "analyst", "--password-stdin", "--accounts", str(acc)],
        stdin="a-long-password-1\n",
    )
    snap.cli(
        "cli/user-add-again",
        ["user", "add", "ann", "--role", "analyst", "--password-stdin", "--accounts", str(acc)],
        stdin="a-long-password-1\n",
    )
    snap.cli(
        "cli/user-add-short",
        ["user", "add", "carl", "--role", "partner", "--password-stdin", "--accounts", str(acc)],
        stdin="x\n",
    )
    snap.cli("cli/user-list", ["user", "list", "--accounts", str(acc)])
    snap.cli("cli/user-remove", ["user", "remove", "ann", "--accounts", str(acc)])
    snap.cli("cli/user-list-after", ["user", "list", "--accounts", str(acc)])
    bad = snap.tmp / "bad-crimes.csv"
    bad.write_text("Crime ID,Month\nx,2023-01\n", encoding="utf-8")
    snap.cli(
        "cli/load-bad-file",
        ["--data-dir", str(snap.tmp / "empty-store"), "load", "crimes", str(bad), "--quiet"],
    )
    snap.cli("cli/status-empty", ["--data-dir", str(snap.tmp / "empty-store"), "status"])


# ---------------------------------------------------------------- dashboard
class Downloads:
    """Keeps each AppTest run's media file manager (Streamlit drops it when the run ends)
    so the download buttons' contents can be read."""

    def __init__(self):
        import streamlit.testing.v1.app_test as app_test
        from streamlit.runtime.media_file_manager import MediaFileManager

        self.managers: list = []
        managers = self.managers

        class Keeping(MediaFileManager):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                managers.append(self)

        app_test.MediaFileManager = Keeping

    def data(self, proto) -> bytes:
        mgr = self.managers[-1]
        url = mgr.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
        return mgr._storage.get_file(url.rsplit("/", 1)[-1]).content


DROP = {"id", "formId", "url", "deferredFileId", "data", "json", "datasets"}


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in sorted(obj.items()) if k not in DROP}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def element_text(node, downloads: Downloads, snap: Snapshot, rel: str, counter: list) -> str:
    """One element as text: its type, its proto's fields (without ids and media
    addresses), a table's contents, the map component's arguments, a download's file."""
    from google.protobuf.json_format import MessageToDict

    kind = node.type
    lines = [f"[{kind}]"]
    proto = getattr(node, "proto", None)
    if proto is not None:
        fields = _clean(MessageToDict(proto))
        if fields:
            lines.append(json.dumps(fields, indent=1, sort_keys=True, ensure_ascii=False))
    widget = kind in (
        "selectbox",
        "multiselect",
        "radio",
        "toggle",
        "checkbox",
        "slider",
        "select_slider",
        "text_input",
        "number_input",
        "text_area",
        "date_input",
        "time_input",
        "segmented_control",
        "pills",
        "color_picker",
        "button_group",
    )
    if widget:
        try:
            lines.append(f"value: {node.value!r}")
        except Exception as exc:
            lines.append(f"value: cannot read ({type(exc).__name__})")
    if kind in ("arrow_data_frame", "dataframe", "table") or kind.endswith("data_frame"):
        try:
            lines.append("table:\n" + node.value.to_csv())
        except Exception as exc:
            lines.append(f"table: cannot read ({type(exc).__name__})")
    if kind == "bidi_component" and proto is not None:
        try:
            args = json.loads(json.loads(proto.json))
            lines.append(
                "component arguments:\n"
                + json.dumps(args, indent=1, sort_keys=True, ensure_ascii=False)
            )
        except Exception:
            lines.append("component json:\n" + proto.json)
    if kind == "arrow_vega_lite_chart" or "vega" in kind:
        try:
            import pyarrow as pa

            spec = json.loads(proto.spec) if proto.spec else {}
            lines.append("spec:\n" + json.dumps(spec, indent=1, sort_keys=True))
            if proto.HasField("data") and proto.data.data:
                lines.append(
                    "chart data:\n" + pa.ipc.open_stream(proto.data.data).read_pandas().to_csv()
                )
            for ds in proto.datasets:
                lines.append(
                    f"dataset {ds.name}:\n"
                    + pa.ipc.open_stream(ds.data.data).read_pandas().to_csv()
                )
        except Exception as exc:
            lines.append(f"chart: cannot read ({type(exc).__name__}: {exc})")
    if kind == "download_button":
        counter[0] += 1
        try:
            data = downloads.data(proto)
            name = re.sub(r"[^A-Za-z0-9._-]", "_", proto.label)[:60]
            target = f"{rel}-downloads/{counter[0]:02d}-{name}"
            snap.content(target, data)
            size = "a workbook" if data[:2] == b"PK" else f"{len(data)} bytes"  # zip times
            lines.append(f"download: {size} -> {target}")
        except Exception as exc:
            lines.append(f"download: cannot read ({type(exc).__name__}: {exc})")
    return "\n".join(lines)


def tree_text(node, downloads, snap, rel, counter, depth=0) -> list[str]:
    pad = "  " * depth
    from streamlit.testing.v1.element_tree import Block

    if isinstance(node, Block):
        children = node.children
        out = [f"{pad}<{node.type}>"]
        if getattr(node, "proto", None) is not None:
            from google.protobuf.json_format import MessageToDict

            fields = _clean(MessageToDict(node.proto))
            if fields:
                out.append(pad + json.dumps(fields, sort_keys=True, ensure_ascii=False))
        for key in sorted(children):
            out.extend(tree_text(children[key], downloads, snap, rel, counter, depth + 1))
        return out
    text = element_text(node, downloads, snap, rel, counter)
    return [pad + line for line in text.splitlines()]


def dump_app(snap: Snapshot, downloads: Downloads, at, rel: str) -> None:
    counter = [0]
    parts = [f"query: {json.dumps(dict(sorted(at.query_params.items())))}"]
    if at.exception:
        parts.append("EXCEPTION: " + "\n".join(str(e.value) for e in at.exception))
    for name in ("sidebar", "main"):
        parts.append(f"===== {name}")
        parts.extend(tree_text(getattr(at, name), downloads, snap, rel, counter))
    snap.write(f"{rel}.txt", "\n".join(parts) + "\n")


PAGES = [
    "",
    "pages/map.py",
    "pages/hotspots.py",
    "pages/pack.py",
    "pages/profile.py",
    "pages/data.py",
    "pages/method.py",
]


def new_app(role: str, query: dict, snap: Snapshot, store: Path):
    from streamlit.testing.v1 import AppTest

    os.environ["HOTSPOTS_DATA_DIR"] = str(store)
    os.environ["HOTSPOTS_AUDIT_LOG"] = str(snap.tmp / "app-audit.jsonl")
    if role == "analyst":
        os.environ["HOTSPOTS_ACCOUNTS"] = str(snap.tmp / "no-accounts.toml")
    else:
        os.environ["HOTSPOTS_ACCOUNTS"] = str(snap.tmp / "partner-accounts.toml")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(query)
    return at


def _user_class():
    """The dashboard's signed-in-user class and its session key, found among the modules
    the app has imported (wherever the dashboard package keeps it)."""
    for mod in list(sys.modules.values()):
        name = getattr(mod, "__name__", "") or ""
        cls = getattr(mod, "User", None)
        if (
            name.startswith("dashboard")
            and isinstance(cls, type)
            and getattr(cls, "__module__", "") == name
            and hasattr(cls, "can")
        ):
            return cls, getattr(mod, "SESSION_KEY", "user")
    raise RuntimeError("the dashboard's User class was not found")


def sign_in(at, role: str):
    """Open the app; as a partner, sign "bob" in the way the tests do: the login form
    cannot be submitted under AppTest (each run restarts once to leave Streamlit's pages
    mode, which drops the button's click), so the user is put in the session."""
    at.run()
    if role == "partner":
        user_cls, key = _user_class()
        at.session_state[key] = user_cls("bob", "partner", "password")
        at.run()
    return at


def app_outputs(
    snap: Snapshot,
    downloads: Downloads,
    name: str,
    store: Path,
    scenarios: list[tuple[str, dict, list[str]]],
) -> None:
    for role in ("analyst", "partner"):
        for tag, query, pages in scenarios:
            for page in pages:
                at = new_app(role, query, snap, store)
                at = sign_in(at, role)
                label = page.removeprefix("pages/").removesuffix(".py") or "home"
                rel = f"{name}/app/{role}/{tag}/{label}"
                if page:
                    at.switch_page(page).run()
                dump_app(snap, downloads, at, rel)
                if page == "pages/map.py":  # the run the map's "drawn" message starts
                    at.run()
                    dump_app(snap, downloads, at, rel + "-rerun")


# ---------------------------------------------------------------- main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("outdir")
    p.add_argument(
        "--shared",
        default=str(ROOT.parent / "shared" / "data"),
        help="the real open data (default ../shared/data)",
    )
    p.add_argument("--no-real", action="store_true", help="the demo store only")
    p.add_argument("--no-app", action="store_true", help="the command line only")
    p.add_argument(
        "--no-cli",
        action="store_true",
        help="the dashboard only (the stores are still built with the command line)",
    )
    args = p.parse_args(argv)
    out = Path(args.outdir).resolve()
    marker = out / ".hotspots-snapshot"
    if out.exists() and any(out.iterdir()) and not marker.exists():
        p.error(f"{out} exists and is not a snapshot folder; name a new or empty folder")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    marker.write_text("written by scripts/snapshot_outputs.py\n", encoding="utf-8")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hotspots-snapshot-") as t:
        tmp = Path(t)
        snap = Snapshot(out, tmp)
        timings = {}

        def step(label, fn, *a):
            s = time.monotonic()
            fn(*a)
            timings[label] = time.monotonic() - s
            print(f"{label}: {timings[label]:.0f} s", file=sys.stderr)

        if not args.no_cli:
            step("cli general", cli_general, snap)
        # Partner account for the dashboard, made through the command line.
        snap.cli(
            "setup/partner-account",
            [
                "user",
                "add",
                "bob",
                "--role",
                "partner",
                "--password-stdin",
                "--accounts",
                str(tmp / "partner-accounts.toml"),
            ],
            stdin="partner-pass-1\n",
        )
        demo = tmp / "demo-store"
        step("demo build", snap.cli, "demo/cli/demo", ["demo", "--dir", str(demo)])
        snap.cli("demo/cli/demo-again", ["demo", "--dir", str(demo)])
        demo_sel = [
            {
                "area": "cantre-gwaelod",
                "from": "2024-01",
                "to": "2024-12",
                "def": "police-uk-proxy",
                "presets": [None, "violence", "violence-deprivation", "harm-weighted"],
                "weights": "violence=0.5,drugs=0.25,deprivation=0.25",
            },
            {"from": "2023-01", "to": "2024-12"},
        ]
        if not args.no_cli:
            step("demo cli", cli_outputs, snap, "demo", demo, demo_sel, "2024-12")
        stores = [("demo", demo)]
        shared = Path(args.shared)
        real = tmp / "real-store"
        if not args.no_real and (shared / "PROVENANCE.md").exists():
            step(
                "real load",
                snap.cli,
                "real/cli/load",
                ["--data-dir", str(real), "load", "auto", str(shared), "--quiet"],
            )
            snap.cli(
                "real/cli/load-again",
                ["--data-dir", str(real), "load", "auto", str(shared), "--quiet"],
            )
            real_sel = [
                {
                    "area": "dyfed-powys",
                    "from": "2018-10",
                    "to": "2019-02",
                    "presets": [None, "violence", "harm-weighted"],
                },
                {"area": "south-wales", "from": "2018-12", "to": "2019-02"},
                {"from": "2018-10", "to": "2019-02"},
            ]
            if not args.no_cli:
                step("real cli", cli_outputs, snap, "real", real, real_sel, "2019-02")
            stores.append(("real", real))
        elif not args.no_real:
            snap.write("real/SKIPPED", f"no real data at {shared}\n")
        if not args.no_app:
            downloads = Downloads()
            demo_scen = [
                ("default", {}, PAGES),
                (
                    "area-2024",
                    {
                        "area": "cantre-gwaelod",
                        "period": "range",
                        "from": "2024-01",
                        "to": "2024-12",
                        "def": "police-uk-proxy",
                    },
                    PAGES,
                ),
                (
                    "violence-preset",
                    {
                        "area": "maes-gwyddno",
                        "period": "range",
                        "from": "2023-01",
                        "to": "2023-12",
                        "preset": "violence",
                        "show": "Drug offences (count)",
                    },
                    ["", "pages/map.py", "pages/hotspots.py"],
                ),
            ]
            step("demo app", app_outputs, snap, downloads, "demo", demo, demo_scen)
            if ("real", real) in stores:
                real_scen = [
                    ("default", {}, PAGES),
                    (
                        "dyfed-powys",
                        {
                            "area": "dyfed-powys",
                            "period": "range",
                            "from": "2018-10",
                            "to": "2019-02",
                            "preset": "violence-deprivation",
                        },
                        ["pages/map.py", "pages/hotspots.py", "pages/pack.py"],
                    ),
                ]
                step("real app", app_outputs, snap, downloads, "real", real, real_scen)
        snap.cli("demo/cli/verify-end", ["--data-dir", str(demo), "verify"])
    print(f"snapshot written to {out} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
