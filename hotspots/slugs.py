"""Slugs and match keys of force and area names: one rule for each.

:func:`slug` is the one rule that makes a name into lower-case words joined by "-"
(police.uk file names, crime sources, the ``--area`` choices, the pack archive's folders);
:func:`force_slug` and :func:`folder_slug` are that rule applied to a force's name and to
a folder's. :func:`force_key` is the key force names are matched by ("Dyfed-Powys
Police", "dyfed-powys" and "Heddlu Dyfed-Powys" are one force).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: Words that say a name is a police force's (left out of its slug and key).
FORCE_WORDS = re.compile(r"\b(police|constabulary|service|heddlu)\b")


def slug(text: str) -> str:
    """``"Vale of Helig"`` → ``"vale-of-helig"``: letters folded to ASCII (``"Ynys Môn"``
    → ``"ynys-mon"``), lower case, every run of other characters one "-" (none at the
    ends); "" when no letter or digit is left."""
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")


def force_slug(text: str) -> str:
    """The slug of a force's name, the words police, constabulary, service and heddlu
    left out (``"Dyfed-Powys Police"`` → ``"dyfed-powys"``, as in police.uk's file
    names); a name of such words only keeps them."""
    return slug(FORCE_WORDS.sub(" ", str(text).lower())) or slug(text)


def folder_slug(text: str) -> str:
    """The :func:`slug` of a name as a folder name. A name with no letter or digit in
    ASCII (``"😀"``, ``"دبي"``) gets ``"x-"`` and the first 12 hex digits of its SHA-256,
    so that every name has a folder.

    Raises
    ------
    ValueError
        For a blank name.
    """
    out = slug(text)
    if not out:
        if not str(text).strip():
            raise ValueError(f"cannot make a folder name from {text!r}")
        out = "x-" + hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:12]
    return out


def force_key(text: str) -> str:
    """A force name reduced for matching: lower case, "&" as "and", the words police,
    constabulary, service and heddlu left out, letters and digits only ("Dyfed-Powys
    Police", "dyfed-powys" and "dyfedpowys" all give "dyfedpowys")."""
    text = str(text).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]", "", FORCE_WORDS.sub(" ", text))
