"""The shared frame of every page: the sidebar (area, period, definition) mirrored in the
URL query so a view can be shared as a link, and the line stating period, cut-off and
source."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard import caches as state
from dashboard.labels import ALL, area_label, phrase_text, welsh_names
from dashboard.language import (
    N_,
    _,
    current_language,
    error_text,
    labels_of,
    language_toggle,
)
from dashboard.navigation import CONTROLS_KEY, draw_page_menu
from dashboard.safe_text import md
from hotspots.access.disclosure import DisclosureRule, partner_windows, rule_from_env
from hotspots.access.partner import suppression_note
from hotspots.definitions import bare_title
from hotspots.geo.counts import source_family
from hotspots.stats.ranking import COMPONENTS, DEFAULT_PRESET, PRESETS, RankSettings, rank_settings
from hotspots.store.base import Store
from hotspots.store.ward_data import Selection

#: Period choices (registry feeding the radio).
PERIODS = {
    "rolling12": N_("Last 12 months"),
    "range": N_("Choose months"),
    "month": N_("One month"),
}
"""The area choice of every ward (kept in English in the address; shown translated)."""


@dataclass(frozen=True)
class Frame:
    """What every page needs: the store, the selection and plain labels."""

    store: Store
    root: str
    version: int
    selection: Selection
    months: tuple[str, ...]
    label: str | None
    partner: bool = False
    rule: DisclosureRule = field(default_factory=DisclosureRule)
    ranking: RankSettings = field(default_factory=rank_settings)

    @property
    def preset(self) -> str:
        """The ranking's preset key, or "custom" for the user's own weights."""
        return self.ranking.preset or CUSTOM

    @property
    def demo(self) -> bool:
        return self.label == "synthetic demo"

    @property
    def view_rule(self) -> DisclosureRule | None:
        """The disclosure rule every output of this viewer is made under: the partner's
        rule (outputs from the partner view, :mod:`hotspots.access.partner`), None for analysts."""
        return self.rule if self.partner else None

    def suppression_note(self) -> str:
        return suppression_note(self.view_rule)


def disclosure_rule() -> DisclosureRule:
    """The deployment's rule: ``$HOTSPOTS_SUPPRESSION`` (a key of RULES) or the default."""
    return rule_from_env()


def _param(name: str, default: str) -> str:
    return st.query_params.get(name, default)


#: The preset key of the user's own weights (``preset=custom&weights=violence:50,...``).
CUSTOM = "custom"
#: Session-state key holding the last ranking chosen (when the address has none).
RANKING_KEY = "hotspots_ranking"


def weights_text(ranking: RankSettings) -> str:
    """``"violence:50,drugs:25,deprivation:25"`` (percentages) for the address."""
    return ",".join(f"{k}:{round(w * 100, 4):g}" for k, w in ranking.weights if w)


def ranking_from(preset: str | None, weights: str | None) -> RankSettings:
    """The ranking an address names: a preset, or ``custom`` with ``weights``
    ("violence:50,drugs:25,deprivation:25", scaled to sum to 1). Anything unreadable gives
    the default preset (an address is typed by people)."""
    if preset == CUSTOM and weights:
        try:
            raw = {}
            for part in weights.split(","):
                k, _sep, v = part.partition(":")
                raw[k.strip()] = float(v)
            total = sum(raw.values())
            if total > 0 and set(raw) <= set(COMPONENTS) and min(raw.values()) >= 0:
                return rank_settings(weights={k: v / total for k, v in raw.items()})
        except ValueError:
            pass
    return rank_settings(preset if preset in PRESETS else DEFAULT_PRESET)


def set_ranking(ranking: RankSettings) -> None:
    """Keep ``ranking`` in the address (and the session) for every page."""
    st.session_state[RANKING_KEY] = ranking
    if ranking.preset:
        st.query_params["preset"] = ranking.preset
        if "weights" in st.query_params:
            del st.query_params["weights"]
    else:
        st.query_params.update({"preset": CUSTOM, "weights": weights_text(ranking)})


def _ranking() -> RankSettings:
    if "preset" in st.query_params:
        return ranking_from(st.query_params.get("preset"), st.query_params.get("weights"))
    return st.session_state.get(RANKING_KEY) or rank_settings()


def _index(options: list, value, default: int = 0) -> int:
    return options.index(value) if value in options else default


#: Session-state key: set once a run of this session has drawn the shared frame.
SEEN_KEY = "hotspots_frame_seen"


def first_run() -> bool:
    """True while no run of this browser session has drawn the frame yet.

    Such a browser has not loaded the script of any Streamlit widget: each widget type's
    script is fetched when its first element arrives, and Streamlit shows nothing of the
    page's new elements until those arrive (see bench/README.md). The map page uses this
    to draw its map first and its controls in the run that follows.
    """
    return not st.session_state.get(SEEN_KEY, False)


