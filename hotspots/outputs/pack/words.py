"""The pack's words in Welsh and English: ordinals, month names, lists, place names, and the
analysis' fixed phrases ("why" a ward is listed, why it is left out, its trend class) in the
pack's language.

Every string goes through :func:`hotspots.i18n.translator`; the Welsh is in the ``pack``
catalogue (``hotspots/locale/cy/LC_MESSAGES/pack.po``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hotspots.i18n import N_, check_language, translator
from hotspots.outputs.pack.cells import check_month

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
#: The police forces of Wales in English and Welsh (the forces' own Welsh names).
FORCE_NAMES = {
    "dyfed-powys": ("Dyfed-Powys Police", "Heddlu Dyfed-Powys"),
    "south-wales": ("South Wales Police", "Heddlu De Cymru"),
    "gwent": ("Gwent Police", "Heddlu Gwent"),
    "north-wales": ("North Wales Police", "Heddlu Gogledd Cymru"),
}


def tr(lang: str) -> Callable[[str], str]:
    """The translator of ``lang`` (English or Welsh)."""
    return translator(check_language(lang))


def ordinal(n: int, lang: str = "en") -> str:
    """A place in a list: 1 → "1st", 22 → "22nd"; in Welsh "safle 1" (place 1)."""
    n = int(n)
    if check_language(lang) == "cy":
        return tr(lang)("place {n}").format(n=n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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


def join(items: list[str], lang: str = "en") -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"`` (Welsh "a, b a c")."""
    if len(items) <= 1:
        return "".join(items)
    return tr(lang)("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


def places(k: int, lang: str = "en") -> str:
    """``1`` → ``"1 place"``, ``3`` → ``"3 places"``."""
    _ = tr(lang)
    return (_("{k} place") if k == 1 else _("{k} places")).format(k=k)


def force_name(force: str, lang: str = "en") -> str:
    """A police force's name in words ("dyfed-powys" → "Dyfed-Powys Police" / "Heddlu
    Dyfed-Powys"); an unknown force as given."""
    key = re.sub(r"[^a-z0-9]+", "-", str(force).lower()).strip("-")
    key = re.sub(r"-police$", "", key)
    names = FORCE_NAMES.get(key)
    return str(force) if names is None else names[check_language(lang) == "cy"]


# -- the analysis' fixed phrases -------------------------------------------------------------
_LABELS = {
    "violence rate": N_("violence rate"),
    "drug offence rate": N_("drug offence rate"),
    "share of residents in the 20% most deprived areas": N_(
        "share of residents in the 20% most deprived areas"
    ),
    "harm-weighted violence rate": N_("harm-weighted violence rate"),
    "smoothed violence rate": N_("smoothed violence rate"),
    "deprivation": N_("deprivation"),
    "a modest smoothed violence rate": N_("a modest smoothed violence rate"),
    "few drug offences": N_("few drug offences"),
    "low deprivation": N_("low deprivation"),
    "low harm-weighted violence": N_("low harm-weighted violence"),
    "no component in the top fifth of wards": N_("no component in the top fifth of wards"),
    "no resident population: not ranked": N_("no resident population: not ranked"),
    "other wards score higher on the combined measure": N_(
        "other wards score higher on the combined measure"
    ),
    "No pattern": N_("No pattern"),
}
_EMERGING = {
    ("New", "hot"): N_("New hot spot"),
    ("Consecutive", "hot"): N_("Consecutive hot spot"),
    ("Intensifying", "hot"): N_("Intensifying hot spot"),
    ("Persistent", "hot"): N_("Persistent hot spot"),
    ("Diminishing", "hot"): N_("Diminishing hot spot"),
    ("Sporadic", "hot"): N_("Sporadic hot spot"),
    ("Oscillating", "hot"): N_("Oscillating hot spot"),
    ("Historical", "hot"): N_("Historical hot spot"),
    ("New", "cold"): N_("New cold spot"),
    ("Consecutive", "cold"): N_("Consecutive cold spot"),
    ("Intensifying", "cold"): N_("Intensifying cold spot"),
    ("Persistent", "cold"): N_("Persistent cold spot"),
    ("Diminishing", "cold"): N_("Diminishing cold spot"),
    ("Sporadic", "cold"): N_("Sporadic cold spot"),
    ("Oscillating", "cold"): N_("Oscillating cold spot"),
    ("Historical", "cold"): N_("Historical cold spot"),
}


def _phrase(text: str, lang: str) -> str:
    """One fixed phrase of the analysis in ``lang`` (unknown phrases as they are)."""
    _ = tr(lang)
    text = text.strip()
    if text in _LABELS:
        return _(_LABELS[text])
    m = re.fullmatch(r"(.+) in the top (\d+)%", text)
    if m and m.group(1) in _LABELS:
        return _("{what} in the top {p}%").format(what=_(_LABELS[m.group(1)]), p=m.group(2))
    m = re.fullmatch(r"(.+) only in the top (\d+)%", text)
    if m and m.group(1) in _LABELS:
        return _("{what} only in the top {p}%").format(what=_(_LABELS[m.group(1)]), p=m.group(2))
    m = re.fullmatch(r"no (.+) figure", text)
    if m and all(w in _LABELS for w in m.group(1).split(" or ")):
        words = [_(_LABELS[w]) for w in m.group(1).split(" or ")]
        return _("no {what} figure").format(what=_(" or ").join(words))
    m = re.fullmatch(r"(?:(\d+)(?:st|nd|rd|th) )?(most|highest) (.+)", text)
    if m:
        k = int(m.group(1) or 1)
        rest = m.group(3)
        count = re.fullmatch(r"violence offences \(([\d,]+)\)", rest)
        rate = re.fullmatch(r"violence rate \(([\d.]+) per 1,000\)", rest)
        if count:
            return (
                _("most violence offences ({n})")
                if k == 1
                else _("{nth} for violence offences ({n})")
            ).format(nth=ordinal(k, lang), n=count.group(1))
        if rate:
            return (
                _("highest violence rate ({r} per 1,000)")
                if k == 1
                else _("{nth} for violence rate ({r} per 1,000)")
            ).format(nth=ordinal(k, lang), r=rate.group(1))
    return text


_SHORT = {
    "violence rate": N_("violence rate"),
    "drug offence rate": N_("drug offence rate"),
    "share of residents in the 20% most deprived areas": N_("deprivation"),
    "harm-weighted violence rate": N_("harm-weighted violence"),
}


def why_text(text: str, lang: str = "en") -> str:
    """The "why" of a listed ward in few words: "violence rate in the top 1%; share of
    residents in the 20% most deprived areas in the top 7%" → "violence rate: top 1%;
    deprivation: top 7%" (in ``lang``); other phrases as :func:`_phrase` gives them."""
    _ = tr(lang)
    out = []
    for part in str(text).split(";"):
        m = re.fullmatch(r"(.+) in the top (\d+)%", part.strip())
        if m and m.group(1) in _SHORT:
            out.append(_("{what}: top {p}%").format(what=_(_SHORT[m.group(1)]), p=m.group(2)))
        else:
            out.append(_phrase(part, lang))
    return "; ".join(out)


def reason_text(text: str, lang: str = "en") -> str:
    """Why a high-violence ward is left out ("3rd most violence offences (160) but low
    deprivation") in ``lang``."""
    text = str(text)
    if check_language(lang) == "en":
        return text
    _ = tr(lang)
    high, _sep, weak = text.partition(" but ")
    highs = [_phrase(h, lang) for h in high.split(" and ")]
    out = _(" and ").join(highs)
    if weak:
        parts = [p for chunk in weak.split(", ") for p in chunk.split(" and ")]
        out += _(" but ") + join([_phrase(p, lang) for p in parts], lang)
    return out


def trend_class(text: str, lang: str = "en") -> str:
    """An emerging hot-spot class ("Not enough months (5 of 10)") in ``lang``."""
    text = str(text or "")
    _ = tr(lang)
    m = re.fullmatch(r"Not enough months \((\d+) of (\d+)\)", text)
    if m:
        return _("Not enough months ({k} of {n})").format(k=m.group(1), n=m.group(2))
    m = re.fullmatch(r"(\w+) (hot|cold) spot", text)
    if m and (m.group(1), m.group(2)) in _EMERGING:
        return _(_EMERGING[m.group(1), m.group(2)])
    return _(_LABELS[text]) if text in _LABELS else text
