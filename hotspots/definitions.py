"""Serious-violence and drug definitions, read from editable TOML files.

A definition lives in ``geodata/definitions/<name>.toml``; nothing about which
offences count is written in code. A definition matches either the police.uk
``crime_type`` (open data) or the Home Office offence code ``ho_code`` (force extracts).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.errors import N_, InputError

DEFINITIONS_DIR = Path(__file__).resolve().parents[1] / "geodata" / "definitions"

#: What a definition can match on, and the crimes column it reads.
MATCH_FIELDS = {"crime_type": "crime_type", "ho_code": "ho_code"}

#: Flags a definition may exclude on (columns of the crimes table).
FLAGS = ("domestic", "alcohol", "drugs_flag", "knife", "terrorism")

#: Output column names a category may not take.
RESERVED_KEYS = (
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
    "police_force",
    "population",
    "sv_count",
    "drugs_count",
    "month",
)

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def bare_title(title: str) -> str:
    """A definition's title without the " (proxy)" / " (procsi)" its file may end it with,
    for outputs that mark a proxy their own way ("… (PROXY)", "PROXY - …").

    >>> bare_title("police.uk open data (proxy)")
    'police.uk open data'
    """
    return title.removesuffix(" (proxy)").removesuffix(" (procsi)")


@dataclass(frozen=True)
class Category:
    """One category of a definition.

    Parameters
    ----------
    key : str
        Column name used in outputs (``snake_case``).
    label : str
        Plain-words name.
    values : tuple of str
        Crime types or Home Office codes that fall in the category.
    exclude_flags : tuple of str
        Rows with any of these flags set are not counted in this category.
    label_cy : str
        The name in Welsh (``label_cy`` in the file); "" when the file has none.
    """

    key: str
    label: str
    values: tuple[str, ...]
    exclude_flags: tuple[str, ...] = ()
    label_cy: str = ""

    def label_in(self, lang: str = "en") -> str:
        """The name in ``lang`` ("cy": :attr:`label_cy`, else the English label)."""
        return self.label_cy if lang == "cy" and self.label_cy else self.label


@dataclass(frozen=True)
class Definition:
    """A serious-violence and drugs definition.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"police-uk-proxy"``.
    title : str
        Plain-words title.
    proxy : bool
        True when the definition only approximates serious violence.
    match : str
        ``"crime_type"`` or ``"ho_code"``.
    serious_violence, drugs : tuple of Category
    exclude_flags : tuple of str
        Rows with any of these flags are never counted.
    description : str
    title_cy, description_cy : str
        The title and description in Welsh (``title_cy``, ``description_cy`` in the
        file); "" when the file has none (pages then show the English and say so).
    """

    name: str
    title: str
    proxy: bool
    match: str
    serious_violence: tuple[Category, ...]
    drugs: tuple[Category, ...]
    exclude_flags: tuple[str, ...] = ()
    description: str = ""
    title_cy: str = ""
    description_cy: str = ""

    def has_language(self, lang: str) -> bool:
        """True when the file gives the title, the description (if any) and every
        category's label in ``lang`` (English always)."""
        if lang != "cy":
            return True
        return bool(
            self.title_cy
            and (self.description_cy or not self.description)
            and all(c.label_cy for c in self.categories)
        )

    def title_in(self, lang: str = "en") -> str:
        """The title in ``lang`` ("cy": :attr:`title_cy`; English when the file has none)."""
        return self.title_cy if lang == "cy" and self.title_cy else self.title

    def description_in(self, lang: str = "en") -> str:
        """The description in ``lang`` (English when the file has none in Welsh)."""
        return self.description_cy if lang == "cy" and self.description_cy else self.description

    def label_in(self, lang: str = "en") -> str:
        """:attr:`label` in ``lang``: the title, with "proxy" when the definition is one
        (Welsh: "procsi")."""
        title = self.title_in(lang)
        if lang == "cy" and self.title_cy:
            return f"{title} — procsi" if self.proxy and "procsi" not in title else title
        return f"{title} — proxy" if self.proxy and "proxy" not in title else title

    @property
    def categories(self) -> tuple[Category, ...]:
        """Serious-violence categories, then drug categories."""
        return self.serious_violence + self.drugs

    @property
    def category_keys(self) -> list[str]:
        """Output column names of the categories, in order."""
        return [c.key for c in self.categories]

    @property
    def label(self) -> str:
        """Title, with "(proxy)" when the definition is one."""
        return f"{self.title} — proxy" if self.proxy and "proxy" not in self.title else self.title