DEMO_WARNING = N_("**Synthetic demo** — invented places and crimes for trying the tool.")
PROXY_NOTE = N_("⚠️ **Proxy**: police.uk categories only approximate serious violence.")
LOADING = N_("Loading the controls…")
PARTNER_PERIODS = N_("(partners see 12-month periods only)")


def pick(where, label: str, options: list, index: int, *, draw: bool = True, **kwargs):
    """A select box in ``where`` starting at ``options[index]``, or, with ``draw=False``,
    that starting value itself and no widget: one rule for a run with controls and a run
    without them (a session's first run of the map page)."""
    if draw:
        return where.selectbox(label, options, index=index, **kwargs)
    return options[index]


def _partner_note(rule: DisclosureRule) -> str:
    return _("Partner view: {rule}.").format(rule=rule_text(rule))


def rule_text(rule: DisclosureRule) -> str:
    """``rule.describe()`` in the page's language (the files keep the English)."""
    text = _('counts from 1 to {last} shown as "{mark}"').format(
        last=rule.threshold - 1, mark=rule.mark
    )
    if rule.round_to:
        text += "; " + _("other counts rounded to the nearest {n}").format(n=rule.round_to)
    return (
        text
        + "; "
        + _(
            "rates from suppressed counts suppressed; secondary suppression where a total "
            "and its parts are shown"
        )
    )


def sidebar(controls: bool = True) -> Frame:
    """Draw the sidebar and return the frame. Call once per page run.

    With ``controls=False`` nothing is drawn (no widgets) and the frame is what the
    widgets would start at: the same query parameters and defaults (a session's first run
    of the map page, which draws the frame in words with :func:`describe` after its map;
    the next run draws the widgets).
    """
    user = auth.page_guard()  # a page reached without app.py's login gate stops here
    store = state.active_store()
    root, version = str(store.root), store.version()
    m = state.manifest(root, version)
    months = sorted({p["month"] for p in m["partitions"].values()})
    sources = sorted({p["source"] for p in m["partitions"].values()})
    try:
        registry = state.definitions()
    except ValueError as exc:  # InputError included: a broken file in geodata/definitions
        st.error(
            _("A definition file cannot be read: {problem}").format(problem=md(error_text(exc)))
        )
        st.stop()
    definitions = {
        name: d for name, d in registry.items() if any(source_family(s) == d.match for s in sources)
    }
    if not months or not definitions:
        st.error(
            _(
                "No crimes are loaded yet. Load police.uk files on the Data page, or run "
                "`python -m hotspots load auto FOLDER`."
            )
        )
        st.stop()

    def choose(where, label: str, options: list, index: int, **kwargs):
        return pick(where, label, options, index, draw=controls, **kwargs)

    areas = [ALL, *state.area_choices(root, version)]
    forces_with_data = [a for a in areas if any(s.endswith(":" + a) for s in sources)]
    default_area = forces_with_data[0] if forces_with_data else ALL
    with st.sidebar:
        if m.get("label") and controls:
            st.warning(_(DEMO_WARNING))
        area = choose(
            st,
            _("Area"),
            areas,
            _index(areas, _param("area", default_area)),
            help=_("A police force or a local authority."),
            format_func=labels_of(areas, area_label),
        )
        partner = not user.can("analyst")
        if partner:
            # Partners see whole 12-month windows only, so that no two partner views can
            # be subtracted to reveal one month's small count (hotspots.access.disclosure).
            period = "rolling12"
            start, end = partner_windows(months)[0]
            if controls:
                st.caption(
                    _("Period: {start} to {end}").format(
                        start=_month_label(start), end=_month_label(end)
                    )
                    + " "
                    + _(PARTNER_PERIODS)
                )
        else:
            period_keys = list(PERIODS)
            # Select boxes only (no radio, slider or number input): each widget type is a
            # separate script the browser fetches on a first visit, before the map can draw.
            period = choose(
                st,
                _("Period"),
                period_keys,
                _index(period_keys, _param("period", "rolling12")),
                format_func=labels_of(period_keys, lambda k: period_label(k, months)),
            )
            last = months[-1]
            if period == "rolling12":
                end = last
                start = window_months(months)[0]
                if controls:
                    st.caption(
                        _("{start} to {end}").format(
                            start=_month_label(start), end=_month_label(end)
                        )
                    )
            elif period == "month":
                end = start = choose(
                    st,
                    _("Month"),
                    months[::-1],
                    _index(months[::-1], _param("to", last)),
                    format_func=labels_of(months, _month_label),
                )
            else:
                a = _param("from", months[0])
                b = _param("to", last)
                c1, c2 = st.columns(2) if controls else (st, st)
                start = choose(
                    c1,
                    _("From"),
                    months,
                    _index(months, a),
                    format_func=labels_of(months, _month_label),
                )
                later = [m for m in months if m >= start]
                end = choose(
                    c2,
                    _("To"),
                    later,
                    _index(later, b if b in later else last, len(later) - 1),
                    format_func=labels_of(later, _month_label),
                )
        names = list(definitions)
        default_def = "police-uk-proxy" if "police-uk-proxy" in names else names[0]
        definition = choose(
            st,
            _("Definition"),
            names,
            _index(names, _param("def", default_def)),
            format_func=labels_of(names, lambda n: definition_title(definitions[n])),
        )
        if definitions[definition].proxy and controls:
            st.caption(_(PROXY_NOTE))
    ranking = _ranking()
    st.query_params.update(
        {"area": area, "period": period, "from": start, "to": end, "def": definition}
    )
    set_ranking(ranking)
    selection = Selection(
        start=start, end=end, area=None if area == ALL else area, definition=definition
    )
    if partner and controls:
        st.sidebar.caption(_partner_note(disclosure_rule()))
    if controls:
        phone_bar(areas, area, start, end, None if partner else (period, months))
    st.session_state[CONTROLS_KEY] = controls
    if controls:  # now that the address holds this run's selection, the menu's links
        draw_page_menu()
    st.session_state[SEEN_KEY] = True
    return Frame(
        store=store,
        root=root,
        version=version,
        selection=selection,
        months=tuple(months),
        label=m.get("label"),
        partner=partner,
        rule=disclosure_rule(),
        ranking=ranking,
    )


