"""The analysis' words for people, built from structured parts and rendered in a language.

Every phrase the analysis writes for people — why a ward ranks where it does, why a ward
with high violence is left out of the top N, its Gi* and emerging hot spot classes, why
it has no data, why the harm-weighted ranking is not offered, what a force extract's codes
and flags let a definition do, the observed/expected model in words — is a :class:`Phrase`: a
code of :data:`TEMPLATES` with its values. A phrase *is* its English text (a ``str``), so
the machine columns of the downloads and the command line hold the English words as they
always have; :func:`reason_text` renders the same code and values in any language, through
the catalogues.

Tables lose the ``Phrase`` type where pandas stores text as plain strings, so every phrase
made in this process is also kept by its English text (:func:`known`): the same words come
back to the same code and values — an exact look-up of what the package itself wrote, not
a reading of the words. Text the package did not write (a plain string from a file, or a
reworded template's old words) is refused rather than shown in English, and a reworded
template is a new catalogue entry that has no Welsh until it is translated (the tests
enumerate every code). The look-up holds one entry per distinct phrase (a few thousand
for all of Wales: names and counts are among the values).

>>> p = Phrase("gi.hot", level="95%")
>>> p, reason_text(p, "cy")  # doctest: +SKIP
('Hot spot 95%', 'Man problemus 95%')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hotspots.i18n import N_, check_language, translator

__all__ = [
    "FORCE_NAMES",
    "STRUCTURAL",
    "TEMPLATES",
    "Phrase",
    "force_name",
    "is_phrase",
    "join",
    "known",
    "ordinal",
    "reason_text",
]

#: Labels of the ranking's components as they read in "why" (see
#: :data:`hotspots.stats.ranking.COMPONENTS`), in "left out" and in a pack's short "why".
COMPONENT_WORDS = {
    "violence": N_("violence rate"),
    "drugs": N_("drug offence rate"),
    "deprivation": N_("share of residents in the 20% most deprived areas"),
    "harm": N_("harm-weighted violence rate"),
}
WEAK_WORDS = {
    "violence": N_("smoothed violence rate"),
    "drugs": N_("drug offence rate"),
    "deprivation": N_("deprivation"),
    "harm": N_("harm-weighted violence rate"),
}
SHORT_WORDS = {
    "violence": N_("violence rate"),
    "drugs": N_("drug offence rate"),
    "deprivation": N_("deprivation"),
    "harm": N_("harm-weighted violence"),
}

_KINDS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)

#: Every code → its English template (a catalogue entry). Placeholders are filled by
#: :data:`_FORMATS` from the phrase's values in the language rendered.
TEMPLATES: dict[str, str] = {
    # why a ward ranks where it does (one part each; a ward's "why" joins them with "; ")
    "why.top": N_("{what} in the top {p}%"),
    "why.none": N_("no component in the top fifth of wards"),
    "why.no_residents": N_("no resident population: not ranked"),
    # why a ward has no data (the coverage's data_note; "why" of an unranked ward)
    "note.no_data": N_("no data"),
    "note.no_crimes": N_("no data: no crimes loaded for {force}"),
    "note.force_unknown": N_("no data: the ward's police force is not known"),
    "note.counted_with": N_("counted with {ward}"),
    "note.no_residents": N_("no data: no residents by the LSOA lookup"),
    # a ward with high violence left out of the top N: what is high ...
    "high.most_count": N_("most violence offences ({n})"),
    "high.nth_count": N_("{nth} most violence offences ({n})"),
    "high.most_rate": N_("highest violence rate ({r} per 1,000)"),
    "high.nth_rate": N_("{nth} highest violence rate ({r} per 1,000)"),
    "high.both": N_("{first} and {second}"),
    # ... and what is not
    "weak.low.violence": N_("a modest smoothed violence rate"),
    "weak.low.drugs": N_("few drug offences"),
    "weak.low.deprivation": N_("low deprivation"),
    "weak.low.harm": N_("low harm-weighted violence"),
    "weak.only_top": N_("{what} only in the top {p}%"),
    "weak.no_figure": N_("no {what} figure"),
    "weak.others": N_("other wards score higher on the combined measure"),
    "left_out": N_("{high} but {weak}"),
    # Gi* classes
    "gi.hot": N_("Hot spot {level}"),
    "gi.cold": N_("Cold spot {level}"),
    "gi.none": N_("Not significant"),
    # emerging hot spot classes
    "emerging.new.hot": N_("New hot spot"),
    "emerging.consecutive.hot": N_("Consecutive hot spot"),
    "emerging.intensifying.hot": N_("Intensifying hot spot"),
    "emerging.persistent.hot": N_("Persistent hot spot"),
    "emerging.diminishing.hot": N_("Diminishing hot spot"),
    "emerging.sporadic.hot": N_("Sporadic hot spot"),
    "emerging.oscillating.hot": N_("Oscillating hot spot"),
    "emerging.historical.hot": N_("Historical hot spot"),
    "emerging.new.cold": N_("New cold spot"),
    "emerging.consecutive.cold": N_("Consecutive cold spot"),
    "emerging.intensifying.cold": N_("Intensifying cold spot"),
    "emerging.persistent.cold": N_("Persistent cold spot"),
    "emerging.diminishing.cold": N_("Diminishing cold spot"),
    "emerging.sporadic.cold": N_("Sporadic cold spot"),
    "emerging.oscillating.cold": N_("Oscillating cold spot"),
    "emerging.historical.cold": N_("Historical cold spot"),
    "emerging.none": N_("No pattern"),
    "emerging.too_few": N_("Not enough months ({k} of {n})"),
    # why the harm-weighted ranking is not offered
    "harm.no_codes": N_(
        "police.uk data has no Home Office offence codes and the Crime Severity Score "
        "weighs offences by code, so no harm is computed for '{definition}'"
    ),
    "harm.no_weights": N_(
        "no harm weights are loaded: load the ONS Crime Severity Score table with "
        "'python -m hotspots load harm-weights FILE'"
    ),
    "harm.missing": N_(
        "the loaded harm weights have no weight for {n} code(s) of '{definition}': {codes}"
    ),
    "harm.missing_more": N_(
        "the loaded harm weights have no weight for {n} code(s) of '{definition}': "
        "{codes} and {more} more"
    ),
    "harm.withheld": N_(
        "harm scores are withheld from partner views (a sum over individual crimes)"
    ),
    "harm.not_computed": N_("not computed"),
    # the harm weights a ranking used (the method notes)
    "harm.not_used": N_("Not used: {reason}."),
    "harm.weights": N_(
        "ONS Crime Severity Score weights by Home Office code ({n} codes; source: {source}; "
        "vintage: {vintage}; file {file})."
    ),
    "harm.not_stated": N_("not stated"),
    # the model of observed against expected violence (the Method page)
    "fit.describe": N_(
        "Pearson dispersion of a Poisson fit: {dispersion} (1 would be Poisson) over "
        "{n_wards} wards; the {model} model is used"
    ),
    "fit.describe_alpha": N_(
        "Pearson dispersion of a Poisson fit: {dispersion} (1 would be Poisson) over "
        "{n_wards} wards; the {model} model is used (alpha {alpha})"
    ),
    "fit.negative-binomial": N_("negative binomial"),
    "fit.poisson": N_("Poisson"),
    # what a force extract lets a Home Office code definition do (status, the Data page)
    "extract.unmatched": N_(
        "{source} under '{definition}': {n} rows of {rows} have codes no category uses: "
        "{codes} (kept in the store, not counted)."
    ),
    "extract.unmatched_one": N_(
        "{source} under '{definition}': 1 row of {rows} has codes no category uses: "
        "{codes} (kept in the store, not counted)."
    ),
    "extract.more_codes": N_("and {k} more code(s)"),
    "extract.all_matched": N_(
        "{source} under '{definition}': every code of the {rows} rows is in a category."
    ),
    "extract.no_flag": N_(
        "{source} under '{definition}': {n} rows have no {flag_words}: {rule}{then}."
    ),
    "extract.no_flag_one": N_(
        "{source} under '{definition}': 1 row has no {flag_words}: {rule}{then}."
    ),
    "extract.rule": N_("the 'not {flag_name}' rule of {labels} cannot be applied"),
    "extract.exclusion": N_("{flag_name} offences cannot be excluded"),
    "extract.accepted": N_(" (accepted by {by} on {date})"),
    "extract.refused": N_(
        " — counting is refused until an analyst accepts it (python -m hotspots "
        "accept-missing-flag --definition {definition} --source {source} --flag {flag})"
    ),
    "caveat.exclusion": N_(
        "{n} counted rows from {source} have no {flag_words}: {flag_name} offences cannot be "
        "excluded."
    ),
    "caveat.exclusion_one": N_(
        "1 counted row from {source} has no {flag_words}: {flag_name} offences cannot be excluded."
    ),
    "caveat.accepted": N_(
        "ACCEPTED by {by} on {date}: {n} {labels} rows from {source} have no {flag_words} and "
        "are counted as not {flag_name}."
    ),
    "flag.domestic": N_("domestic flag"),
    "flag.alcohol": N_("alcohol flag"),
    "flag.drugs_flag": N_("drugs flag"),
    "flag.knife": N_("knife flag"),
    "flag.terrorism": N_("terrorism marker"),
    # a flag by its name (English: the column's own name, as the command line takes it)
    "flag_name.domestic": N_("domestic"),
    "flag_name.alcohol": N_("alcohol"),
    "flag_name.drugs_flag": N_("drugs_flag"),
    "flag_name.knife": N_("knife"),
    "flag_name.terrorism": N_("terrorism"),
}
#: Codes whose text is made of other phrases, joined without words of their own.
STRUCTURAL = {"why": "; "}

#: The police forces of Wales in English and Welsh (the forces' own Welsh names).
FORCE_NAMES = {
    "dyfed-powys": ("Dyfed-Powys Police", "Heddlu Dyfed-Powys"),
    "south-wales": ("South Wales Police", "Heddlu De Cymru"),
    "gwent": ("Gwent Police", "Heddlu Gwent"),
    "north-wales": ("North Wales Police", "Heddlu Gogledd Cymru"),
}


def force_name(force: str, lang: str = "en") -> str:
    """A police force's name in words ("dyfed-powys" or "Dyfed-Powys" → "Dyfed-Powys
    Police" / "Heddlu Dyfed-Powys"); an unknown force as given."""
    key = re.sub(r"[^a-z0-9]+", "-", str(force).lower()).strip("-")
    key = re.sub(r"-police$", "", key)
    names = FORCE_NAMES.get(key)
    return str(force) if names is None else names[check_language(lang) == "cy"]


