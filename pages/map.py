"""Map: a choropleth of a chosen indicator, with a drug-offence overlay; click a ward to
open its profile. Works with no CDN and no tile server.

A session's first run draws the map before any widget: the browser has not yet loaded the
scripts of Streamlit's widgets, and Streamlit shows none of a run's new elements until
those arrive. The map is drawn from the address's choices (the widgets' starting values),
the sidebar states them in words, and once the map is drawn it makes the page run again,
which adds the controls around the same map (it is not redrawn).
"""

import streamlit as st

from dashboard import auth, labels
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.language import _, current_language, error_text, labels_of
from dashboard.map_component import (
    legend_html,
    map_data,
    map_file,
    map_style,
    map_view,
    render_ward_map,
    values_table_html,
)
from hotspots.errors import InputError
from hotspots.outputs import map_data as mapping
from hotspots.outputs.basemap import basemap_from_env, describe_basemap
from hotspots.outputs.map_values import mapped_values

K_CHOICES, DEFAULT_K, OVERLAY_DEFAULT = [3, 4, 5, 6, 7], 5, True
NOTIFY_KEY = "hotspots_map_notify"
TABLE_ID = "ward-map-table"
first = fr.first_run()  # the map before the controls (see above)
f = fr.sidebar(controls=not first)
# The run the drawn map starts sends the very same map (the browser keeps a copy of a
# message it has seen, so Streamlit sends only a reference, and the map is left as it is).
notify = first or st.session_state.pop(NOTIFY_KEY, False)
if first:
    st.session_state[NOTIFY_KEY] = True
data = state.ward_data(f.root, f.version, f.selection, f.view_rule)
# The title and source line go above the map but are sent after it, so that on a first
# run the browser starts on the map's script as early as it can.
head = st.container()
controls = st.container()  # empty on a first run; the map keeps its place below it
indicators = list(mapping.MAP_INDICATORS)
wanted = st.query_params.get("show")
shown = indicators.index(wanted) if wanted in indicators else 0
schemes = list(mapping.SCHEMES)
# A first run takes the values the widgets start at, drawing none (frame.pick).
draw = not first
c1, c2, c3, c4 = controls.columns([3, 2, 1, 2]) if draw else (None,) * 4
choice = fr.pick(c1, _("Show"), indicators, shown, draw=draw, format_func=labels_of(indicators, _))
category = mapping.MAP_INDICATORS[choice][1] == "category"
scheme = fr.pick(
    c2, _("Classes"), schemes, 0, draw=draw, disabled=category, format_func=labels_of(schemes, _)
)
k = fr.pick(c3, _("How many"), K_CHOICES, K_CHOICES.index(DEFAULT_K), draw=draw, disabled=category)
overlay_on = (
    c4.toggle(
        _("Drug offences overlay"),
        value=OVERLAY_DEFAULT,
        help=_("Outlines the wards in the top 12 for drug offences"),
    )
    if draw
    else OVERLAY_DEFAULT
)
st.query_params["show"] = choice
lang = current_language()
# The ward search: English or Welsh name → the map zooms to the ward, its profile offered.
searchable = state.ward_search(f.root, f.version, f.selection.area, lang) if draw else {}
found = (
    controls.selectbox(
        _("Find a ward (English or Welsh name)"),
        list(searchable),
        index=None,
        format_func=searchable.get,
        placeholder=_("Type a ward name"),
        key="ward_search",
    )
    if draw
    else None
)
opened = (
    found
    if found
    and controls.button(
        _("Open the profile of {ward}").format(ward=searchable[found]), key="ward_search_open"
    )
    else None
)
try:
    basemap = basemap_from_env()
except InputError as exc:  # a mistyped setting: said, and the map drawn without tiles
    st.warning(error_text(exc))
    basemap = None

# Partners: every value, class and legend from the partner view (hotspots.access.partner).
rule = f.view_rule
view = map_view(
    f.root, f.version, f.selection, choice, scheme, k, overlay_on, rule, ranking=f.ranking
)
cls, colours, table, fill, overlay = view
geometry = state.map_geometry(f.root, f.version, f.selection.area)
legend = legend_html(
    _(choice),
    [(_(label), colour) for label, colour in mapping.legend_entries(cls, colours)],
    _(overlay["name"]) if overlay else None,
)
# The outlines and tooltip values are cached as the JSON the map is sent; a run that only
# changes colours, classes or the overlay adds just those.
words = {
    "region": _("Map of wards"),
    "skip": _("Skip the map (to the table of its values)"),
    "svg_title": _("Map of wards: {indicator}").format(indicator=_(choice)),
    "no_data": _("No data"),
}
clicked = render_ward_map(
    map_data(
        state.map_layers(f.root, f.version, f.selection, choice, f.ranking, rule, lang),
        map_style(
            geometry,
            fill,
            "fill",
            {**overlay, "name": _(overlay["name"])} if overlay else None,
            legend=legend,
            height=600,
            basemap=basemap,
            class_column="class_index",
            class_labels=[_(c) for c in cls.labels],
            text=words,
            skip_to=TABLE_ID,
            focus=found,
        ),
    ),
    key="ward-map",
    notify_drawn=notify,
)
with head:
    st.title(_("Map"))
    fr.source_line(f, data)
if first:
    fr.describe(f)  # the sidebar in words until the controls come
st.caption(
    _(
        "Keyboard: Tab to the map, arrow keys to move between wards, Enter to open a "
        "ward's profile, Escape to close its details; or use the table below."
    )
)
st.caption(describe_basemap(basemap, lang))
st.caption(
    _(
        "{n} wards · click a ward to open its profile · dashed outlines: the 12 wards with "
        "most drug offences · hotspot score: {ranking} (as on the Hotspot list) · grey: no data"
    ).format(n=len(geometry.codes), ranking=labels.ranking_description(f.ranking))
)

stem = f"map_{f.selection.area or 'all'}_{f.selection.start}_{f.selection.end}"
area_words = labels.area_label(f.selection.area) if f.selection.area else None
if not first:
    st.download_button(
        _("Download this map (web page)"),
        lambda: map_file(
            view, f.root, f.version, f.selection, choice, rule, lang, area_words=area_words
        ),
        f"{stem}.html",
        "text/html",
        on_click=auth.on_download(f"{stem}.html"),
        help=_("One file with the map and its legend; opens in any browser, offline."),
    )
# The map as a table (after the download, so its links come after it on the Tab route):
# the keyboard's and screen readers' way to every ward (same values,
# from the partner view for a partner). Not on a first run: st.html's own script would
# hold the map back; it comes with the controls.
if not first:
    st.html(
        values_table_html(
            mapped_values(
                mapping.tooltip_frame(
                    state.map_names(f.root, f.version, table, lang), choice, rule
                ),
                choice,
                cls.labels,
                fill["class_index"].tolist(),
                lang,
            ),
            caption=_("The mapped values: {indicator}").format(indicator=_(choice)),
            headers=(_("Ward (opens its profile)"), _("Value"), _("Class")),
            link_query={k: v for k, v in st.query_params.to_dict().items() if k != "ward"},
            table_id=TABLE_ID,
        )
    )

clicked = clicked or opened
if clicked:
    st.switch_page("pages/profile.py", query_params={**st.query_params.to_dict(), "ward": clicked})
