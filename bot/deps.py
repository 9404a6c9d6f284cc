"""The long-lived parts handlers need, built once by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database

if TYPE_CHECKING:
    from intents.router import Router


@dataclass
class Deps:
    settings: Settings
    db: Database
    router: Router
    clock: Clock
    # Filled by the features' own builders in bot/app.py; typed loosely here so that this
    # module does not import every feature package.
    calendar: Any = None
    services: Any = None
    leave_rules: Any = None
    lessons: Any = None
    # Backend connectors by name (integrations/connectors), for queries and delivery.
    connectors: Any = None
    # The document store (integrations/documents.py) and the channel adapters by name, which
    # fetch the files users send.
    documents: Any = None
    channels: Any = None
    # The handoff teams (integrations/handoff/teams.py).
    handoff: Any = None
    # The FAQ (integrations/faq), answered before the intent router.
    faq: Any = None