def ordinal(n: int, lang: str = "en") -> str:
    """A place in a list: 1 → "1st", 22 → "22nd"; in Welsh "safle 1" (place 1)."""
    n = int(n)
    if check_language(lang) == "cy":
        return translator(lang)(N_("place {n}")).format(n=n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join(items: Iterable[str], lang: str = "en") -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"`` (Welsh "a, b a c")."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return translator(lang)(N_("{first} and {last}")).format(
        first=", ".join(items[:-1]), last=items[-1]
    )


class Phrase(str):
    """A phrase for people: ``code`` (a key of :data:`TEMPLATES` or :data:`STRUCTURAL`)
    and its ``values``; the string itself is the English text.

    Values are numbers and names (filled into the template as :data:`_FORMATS` says),
    component keys (``what``), or phrases (``parts``, ``high``, ``weak``) rendered in the
    same language. Immutable; pickles and copies as its code and values.
    """

    code: str
    values: tuple[tuple[str, Any], ...]

    def __new__(cls, code: str, **values: Any) -> Phrase:
        if code not in TEMPLATES and code not in STRUCTURAL:
            raise KeyError(f"no phrase has the code {code!r}")
        for key, value in values.items():
            if isinstance(value, list):
                values[key] = tuple(value)
        if code in STRUCTURAL and len(values.get("parts", ())) == 1:
            return values["parts"][0]  # one part reads as that part, in every language
        text = _render(code, values, "en")
        self = super().__new__(cls, text)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "values", tuple(sorted(values.items())))
        _remember(text, self)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Phrase cannot be changed")

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), self.code, self.values))

    def __repr__(self) -> str:
        return f"Phrase({self.code!r}, {dict(self.values)!r})"

    @property
    def parts(self) -> tuple[Phrase, ...]:
        """The phrases a structural phrase (``why``) is made of; else itself alone."""
        return tuple(dict(self.values).get("parts", ())) if self.code in STRUCTURAL else (self,)


