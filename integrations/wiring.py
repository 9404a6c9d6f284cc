"""Building the integrations from the settings: catalog, leave rules and connectors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database
from core.workdays import WorkCalendar
from integrations.catalog import Catalog
from integrations.connectors.http import HttpConnector, load_backends
from integrations.connectors.sandbox import SandboxBackend
from integrations.leave_rules import LeaveRules

BUILTIN_BACKENDS = Path(__file__).parent / "backends"


@dataclass
class Integrations:
    catalog: Catalog
    leave_rules: LeaveRules
    connectors: dict[str, Any]


def build(settings: Settings, db: Database, calendar: WorkCalendar, clock: Clock) -> Integrations:
    """Load every service file and backend file; a broken file stops start-up with its line."""
    folder = settings.services_dir
    catalog = Catalog.load(folder)
    connectors: dict[str, Any] = {"sandbox": SandboxBackend(db, calendar, clock)}
    for backends in (BUILTIN_BACKENDS, folder / "backends" if folder else None):
        if backends is not None and backends.is_dir():
            for config in load_backends(backends):
                connectors[config.name] = HttpConnector(config)
    return Integrations(catalog, LeaveRules.load(), connectors)
