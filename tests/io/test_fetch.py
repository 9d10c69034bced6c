"""Tests for hotspots.io.fetch, against a local HTTP server serving fixture files (no network)."""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import io
import json
import re
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from hotspots.cli import main
from hotspots.errors import InputError
from hotspots.io.fetch import LOG_NAME, fetch, read_log
from hotspots.io.lookups import load_lookup
from hotspots.io.sources import SOURCES, env_var
from hotspots.io.street_files import iter_police_uk

POLICE_UK_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
LOOKUP_KEY = "lsoa21-ward22-lookup"
LOOKUP_FILE = SOURCES[LOOKUP_KEY].file


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def police_archive(month: str = "2019-01") -> bytes:
    """A tiny police.uk-style archive: two forces' street CSVs for one month."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for force, name in (
            ("dyfed-powys", "Dyfed-Powys Police"),
            ("south-wales", "South Wales Police"),
        ):
            rows = [
                [
                    "a" * 64,
                    month,
                    name,
                    name,
                    "-4.081000",
                    "52.415000",
                    "On or near High Street",
                    "W01000500",
                    "Ceredigion 005A",
                    "Violence and sexual offences",
                    "Under investigation",
                    "",
                ],
                [
                    "",
                    month,
                    name,
                    name,
                    "-4.082000",
                    "52.416000",
                    "On or near Park Road",
                    "W01000501",
                    "Ceredigion 005B",
                    "Anti-social behaviour",
                    "",
                    "",
                ],
            ]
            zf.writestr(f"{month}/{month}-{force}-street.csv", _csv_bytes(POLICE_UK_HEADER, rows))
    return buf.getvalue()


LOOKUP_BYTES = _csv_bytes(
    [
        "LSOA21CD",
        "LSOA21NM",
        "LSOA21NMW",
        "WD22CD",
        "WD22NM",
        "WD22NMW",
        "LAD22CD",
        "LAD22NM",
        "LAD22NMW",
        "ObjectId",
    ],
    [
        [
            "W01000001",
            "Isle of Anglesey 007A",
            "",
            "W05000001",
            "Aberffraw",
            "",
            "W06000001",
            "Isle of Anglesey",
            "Ynys Môn",
            "1",
        ],
        [
            "W01000002",
            "Isle of Anglesey 007B",
            "",
            "W05000001",
            "Aberffraw",
            "",
            "W06000001",
            "Isle of Anglesey",
            "Ynys Môn",
            "2",
        ],
    ],
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the fixture folder; ``server.behaviour[path]`` makes a path misbehave."""

    def log_message(self, format, *args):  # keep the test output quiet
        pass

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        how = server.behaviour.get(self.path)
        if how == "truncate":  # promise 1,000 bytes, send 100, hang up
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"PK\x03\x04" + b"x" * 96)
            self.wfile.flush()
            self.close_connection = True
        elif how == "hang":  # send a little, then nothing until the test ends
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"PK\x03\x04")
            self.wfile.flush()
            server.release.wait(10)
        elif how == "html":
            body = b"<!DOCTYPE html><html><body>Moved</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif how == "202":
            body = b'{"status": "Pending"}'
            self.send_response(202)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


class Server:
    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.httpd.behaviour = {}
        self.httpd.release = threading.Event()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    @property
    def behaviour(self) -> dict[str, str]:
        return self.httpd.behaviour

    def put(self, name: str, data: bytes) -> bytes:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def close(self) -> None:
        self.httpd.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    srv = Server(root)
    yield srv
    srv.close()


@pytest.fixture
def out(tmp_path):
    return tmp_path / "fetched"


