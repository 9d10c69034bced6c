"""Rank wards into a hotspot list: presets or user weights over stated components.

Normalisation (stated wherever the list appears): each component is turned into its
percentile among the wards being ranked — 0 for the lowest, 1 for the highest, ties
sharing the average — and the score is the weighted sum of those percentiles with
weights that sum to 1. Wards with no resident population are listed last, unranked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from hotspots.i18n import N_
from hotspots.stats.phrases import Phrase

#: Ranking components: key → (indicator column, plain label, how it reads in "why").
COMPONENTS = {
    "violence": ("sv_rate_smoothed", N_("Violence rate"), N_("violence rate")),
    "drugs": ("drugs_rate_smoothed", N_("Drug offence rate"), N_("drug offence rate")),
    "deprivation": (
        "dep_share_20",
        N_("Deprivation"),
        N_("share of residents in the 20% most deprived areas"),
    ),
    "harm": ("harm_rate", N_("Harm-weighted violence"), N_("harm-weighted violence rate")),
}

#: Preset weightings (registry feeding the selectbox and ``--preset``).
PRESETS: dict[str, dict[str, float]] = {
    "violence-drugs-deprivation": {"violence": 0.5, "drugs": 0.25, "deprivation": 0.25},
    "violence": {"violence": 1.0},
    "violence-deprivation": {"violence": 0.6, "deprivation": 0.4},
    "harm-weighted": {"harm": 0.6, "drugs": 0.2, "deprivation": 0.2},
}
PRESET_LABELS = {
    "violence-drugs-deprivation": N_("Violence, drugs and deprivation (default)"),
    "violence": N_("Violence only"),
    "violence-deprivation": N_("Violence and deprivation"),
    "harm-weighted": N_("Harm-weighted violence, drugs and deprivation"),
}
DEFAULT_PRESET = "violence-drugs-deprivation"
NORMALISATION = N_(
    "Each component is converted to its percentile among the wards ranked "
    "(0 = lowest, 1 = highest; ties share the average); the score is the "
    "weighted sum, with weights summing to 1."
)

#: Columns of the ranked list, declared once.
RANK_COLUMNS = [
    "rank",
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
    "police_force",
    "population",
    "sv_count",
    "sv_rate",
    "sv_rate_smoothed",
    "drugs_count",
    "drugs_rate",
    "harm_rate",
    "dep_share_20",
    "dep_most_deprived_rank",
    "score",
    "comp_violence",
    "comp_drugs",
    "comp_deprivation",
    "comp_harm",
    "why",
]


@dataclass(frozen=True)
class RankSettings:
    """Weights of the ranking components (a tuple of ``(component, weight)`` pairs).

    Build with :func:`rank_settings`; weights are validated there.
    """

    weights: tuple[tuple[str, float], ...]
    preset: str | None = None

    @property
    def as_dict(self) -> dict[str, float]:
        return dict(self.weights)

    def describe(self) -> str:
        """ "violence 50%, drugs 25%, deprivation 25%"."""
        return ", ".join(f"{k} {w:.0%}" for k, w in self.weights if w)


def rank_settings(
    preset: str | None = None, weights: Mapping[str, float] | None = None
) -> RankSettings:
    """Settings from a preset name or from user weights.

    Raises
    ------
    ValueError
        Unknown preset or component (naming the valid choices), negative weights, or
        weights that do not sum to 1.
    """
    if weights is None:
        preset = preset or DEFAULT_PRESET
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {list(PRESETS)}")
        weights = PRESETS[preset]
    else:
        preset = None
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise ValueError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    if any((not np.isfinite(w)) or w < 0 for w in weights.values()):
        raise ValueError("weights must be numbers ≥ 0")
    total = float(sum(weights.values()))
    if abs(total - 1.0) > 1e-6:
        raise ValueError(
            f"weights must sum to 1 (they sum to {total:g}); for example "
            "violence=0.5,drugs=0.25,deprivation=0.25"
        )
    ordered = tuple((k, float(weights.get(k, 0.0))) for k in COMPONENTS)
    return RankSettings(weights=ordered, preset=preset)


def parse_weights(text: str) -> dict[str, float]:
    """``"violence=0.5,drugs=0.25,deprivation=0.25"`` → dict; a ValueError says the form."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ValueError(
                f"cannot read weight {part!r}; write them like "
                "violence=0.5,drugs=0.25,deprivation=0.25"
            ) from None
    return out