def _rebuild(cls: type, code: str, values: tuple) -> Phrase:
    return cls(code, **dict(values))


#: English text → the phrase that wrote it (None when two different phrases read alike).
_KNOWN: dict[str, Phrase | None] = {}


def _remember(text: str, phrase: Phrase) -> None:
    old = _KNOWN.get(text, phrase)
    same = old is not None and (old.code, old.values) == (phrase.code, phrase.values)
    _KNOWN[text] = phrase if same else None


def known(text: str) -> Phrase:
    """The phrase whose English text is ``text`` (a phrase itself as it is).

    Raises
    ------
    TypeError
        ``text`` was not written by a :class:`Phrase` of this process, or two phrases
        that differ in another language read alike in English.
    """
    if isinstance(text, Phrase):
        return text
    found = _KNOWN.get(str(text)) if isinstance(text, str) else None
    if found is None:
        raise TypeError(
            f"not a phrase of the analysis: {text!r} (its words cannot be known; make it "
            "with hotspots.stats.phrases.Phrase)"
        )
    return found


def _words(table: Mapping[str, str]) -> Callable[[Any, Callable, str], str]:
    return lambda v, _, lang: _(table[str(v)])


#: How each placeholder's value is written in a language (``_`` is its translator).
_FORMATS: dict[str, Callable[[Any, Callable[[str], str], str], str]] = {
    "n": lambda v, _, lang: f"{int(v):,}" if isinstance(v, int) else str(v),
    "k": lambda v, _, lang: f"{int(v):,}",
    "more": lambda v, _, lang: f"{int(v):,}",
    "n_wards": lambda v, _, lang: f"{int(v):,}",
    "p": lambda v, _, lang: str(int(v)),
    "r": lambda v, _, lang: f"{float(v):.1f}",
    "nth": lambda v, _, lang: ordinal(int(v), lang),
    "dispersion": lambda v, _, lang: f"{float(v):.1f}",
    "alpha": lambda v, _, lang: f"{float(v):.3f}",
    "model": lambda v, _, lang: _(TEMPLATES[f"fit.{v}"]),
    "force": lambda v, _, lang: str(v) if lang == "en" else force_name(str(v), lang),
    "level": lambda v, _, lang: str(v),
    "ward": lambda v, _, lang: str(v),
    "definition": lambda v, _, lang: str(v),
    "codes": lambda v, _, lang: ", ".join(_code(c, lang) for c in v),
    "rows": lambda v, _, lang: f"{int(v):,}",
    "source": lambda v, _, lang: str(v),
    "vintage": lambda v, _, lang: str(v),
    "file": lambda v, _, lang: str(v),
    "flag": lambda v, _, lang: str(v),
    "flag_words": lambda v, _, lang: _(TEMPLATES[f"flag.{v}"]),
    "flag_name": lambda v, _, lang: str(v) if lang == "en" else _(TEMPLATES[f"flag_name.{v}"]),
    "labels": lambda v, _, lang: ", ".join(x[1] if lang == "cy" and x[1] else x[0] for x in v),
    "then": lambda v, _, lang: str(v),  # "" (a phrase is rendered as a phrase)
    "by": lambda v, _, lang: str(v),
    "date": lambda v, _, lang: str(v),
}


