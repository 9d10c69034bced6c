"""The optional base map under the wards: a tile address the operator configures.

Off by default: the dashboard then makes no request outside its own server. An operator
turns it on with environment variables (read when the map is drawn)::

    HOTSPOTS_BASEMAP_URL="https://tiles.example.gov.uk/{z}/{x}/{y}.png"
    HOTSPOTS_BASEMAP_ATTRIBUTION="© Crown copyright and database rights 2024 OS AC0000000000"
    HOTSPOTS_BASEMAP_NAME="OS Maps"            # optional; default: the tile server's host

The map page and the Method page say which base map is in use (:func:`describe_basemap`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from hotspots.errors import N_, InputError, Text
from hotspots.i18n import translator

__all__ = [
    "ENV_ATTRIBUTION",
    "ENV_NAME",
    "ENV_URL",
    "Basemap",
    "basemap_from_env",
    "describe_basemap",
]

ENV_URL = "HOTSPOTS_BASEMAP_URL"
ENV_ATTRIBUTION = "HOTSPOTS_BASEMAP_ATTRIBUTION"
ENV_NAME = "HOTSPOTS_BASEMAP_NAME"


@dataclass(frozen=True)
class Basemap:
    """A tile server: ``url`` with ``{z}``, ``{x}`` and ``{y}``; the ``attribution`` its
    licence asks for (shown as text); a ``name`` for the layer control."""

    url: str
    attribution: str
    name: str

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or ""


def basemap_from_env(environ: Mapping[str, str] | None = None) -> Basemap | None:
    """The configured base map, or None when :data:`ENV_URL` is unset or empty.

    Raises
    ------
    InputError
        The address is not http(s) with ``{z}``, ``{x}`` and ``{y}``, or no attribution is
        given (tile licences ask for one).
    """
    env = os.environ if environ is None else environ
    url = (env.get(ENV_URL) or "").strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(
            N_("the base map address {url} is not an http(s) address"),
            file=ENV_URL,
            expected=N_("e.g. {example}"),
            fix=N_("set {variable} to the tile server's address, or unset it for no base map"),
            values={
                "url": repr(url),
                "example": "https://tiles.example.gov.uk/{z}/{x}/{y}.png",
                "variable": ENV_URL,
            },
        )
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise InputError(
            N_("the base map address {url} has no {missing}"),
            file=ENV_URL,
            expected=N_("an address with {parts} where the tile's zoom and column go"),
            fix=N_("set {variable} to a tile address such as {example}"),
            values={
                "url": repr(url),
                "missing": ", ".join(missing),
                "parts": Text(N_("{first} and {last}"), {"first": "{z}, {x}", "last": "{y}"}),
                "variable": ENV_URL,
                "example": "https://host/{z}/{x}/{y}.png",
            },
        )
    attribution = (env.get(ENV_ATTRIBUTION) or "").strip()
    if not attribution:
        raise InputError(
            N_("the base map has no attribution"),
            file=ENV_ATTRIBUTION,
            expected=N_("the copyright line the tile server's licence asks for"),
            fix=N_("set {variable}, e.g. '© OpenStreetMap contributors'"),
            values={"variable": ENV_ATTRIBUTION},
        )
    name = (env.get(ENV_NAME) or "").strip() or (parsed.hostname or "")
    return Basemap(url=url, attribution=attribution, name=name)


def describe_basemap(basemap: Basemap | None, lang: str = "en") -> str:
    """One sentence saying which base map is in use (for the map and the Method page)."""
    _ = translator(lang)
    if basemap is None:
        return _(
            "Base map: none. The map draws ward outlines only and asks nothing of any "
            "server outside this one (an operator can configure a tile server)."
        )
    return _(
        "Base map: {name}, tiles from {host} (configured by the operator; switch it off "
        "in the map's layer control). {attribution}"
    ).format(name=basemap.name, host=basemap.host, attribution=basemap.attribution)
