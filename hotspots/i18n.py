"""Welsh and English: the catalogues every user-facing string is translated through.

Strings are written in English in the code, marked with a translator's ``_`` and kept
in gettext catalogues (``hotspots/locale/<lang>/LC_MESSAGES/<domain>.po``, managed with
Babel: ``pybabel extract`` / ``update``), the format translation services work in. A
language's catalogues are read from the ``.po`` files themselves (no compiled ``.mo`` to
keep in step) and merged, one domain per part of the product, so that each part's
strings can be reviewed on their own. Welsh strings not yet checked by a Welsh speaker
carry the ``fuzzy`` flag in the catalogue and are still shown.

>>> _ = translator("cy")
>>> _("Serious violence")  # doctest: +SKIP
'Trais difrifol'
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES: tuple[str, ...] = ("en", "cy")
"""The languages of the product: English (the source language) and Welsh."""

DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
"""Each language's name in itself, as the language toggle shows it."""


def check_language(lang: str | None) -> str:
    """Return a supported language code; anything else is the default language.

    Parameters
    ----------
    lang : str or None
        A language code as it comes from an address (``?lang=cy``) or a command line.
    """
    lang = (lang or "").strip().lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The merged catalogues of a language (English: the identity).

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"cy"``.

    Returns
    -------
    babel.support.NullTranslations
        ``gettext`` / ``ngettext`` / ``pgettext`` over every domain's ``.po`` file.
    """
    lang = check_language(lang)
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    merged: NullTranslations = NullTranslations()
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=po.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=True)
        buffer.seek(0)
        part = Translations(buffer, domain=po.stem)
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


def translator(lang: str) -> Callable[[str], str]:
    """The ``_`` of a language: English text in, the language's text out.

    A string with no translation yet comes back in English.
    """
    return translations(check_language(lang)).gettext


def ntranslator(lang: str) -> Callable[[str, str, int], str]:
    """The ``ngettext`` of a language, for strings that depend on a number."""
    return translations(check_language(lang)).ngettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for the catalogue where it is defined; translate it where shown."""
    return message
