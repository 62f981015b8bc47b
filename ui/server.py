"""The server around the Streamlit script: `st.App` with the login routes and a start-up hook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from netral.store.migrate import open_store
from netral.store.xapi_outbox import XapiSender
from netral.web import auth_routes, setup_link
from netral.xapi import configured as xapi_configured

log = logging.getLogger("netral")


def base_url() -> str:
    """The address a person on this machine would type, from Streamlit's own server settings."""
    address = config.get_option("browser.serverAddress") or config.get_option("server.address") or "localhost"
    if address in ("0.0.0.0", "::"):
        address = "localhost"
    port = config.get_option("browser.serverPort") or config.get_option("server.port")
    return f"http://{address}:{port}"


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Migrate the database, then, while no administrator exists, print a one-time set-up link (as Jupyter
    prints its token link): the only way to create the first administrator besides the CLI."""
    # app.py always calls st.navigation: never serve a page file the legacy (pages/ folder) way, not even
    # for the first session of a process (a reconnect or a deep link to a replica that served nobody yet).
    PagesManager.uses_pages_directory = False
    engine = open_store()
    link = setup_link(engine, base_url())
    if link:
        message = ("\n  Netral: belum ada administrator. Buka tautan sekali pakai ini untuk membuatnya:\n"
                   "  Netral: no administrator yet. Open this one-time link to create one:\n\n"
                   f"    {link}\n")
        print(message, flush=True)
        log.info("first-administrator set-up link printed")
    # xAPI is off unless NETRAL_XAPI_ENDPOINT is set; each replica may run a sender (claims never overlap).
    xapi = xapi_configured()
    sender = XapiSender(engine, xapi).start() if xapi is not None else None
    try:
        yield
    finally:
        if sender is not None:
            sender.stop()


def routes() -> list[Any]:
    return auth_routes(open_store)
