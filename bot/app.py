"""The composition root: builds every long-lived part from the settings, never at import."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

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
    # Telegram / WhatsApp adapters by name (bot/channels/setup.py); empty when none is set.
    channels: dict[str, Any] = field(default_factory=dict)
    # Webhooks and polling commit updates and process them per chat here (bot/inbound/pipeline.py).
    inbound: Any = None

    @property
    def db(self) -> Database:
        return self.deps.db

    async def close(self) -> None:
        if self.inbound is not None:
            await self.inbound.idle()
        for channel in self.channels.values():
            await channel.close()
        await self.deps.db.dispose()


def build_deps(settings: Settings, db: Database, clock: Clock) -> Deps:
    from core.workdays import WorkCalendar
    from integrations.faq import load_faq
    from integrations.handoff.teams import load_teams
    from integrations.wiring import build as build_integrations
    from intents.cache import default_router
    from intents.normalize import normalize

    calendar = WorkCalendar(settings.calendar_overrides)
    wired = build_integrations(settings, db, calendar, clock)
    return Deps(
        settings=settings,
        db=db,
        router=default_router(),
        clock=clock,
        calendar=calendar,
        services=wired.catalog,
        leave_rules=wired.leave_rules,
        connectors=wired.connectors,
        handoff=load_teams(settings.handoff_teams),
        faq=load_faq(settings.faq_path, calendar, normalize, settings.resolved_faq_additions()),
    )


async def build_app(
    settings: Settings | None = None, *, clock: Clock = system_clock, prepare: bool = True
) -> App:
    """Build Ayo; with `prepare`, migrate the schema and load the demo into an empty database."""
    settings = settings or Settings()
    from core import logsafe

    logsafe.install(settings)  # before any client is built: none may log a secret
    db = Database(settings.resolved_database_url())
    deps = build_deps(settings, db, clock)
    from bot.channels.setup import build_channels
    from bot.handlers.linking import unlinked
    from bot.inbound.pipeline import InboundPipeline

    engine = Engine(deps, unlinked=unlinked)
    app = App(settings=settings, deps=deps, engine=engine, local=LocalChannel(engine))
    app.channels = build_channels(settings, db, clock)
    from integrations.documents import DocumentStore

    deps.channels = app.channels
    deps.documents = DocumentStore.from_settings(settings)
    app.inbound = InboundPipeline(engine)
    if prepare:
        await migrate.upgrade(db)
        await import_lessons(app)
        from bot.curated import use_curated

        await use_curated(deps)  # the examples curated in the back office
        if settings.demo:
            await load_demo_if_empty(app)
    return app


class DemoDataInProduction(RuntimeError):
    """The database holds the demo organisation while AYO_ENV=production."""


async def refuse_demo_data(app: App) -> None:
    """Production must never serve the fictional demo employees: stop with a clear message.

    `ayo serve` calls it; the operator's own tools (`ayo chat`, `ayo privacy` …) do not.
    """
    if not app.settings.production:
        return
    from bot.demo import demo_employee_count

    async with app.db.sessions() as session:
        count = await demo_employee_count(session)
    if count:
        await app.close()
        raise DemoDataInProduction(
            f"The database holds {count} employees of the demo organisation, and AYO_ENV is "
            "production. Use a fresh database for production (see docs/OPERATIONS.md), or "
            "set AYO_ENV=demo to try Ayo with the demo data."
        )


async def import_lessons(app: App) -> None:
    """Import the lesson content (built-in or AYO_LESSONS_DIR); unchanged lessons cost nothing."""
    from lessons.catalog import DEFAULT_CONTENT_DIR
    from lessons.importer import import_folder

    root = app.settings.lessons_dir or DEFAULT_CONTENT_DIR
    await import_folder(app.db, root, app.deps.clock())


async def load_demo_if_empty(app: App) -> bool:
    from bot.demo import is_empty, load_demo

    async with app.db.sessions() as session:
        if not await is_empty(session):
            return False
    count = await load_demo(app.db, app.deps.clock())
    log.info("demo organisation loaded: %s employees", count)
    return True