#: Home Office offence classifications written as class and subclass with a dot: the
#: codes of the Home Office offence list (and of the ONS Crime Severity Score table) that
#: stand for one subclass of a class. A class/subclass code such as ``"4/1"`` or
#: ``"37/02"`` becomes one of these; other class/subclass codes (e.g. ``"8/67"``, a
#: subclass inside a lettered classification) are kept as ``"8/67"``.
CLASS_SUBCLASS_CODES = frozenset(
    {
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.6",
        "4.7",
        "4.8",
        "4.9",
        "4.10",
        "37.1",
        "37.2",
    }
)

_CODE = re.compile(r"^0*(\d+)([A-Z]*)$")
_SUBCLASS = re.compile(r"^0*(\d+)[./]0*(\d+)$")


def normalise_ho_code(code: object) -> str:
    """Return a Home Office offence code in one spelling.

    Spaces are removed, letters upper-cased and leading zeros of the numbers dropped:
    ``" 08n "`` → ``"8N"``, ``"092A"`` → ``"92A"``. A class/subclass code (``"4/1"``,
    ``"04/01"``, ``"4.01"``) becomes the dotted classification it stands for when that
    is one of :data:`CLASS_SUBCLASS_CODES` (``"4.1"``; ``"4/10"`` → ``"4.10"``, never
    ``"4.1"``); otherwise it stays class/subclass (``"08/67"`` → ``"8/67"``), so that a
    definition can list it and the load reports it when none does. Anything else is
    returned stripped and upper-cased.
    """
    text = re.sub(r"\s+", "", str(code)).upper()
    m = _CODE.match(text)
    if m:
        return m.group(1) + m.group(2)
    m = _SUBCLASS.match(text)
    if m:
        dotted = f"{m.group(1)}.{m.group(2)}"
        if dotted in CLASS_SUBCLASS_CODES or "/" not in text:
            return dotted
        return f"{m.group(1)}/{m.group(2)}"
    return text


_EXAMPLE = N_("compare with geodata/definitions/police-uk-proxy.toml")


def _list_of_text(value: object, what: str, file: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InputError(
            N_("{what} is {value}, not a list"),
            file=file,
            expected=N_('{what} = ["…", "…"] (a list of text)'),
            fix=_EXAMPLE,
            values={"what": what, "value": repr(value)},
        )
    return tuple(str(v) for v in value)


def _category(raw: dict, file: str, match: str) -> Category:
    for field in ("key", "values"):
        if field not in raw:
            raise InputError(
                N_("a category has no '{field}'"),
                file=file,
                expected=N_(
                    "each [[serious_violence]] / [[drugs]] entry to have key, label, values"
                ),
                fix=_EXAMPLE,
                values={"field": field},
            )
    key = str(raw["key"])
    if not _KEY.match(key):
        raise InputError(
            N_("category key {key} is not a snake_case name"),
            file=file,
            fix=N_("use lower-case letters, digits and underscores, e.g. 'robbery'"),
            values={"key": repr(key)},
        )
    flags = _list_of_text(raw.get("exclude_flags", []), "exclude_flags", file)
    bad = [f for f in flags if f not in FLAGS]
    if bad:
        raise InputError(
            N_("unknown flag(s) {flags} in category {key}"),
            file=file,
            expected=N_("one of {known}"),
            fix=N_("use those flag names"),
            values={"flags": str(bad), "key": repr(key), "known": str(list(FLAGS))},
        )
    values = tuple(v.strip() for v in _list_of_text(raw["values"], "values", file))
    if not values:
        raise InputError(
            N_("values of category {key} is empty"),
            file=file,
            expected=N_("at least one crime type or offence code"),
            fix=N_("add values or remove the category"),
            values={"key": repr(key)},
        )
    if match == "ho_code":
        values = tuple(normalise_ho_code(v) for v in values)
    return Category(
        key=key,
        label=str(raw.get("label", key)),
        values=values,
        exclude_flags=flags,
        label_cy=str(raw.get("label_cy", "")).strip(),
    )


def parse_definition(text: str, file: str = "<definition>") -> Definition:
    """Parse a definition from TOML text.

    Raises
    ------
    InputError
        When the TOML is invalid, a field is missing, or a value is in two categories.
    """
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            N_("not valid TOML ({reason})"), file=file, fix=_EXAMPLE, values={"reason": exc}
        ) from None
    for field in ("name", "match", "serious_violence", "drugs"):
        if field not in raw:
            raise InputError(
                N_("the definition has no '{field}'"),
                file=file,
                fix=_EXAMPLE,
                values={"field": field},
            )
    match = raw["match"]
    if not isinstance(match, str) or match not in MATCH_FIELDS:
        raise InputError(
            N_("match = {match} is not known"),
            file=file,
            expected=N_("one of {known}"),
            fix=_EXAMPLE,
            values={"match": repr(match), "known": str(list(MATCH_FIELDS))},
        )
    for field in ("serious_violence", "drugs"):
        if not isinstance(raw[field], list) or not all(isinstance(c, dict) for c in raw[field]):
            raise InputError(
                N_("{field} is not a list of tables"),
                file=file,
                expected=N_("[[{field}]] entries, each with key, label and values"),
                fix=_EXAMPLE,
                values={"field": field},
            )
    sv = tuple(_category(c, file, match) for c in raw["serious_violence"])
    drugs = tuple(_category(c, file, match) for c in raw["drugs"])
    seen: dict[str, str] = {}
    reserved = set(RESERVED_KEYS)
    for cat in sv + drugs:
        if cat.key in reserved:
            raise InputError(
                N_("category key {key} is reserved"),
                file=file,
                fix=N_("choose a key other than {reserved}"),
                values={"key": repr(cat.key), "reserved": str(sorted(reserved))},
            )
        for v in cat.values:
            if v in seen:
                raise InputError(
                    N_("{value} is in two categories ({first} and {second})"),
                    file=file,
                    fix=N_("put each crime type or offence code in one category only"),
                    values={"value": repr(v), "first": repr(seen[v]), "second": repr(cat.key)},
                )
            seen[v] = cat.key
    keys = [c.key for c in sv + drugs]
    if len(set(keys)) != len(keys):
        raise InputError(
            N_("two categories share a key"), file=file, fix=N_("give each a unique key")
        )
    flags = _list_of_text(raw.get("exclude_flags", []), "exclude_flags", file)
    bad = [f for f in flags if f not in FLAGS]
    if bad:
        raise InputError(
            N_("unknown flag(s) {flags}"),
            file=file,
            expected=N_("one of {known}"),
            fix=N_("use those flag names"),
            values={"flags": str(bad), "known": str(list(FLAGS))},
        )
    return Definition(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        proxy=bool(raw.get("proxy", False)),
        match=match,
        serious_violence=sv,
        drugs=drugs,
        exclude_flags=flags,
        description=str(raw.get("description", "")).strip(),
        title_cy=str(raw.get("title_cy", "")).strip(),
        description_cy=str(raw.get("description_cy", "")).strip(),
    )