def percentile_ranks(values: np.ndarray) -> np.ndarray:
    """Percentile of each value among the non-missing ones (0 lowest, 1 highest, ties
    sharing the average rank); NaN stays NaN; a single value gets 1."""
    valid = ~np.isnan(values)
    out = np.full(values.shape, np.nan)
    n = int(valid.sum())
    if n == 1:
        out[valid] = 1.0
    elif n > 1:
        out[valid] = (stats.rankdata(values[valid], method="average") - 1) / (n - 1)
    return out


#: Percentile at or above which a component is named in "why" (the top fifth).
WHY_THRESHOLD = 0.8
#: Decimal places the score is rounded to, so that scores equal in exact arithmetic tie
#: (e.g. 0.6·2/3 and 0.4·1 differ by one unit in the last place in floating point) and the
#: stated tie-break (violence count, then ward code) decides their order.
SCORE_DECIMALS = 12


def _why_texts(comps: pd.DataFrame, scored: np.ndarray, settings: RankSettings) -> list[Phrase]:
    """The "why" of every row (``comps`` holds the ``comp_*`` percentiles), as phrases
    (:mod:`hotspots.stats.phrases`: the English text, and its parts for other languages)."""
    n = len(comps)
    parts: list[list[Phrase]] = [[] for _ in range(n)]
    for key, w in sorted(settings.weights, key=lambda kw: -kw[1]):
        if not w:
            continue
        p = comps[f"comp_{key}"].to_numpy(dtype=float)
        hit = np.flatnonzero(~np.isnan(p) & (p >= WHY_THRESHOLD))
        top = np.maximum(1, np.round((1 - p[hit]) * 100)).astype(int)
        for i, t in zip(hit.tolist(), top.tolist(), strict=True):
            parts[i].append(Phrase("why.top", what=key, p=t))
    return [
        (Phrase("why", parts=ps) if ps else Phrase("why.none"))
        if ok
        else Phrase("why.no_residents")
        for ps, ok in zip(parts, scored.tolist(), strict=True)
    ]


def rank_hotspots(indicators: pd.DataFrame, settings: RankSettings | None = None) -> pd.DataFrame:
    """The ranked hotspot list (:data:`RANK_COLUMNS`).

    Parameters
    ----------
    indicators : DataFrame
        Output of :func:`hotspots.stats.indicators.ward_indicators`.
    settings : RankSettings
        Default: the default preset.

    Returns
    -------
    DataFrame
        One row per ward, best first. ``rank`` 1 is the highest score; ties in score
        (compared after rounding to :data:`SCORE_DECIMALS` places) are broken by the
        violence count, then ward code. ``comp_*`` are the percentiles
        (0–1) of each component among the ranked wards, whatever its weight; NaN where
        the indicator is unknown or the ward is not ranked.
    """
    settings = settings or rank_settings()
    ind = indicators
    n = len(ind)
    ranked = (ind["population"] > 0).to_numpy(dtype=bool)
    comps: dict[str, np.ndarray] = {}
    score = np.zeros(n)
    for key, (col, _, _) in COMPONENTS.items():
        if col in ind.columns:
            values = ind[col].to_numpy(dtype=float, na_value=np.nan)
            comps[key] = percentile_ranks(np.where(ranked, values, np.nan))
        else:
            comps[key] = np.full(n, np.nan)
        w = settings.as_dict[key]
        if w:
            score = score + w * np.nan_to_num(comps[key], nan=0.0)
    score = np.where(ranked, np.round(score, SCORE_DECIMALS), np.nan)
    # best first: score (missing last), then the violence count, then the ward code
    code_order = pd.factorize(ind["ward_code"], sort=True)[0]
    sv = ind["sv_count"].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort(
        (code_order, np.nan_to_num(-sv, nan=np.inf), np.where(ranked, -score, np.inf))
    )
    keep = [
        c for c in RANK_COLUMNS if c not in ("rank", "score", "why") and not c.startswith("comp_")
    ]
    out = ind[keep].iloc[order].reset_index(drop=True)
    scored = ranked[order]
    out["rank"] = pd.array(np.where(scored, np.arange(1, n + 1), 0), dtype="Int64")
    out["rank"] = out["rank"].mask(~scored)
    out["score"] = score[order]
    for key in COMPONENTS:
        out[f"comp_{key}"] = comps[key][order]
    out["why"] = _why_texts(out[[f"comp_{k}" for k in COMPONENTS]], scored, settings)
    return out[RANK_COLUMNS]
