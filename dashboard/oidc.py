"""Sign-in through an identity provider (OIDC, Streamlit's ``st.login``): what its
configuration lacks, said in words before anyone is sent to the provider."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from hotspots.access.accounts import OidcConfig

LOG = logging.getLogger(__name__)

OIDC_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
OIDC_SHARED_KEYS = ("redirect_uri", "cookie_secret")


def oidc_problems(
    auth: Mapping | None, oidc: OidcConfig, authlib_installed: bool = True
) -> list[str]:
    """What stops sign-in through the identity provider (empty: ready).

    ``auth`` is the ``[auth]`` section of ``.streamlit/secrets.toml`` (``None`` when
    absent); ``oidc`` is the ``[oidc]`` section of the accounts file.
    """
    if not oidc.enabled:
        return ["the accounts file has no [oidc] roles or default_role"]
    if not auth:
        return ["no [auth] section in .streamlit/secrets.toml"]
    problems = [f"[auth] lacks {k}" for k in OIDC_SHARED_KEYS if not auth.get(k)]
    redirect = str(auth.get("redirect_uri", ""))
    if redirect and not (
        redirect.startswith(("https://", "http://localhost", "http://127.0.0.1"))
        and redirect.rstrip("/").endswith("/oauth2callback")
    ):
        problems.append(
            "[auth] redirect_uri must be the app's https address ending in /oauth2callback"
        )
    if oidc.provider:
        section, where = auth.get(oidc.provider), f"[auth.{oidc.provider}]"
        if not isinstance(section, Mapping):
            return [*problems, f"no {where} section in .streamlit/secrets.toml"]
    else:
        section, where = auth, "[auth]"
    problems += [f"{where} lacks {k}" for k in OIDC_PROVIDER_KEYS if not section.get(k)]
    url = str(section.get("server_metadata_url", ""))
    if url and not url.startswith("https://"):
        problems.append(f"{where} server_metadata_url must be an https:// address")
    if not authlib_installed:
        problems.append("Streamlit's st.login needs Authlib>=1.3.2 (pip install Authlib)")
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