def _code(c: Any, lang: str) -> str:
    """An offence code ("5D"), a code with its rows (("5D", 1200) → "5D ×1,200"), or a
    phrase ("and 3 more code(s)")."""
    if isinstance(c, Phrase):
        return _phrase(c, lang)
    if isinstance(c, tuple):
        return f"{c[0]} ×{int(c[1]):,}"
    return str(c)


#: Placeholders whose value is a component key, by the code that reads it.
_WHAT = {
    "why.top": COMPONENT_WORDS,
    "weak.only_top": WEAK_WORDS,
}


def _render(code: str, values: Mapping[str, Any], lang: str) -> str:
    _ = translator(lang)
    if code in STRUCTURAL:
        return STRUCTURAL[code].join(_phrase(p, lang) for p in values.get("parts", ()))
    filled: dict[str, str] = {}
    for key, value in values.items():
        if key == "what" and code == "weak.no_figure":
            filled[key] = _(N_(" or ")).join(_(WEAK_WORDS[w]) for w in value)
        elif key == "what":
            filled[key] = _(_WHAT[code][value])
        elif key == "high" and len(value) == 2:  # the most offences and the highest rate
            first, second = (_phrase(p, lang) for p in value)
            filled[key] = _(TEMPLATES["high.both"]).format(first=first, second=second)
        elif key in ("high", "weak"):
            filled[key] = join([_phrase(p, lang) for p in value], lang)
        elif isinstance(value, Phrase):  # a phrase inside a phrase, in the same language
            filled[key] = _phrase(value, lang)
        elif key in _FORMATS:
            filled[key] = _FORMATS[key](value, _, lang)
        else:
            raise KeyError(f"phrase {code!r}: no way to write the value {key!r}")
    return _(TEMPLATES[code]).format(**filled)