def period_label(key: str, months: list[str]) -> str:
    """The period choice's label: "Last 12 months" only when the 12 months ending at the
    latest loaded month are all loaded; otherwise "Latest months (k of 12 loaded)"."""
    if key != "rolling12":
        return _(PERIODS[key])
    k = len(window_months(months))
    return _(PERIODS[key]) if k == 12 else _("Latest months ({k} of 12 loaded)").format(k=k)


def window_months(months: list[str]) -> list[str]:
    """The loaded months among the 12 ending at the latest loaded month."""
    if not months:
        return []
    last = pd.Period(max(months), freq="M")
    first = str(last - 11)
    return [m for m in months if m >= first]


def definition_title(d) -> str:
    """A definition's name as the sidebar shows it ("— proxy" when it is one)."""
    title = d.title_in(current_language())
    proxied = "proxy" in d.title or "procsi" in title
    return title + (_(" — proxy") if d.proxy and not proxied else "")


def describe(frame: Frame) -> None:
    """Draw the frame in words in the sidebar: what a run without controls
    (``sidebar(controls=False)``) shows while the next run brings the widgets."""
    d = state.definitions()[frame.selection.definition]
    with st.sidebar:
        if frame.demo:
            st.warning(_(DEMO_WARNING))
        only = " " + _(PARTNER_PERIODS) if frame.partner else ""
        st.markdown(
            _("**Area**: {area}").format(area=md(area_label(frame.selection.area or ALL)))
            + "  \n"
            + _("**Period**: {start} to {end}").format(
                start=_month_label(frame.selection.start), end=_month_label(frame.selection.end)
            )
            + only
            + "  \n"
            + _("**Definition**: {definition}").format(definition=md(definition_title(d)))
        )
        st.caption(_(LOADING))
        if d.proxy:
            st.caption(_(PROXY_NOTE))
        if frame.partner:
            st.caption(_partner_note(frame.rule))


#: Months' short names in Welsh (Welsh Government style), January first.
MONTHS_CY = (
    "Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag",
)  # fmt: skip


def _month_label(month: str) -> str:
    return month_label(month, current_language())


@functools.lru_cache(maxsize=2048)
def month_label(month: str, lang: str = "en") -> str:
    """``"2024-01"`` → ``"Jan 2024"`` (``"Ion 2024"`` in Welsh)."""
    p = pd.Period(month, freq="M")
    if lang == "cy":
        return f"{MONTHS_CY[p.month - 1]} {p.year}"
    return p.strftime("%b %Y")


