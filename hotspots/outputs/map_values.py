"""What the map can show per ward: the indicators, the tooltip's values (suppressed for a
partner's disclosure rule), and the wards of the drug-offence overlay.

Pure functions; inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hotspots.access.disclosure import suppress_frame
from hotspots.i18n import N_, translator
from hotspots.outputs.map_colours import NO_DATA_LABEL
from hotspots.stats.phrases import is_phrase, reason_text

__all__ = [
    "MAP_INDICATORS",
    "TOOLTIP_FIELDS",
    "mapped_values",
    "tooltip_fields",
    "tooltip_frame",
    "top_wards",
    "value_text",
]


def top_wards(frame: pd.DataFrame, column: str, n: int) -> list[str]:
    """Codes of the ``n`` wards with the highest positive ``column`` (e.g. ``drugs_count``),
    highest first; ties broken by ward code. For the drug-offence overlay."""
    if column not in frame.columns or "ward_code" not in frame.columns:
        raise ValueError(f"frame needs columns 'ward_code' and {column!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    values = pd.to_numeric(frame[column], errors="raise")
    keep = pd.DataFrame({"ward_code": frame["ward_code"].astype(str), "v": values})
    keep = keep[keep["v"] > 0].sort_values(["v", "ward_code"], ascending=[False, True])
    return keep["ward_code"].head(int(n)).tolist()


#: Indicators the map can show (registry feeding the selectbox): label → (column, kind,
#: palette). Kind "numeric" is classified with a scheme; "category" uses fixed colours.
MAP_INDICATORS = {
    "Violence rate per 1,000 (smoothed)": ("sv_rate_smoothed", "numeric", "YlOrRd"),
    "Violence (count)": ("sv_count", "numeric", "YlOrRd"),
    "Hotspot score": ("score", "numeric", "PuRd"),
    "Hot spot test (Gi*)": ("gi_class", "category", "RdBu"),
    "Deprivation: residents in the most deprived 20%": ("dep_share_20", "numeric", "Blues"),
    "Drug offence rate per 1,000 (smoothed)": ("drugs_rate_smoothed", "numeric", "PuRd"),
    "Drug offences (count)": ("drugs_count", "numeric", "PuRd"),
}


#: What a ward's tooltip shows on the dashboard map (field → label); the last line, the
#: value of the indicator shown, is labelled with the indicator's name.
TOOLTIP_FIELDS = (
    ("ward_name", "Ward"),
    ("local_authority_name", "Local authority"),
    ("sv_count", "Serious violence"),
    ("rate", "Per 1,000 residents"),
    ("drugs_count", "Drug offences"),
    ("rank_text", "Hotspot rank"),
)


def tooltip_fields(indicator: str) -> list[tuple[str, str]]:
    """:data:`TOOLTIP_FIELDS` plus the indicator's own value, for a key of
    :data:`MAP_INDICATORS`."""
    if indicator not in MAP_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; choose from {list(MAP_INDICATORS)}")
    return [*TOOLTIP_FIELDS, ("value", indicator)]


def tooltip_frame(table: pd.DataFrame, indicator: str, rule=None) -> pd.DataFrame:
    """The map's values per ward: ``table`` plus ``value`` (the indicator shown), with
    small numbers suppressed when a partner's disclosure rule is given.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per ward with ``ward_code``, ``sv_count``, ``drugs_count``,
        ``population``, ``rate`` and the indicator's column (the dashboard's map table).
        Not modified.
    indicator : str
        A key of :data:`MAP_INDICATORS`.
    rule : hotspots.access.disclosure.DisclosureRule, optional
        The partner's rule: counts below its threshold shown as its mark, the rate
        suppressed with its count (and empty where there are no residents), a smoothed
        value shown only as a colour ("shown by colour"). None: exact values.

    Returns
    -------
    pandas.DataFrame
        ``table``'s rows and columns (counts possibly replaced by text) and ``value``.

    Raises
    ------
    ValueError
        Unknown indicator or a missing column.
    """

    if indicator not in MAP_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; choose from {list(MAP_INDICATORS)}")
    column, kind, _ = MAP_INDICATORS[indicator]
    needed = ["ward_code", "sv_count", "drugs_count", "population", "rate", column]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}")
    digits = 2 if column in ("score", "dep_share_20") else 1  # rates as the lists show them
    out = table.assign(
        value=table[column] if kind == "category" else table[column].astype(float).round(digits)
    )
    if rule is None:
        return _with_notes(out)
    shown = suppress_frame(
        out[["sv_count", "drugs_count", "population", "rate"]].fillna(0),
        rule,
        counts=("sv_count", "drugs_count"),
        rates={"rate": ("sv_count", "population")},
    )
    out = out.assign(
        sv_count=shown["sv_count"],
        drugs_count=shown["drugs_count"],
        rate=shown["rate"].where(out["population"] > 0, None),
    )
    if column in ("sv_count", "drugs_count"):
        out = out.assign(value=out[column])
    elif column.endswith("_smoothed"):
        out = out.assign(value="shown by colour")
    return _with_notes(out)


def _with_notes(out: pd.DataFrame) -> pd.DataFrame:
    """Wards without data say so in words ("No data", "counted with WARD"), never 0."""
    if "data_note" not in out.columns:
        return out
    note = out["data_note"].fillna("").astype(str)
    has = note != ""
    if not has.any():
        return out
    text = note.where(~note.str.startswith("no data"), NO_DATA_LABEL)
    cols = {c: out[c].astype(object).mask(has, text) for c in ("sv_count", "drugs_count")}
    cols["rate"] = out["rate"].astype(object).mask(has, None)
    cols["value"] = out["value"].astype(object).mask(has, text)
    return out.assign(**cols)


#: Words the map's values may be shown as (partner marks and notes), to translate.
_SHOWN_WORDS = (N_("shown by colour"), N_(NO_DATA_LABEL))


def _number_text(value: float, column: str, _) -> str:
    if column in ("sv_count", "drugs_count"):
        return f"{value:,.0f}"
    if column == "dep_share_20":
        return _("{percent}% of residents").format(percent=f"{value * 100:.1f}")
    if column == "score":
        return f"{value:.2f}"
    return _("{rate} per 1,000 residents").format(rate=f"{value:,.1f}")


def _text(text, lang: str, _) -> str:
    """A value shown as text: the analysis' phrases (a Gi* class, "counted with WARD") from
    their parts (:mod:`hotspots.stats.phrases`), other words through the catalogue."""
    return reason_text(text, lang) if is_phrase(text) else _(str(text))


def value_text(frame: pd.DataFrame, indicator: str, lang: str = "en") -> pd.Series:
    """Each ward's mapped value in words, as shown, with its unit ("12.3 per 1,000
    residents", "57.3% of residents", "<5", "No data").

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`tooltip_frame`'s result (``value`` as shown, text where a partner's rule or
        a note replaced it) with the indicator's own column. Not modified.
    indicator : str
        A key of :data:`MAP_INDICATORS`.
    lang : str, default "en"
        "en" or "cy".

    Returns
    -------
    pandas.Series of str
        Same index as ``frame``; text values (partner marks, notes, Gi* classes) as they
        are, translated where the catalogue has them.
    """
    _ = translator(lang)
    column, kind, _palette = MAP_INDICATORS[indicator]
    out = []
    for shown, raw in zip(frame["value"].tolist(), frame[column].tolist(), strict=True):
        if isinstance(shown, str) or kind == "category":
            out.append("" if shown is None else _text(shown, lang, _))
        elif shown is None or pd.isna(shown) or raw is None or pd.isna(raw):
            out.append(_(NO_DATA_LABEL))
        else:
            out.append(_number_text(float(raw), column, _))
    return pd.Series(out, index=frame.index, dtype=object)


def mapped_values(
    frame: pd.DataFrame,
    indicator: str,
    class_labels: Sequence[str],
    class_index: Sequence[int],
    lang: str = "en",
) -> pd.DataFrame:
    """The map as a table: per ward its name, value as shown (with its unit) and class.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`tooltip_frame`'s result (partner-safe for a partner). Not modified.
    indicator : str
        A key of :data:`MAP_INDICATORS`.
    class_labels : sequence of str
        The legend's labels, in class order.
    class_index : sequence of int
        Per row of ``frame``, its class (-1: no data).
    lang : str, default "en"

    Returns
    -------
    pandas.DataFrame
        ``ward_code``, ``ward_name``, ``value_text``, ``class_label``, sorted by ward name.
    """
    _ = translator(lang)
    index = np.asarray(class_index, dtype="int64")
    if len(index) != len(frame):
        raise ValueError(f"class_index has {len(index)} items for {len(frame)} wards")
    labels = [_(NO_DATA_LABEL) if i < 0 else _text(class_labels[i], lang, _) for i in index]
    out = pd.DataFrame(
        {
            "ward_code": frame["ward_code"].astype(str).to_numpy(),
            "ward_name": frame["ward_name"].astype(str).to_numpy(),
            "value_text": value_text(frame, indicator, lang).to_numpy(),
            "class_label": labels,
        }
    )
    return out.sort_values(["ward_name", "ward_code"], kind="stable").reset_index(drop=True)