def load_definition(path: str | Path) -> Definition:
    """Read one definition file (UTF-8 TOML; a byte-order mark and CRLF are fine).

    Raises
    ------
    InputError
        A file that is not UTF-8 text, or any problem :func:`parse_definition` finds.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            N_("the definition is not UTF-8 text"), file=path.name, fix=N_("save it as UTF-8")
        ) from None
    return parse_definition(text, file=path.name)


def load_definitions(directory: Path | None = None) -> dict[str, Definition]:
    """Read every ``*.toml`` definition in ``directory`` into a registry keyed by name."""
    directory = Path(directory or DEFINITIONS_DIR)
    registry: dict[str, Definition] = {}
    for path in sorted(directory.glob("*.toml")):
        d = load_definition(path)
        registry[d.name] = d
    return registry


def get_definition(name: str, registry: dict[str, Definition] | None = None) -> Definition:
    """Return the definition called ``name``; a ValueError names the valid choices."""
    registry = registry if registry is not None else load_definitions()
    if name not in registry:
        raise ValueError(f"unknown definition {name!r}; choose one of {sorted(registry)}")
    return registry[name]


def classify_crimes(crimes: pd.DataFrame, definition: Definition) -> pd.Series:
    """Return each crime's category key under ``definition`` (missing where none).

    Parameters
    ----------
    crimes : DataFrame
        The crimes table (``hotspots.schema.CRIME_COLUMNS``).
    definition : Definition

    Returns
    -------
    Series of str, aligned with ``crimes``; ``<NA>`` for crimes in no category.
    """
    column = MATCH_FIELDS[definition.match]
    values = crimes[column].astype("string")
    if definition.match == "ho_code":
        uniq = values.dropna().unique()
        values = values.map(dict(zip(uniq, [normalise_ho_code(u) for u in uniq], strict=True)))
    lookup = {v: c.key for c in definition.categories for v in c.values}
    out = values.map(lookup).astype("string")
    never = np.zeros(len(crimes), dtype=bool)
    for flag in definition.exclude_flags:
        never |= crimes[flag].fillna(False).to_numpy(dtype=bool)
    for cat in definition.categories:
        for flag in cat.exclude_flags:
            hit = (out == cat.key).fillna(False).to_numpy(dtype=bool) & crimes[flag].fillna(
                False
            ).to_numpy(dtype=bool)
            never |= hit
    return out.mask(never)