def source_line(frame: Frame, data) -> None:
    """State the data's period (the period of ``data``, which a page may have chosen for
    itself, e.g. a pack's 12 months), cut-off and source on the page, and flag what is
    missing: months not loaded, forces without crimes, wards counted with another ward."""
    d = data.definition
    sel = data.selection
    sources = ", ".join(
        s.replace("police.uk:", "police.uk ").replace("extract:", "extract ") for s in data.sources
    )
    cut = max(data.months_loaded) if data.months_loaded else None
    demo = " · " + _("**synthetic demo data**") if frame.demo else ""
    n, k = len(sel.months), len(data.months_loaded)
    loaded = " " + _("({k} of {n} months loaded)").format(k=k, n=n) if k < n else ""
    st.caption(
        _("Period {start} – {end}").format(start=_month_label(sel.start), end=_month_label(sel.end))
        + loaded
        + " · "
        + _("data up to {month}").format(month=_month_label(cut) if cut else _("none"))
        + f" · {md(area_label(sel.area or ALL))} · {md(_definition_words(d))}"
        + " · "
        + _("source: {sources}").format(sources=md(sources))
        + demo
    )
    for note in getattr(data, "caveats", ()):  # e.g. an analyst's acceptance of a missing flag
        st.caption(f"⚠️ {md(phrase_text(note))}")
    missing = data.forces_without_data
    gaps = data.months_not_loaded
    if missing:
        n_wards = int(data.wards["police_force"].isin(missing).sum())
        st.warning(
            _(
                "No crimes are loaded for **{forces}**: its {n} wards show **no data** "
                "(grey on the map, empty in tables) and are left out of the ranking and "
                "statistics. Choose a force with data in **Area**, or load that force's "
                "files on the Data page."
            ).format(forces=md(", ".join(area_label(x) for x in missing)), n=n_wards)
        )
    if gaps:
        st.warning(
            _(
                "**Months not loaded in this period**: {months} ({k} of {n} months loaded). "
                "They are gaps, not zeros: totals cover the loaded months only."
            ).format(months=", ".join(_month_label(m) for m in gaps), k=k, n=n)
        )
    for force, months in data.forces_with_gaps.items():
        st.warning(
            _(
                "**{force}** has crimes loaded for {k} of {n} months only: its totals "
                "cover fewer months than other forces', so compare it with care."
            ).format(force=md(area_label(force)), k=months, n=n)
        )
    counted = data.metadata().get("wards_counted_with") or {}
    if counted:
        names = dict(zip(data.wards["ward_code"], data.wards["ward_name"], strict=True))
        names.update({c: x for c, x in welsh_names().items() if c in names})
        st.caption(
            _("No residents by the LSOA lookup, so not ranked: {wards}.").format(
                wards="; ".join(
                    f"{md(names.get(c, c))} ({md(note)})" for c, note in counted.items()
                )
            )
        )


def phone_bar(
    areas: list[str],
    area: str,
    start: str,
    end: str,
    periods: tuple[str, list[str]] | None,
) -> None:
    """Above the page: the language toggle and, in a pop-over, the area and period with
    a way to change them, so that a phone (where the sidebar starts closed) reaches them
    without opening the sidebar. ``periods`` is the period choice and the loaded months
    (None for partners, whose period is fixed)."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    # The pop-over's label is Markdown: the area's name goes in as text (md).
    label = _("{area} · {start} to {end}").format(
        area=md(area_label(area)), start=_month_label(start), end=_month_label(end)
    )
    with left.popover(label):
        st.session_state["phone_area"] = area
        st.selectbox(
            _("Area"),
            areas,
            key="phone_area",
            format_func=labels_of(areas, area_label),
            on_change=_phone_area,
        )
        if periods is not None:
            period, months = periods
            options = ["rolling12", *months[::-1]]
            if period == "range":  # the sidebar's range, kept as it is
                options.insert(0, "range")
            st.session_state["phone_period"] = start if period == "month" else period
            spans = {
                "range": _("{start} to {end}").format(
                    start=_month_label(start), end=_month_label(end)
                )
            }
            st.selectbox(
                _("Period"),
                options,
                key="phone_period",
                format_func=labels_of(
                    options,
                    lambda k: (
                        period_label(k, months)
                        if k == "rolling12"
                        else spans.get(k) or _month_label(k)
                    ),
                ),
                on_change=_phone_period,
                help=_("More choices (a range of months) in the menu, top left."),
            )
    language_toggle(right, key="lang_toggle_top")


def _phone_area() -> None:
    """The phone bar's area into the address, which the sidebar's widgets follow."""
    st.query_params["area"] = st.session_state["phone_area"]


def _phone_period() -> None:
    """The phone bar's period into the address, which the sidebar's widgets follow."""
    chosen = st.session_state["phone_period"]
    if chosen == "rolling12":
        st.query_params["period"] = "rolling12"
    elif chosen != "range":
        st.query_params.update({"period": "month", "from": chosen, "to": chosen})


def _definition_words(d) -> str:
    """The definition's title in the page's language, "(PROXY)" once where it is one."""
    title = d.title_in(current_language())
    if not d.proxy:
        return title
    title = bare_title(title)
    return title + " (" + _("PROXY") + ")"
