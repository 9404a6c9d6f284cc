"""The composition root: builds every long-lived part from the settings, never at import."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.local import LocalChannel
from bot.deps import Deps
from bot.engine import Engine
from core.clock import Clock, system_clock
from core.settings import Settings
from core.storage import migrate
from core.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    deps: Deps
    engine: Engine
    local: LocalChannel

    @property
    def db(self) -> Database:
        return self.deps.db

    async def close(self) -> None:
        await self.deps.db.dispose()


def build_deps(settings: Settings, db: Database, clock: Clock) -> Deps:
    from core.workdays import WorkCalendar
    from intents import default_router

    return Deps(
        settings=settings,
        db=db,
        router=default_router(),
        clock=clock,
        calendar=WorkCalendar(settings.calendar_overrides),
    )


async def build_app(
    settings: Settings | None = None, *, clock: Clock = system_clock, prepare: bool = True
) -> App:
    """Build Ayo; with `prepare`, migrate the schema and load the demo into an empty database."""
    settings = settings or Settings()
    db = Database(settings.resolved_database_url())
    deps = build_deps(settings, db, clock)
    engine = Engine(deps)
    app = App(settings=settings, deps=deps, engine=engine, local=LocalChannel(engine))
    if prepare:
        await migrate.upgrade(db)
        if settings.demo:
            await load_demo_if_empty(app)
    return app


async def load_demo_if_empty(app: App) -> bool:
    from bot.demo import is_empty, load_demo

    async with app.db.sessions() as session:
        if not await is_empty(session):
            return False
    count = await load_demo(app.db, app.deps.clock())
    log.info("demo organisation loaded: %s employees", count)
    return True