def _phrase(p: Any, lang: str) -> str:
    p = known(p)
    return _render(p.code, dict(p.values), lang)


def is_phrase(text: Any) -> bool:
    """True when ``text`` is a phrase of the analysis (or its English words, as made in
    this process): for places that show phrases and other text together (a map's values
    hold numbers in words, a partner's "<5" and the wards' notes)."""
    if isinstance(text, Phrase):
        return True
    return isinstance(text, str) and _KNOWN.get(text) is not None


def reason_text(reason: Any, lang: str = "en") -> str:
    """A phrase of the analysis (a :class:`Phrase`) in ``lang``; "" for an empty value.

    Raises
    ------
    TypeError
        ``reason`` is text no phrase of this process wrote (see :func:`known`): it is
        never shown untranslated on a page in another language.
    """
    if reason is None or (isinstance(reason, float) and reason != reason) or reason == "":
        return ""
    return _phrase(reason, check_language(lang))


def short_why(reason: Any, lang: str = "en") -> str:
    """A ward's "why" in few words for a pack's table: "violence rate: top 1%;
    deprivation: top 7%" (other parts as :func:`reason_text` gives them)."""
    if reason is None or reason == "":
        return ""
    reason = known(reason)
    _ = translator(lang)
    out = []
    for part in reason.parts:
        if part.code == "why.top":
            v = dict(part.values)
            out.append(
                _(N_("{what}: top {p}%")).format(what=_(SHORT_WORDS[v["what"]]), p=int(v["p"]))
            )
        else:
            out.append(_phrase(part, lang))
    return "; ".join(out)


def gi_class(level: str | None, hot: bool = True) -> Phrase:
    """A Gi* class: "Hot spot 95%", "Cold spot 95%", or "Not significant" (``level`` None)."""
    if level is None:
        return Phrase("gi.none")
    return Phrase("gi.hot", level=level) if hot else Phrase("gi.cold", level=level)


def emerging_class(kind: str, spot: str) -> Phrase:
    """An emerging hot spot class: ``("new", "hot")`` → "New hot spot"."""
    return Phrase(f"emerging.{kind.lower()}.{spot}")


#: Every emerging class code in legend order (hot, then cold, then no pattern).
EMERGING_CODES = (
    *(f"emerging.{k}.hot" for k in _KINDS),
    *(f"emerging.{k}.cold" for k in _KINDS),
    "emerging.none",
)
