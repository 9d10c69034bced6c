"""The accessibility statement, in the form the Public Sector Bodies (Websites and Mobile
Applications) (No. 2) Accessibility Regulations 2018 expect (the GOV.UK model statement):
what is accessible, what is not yet and why, how to ask for another format or report a
problem, the enforcement procedure, and how and when the dashboard was tested.

:func:`draw` draws it: the Accessibility page does, and so does the sign-in gate for a
visitor who is not signed in (the statement must be reachable before sign-in; it shows
no data).
"""

from __future__ import annotations

import os

import streamlit as st

from dashboard.language import _
from dashboard.safe_text import md

#: Who runs this copy of the dashboard and how to reach them (plain text, set by the
#: deployment: e.g. "Community Safety Partnership, 01234 567890, safety@example.gov.uk").
CONTACT_ENV = "HOTSPOTS_ACCESSIBILITY_CONTACT"
#: The statement's address (a page's URL path).
URL_PATH = "accessibility"


def draw() -> None:
    """Draw the statement (title, sections, the date of the last test)."""
    tested = _("6 December 2026")  # the date of the last test and review
    contact = os.environ.get(CONTACT_ENV, "").strip()
    who = md(contact) if contact else _("the analysts of your community safety partnership")

    st.title(_("Accessibility statement"))
    st.markdown(
        _(
            "This statement applies to the Serious violence hotspots dashboard: its pages, "
            "its tables and its downloads (CSV, Excel, GeoJSON, the map file and the monthly "
            "pack). The dashboard is run by {who} for the partners of the Serious Violence Duty."
        ).format(who=who)
    )
    st.markdown(
        _(
            "We want as many people as possible to be able to use it. For example, you should "
            "be able to:\n\n"
            "- use every page in Welsh or in English\n"
            "- zoom in up to 400% (a window 320 pixels wide) without text being cut off or the "
            "page scrolling sideways\n"
            "- reach every page, control, ward profile and download with a keyboard alone\n"
            "- read every table with a screen reader, with the values as they are shown\n"
            "- change colours, contrast and fonts with your browser or device settings"
        )
    )

    st.header(_("How accessible this website is"))
    st.markdown(
        _(
            "We know some parts of the dashboard are not fully accessible:\n\n"
            "- the map is a picture of the wards: with a keyboard or a screen reader, use the "
            "Hotspot list, which holds every ward's values and links to its profile\n"
            "- the charts on the ward profile (month by month, kinds of crime, rank, "
            "deprivation) have no table of their values beside them yet\n"
            "- the monthly pack's PDF is not a tagged PDF: a screen reader cannot follow its "
            "headings and tables; the Excel copy holds the same content\n"
            "- the Welsh text has not yet been checked by a Welsh speaker"
        )
    )

    st.header(_("Feedback and contact information"))
    st.markdown(
        _(
            "If you need anything on this dashboard in a different format, such as an "
            "accessible PDF, large print, easy read or an audio recording, or if you find a "
            "problem not listed here, contact {who}. Say which page and which part, and what "
            "you were trying to do. We will reply within 5 working days and tell you when the "
            "problem will be fixed or how else you can get the information."
        ).format(who=who)
    )
    if not contact:
        st.caption(
            _(
                "No contact is set for this copy of the dashboard: whoever runs it sets "
                "{name} to the team's name, telephone number and email address."
            ).format(name=CONTACT_ENV)
        )

    st.header(_("Enforcement procedure"))
    st.markdown(
        _(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018 (the accessibility regulations). If you are not happy with how "
            "we respond to your complaint, contact the Equality Advisory and Support Service "
            "(EASS)."
        )
    )

    st.header(_("Technical information about this website's accessibility"))
    st.markdown(
        _(
            "We are committed to making this dashboard accessible, in accordance with the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018."
        )
    )
    st.subheader(_("Compliance status"))
    st.markdown(
        _(
            "This dashboard is partially compliant with the Web Content Accessibility "
            "Guidelines version 2.2 AA standard, due to the non-compliances listed below."
        )
    )
    st.subheader(_("Non-accessible content"))
    st.markdown(
        _(
            "Non-compliance with the accessibility regulations:\n\n"
            "- The map's wards cannot all be reached with a keyboard and have no text "
            "alternative on the map itself (WCAG 2.2 success criteria 1.1.1 Non-text content "
            "and 2.1.1 Keyboard). The Hotspot list gives the same values as text.\n"
            "- The charts of the ward profile have no text alternative (1.1.1 Non-text "
            "content).\n"
            "- The monthly pack's PDF has no tags for its headings and tables (1.3.1 Info and "
            "relationships). The Excel download of the pack has the same content.\n\n"
            "We plan to fix these by the next review of this statement. When we publish new "
            "content we make sure it meets the standard."
        )
    )

    st.header(_("How we tested this website"))
    st.markdown(
        _(
            "This dashboard was last tested on {date} by the people who develop it. We tested "
            "every page (home, map, hotspot list, ward profile, monthly pack, data, method, "
            "sign-in and this statement), signed in as an analyst and as a partner, in English "
            "and in Welsh:\n\n"
            "- with axe-core 4.14 in Chromium, against the WCAG 2.0, 2.1 and 2.2 level A and "
            "AA rules, on every change to the dashboard\n"
            "- with a keyboard only, for an analyst's monthly routine and a partner's, in a "
            "window 320 pixels wide and at 200% zoom, checking that the focus is always "
            "visible on screen"
        ).format(date=tested)
    )
    st.markdown(
        _("This statement was prepared on {date}. It was last reviewed on {date}.").format(
            date=tested
        )
    )
