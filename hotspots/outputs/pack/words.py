"""The pack's words in Welsh and English: ordinals, month names, lists, place names, and the
analysis' phrases ("why" a ward is listed, why it is left out, its trend class) in the
pack's language, rendered from their parts by :mod:`hotspots.stats.phrases`.

Every string goes through :func:`hotspots.i18n.translator`; the Welsh is in the ``pack``
catalogue (``hotspots/locale/cy/LC_MESSAGES/pack.po``).
"""

from __future__ import annotations

from collections.abc import Callable

from hotspots.i18n import N_, check_language, translator
from hotspots.outputs.pack.cells import check_month
from hotspots.stats.phrases import FORCE_NAMES, force_name, join, ordinal, reason_text, short_why

__all__ = [
    "FORCE_NAMES",
    "force_name",
    "join",
    "month_name",
    "month_words",
    "ordinal",
    "ordinal_word",
    "places",
    "reason_text",
    "short_month",
    "tr",
    "trend_class",
    "why_text",
]

_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
_SHORT_MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
_ORDINAL_WORDS = {
    2: N_("second"),
    3: N_("third"),
    4: N_("fourth"),
    5: N_("fifth"),
    6: N_("sixth"),
    7: N_("seventh"),
    8: N_("eighth"),
    9: N_("ninth"),
    10: N_("tenth"),
    11: N_("eleventh"),
    12: N_("twelfth"),
}


def tr(lang: str) -> Callable[[str], str]:
    """The translator of ``lang`` (English or Welsh)."""
    return translator(check_language(lang))


def ordinal_word(n: int, lang: str = "en") -> str:
    """2 → "second" … 12 → "twelfth"; larger numbers as :func:`ordinal`."""
    word = _ORDINAL_WORDS.get(int(n))
    return tr(lang)(word) if word else ordinal(n, lang)


def month_name(month: str, lang: str = "en") -> str:
    """``"2024-11"`` → ``"November 2024 (2024-11)"`` (Welsh: ``"Tachwedd 2024 (2024-11)"``)."""
    check_month(month)
    return f"{month_words(month, lang)} ({month})"


def month_words(month: str, lang: str = "en") -> str:
    """``"2024-11"`` → ``"November 2024"``."""
    check_month(month)
    return f"{tr(lang)(_MONTHS[int(month[5:]) - 1])} {month[:4]}"


def short_month(month: str, lang: str = "en") -> str:
    """``"2024-11"`` → ``"Nov 24"`` (Welsh ``"Tach 24"``), for a chart's axis."""
    return f"{tr(lang)(_SHORT_MONTHS[int(month[5:]) - 1])} {month[2:4]}"


def places(k: int, lang: str = "en") -> str:
    """``1`` → ``"1 place"``, ``3`` → ``"3 places"``."""
    _ = tr(lang)
    return (_("{k} place") if k == 1 else _("{k} places")).format(k=k)


def why_text(why: str, lang: str = "en") -> str:
    """The "why" of a listed ward in few words ("violence rate: top 1%; deprivation: top
    7%"), from the analysis' phrase (:func:`hotspots.stats.phrases.short_why`)."""
    return short_why(why, lang)


def trend_class(emerging: str, lang: str = "en") -> str:
    """An emerging hot-spot class ("Not enough months (5 of 10)") in ``lang``, from the
    analysis' phrase (:func:`hotspots.stats.phrases.reason_text`)."""
    return reason_text(emerging, lang)
