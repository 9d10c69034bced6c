"""Disclosure control for partner views: small counts suppressed, consistently.

The rule (configurable, :data:`RULES`): a count from 1 to ``threshold - 1`` is shown as
``"<threshold"`` (0 stays 0); optionally every other count is rounded to the nearest
``round_to``. Rates computed from a suppressed count are suppressed; rates shown are
computed from the counts shown (so a rate never gives back an exact count). **Secondary
suppression**: wherever a total and its parts are shown together (a ward's violence
count and its categories; a ward's period count and its months), a group never has
exactly one suppressed cell — another cell (the smallest non-zero one shown, else the
total) is suppressed too, so the total minus the other cells cannot reveal it.

Applied after filtering: every partner table is suppressed as it is shown. **Across
views**, two periods where one holds the other plus a month would let a partner subtract
one table from another and recover that month's small count; partners therefore see only
the periods of :func:`partner_windows` — whole 12-month windows, none inside another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DisclosureRule:
    """Which counts are suppressed and how others are shown.

    Parameters
    ----------
    threshold : int
        Counts from 1 to ``threshold - 1`` are suppressed (default 5: 1–4 → "<5").
    round_to : int or None
        Round every shown count to the nearest multiple (e.g. 5); None keeps them exact.
    """

    threshold: int = 5
    round_to: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, int) or self.threshold < 2:
            raise ValueError(f"threshold must be a whole number ≥ 2, got {self.threshold!r}")
        if self.round_to is not None and (not isinstance(self.round_to, int) or self.round_to < 2):
            raise ValueError(f"round_to must be None or a whole number ≥ 2, got {self.round_to!r}")

    @property
    def mark(self) -> str:
        """What a suppressed cell shows."""
        return f"<{self.threshold}"

    @property
    def stand_in(self) -> int:
        """The one value every suppressed count enters partner statistics as
        (``threshold // 2``: 2 for "<5", 5 for "<10"), a whole number so that every count
        model takes it. No shown count equals it (shown counts are 0 or at least
        ``threshold``), so it also marks the cells to show as :attr:`mark`."""
        return self.threshold // 2

    def describe(self) -> str:
        text = f'counts from 1 to {self.threshold - 1} shown as "{self.mark}"'
        if self.round_to:
            text += f"; other counts rounded to the nearest {self.round_to}"
        return (
            text + "; rates from suppressed counts suppressed; secondary suppression "
            "where a total and its parts are shown"
        )


#: Rules a deployment can choose (registry); partners see the configured one.
RULES = {
    "under-5": DisclosureRule(5),
    "under-5-round-5": DisclosureRule(5, 5),
    "under-10": DisclosureRule(10),
}
DEFAULT_RULE = "under-5"


def rule_from_env() -> DisclosureRule:
    """The deployment's rule: ``$HOTSPOTS_SUPPRESSION`` (a key of :data:`RULES`), else the
    default. The dashboard and the command line's partner outputs both use it."""
    import os

    name = os.environ.get("HOTSPOTS_SUPPRESSION", DEFAULT_RULE)
    return RULES.get(name, RULES[DEFAULT_RULE])


def primary_mask(values: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    """True where a count must be suppressed (1 ≤ count < threshold)."""
    v = np.asarray(values, dtype=float)
    return (v >= 1) & (v < rule.threshold)


def secondary_suppress(
    totals: np.ndarray, parts: np.ndarray, hidden_total: np.ndarray, hidden_parts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Extend suppression so that no row of (total, parts) has exactly one hidden cell
    that the others could reveal. Returns new (hidden_total, hidden_parts)."""
    ht = hidden_total.copy()
    hp = hidden_parts.copy()
    for i in range(len(totals)):
        while True:
            n_hidden = int(ht[i]) + int(hp[i].sum())
            if n_hidden != 1:
                break
            if ht[i]:
                # A hidden total with every part shown is their sum: hide a part too.
                candidates = np.flatnonzero(~hp[i] & (parts[i] > 0))
                if len(candidates) == 0:
                    # Every part is 0, so the parts do not add up to the (non-zero) hidden
                    # total and cannot reveal it: the total alone stays hidden.
                    break
                hp[i, candidates[np.argmin(parts[i, candidates])]] = True
            else:
                candidates = np.flatnonzero(~hp[i] & (parts[i] > 0))
                if len(candidates):
                    hp[i, candidates[np.argmin(parts[i, candidates])]] = True
                else:
                    ht[i] = True
    return ht, hp


def _shown(values: np.ndarray, hidden: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    out = np.asarray(values, dtype=float).copy()
    if rule.round_to:
        out = np.round(out / rule.round_to) * rule.round_to
    out[hidden] = np.nan
    return out


def suppress_frame(
    frame: pd.DataFrame,
    rule: DisclosureRule,
    groups: Sequence[tuple[str, Sequence[str]]] = (),
    counts: Iterable[str] = (),
    rates: dict[str, tuple[str, str]] | None = None,
    drop: Iterable[str] = (),
) -> pd.DataFrame:
    """A partner copy of ``frame`` with small counts suppressed.

    Parameters
    ----------
    frame : DataFrame
    rule : DisclosureRule
    groups : sequence of (total column, part columns)
        Totals shown with their parts (secondary suppression within each row).
    counts : columns
        Other count columns (primary suppression only).
    rates : dict rate column → (count column, population column)
        Rates recomputed per 1,000 from the shown counts; suppressed with their count.
    drop : columns
        Columns removed from partner views altogether (e.g. smoothed rates or harm
        scores that could give a count back).

    Returns
    -------
    DataFrame
        Same rows; suppressed cells hold ``rule.mark`` (object columns), shown counts
        are whole numbers (rounded when the rule says so).
    """
    out = frame.drop(columns=[c for c in drop if c in frame.columns]).copy()
    hidden: dict[str, np.ndarray] = {}
    for total, parts in groups:
        t = frame[total].to_numpy(dtype=float)
        p = frame[list(parts)].to_numpy(dtype=float)
        ht, hp = secondary_suppress(t, p, primary_mask(t, rule), primary_mask(p, rule))
        hidden[total] = hidden.get(total, np.zeros(len(frame), bool)) | ht
        for j, c in enumerate(parts):
            hidden[c] = hidden.get(c, np.zeros(len(frame), bool)) | hp[:, j]
    for c in counts:
        hidden[c] = hidden.get(c, np.zeros(len(frame), bool)) | primary_mask(
            frame[c].to_numpy(dtype=float), rule
        )
    shown_counts = {}
    for c, mask in hidden.items():
        shown = _shown(frame[c].to_numpy(dtype=float), mask, rule)
        shown_counts[c] = shown
        out[c] = pd.Series(
            [
                rule.mark if h else (None if np.isnan(v) else int(v))
                for v, h in zip(shown, mask, strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    for rate, (count, pop) in (rates or {}).items():
        if rate not in out.columns:
            continue
        n = shown_counts.get(count, frame[count].to_numpy(dtype=float))
        p = frame[pop].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(p > 0, n / p * 1000, np.nan)
        mask = hidden.get(count, np.zeros(len(frame), bool))
        out[rate] = pd.Series(
            [
                rule.mark if h else (None if np.isnan(v) else round(v, 1))
                for v, h in zip(r, mask, strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    return out


def suppress_series(
    values: Sequence[int], total: int, rule: DisclosureRule
) -> tuple[list[int | None], bool]:
    """A monthly series shown beside its period total: suppressed months become None.
    Returns (shown values, whether the total itself must be hidden)."""
    p = np.asarray(values, dtype=float)[None, :]
    t = np.asarray([total], dtype=float)
    ht, hp = secondary_suppress(t, p, primary_mask(t, rule), primary_mask(p, rule))
    shown = _shown(p[0], hp[0], rule)
    return [None if np.isnan(v) else int(v) for v in shown], bool(ht[0])


#: Hotspot-list columns partners never see: they could give an exact count back.
PARTNER_DROPPED = ("sv_rate_smoothed", "harm_rate", "obs_exp_ratio", "gi_z")


def partner_hotspot_list(
    table: pd.DataFrame, rule: DisclosureRule, series: pd.Series | None = None
) -> pd.DataFrame:
    """A hotspot list (:data:`hotspots.stats.analysis.HOTSPOT_LIST_COLUMNS`) for partners.

    Counts 1 to ``threshold - 1`` become ``rule.mark``; rates are recomputed from the
    shown counts; smoothed rates, harm rates, observed/expected ratios and Gi* z-scores are
    removed. ``series`` (monthly counts per row, aligned with ``table``) is suppressed
    month by month beside the ward's total and returned as a ``series`` column.
    """
    out = suppress_frame(
        table,
        rule,
        counts=("sv_count", "drugs_count"),
        rates={"sv_rate": ("sv_count", "population"), "drugs_rate": ("drugs_count", "population")},
        drop=PARTNER_DROPPED,
    )
    if series is not None:
        shown, hide_total = [], []
        for values, total in zip(series, table["sv_count"], strict=True):
            if pd.isna(total):  # a ward without data: nothing to suppress
                shown.append([None] * len(values))
                hide_total.append(False)
                continue
            have = [i for i, v in enumerate(values) if v is not None and not pd.isna(v)]
            s, h = suppress_series([values[i] for i in have], int(total), rule)
            cells = [None] * len(values)  # months not loaded stay gaps
            for i, v in zip(have, s, strict=True):
                cells[i] = v
            shown.append(cells)
            hide_total.append(h)
        out["series"] = shown
        hidden = pd.Series(hide_total, index=out.index)
        out.loc[hidden, "sv_count"] = rule.mark
        out.loc[hidden, "sv_rate"] = rule.mark
    return out


def hidden_cells(frame: pd.DataFrame, rule: DisclosureRule, columns: Iterable[str]) -> int:
    """How many cells in ``columns`` are numbers from 1 to ``threshold - 1`` (should be 0
    in any partner output)."""
    n = 0
    for c in columns:
        if c not in frame.columns:
            continue
        for v in frame[c]:
            if (
                isinstance(v, int | float | np.integer | np.floating)
                and not pd.isna(v)
                and 1 <= float(v) < rule.threshold
            ):
                n += 1
    return n


def partner_windows(months: Sequence[str], length: int = 12) -> list[tuple[str, str]]:
    """The periods a partner may see: every window of ``length`` consecutive loaded months
    ending at a loaded month, or — while fewer than ``length`` months are loaded — only
    the one window of everything loaded.

    No window lies inside another, so no difference of two partner views isolates a
    month (two equal windows one month apart differ by two months, one added and one
    dropped).

    Parameters
    ----------
    months : sequence of str
        Loaded months, ``YYYY-MM`` (any order, repeats ignored).
    length : int, default 12

    Returns
    -------
    list of (str, str)
        ``(first, last)`` months, latest window first.

    Raises
    ------
    ValueError
        ``length`` is not a positive integer or a month is malformed.
    """
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    loaded = sorted(set(months))
    if not loaded:
        return []
    numbers = {pd.Period(m, freq="M").ordinal for m in loaded}
    out = []
    for last in reversed(loaded):
        end = pd.Period(last, freq="M").ordinal
        if all(n in numbers for n in range(end - length + 1, end + 1)):
            out.append((str(pd.Period(ordinal=end - length + 1, freq="M")), last))
    if not out:
        out.append((loaded[0], loaded[-1]))
    return out
