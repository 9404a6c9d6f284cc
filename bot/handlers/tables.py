"""The visible routing tables: intent → handler, button action → handler, awaited answer → handler.

Each feature module owns its tables; this module only merges them, refusing duplicates.
"""

from __future__ import annotations

from bot.handlers import (
    approvals,
    commands,
    general,
    handoff,
    learning,
    learning_records,
    linking,
    needs,
    requests,
    services,
)
from bot.handlers.registry import ActionHandler, ExpectHandler, Handler, merge

INTENT_HANDLERS: dict[str, Handler] = merge(
    general.INTENTS,
    handoff.INTENTS,
    learning.INTENTS,
    services.INTENTS,
    approvals.INTENTS,
    requests.INTENTS,
    linking.INTENTS,
    needs.INTENTS,
    learning_records.INTENTS,
)
ACTIONS: dict[str, ActionHandler] = merge(
    commands.ACTIONS,
    general.ACTIONS,
    handoff.ACTIONS,
    learning.ACTIONS,
    services.ACTIONS,
    approvals.ACTIONS,
    requests.ACTIONS,
    linking.ACTIONS,
    needs.ACTIONS,
    learning_records.ACTIONS,
)
EXPECTS: dict[str, ExpectHandler] = merge(
    learning.EXPECTS, services.EXPECTS, approvals.EXPECTS, needs.EXPECTS, learning_records.EXPECTS
)
