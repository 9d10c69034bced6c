"""The store's manifest: what it holds, the empty one, reading it back, the objects it
names, the key of the geography crimes were placed under, and the command that reloads
a crimes partition's original file."""

from __future__ import annotations

import hashlib
import json

from hotspots.errors import N_, LocalisedError

FORMAT = 1

#: Reference tables a store holds, and what each needs in the manifest key.
REFERENCE_KINDS = ("wards", "lookup", "deprivation", "population")


def empty_manifest() -> dict:
    """A manifest with nothing loaded."""
    return {
        "format": FORMAT,
        "version": 0,
        "updated": None,
        "label": None,
        "reference": {},
        "partitions": {},
        "history": [],
        "objects": {},
    }


#: Keys every manifest has (a file without them is not a complete manifest).
_MANIFEST_KEYS = ("format", "version", "reference", "partitions", "history")


def parse_manifest(data: bytes) -> dict:
    """A manifest from its bytes; ValueError (saying what is wrong) when it is damaged."""
    try:
        m = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LocalisedError(N_("it is not valid JSON ({reason})"), {"reason": exc}) from None
    if not isinstance(m, dict) or any(k not in m for k in _MANIFEST_KEYS):
        raise LocalisedError(N_("it is not a complete manifest"))
    m.setdefault("objects", {})
    return m


def referenced_objects(manifest: dict) -> set[str]:
    """The objects ``manifest`` names (reference tables and crimes partitions)."""
    names = {e["object"] for e in manifest["reference"].values()}
    names |= {p["object"] for p in manifest["partitions"].values()}
    return names


def geography_key(manifest: dict) -> str:
    """Names the wards and lookups in force: crimes placed under another key are stale."""
    ref = manifest["reference"]
    parts = sorted(
        f"{k}={v['object']}" for k, v in ref.items() if k == "wards" or k.startswith("lookup:")
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def reload_command(source: str, month: str, file: str) -> str:
    """The command that loads a crimes partition's original file again."""
    kind = "crimes-extract" if source.startswith("extract:") else "crimes"
    if ".zip:" in file:
        archive = file.split(".zip:", 1)[0] + ".zip"
        force = source.split(":", 1)[1]
        return f"python -m hotspots load {kind} PATH/TO/{archive} --force {force} --month {month}"
    return f"python -m hotspots load {kind} PATH/TO/{file}"