@pytest.fixture(autouse=True)
def _no_url_overrides(monkeypatch):
    for key in SOURCES:
        monkeypatch.delenv(env_var(key), raising=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_fetch_downloads_with_right_checksum_and_logs(server, out):
    archive = server.put("2019-01.zip", police_archive())
    lookup = server.put(LOOKUP_FILE, LOOKUP_BYTES)
    results = fetch(
        ["police-uk-archive", LOOKUP_KEY],
        out_dir=out,
        months=["2019-01"],
        forces=["dyfed-powys"],
        base_url=server.url,
    )
    assert [(r.key, r.status) for r in results] == [
        ("police-uk-archive", "downloaded"),
        (LOOKUP_KEY, "downloaded"),
    ]
    a, b = results
    assert a.url == f"{server.url}/2019-01.zip"
    assert a.path == out / "2019-01.zip"
    assert (a.sha256, a.size) == (sha(archive), len(archive))
    assert a.path.read_bytes() == archive
    assert (b.sha256, b.size) == (sha(lookup), len(lookup))
    assert (out / LOOKUP_FILE).read_bytes() == lookup

    log = json.loads((out / LOG_NAME).read_text(encoding="utf-8"))["downloads"]
    assert [e["file"] for e in log] == ["2019-01.zip", LOOKUP_FILE]
    assert log[0]["url"] == a.url and log[0]["sha256"] == sha(archive)
    assert log[0]["size"] == len(archive) and log[0]["time"]
    assert log[0]["month"] == "2019-01" and log[0]["forces"] == ["dyfed-powys"]
    assert "forces" not in log[1]
    assert read_log(out) == log
    assert leftovers(out) == []


def test_downloaded_files_load(server, out):
    server.put("2019-01.zip", police_archive())
    server.put(LOOKUP_FILE, LOOKUP_BYTES)
    fetch(["police-uk-archive", LOOKUP_KEY], out, months=["2019-01"], base_url=server.url)
    raws = list(iter_police_uk([out / "2019-01.zip"], forces=["dyfed-powys"]))
    assert [r.name.rsplit("/", 1)[-1] for r in raws] == ["2019-01-dyfed-powys-street.csv"]
    kind, frame = load_lookup(out / LOOKUP_FILE)
    assert kind == "lsoa21_ward"
    assert list(frame["ward_code"]) == ["W05000001", "W05000001"]


def test_second_fetch_is_unchanged_without_downloading(server, out):
    archive = server.put("2019-01.zip", police_archive())
    fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    assert server.requests == ["/2019-01.zip"]
    again = fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    assert [(r.status, r.sha256, r.size) for r in again] == [
        ("unchanged", sha(archive), len(archive))
    ]
    assert server.requests == ["/2019-01.zip"]  # no second request
    assert len(read_log(out)) == 1

    (out / "2019-01.zip").write_bytes(b"PK\x03\x04 damaged")  # no longer the logged file
    third = fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    assert third[0].status == "downloaded"
    assert (out / "2019-01.zip").read_bytes() == archive
    assert len(server.requests) == 2 and len(read_log(out)) == 2


def test_several_months_and_a_mirror_with_a_path_prefix(server, out):
    server.put("mirror/2019-01.zip", police_archive("2019-01"))
    server.put("mirror/2019-02.zip", police_archive("2019-02"))
    results = fetch(
        ["police-uk-archive"],
        out,
        months=["2019-02", "2019-01", "2019-01"],
        base_url=server.url + "/mirror/",
    )
    assert [r.path.name for r in results] == ["2019-01.zip", "2019-02.zip"]
    assert server.requests == ["/mirror/2019-01.zip", "/mirror/2019-02.zip"]


def test_url_overrides_by_argument_and_environment(server, out, monkeypatch):
    server.put("elsewhere/lookup.csv", LOOKUP_BYTES)
    server.put("arch/2019-01.zip", police_archive())
    monkeypatch.setenv(env_var(LOOKUP_KEY), f"{server.url}/elsewhere/lookup.csv")
    results = fetch(
        [LOOKUP_KEY, "police-uk-archive"],
        out,
        months=["2019-01"],
        urls={"police-uk-archive": server.url + "/arch/{month}.zip"},
    )
    assert [r.path.name for r in results] == [LOOKUP_FILE, "2019-01.zip"]
    assert server.requests == ["/elsewhere/lookup.csv", "/arch/2019-01.zip"]


def test_empty_what_means_every_reference_source(server, out):
    for s in SOURCES.values():
        if not s.monthly:
            server.put(
                s.file,
                b"PK\x03\x04zip"
                if s.file.endswith((".zip", ".ods", ".xlsx"))
                else b'{"type": "FeatureCollection", "features": []}'
                if s.file.endswith(".geojson")
                else LOOKUP_BYTES,
            )
    results = fetch([], out, base_url=server.url)
    assert {r.key for r in results} == {k for k, s in SOURCES.items() if not s.monthly}
    assert all(r.status == "downloaded" for r in results)


# ---------------------------------------------------------------- failures


def test_404_names_the_url_and_leaves_nothing(server, out):
    url = f"{server.url}/2019-01.zip"
    with pytest.raises(InputError, match=re.escape(url)) as info:
        fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    msg = info.value.message
    assert "HTTP 404" in msg and "--base-url" in msg and "internet connection" in msg
    assert list(out.iterdir()) == []


def test_connection_cut_mid_body_leaves_no_partial_file(server, out):
    server.put(LOOKUP_FILE, LOOKUP_BYTES)
    server.behaviour["/2019-01.zip"] = "truncate"
    with pytest.raises(InputError, match=r"2019-01\.zip.*100 of 1,000 bytes"):
        fetch([LOOKUP_KEY, "police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    assert not (out / "2019-01.zip").exists()
    assert leftovers(out) == []
    # what came before the failure is kept and logged
    assert (out / LOOKUP_FILE).read_bytes() == LOOKUP_BYTES
    assert [e["file"] for e in read_log(out)] == [LOOKUP_FILE]


def test_failed_refresh_keeps_the_previous_file(server, out):
    out.mkdir()
    (out / "2019-01.zip").write_bytes(b"an older copy, not in the log")
    server.behaviour["/2019-01.zip"] = "truncate"
    with pytest.raises(InputError):
        fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url)
    assert (out / "2019-01.zip").read_bytes() == b"an older copy, not in the log"
    assert leftovers(out) == []


def test_timeout_leaves_no_partial_file(server, out):
    server.behaviour["/2019-01.zip"] = "hang"
    with pytest.raises(InputError, match=r"2019-01\.zip.*timed out") as info:
        fetch(["police-uk-archive"], out, months=["2019-01"], base_url=server.url, timeout=0.3)
    assert "--base-url" in info.value.message
    assert list(out.iterdir()) == []


def test_no_network_is_an_input_error(out):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(
        InputError,
        match=rf"127\.0\.0\.1:{port}/2019-01\.zip.*could not "
        r"connect.*internet connection or use --base-url",
    ):
        fetch(
            ["police-uk-archive"],
            out,
            months=["2019-01"],
            base_url=f"http://127.0.0.1:{port}",
            timeout=2,
        )
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("how", "key", "match"),
    [
        ("html", "police-uk-archive", "web page instead of the file"),
        ("202", LOOKUP_KEY, "still preparing"),
    ],
)
def test_unexpected_answers_are_input_errors(server, out, how, key, match):
    name = "2019-01.zip" if key == "police-uk-archive" else LOOKUP_FILE
    server.behaviour["/" + name] = how
    with pytest.raises(InputError, match=match):
        fetch(
            [key],
            out,
            months=["2019-01"] if key == "police-uk-archive" else None,
            base_url=server.url,
        )
    assert list(out.iterdir()) == []


def test_arcgis_error_answer_is_an_input_error(server, out):
    server.put(
        SOURCES["wards-2022-bgc"].file, b'{"error": {"code": 400, "message": "Invalid query"}}'
    )
    with pytest.raises(InputError, match="Invalid query"):
        fetch(["wards-2022-bgc"], out, base_url=server.url)
    assert not (out / SOURCES["wards-2022-bgc"].file).exists()


# ---------------------------------------------------------------- bad requests


def test_unknown_key_lists_the_valid_keys(out):
    with pytest.raises(ValueError, match="unknown source 'nope'") as info:
        fetch(["nope"], out)
    assert all(key in str(info.value) for key in SOURCES)
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"what": ["police-uk-archive"]}, "needs at least one month"),
        ({"what": ["police-uk-archive"], "months": ["2019-13"]}, "not YYYY-MM"),
        (
            {"what": ["police-uk-archive"], "months": ["2019-01"], "forces": ["Dyfed Powys"]},
            "force slug",
        ),
        ({"what": [LOOKUP_KEY], "months": ["2019-01"]}, "--month applies only"),
        ({"what": [LOOKUP_KEY], "forces": ["dyfed-powys"]}, "--force applies only"),
    ],
)
def test_bad_requests_are_value_errors_before_any_download(out, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fetch(out_dir=out, base_url="http://127.0.0.1:9", **kwargs)
    assert not out.exists()


# ---------------------------------------------------------------- command line


def test_cli_fetch_then_unchanged(server, tmp_path, capsys):
    archive = server.put("2019-01.zip", police_archive())
    dest = tmp_path / "cli"
    argv = [
        "fetch",
        "police-uk-archive",
        "--month",
        "2019-01",
        "--force",
        "dyfed-powys",
        "--base-url",
        server.url,
        "--out",
        str(dest),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "downloaded" in text and sha(archive)[:12] in text and LOG_NAME in text
    assert (dest / "2019-01.zip").read_bytes() == archive
    assert main(argv) == 0
    assert "unchanged" in capsys.readouterr().out
    assert server.requests == ["/2019-01.zip"]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["fetch", "nope"], "valid keys: police-uk-archive"),
        (["fetch", "police-uk-archive"], "needs at least one month"),
        (["fetch", "population-mid2019"], "HTTP 404"),
    ],
)
def test_cli_bad_fetch_exits_2_with_message(server, tmp_path, capsys, argv, match):
    code = main([*argv, "--base-url", server.url, "--out", str(tmp_path / "cli")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and match in err
    assert "Traceback" not in err
    if "HTTP 404" in match:
        assert f"{server.url}/{SOURCES['population-mid2019'].file}" in err
