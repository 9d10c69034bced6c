"""Download the official originals (police.uk archives, ONS geography, WIMD, population).

:data:`SOURCES` is the registry of what can be fetched; :func:`fetch` downloads the chosen
sources into a folder, checks each file, and records every download (address, file,
SHA-256, size, time) in ``fetch-log.json`` in that folder. A file that is already there
with the logged checksum is not downloaded again.

Where each file comes from
--------------------------
Each source has a URL template. The address actually used is, in order of preference:

1. ``urls[key]`` passed to :func:`fetch`, or the environment variable
   ``HOTSPOTS_FETCH_URL_<KEY>`` (key upper-cased, ``-`` → ``_``, e.g.
   ``HOTSPOTS_FETCH_URL_LAD_CSP_PFA_LOOKUP``); ``{month}`` is filled in;
2. ``base_url`` + ``/`` + the source's file name, when ``base_url`` is given: a *mirror*
   is a plain folder of the files under the names they are saved as (so a folder that a
   previous fetch filled can itself be served as a mirror, e.g. with
   ``python -m http.server``);
3. the publisher's address in :data:`SOURCES`.

police.uk archives
------------------
``https://data.police.uk/data/archive/YYYY-MM.zip`` holds every force's street-level
crimes for that month and the months before it, so ``months`` is required for it and
``forces`` does not change what is downloaded: the forces are recorded in the log and
are applied when the archive is loaded (``python -m hotspots load crimes FILE.zip
--force dyfed-powys``), which reads only the members for those forces.

Formats
-------
The files are kept exactly as published. Some publishers only offer spreadsheets (WIMD
as ODS, ONS population as XLSX in a zip) while ``load`` reads CSV for deprivation and
population, so those two need one export to CSV before loading; each source's
``description`` says so.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hotspots import __version__
from hotspots.errors import N_, InputError, Text
from hotspots.io.sources import SOURCES, Source, file_name, source_url
from hotspots.validation import check_month

LOG_NAME = "fetch-log.json"
CHUNK = 1 << 20
USER_AGENT = f"hotspots/{__version__} (Python urllib; open-data download)"
FIX_NETWORK = N_("check the internet connection or use --base-url to a mirror")
FIX_AGAIN = N_("try again; check the internet connection or use --base-url to a mirror")
FORCE = re.compile(r"[a-z]+(-[a-z]+)*")


@dataclass(frozen=True)
class FetchResult:
    """One file :func:`fetch` made sure of.

    ``status`` is ``"downloaded"`` or ``"unchanged"`` (already there with the logged
    checksum, nothing downloaded).
    """

    key: str
    url: str
    path: Path
    sha256: str
    size: int
    status: str


def _unique(values: Iterable[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or [] if v and v.strip()))


def _plan(
    what: Sequence[str], months: Sequence[str] | None, forces: Sequence[str] | None
) -> list[tuple[Source, str | None]]:
    """Check the request and list (source, month) to fetch; nothing is downloaded yet."""
    keys = _unique(what)
    bad = [k for k in keys if k not in SOURCES]
    if bad:
        raise ValueError(
            f"unknown source {', '.join(map(repr, bad))}; valid keys: {', '.join(SOURCES)}"
        )
    month_list = _unique(months)
    for m in month_list:
        check_month(m)
    for f in _unique(forces):
        if not FORCE.fullmatch(f):
            raise ValueError(
                f"force {f!r} is not a police.uk force slug "
                "(lower case and hyphens, e.g. dyfed-powys)"
            )
    if keys:
        chosen = [SOURCES[k] for k in keys]
    else:  # everything: the reference data, and the archives when months are given
        chosen = [s for s in SOURCES.values() if month_list or not s.monthly]
    monthly = [s for s in chosen if s.monthly]
    if monthly and not month_list:
        raise ValueError(
            f"{monthly[0].key} needs at least one month: give --month YYYY-MM "
            "(repeatable), e.g. --month 2019-01"
        )
    if not monthly and month_list:
        raise ValueError("--month applies only to police-uk-archive, which is not chosen")
    if not monthly and _unique(forces):
        raise ValueError("--force applies only to police-uk-archive, which is not chosen")
    plan: list[tuple[Source, str | None]] = []
    for s in chosen:
        if s.monthly:
            plan.extend((s, m) for m in sorted(month_list))
        else:
            plan.append((s, None))
    return plan


def read_log(out_dir: str | Path) -> list[dict]:
    """The downloads recorded in ``out_dir/fetch-log.json`` (oldest first; [] if none)."""
    path = Path(out_dir) / LOG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("downloads") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _write_log(out_dir: Path, entries: list[dict]) -> None:
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{LOG_NAME}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"downloads": entries}, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, out_dir / LOG_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _unchanged(path: Path, logged: dict | None) -> bool:
    if logged is None or not path.is_file():
        return False
    if path.stat().st_size != logged.get("size"):
        return False
    return sha256_file(path) == logged.get("sha256")


def _content_problem(name: str, head: bytes) -> Text | None:
    """Why the first bytes of a download cannot be the file ``name`` is (None if fine)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = text[:200].lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        return Text(N_("the server sent a web page instead of the file"))
    suffix = Path(name).suffix.lower()
    if suffix in (".zip", ".ods", ".xlsx") and not head.startswith(b"PK\x03\x04"):
        return Text(
            N_("the download is not a {suffix} file (it does not start like one)"),
            {"suffix": suffix},
        )
    if suffix in (".geojson", ".json"):
        if not text.startswith(b"{"):
            return Text(N_("the download is not JSON"))
        if re.match(rb'\{\s*"error"\s*:', text):
            detail = text[:300].decode("utf-8", "replace")
            return Text(
                N_("the server answered with an error instead of data ({detail})"),
                {"detail": detail},
            )
    if suffix == ".csv" and text.startswith((b"{", b"[")):
        return Text(
            N_("the server sent JSON instead of CSV (the portal may still be preparing the file)")
        )
    return None


