"""`ayo serve`: the HTTP server plus the background work of one Ayo instance."""

from __future__ import annotations

import logging

import uvicorn

from bot.app import build_app
from bot.web import create_web
from core.settings import Settings

log = logging.getLogger(__name__)


async def run(settings: Settings, *, host: str, port: int) -> None:
    ayo = await build_app(settings)
    web = create_web(ayo)
    log.info("web chat at http://%s:%s/", host, port)
    server = uvicorn.Server(uvicorn.Config(web, host=host, port=port, log_level="info"))
    try:
        await server.serve()
    finally:
        await ayo.close()
