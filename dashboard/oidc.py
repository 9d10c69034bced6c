"""Sign-in through an identity provider (OIDC, Streamlit's ``st.login``): what its
configuration lacks, said in words before anyone is sent to the provider."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from hotspots.access.accounts import OidcConfig
from hotspots.errors import N_, Text

LOG = logging.getLogger(__name__)

OIDC_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
OIDC_SHARED_KEYS = ("redirect_uri", "cookie_secret")


def oidc_problems(
    auth: Mapping | None, oidc: OidcConfig, authlib_installed: bool = True, lang: str = "en"
) -> list[str]:
    """What stops sign-in through the identity provider (empty: ready), in ``lang``.

    ``auth`` is the ``[auth]`` section of ``.streamlit/secrets.toml`` (``None`` when
    absent); ``oidc`` is the ``[oidc]`` section of the accounts file.
    """
    return [p.localised(lang) for p in _problems(auth, oidc, authlib_installed)]


def _problems(auth: Mapping | None, oidc: OidcConfig, authlib_installed: bool) -> list[Text]:
    if not oidc.enabled:
        return [Text(N_("the accounts file has no [oidc] roles or default_role"))]
    if not auth:
        return [Text(N_("no [auth] section in .streamlit/secrets.toml"))]
    lacks = N_("{section} lacks {key}")
    problems = [
        Text(lacks, {"section": "[auth]", "key": k}) for k in OIDC_SHARED_KEYS if not auth.get(k)
    ]
    redirect = str(auth.get("redirect_uri", ""))
    if redirect and not (
        redirect.startswith(("https://", "http://localhost", "http://127.0.0.1"))
        and redirect.rstrip("/").endswith("/oauth2callback")
    ):
        problems.append(
            Text(
                N_("[auth] redirect_uri must be the app's https address ending in /oauth2callback")
            )
        )
    if oidc.provider:
        section, where = auth.get(oidc.provider), f"[auth.{oidc.provider}]"
        if not isinstance(section, Mapping):
            return [
                *problems,
                Text(N_("no {section} section in .streamlit/secrets.toml"), {"section": where}),
            ]
    else:
        section, where = auth, "[auth]"
    problems += [
        Text(lacks, {"section": where, "key": k}) for k in OIDC_PROVIDER_KEYS if not section.get(k)
    ]
    url = str(section.get("server_metadata_url", ""))
    if url and not url.startswith("https://"):
        problems.append(
            Text(
                N_("{section} server_metadata_url must be an https:// address"), {"section": where}
            )
        )
    if not authlib_installed:
        problems.append(Text(N_("Streamlit's st.login needs Authlib>=1.3.2 (pip install Authlib)")))
    return problems


def secrets_auth() -> Mapping | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` (None when absent or unreadable)."""
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        section = st.secrets.get("auth")
    except Exception:  # an unreadable secrets file means no OIDC
        LOG.exception("cannot read .streamlit/secrets.toml")
        return None
    return section if isinstance(section, Mapping) else None


def authlib_installed() -> bool:
    """Whether Streamlit's ``st.login`` can run (it needs Authlib)."""
    from streamlit.auth_util import is_authlib_installed

    return is_authlib_installed()
