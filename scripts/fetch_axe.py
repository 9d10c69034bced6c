"""Fetch the axe-core release the accessibility tests run (from the npm registry) into
``.vendor/axe-core-VERSION/axe.min.js``, checked against the registry's published sha512.

Run at set-up (``scripts/setup.sh requirements-dev.txt``), never at test time: the tests
read the file from disk and inject it into the page, so they make no outside request. When
the file cannot be fetched the tests fall back to the axe-core bundled with
``axe-playwright-python`` and say so.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
#: The registry's ``dist.integrity`` of the tarball.
INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76"
    "ASyFNNtuFooJpZe37OgudVGtQ=="
)
ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / ".vendor" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch(target: Path = TARGET) -> Path:
    """Download, verify and unpack ``axe.min.js`` (and its licence) into ``target``'s folder."""
    if target.exists():
        return target
    with urllib.request.urlopen(URL, timeout=60) as r:
        blob = r.read()
    got = "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()
    if got != INTEGRITY:
        raise SystemExit(f"{URL}: checksum {got} is not the published {INTEGRITY}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member, name in (("package/axe.min.js", target.name), ("package/LICENSE", "LICENSE")):
            data = tar.extractfile(member).read()
            (target.parent / name).write_bytes(data)
    return target


if __name__ == "__main__":
    try:
        print(f"axe-core {VERSION}: {fetch()}")
    except OSError as exc:  # offline: the tests use the bundled axe-core and say so
        print(f"axe-core {VERSION} not fetched ({exc}); tests use the bundled one", file=sys.stderr)
