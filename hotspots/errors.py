"""Errors raised on bad input, in English and Welsh.

Every loader raises :class:`InputError` (a :class:`ValueError`) when a file cannot be
used. The message names the file, the row (where there is one), what was expected
and how to fix it, so that the command line and the dashboard can show it to a
person as it is, without a traceback.

Each text of an error is a *template* with named placeholders, marked for the
catalogue (``N_("column {column} is missing")``), and the values that fill them
(``values={"column": name}``): :attr:`InputError.message` fills the English templates,
:meth:`InputError.localised` the templates of another language. Values (file names,
column names, cell contents) are never translated, and never read as templates
themselves: a value holding ``{x}`` or ``%`` comes out as it is. A value that is itself
a :class:`Text` (a template with its values, e.g. the reason a file's kind is not
recognised) is translated with the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention (hotspots.i18n.N_)
    """Mark a template for the catalogue where it is written; it is translated where shown."""
    return message


def _translator(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: text
    from hotspots.i18n import translator

    tr = translator(lang)
    return lambda text: tr(text) if text else text  # "" would give the catalogue's header


def fill(template: str, values: Mapping[str, Any], tr: Callable[[str], str]) -> str:
    """``template`` translated by ``tr`` with its placeholders filled from ``values``.

    A :class:`Text` value is translated the same way; any other value is put in as
    ``str(value)``, never translated nor read as a template. A translation that lost or
    misspelt a placeholder falls back to the English template, and a template that cannot
    be filled (text with braces given where a template was due) comes out as it is: no
    error while showing an error.
    """
    shown = {k: (v.render(tr) if isinstance(v, Text) else v) for k, v in values.items()}
    for text in (tr(template), template):
        try:
            return text.format_map(shown)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue
    return template


@dataclass(frozen=True)
class Text:
    """A template (marked ``N_``) and the values of its placeholders: a text to be shown
    in the reader's language. ``str()`` gives the English.

    Parameters
    ----------
    template : str
        The English template, with ``{name}`` placeholders.
    values : mapping, optional
        ``name → value``; a value may itself be a :class:`Text`.
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def render(self, tr: Callable[[str], str]) -> str:
        """The text through the translator ``tr``."""
        return fill(self.template, self.values, tr)

    def localised(self, lang: str = "en") -> str:
        """The text in ``lang``."""
        return self.render(_translator(lang))

    def __str__(self) -> str:
        return self.localised("en")

    @staticmethod
    def join(separator: str, texts: Iterable[Text | str]) -> Text:
        """Texts one after another, with ``separator`` (not translated) between them."""
        items = list(texts)
        template = (
            separator.replace("{", "{{")
            .replace("}", "}}")
            .join(f"{{t{i}}}" for i in range(len(items)))
        )
        return Text(template, {f"t{i}": t for i, t in enumerate(items)})


def either(items: list[Text | str]) -> Text | str:
    """``a``, ``a or b``, ``a or b or c``: the "or" in the reader's language."""
    text: Text | str = items[-1]
    for item in reversed(items[:-1]):
        text = Text(N_("{first} or {last}"), {"first": item, "last": text})
    return text


def _sentences(parts: list[str]) -> str:
    return " ".join(p if p.endswith((".", ":", "?", "!")) else p + "." for p in parts)


class InputError(ValueError):
    """A file or value that cannot be loaded.

    Parameters
    ----------
    problem : str
        What is wrong, in plain words: a template marked ``N_()``.
    file : str, optional
        The file's name (or path) the problem is in (a value: never translated).
    row : int, optional
        The 1-based data row (the header is row 0) where the problem was found.
    expected : str, optional
        What was expected instead (a template).
    fix : str, optional
        How to fix it (a template).
    values : mapping, optional
        The values of the templates' placeholders (``{name}``): put in as they are, or
        translated when a value is a :class:`Text`.

    Examples
    --------
    >>> err = InputError(
    ...     N_("column {column} is missing"), file="x.csv", values={"column": "{Month}"}
    ... )
    >>> err.message
    'x.csv: column {Month} is missing.'
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        expected: str | None = None,
        fix: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.templates = (problem, expected, fix)
        self.values = MappingProxyType(dict(values or {}))
        self.file = file
        self.row = row
        en = _translator("en")
        self.problem = fill(problem, self.values, en)
        self.expected = fill(expected, self.values, en) if expected else expected
        self.fix = fill(fix, self.values, en) if fix else fix
        super().__init__(self.message)

    def replace(self, *, file: str | None = None, row: int | None = None) -> InputError:
        """The same error (same templates and values) placed in another file or row."""
        problem, expected, fix = self.templates
        return InputError(
            problem,
            file=self.file if file is None else file,
            row=self.row if row is None else row,
            expected=expected,
            fix=fix,
            values=self.values,
        )

    @property
    def message(self) -> str:
        """The whole message in English, one sentence a part."""
        where = ""
        if self.file:
            where = f"{self.file}"
            if self.row is not None:
                where += f", row {self.row}"
            where += ": "
        parts = [f"{where}{self.problem}"]
        if self.expected:
            parts.append(f"Expected {self.expected}.")
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return _sentences(parts)

    def localised(self, lang: str = "en") -> str:
        """:attr:`message` in ``lang``: the frame ("FILE, row N: …", "Expected …",
        "Fix: …") and every template translated, then filled with the values (which are
        not translated)."""
        if lang == "en":
            return self.message
        _ = _translator(lang)
        problem, expected, fix = (fill(t, self.values, _) if t else t for t in self.templates)
        where = ""
        if self.file:
            where = (
                _("{file}, row {row}: ").format(file=self.file, row=self.row)
                if self.row is not None
                else _("{file}: ").format(file=self.file)
            )
        parts = [where + problem]
        if expected:
            parts.append(_("Expected {what}.").format(what=expected.rstrip(".")))
        if fix:
            parts.append(_("Fix: {how}").format(how=fix))
        return _sentences(parts)


class LocalisedError(ValueError):
    """An error whose message is a template and its values (see :class:`Text`):
    ``str()`` and :attr:`message` give the English, :meth:`localised` another language.

    Parameters
    ----------
    template : str
        The English template, marked ``N_()``.
    values : mapping, optional
        The values of its placeholders (never translated, unless a :class:`Text`).
    """

    def __init__(self, template: str, values: Mapping[str, Any] | None = None) -> None:
        self.text = Text(template, values or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English."""
        return str(self.text)

    def localised(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.text.localised(lang)
