"""Mount every back-office page module: routes.py's pages, then the other page modules; all
of them render through bot/backoffice/kit.py (one renderer, one scope check)."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.backoffice.employees import employees_routes
from bot.backoffice.learning import learning_routes
from bot.backoffice.routes import mount_backoffice
from bot.backoffice.unknown import unknown_routes


def mount_all(web: Any, app: App) -> None:
    mount_backoffice(web, app)
    web.include_router(learning_routes(app))
    web.include_router(unknown_routes(app))
    web.include_router(employees_routes(app))
