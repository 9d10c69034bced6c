"""The partner view: what a partner may see, derived once from the analyst's data.

Partners (councils, health boards, fire, youth justice) see small numbers suppressed. The
rule is made safe by construction, not by checking each output:

1. :func:`partner_ward_data` derives the partner's counts from the analyst's: every count
   from 1 to ``threshold - 1`` — a ward's period count of each category and each total, and
   every ward-month cell — becomes one fixed stand-in (:attr:`DisclosureRule.stand_in`,
   2 for "<5"); with a rounding rule every other count is rounded. Harm scores (sums over
   individual crimes) are withheld.
2. Every statistic a partner is shown — rates, smoothed rates, percentiles, scores, ranks
   and rank ranges, Gi* and Moran classes, concordance, trends, months in the top N, map
   classes and legends — is computed from that partner table by the same code as the
   analyst's (:func:`hotspots.stats.analysis.analyse`). So no partner output can depend on a
   suppressed count: change any hidden count within 1 … ``threshold - 1`` and every
   partner output stays the same (tested on the real data).
3. Shown to a partner, a stand-in reads as the rule's mark ("<5"); rates from it are
   suppressed; where a total is shown beside its parts (a ward's count and its categories
   or months) secondary suppression hides one more part (:mod:`hotspots.access.disclosure`).

Partners may therefore see slightly different ranks from analysts: a ward with 3 offences
ranks as if it had 2. Outputs that could not be made safe this way (recorded times of
day, the reconciliation of each file) are withheld from partners.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from hotspots.access.disclosure import (
    DisclosureRule,
    partner_hotspot_list,
    primary_mask,
    suppress_frame,
)
from hotspots.stats.analysis import hotspot_list
from hotspots.stats.phrases import Phrase

#: Who an output is for: analysts see exact counts, partners the partner view.
AUDIENCES = ("analyst", "partner")

#: Why partners get no harm score or harm-weighted ranking.
WITHHELD_HARM = Phrase("harm.withheld")

#: Count columns of the ward tables besides the definition's category columns.
TOTALS = ("sv_count", "drugs_count")


def check_audience(audience: str) -> str:
    """``audience`` if it is one of :data:`AUDIENCES`, else a ValueError naming them."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {list(AUDIENCES)}, got {audience!r}")
    return audience


def partner_values(values: Iterable[float], rule: DisclosureRule) -> np.ndarray:
    """Counts as partner statistics see them.

    Parameters
    ----------
    values : Series or array-like of numbers
        Exact counts (whole numbers ≥ 0; missing — no data — stays NaN).
    rule : DisclosureRule

    Returns
    -------
    numpy.ndarray of float
        Counts from 1 to ``threshold - 1`` replaced by ``rule.stand_in``; with
        ``rule.round_to`` every other count rounded to the nearest multiple (0 stays 0).
    """
    v = (
        values.to_numpy(dtype=float, na_value=np.nan)
        if isinstance(values, pd.Series)
        else np.asarray(values, dtype=float)
    )
    hidden = primary_mask(v, rule)
    out = v.copy()
    if rule.round_to:
        out = np.round(out / rule.round_to) * rule.round_to
    out[hidden] = rule.stand_in
    return out


def is_hidden(values: Iterable[float], rule: DisclosureRule) -> np.ndarray:
    """True where a partner value is the stand-in of a suppressed count."""
    return np.asarray(values, dtype=float) == rule.stand_in


def partner_counts(
    frame: pd.DataFrame, columns: Sequence[str], rule: DisclosureRule
) -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` hold :func:`partner_values` (whole numbers
    as int64 where no value is missing, floats otherwise)."""
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            v = partner_values(out[c], rule)  # no data (NA) stays no data
            out[c] = v.astype("int64") if np.isfinite(v).all() else pd.array(v, dtype="Int64")
    return out


def partner_ward_data(data, rule: DisclosureRule):
    """The partner's :class:`hotspots.store.ward_data.WardData`: counts and monthly counts through
    :func:`partner_values`; harm and the number of crimes placed in wards without data
    (exact totals) withheld. Everything else (wards, population, deprivation, months and
    forces loaded) is public and kept."""
    columns = [*TOTALS, *data.definition.category_keys]
    return dataclasses.replace(
        data,
        counts=partner_counts(data.counts, columns, rule),
        monthly=partner_counts(data.monthly, columns, rule),
        harm=None,
        harm_note=WITHHELD_HARM,
        harm_reason=WITHHELD_HARM,
        # crimes of loaded forces placed in wards without data: an exact total, withheld
        hidden={},
    )


def suppression_note(rule: DisclosureRule | None) -> str:
    """The line every output states about small numbers (None: an analyst's output)."""
    if rule is None:
        return "Exact counts (analyst view)."
    return (
        f"Small numbers suppressed: {rule.describe()}. Partner view: every figure is "
        f"computed with each suppressed count taken as {rule.stand_in:g}, so ranks may "
        "differ slightly from the analysts' copy."
    )


def hotspot_table(
    data,
    result,
    ranked: pd.DataFrame | None = None,
    rule: DisclosureRule | None = None,
    ranking=None,
) -> pd.DataFrame:
    """The hotspot list as downloaded (CSV, Excel, GeoJSON) by the dashboard and written by
    ``python -m hotspots rank``: :func:`hotspots.stats.analysis.hotspot_list` (``ranked`` under
    other weights ``ranking``, with their own rank ranges), and for a partner
    (``rule`` given; ``data`` and ``result`` from the partner view) with counts shown as
    the rule says and count-revealing columns withheld."""
    d = data.definition
    table = hotspot_list(result, f"{d.name} (proxy)" if d.proxy else d.name, ranked, ranking)
    return table if rule is None else partner_hotspot_list(table, rule)


def partner_pack_rows(
    rows: pd.DataFrame, population: pd.Series, rule: DisclosureRule
) -> pd.DataFrame:
    """A pack's table of top wards (built from the partner view) as partners see it:
    counts from 1 to ``threshold - 1`` as the mark, rates from shown counts."""
    pop = rows["ward_code"].map(population).astype(float)
    return suppress_frame(
        rows.assign(population=pop),
        rule,
        counts=("sv_count", "drugs_count"),
        rates={"sv_rate": ("sv_count", "population")},
    ).drop(columns="population")
