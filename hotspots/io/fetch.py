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
from hotspots.errors import InputError

OGL = "Open Government Licence v3.0"
LOG_NAME = "fetch-log.json"
CHUNK = 1 << 20
USER_AGENT = f"hotspots/{__version__} (Python urllib; open-data download)"
FIX_NETWORK = "check the internet connection or use --base-url to a mirror"
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
FORCE = re.compile(r"[a-z]+(-[a-z]+)*")


@dataclass(frozen=True)
class Source:
    """One official original that :func:`fetch` can download.

    Attributes
    ----------
    key : str
        Registry key, used on the command line (``python -m hotspots fetch KEY``).
    description : str
        What the file is, its coverage and format, and how sure we are of the address.
    publisher : str
    licence : str
    url : str
        Address template; ``{month}`` (``YYYY-MM``) is filled in for monthly sources.
    file : str
        File name template in the download folder (and on a mirror).
    kind : str
        What ``python -m hotspots load KIND`` reads it as: crimes, boundaries, lookup,
        deprivation or population.
    page : str
        The publisher's page about the data set (where to find a new address).
    """

    key: str
    description: str
    publisher: str
    licence: str
    url: str
    file: str
    kind: str
    page: str = ""

    @property
    def monthly(self) -> bool:
        """True when the source needs a month (one file per month)."""
        return "{month}" in self.url or "{month}" in self.file


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


_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
_HUB = "https://open-geography-portalx-ons.hub.arcgis.com/api/download/v1/items"
_GEOPORTAL = "https://geoportal.statistics.gov.uk"
_WALES_WARDS = "where=WD22CD%20LIKE%20%27W05%25%27&outFields=*&outSR=4326&f=geojson"
_GOV_WALES = "https://www.gov.wales/sites/default/files/statistics-and-research"
_SAPE = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/"
    "populationandmigration/populationestimates/datasets/"
    "lowersuperoutputareamidyearpopulationestimates"
)
_SAPE_PAGE = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates"
)