def _fail(url: str, what: str, fix: str = FIX_NETWORK, **values) -> InputError:
    """A failed download of ``url``: ``what`` and ``fix`` are templates marked ``N_()``."""
    return InputError(
        N_("download failed: {what}"), file=url, fix=fix, values={"what": Text(what, values)}
    )


def _download(
    url: str, dest: Path, timeout: float, opener: urllib.request.OpenerDirector
) -> tuple[str, int]:
    """Stream ``url`` into ``dest`` (via a temporary file); return (sha256, size).

    Raises
    ------
    InputError
        Any HTTP error, refused connection, timeout, short or unexpected body; the
        temporary file is removed and ``dest`` is left as it was.
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    ok = False
    try:
        with os.fdopen(fd, "wb") as out, opener.open(request, timeout=timeout) as resp:
            status = getattr(resp, "status", 200)
            if status == 202:
                raise _fail(
                    url,
                    N_("the server is still preparing the file (HTTP 202)"),
                    N_("try again in a few minutes, or use --base-url to a mirror"),
                )
            expected = resp.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            digest, size, head = hashlib.sha256(), 0, b""
            while block := resp.read(CHUNK):
                if len(head) < 4096:
                    head += block[: 4096 - len(head)]
                digest.update(block)
                try:
                    out.write(block)
                except OSError as exc:  # a local disk problem, not the network
                    raise OSError(exc.errno, exc.strerror, str(dest)) from None
                size += len(block)
        if expected is not None and size != expected:
            raise _fail(
                url,
                N_("the connection closed after {size} of {expected} bytes"),
                FIX_AGAIN,
                size=f"{size:,}",
                expected=f"{expected:,}",
            )
        if size == 0:
            raise _fail(url, N_("the server sent an empty file"), FIX_AGAIN)
        problem = _content_problem(dest.name, head)
        if problem:
            raise _fail(
                url,
                "{problem}",
                N_(
                    "check the address (the publisher may have moved the "
                    "file; see the source's page), or use --base-url to a mirror"
                ),
                problem=problem,
            )
        os.replace(tmp, dest)
        ok = True
        return digest.hexdigest(), size
    except urllib.error.HTTPError as exc:
        raise _fail(
            url,
            "HTTP {code} {reason}",
            N_(
                "check the address (is the month published yet? has the publisher moved "
                "the file?), check the internet connection or use --base-url to a mirror"
            )
            if exc.code == 404
            else FIX_NETWORK,
            code=exc.code,
            reason=exc.reason,
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _fail(
                url, N_("no answer within {seconds} s (timed out)"), seconds=f"{timeout:g}"
            ) from None
        raise _fail(url, N_("could not connect ({reason})"), reason=reason) from None
    except TimeoutError:
        raise _fail(
            url, N_("no data for {seconds} s (timed out)"), FIX_AGAIN, seconds=f"{timeout:g}"
        ) from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise _fail(
            url,
            N_("the connection broke ({reason})"),
            FIX_AGAIN,
            reason=f"{type(exc).__name__}: {exc}",
        ) from None
    except OSError as exc:
        if exc.filename == str(dest):
            raise  # a local disk problem: the CLI names the file
        raise _fail(url, N_("network error ({reason})"), reason=exc.strerror or exc) from None
    finally:
        if not ok:
            Path(tmp).unlink(missing_ok=True)


def fetch(
    what: Sequence[str],
    out_dir: str | Path,
    months: Sequence[str] | None = None,
    forces: Sequence[str] | None = None,
    base_url: str | None = None,
    timeout: float = 60,
    opener: urllib.request.OpenerDirector | None = None,
    urls: Mapping[str, str] | None = None,
) -> list[FetchResult]:
    """Download official originals into ``out_dir``; skip files already there unchanged.

    Parameters
    ----------
    what : list of str
        Keys of :data:`SOURCES`; empty means every reference source, plus the police.uk
        archives when ``months`` are given.
    out_dir : path
        Download folder (created). Files keep the names in :data:`SOURCES`; every download
        is recorded in ``out_dir/fetch-log.json``.
    months : list of str, optional
        ``YYYY-MM`` months of police.uk archives; required when ``police-uk-archive`` is
        asked for, and only allowed then.
    forces : list of str, optional
        police.uk force slugs (``dyfed-powys``). The archive holds all forces, so this does
        not change the download: it is recorded in the log for the load, which filters
        forces (``load crimes FILE --force …``).
    base_url : str, optional
        A mirror: ``base_url/<file name>`` is fetched instead of the publisher's address.
    timeout : float
        Seconds to wait for the connection and for each read.
    opener : urllib.request.OpenerDirector, optional
        What opens the requests (default: ``urllib.request.build_opener()``, which honours
        the proxy environment variables).
    urls : mapping, optional
        Per-key address templates that override everything else (``{month}`` is filled).

    Returns
    -------
    list of FetchResult
        One per file, in the order asked for.

    Raises
    ------
    ValueError
        An unknown key (the message lists the valid keys), a bad month or force, or a
        police.uk archive asked for without months.
    InputError
        A download failed (HTTP error, no network, timeout, cut-off or unexpected body).
        The message names the address, what happened and how to fix it. Files fetched
        before the failure are kept and logged; no partial file is left.
    """
    plan = _plan(what, months, forces)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    opener = opener or urllib.request.build_opener()
    force_list = _unique(forces)
    entries = read_log(out)
    results: list[FetchResult] = []
    for source, month in plan:
        name = file_name(source, month)
        url = source_url(source, month, base_url, urls)
        path = out / name
        logged = next((e for e in reversed(entries) if e.get("file") == name), None)
        if _unchanged(path, logged):
            results.append(
                FetchResult(
                    source.key, url, path, str(logged["sha256"]), int(logged["size"]), "unchanged"
                )
            )
            continue
        sha, size = _download(url, path, timeout, opener)
        entry = {
            "key": source.key,
            "url": url,
            "file": name,
            "sha256": sha,
            "size": size,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if source.monthly:
            entry["month"] = month
            if force_list:
                entry["forces"] = force_list
        entries.append(entry)
        _write_log(out, entries)
        results.append(FetchResult(source.key, url, path, sha, size, "downloaded"))
    return results
