"""The visible routing tables: intent → handler, button action → handler, awaited answer → handler.

Each feature module owns its tables; this module only merges them, refusing duplicates.
"""

from __future__ import annotations

from bot.handlers import general
from bot.handlers.registry import ActionHandler, ExpectHandler, Handler, merge

INTENT_HANDLERS: dict[str, Handler] = merge(general.INTENTS)
ACTIONS: dict[str, ActionHandler] = merge(general.ACTIONS)
EXPECTS: dict[str, ExpectHandler] = merge()