_ALL_SOURCES = [
    Source(
        key="police-uk-archive",
        description=(
            "police.uk monthly archive: street-level crimes (and outcomes, stop and search) "
            "for every force, for the month named and the months before it, as "
            "YYYY-MM/YYYY-MM-<force>-street.csv. Large (often over 1 GB). Needs --month; "
            "--force is applied when loading, not when downloading. Address certain."
        ),
        publisher="Home Office, data.police.uk",
        licence=OGL,
        url="https://data.police.uk/data/archive/{month}.zip",
        file="{month}.zip",
        kind="crimes",
        page="https://data.police.uk/data/archive/",
    ),
    Source(
        key="wards-2022-bgc",
        description=(
            "ONS Wards (December 2022) Boundaries UK BGC (generalised 20 m, clipped), the "
            "762 Welsh wards (WD22CD W05…) as GeoJSON in WGS84 from the Open Geography "
            "Portal feature service. One request is enough: Wales is under the service's "
            "2,000-feature limit. Service name certain; query form standard ArcGIS."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/Wards_December_2022_Boundaries_UK_BGC/FeatureServer/0/query?{_WALES_WARDS}",
        file="wards_dec2022_uk_bgc_wales.geojson",
        kind="boundaries",
        page=f"{_GEOPORTAL}/datasets/ons::wards-december-2022-boundaries-uk-bgc/about",
    ),
    Source(
        key="wards-2022-bsc",
        description=(
            "ONS Wards (December 2022) Boundaries UK BSC (super generalised 200 m, "
            "clipped), the Welsh wards as GeoJSON in WGS84; smaller and faster to draw than "
            "BGC. Service name likely (same naming as BGC); query form standard ArcGIS."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/Wards_December_2022_Boundaries_UK_BSC/FeatureServer/0/query?{_WALES_WARDS}",
        file="wards_dec2022_uk_bsc_wales.geojson",
        kind="boundaries",
        page=f"{_GEOPORTAL}/datasets/ons::wards-december-2022-boundaries-uk-bsc/about",
    ),
    Source(
        key="lsoa21-ward22-lookup",
        description=(
            "ONS LSOA (2021) to Ward (2022) to LAD (2022) best-fit lookup in England and "
            "Wales, version 3 (LSOA21CD, WD22CD, WD22NM, LAD22CD, LAD22NM, …) as CSV from "
            "the Open Geography Portal download service (item fc3bf6fe…). Item fairly "
            "certain; the portal may answer 'still preparing' the first time."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_HUB}/fc3bf6fe8ea949869af0a018205ac952/csv?layers=0",
        file="lsoa21_wd22_lad22_ew_lu_v3.csv",
        kind="lookup",
        page=f"{_GEOPORTAL}/datasets/fc3bf6fe8ea949869af0a018205ac952_0/about",
    ),
    Source(
        key="lsoa11-lsoa21-lookup",
        description=(
            "ONS LSOA (2011) to LSOA (2021) to LAD (2022) exact-fit lookup for England and "
            "Wales (LSOA11CD, CHGIND U/S/M/X, LSOA21CD, LAD22CD, …) as CSV from the Open "
            "Geography Portal download service (item cbfe64cc…, feature service "
            "LSOA11_LSOA21_LAD22_EW_LU_v5). Item fairly certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_HUB}/cbfe64cc03d74af982c1afec639bafd1/csv?layers=0",
        file="lsoa11_lsoa21_lad22_ew_lu.csv",
        kind="lookup",
        page=f"{_GEOPORTAL}/items/cbfe64cc03d74af982c1afec639bafd1",
    ),
    Source(
        key="lad-csp-pfa-lookup",
        description=(
            "ONS LAD to Community Safety Partnership to Police Force Area (December 2024) "
            "lookup, the Welsh rows (LAD24CD, CSP24CD, PFA24CD, PFA24NM, …) from the "
            "feature service LAD24_CSP24_PFA24_EW_LU. UNCERTAIN: the portal's CSV item id "
            "was not found, so this is the service's GeoJSON (a table, no geometry), which "
            "'load lookup' (CSV) does not read yet; set HOTSPOTS_FETCH_URL_LAD_CSP_PFA_"
            "LOOKUP to the CSV download on the page below to get CSV."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/LAD24_CSP24_PFA24_EW_LU/FeatureServer/0/query?"
        "where=LAD24CD%20LIKE%20%27W%25%27&outFields=*&f=geojson",
        file="lad24_csp24_pfa24_ew_lu_wales.geojson",
        kind="lookup",
        page=f"{_GEOPORTAL}/datasets/ons::lad-to-community-safety-partnership-to-pfa-"
        "december-2024-lookup-in-ew/about",
    ),
    Source(
        key="wimd-2019-ranks",
        description=(
            "Welsh Index of Multiple Deprivation 2019: index and domain ranks by LSOA "
            "(2011), ODS spreadsheet (sheet WIMD_2019_ranks). Export to CSV with lsoa_code "
            "and <Domain>_rank columns before 'load deprivation'. Address certain."
        ),
        publisher="Welsh Government (StatsWales)",
        licence=OGL,
        url=f"{_GOV_WALES}/2019-11/welsh-index-multiple-deprivation-2019-index-and-domain-"
        "ranks-by-small-area.ods",
        file="welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.ods",
        kind="deprivation",
        page="https://www.gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
    ),
    Source(
        key="wimd-2019-scores",
        description=(
            "Welsh Index of Multiple Deprivation 2019: index and domain scores by LSOA "
            "(2011), ODS spreadsheet (re-issued February 2022). Address likely, less "
            "certain than the ranks (the file has also been published with a _0 suffix)."
        ),
        publisher="Welsh Government (StatsWales)",
        licence=OGL,
        url=f"{_GOV_WALES}/2022-02/wimd-2019-index-and-domain-scores-by-small-area.ods",
        file="wimd-2019-index-and-domain-scores-by-small-area.ods",
        kind="deprivation",
        page="https://www.gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
    ),
    Source(
        key="population-mid2019",
        description=(
            "ONS mid-2019 LSOA (2011) population estimates, single year of age, England and "
            "Wales (SAPE22DT2): a zip holding one XLSX (sheet 'Mid-2019 Persons'). Export "
            "LSOA code and total to CSV before 'load population'. Address certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_SAPE}/mid2019sape22dt2/sape22dt2mid2019lsoasyoaestimatesunformatted.zip",
        file="sape22dt2mid2019lsoasyoaestimatesunformatted.zip",
        kind="population",
        page=_SAPE_PAGE,
    ),
    Source(
        key="population-mid2020",
        description=(
            "ONS mid-2020 LSOA (2011) population estimates, single year of age, England and "
            "Wales (SAPE23DT2), XLSX (sheet 'Mid-2020 Persons'). Export LSOA code and total "
            "to CSV before 'load population'. Address certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_SAPE}/mid2020sape23dt2/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx",
        file="sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx",
        kind="population",
        page=_SAPE_PAGE,
    ),
]

#: Every source :func:`fetch` knows, by key.
SOURCES: dict[str, Source] = {s.key: s for s in _ALL_SOURCES}


def env_var(key: str) -> str:
    """The environment variable that overrides the address of source ``key``."""
    return "HOTSPOTS_FETCH_URL_" + re.sub(r"[^A-Z0-9]", "_", key.upper())


def source_url(
    source: Source,
    month: str | None = None,
    base_url: str | None = None,
    urls: Mapping[str, str] | None = None,
) -> str:
    """The address to download ``source`` from (see the module docstring for the order)."""
    override = (urls or {}).get(source.key) or os.environ.get(env_var(source.key))
    if override:
        template = override
    elif base_url:
        template = base_url.rstrip("/") + "/" + source.file
    else:
        template = source.url
    return template.replace("{month}", month or "")


def file_name(source: Source, month: str | None = None) -> str:
    """The name ``source`` is saved under (and served under on a mirror)."""
    return source.file.replace("{month}", month or "")


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
        if not MONTH.fullmatch(m):
            raise ValueError(f"month {m!r} is not YYYY-MM (e.g. 2019-01)")
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


def _content_problem(name: str, head: bytes) -> str | None:
    """Why the first bytes of a download cannot be the file ``name`` is (None if fine)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = text[:200].lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        return "the server sent a web page instead of the file"
    suffix = Path(name).suffix.lower()
    if suffix in (".zip", ".ods", ".xlsx") and not head.startswith(b"PK\x03\x04"):
        return f"the download is not a {suffix} file (it does not start like one)"
    if suffix in (".geojson", ".json"):
        if not text.startswith(b"{"):
            return "the download is not JSON"
        if re.match(rb'\{\s*"error"\s*:', text):
            detail = text[:300].decode("utf-8", "replace")
            return f"the server answered with an error instead of data ({detail})"
    if suffix == ".csv" and text.startswith((b"{", b"[")):
        return "the server sent JSON instead of CSV (the portal may still be preparing the file)"
    return None


def _fail(url: str, what: str, fix: str = FIX_NETWORK) -> InputError:
    return InputError(f"download failed: {what}", file=url, fix=fix)


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
                    "the server is still preparing the file (HTTP 202)",
                    "try again in a few minutes, or use --base-url to a mirror",
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
                f"the connection closed after {size:,} of {expected:,} bytes",
                "try again; " + FIX_NETWORK,
            )
        if size == 0:
            raise _fail(url, "the server sent an empty file", "try again; " + FIX_NETWORK)
        problem = _content_problem(dest.name, head)
        if problem:
            raise _fail(
                url,
                problem,
                "check the address (the publisher may have moved the "
                "file; see the source's page), or use --base-url to a mirror",
            )
        os.replace(tmp, dest)
        ok = True
        return digest.hexdigest(), size
    except urllib.error.HTTPError as exc:
        fix = FIX_NETWORK
        if exc.code == 404:
            fix = (
                "check the address (is the month published yet? has the publisher moved "
                "the file?), " + FIX_NETWORK
            )
        raise _fail(url, f"HTTP {exc.code} {exc.reason}", fix) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _fail(url, f"no answer within {timeout:g} s (timed out)") from None
        raise _fail(url, f"could not connect ({reason})") from None
    except TimeoutError:
        raise _fail(
            url, f"no data for {timeout:g} s (timed out)", "try again; " + FIX_NETWORK
        ) from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise _fail(
            url, f"the connection broke ({type(exc).__name__}: {exc})", "try again; " + FIX_NETWORK
        ) from None
    except OSError as exc:
        if exc.filename == str(dest):
            raise  # a local disk problem: the CLI names the file
        raise _fail(url, f"network error ({exc.strerror or exc})") from None
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
