"""Loading the feature handlers after the server answers, a module at a time.

Importing every feature (the routing tables pull in the services, approvals, learning and
their integrations) is about half of what a starting `ayo serve` would import. The web side
needs none of it to take webhooks into the inbox, so `bot.serve` answers first and then loads
the handlers on its own event loop, yielding between modules so that a request arriving
meanwhile waits for one module, not for all. The loop's own thread does the importing: an
import in a second thread could meet the main thread importing the same modules.
"""

from __future__ import annotations

import asyncio
import sys


def loaded() -> bool:
    """Whether the routing tables are imported (the engine imports them on its first step)."""
    return "bot.dispatch" in sys.modules


async def load_all(after: float = 0.0) -> None:
    """Import every handler module, letting other tasks run between steps (leaves first)."""
    await asyncio.sleep(after)
    from bot.handlers import general, people  # noqa: F401

    await asyncio.sleep(0)
    from bot.handlers import documents, faq, handoff, linking  # noqa: F401

    await asyncio.sleep(0)
    from bot.handlers import approvals, requests, services  # noqa: F401

    await asyncio.sleep(0)
    from bot.handlers import learning, learning_records, needs  # noqa: F401

    await asyncio.sleep(0)
    from bot import dispatch  # noqa: F401  (the tables: commands and every feature's)
