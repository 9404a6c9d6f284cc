"""`ayo inbox list` and `ayo inbox replay ID`: an operator's look at failed updates.

An update whose handler crashed is kept in the inbox as `failed` (the user was told to try
again). Once the cause is fixed, `replay` processes it again, exactly as it first arrived;
its replies go to the outbox and the running instance's sender delivers them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from core.settings import Settings
from core.statuses import InboxStatus

app = typer.Typer(help="The inbox: failed updates, replayed once fixed.", no_args_is_help=True)
err = Console(stderr=True)

REPLAYABLE = (InboxStatus.FAILED,)


async def reopen(db: Any, inbox_id: int) -> str | None:
    """Put a failed update back to pending; None if it may be replayed, else why not."""
    from core.storage.models import InboxItem

    async with db.transaction() as session:
        item = await session.get(InboxItem, inbox_id, with_for_update=True)
        if item is None:
            return "unknown"
        if item.status not in REPLAYABLE or item.chat_account_id is None:
            return item.status
        item.status = InboxStatus.PENDING
        item.processed_at = None
        item.error = None
    return None


async def replay(engine: Any, inbox_id: int) -> str:
    """Process a failed update again; returns its status afterwards (or why it was not)."""
    from core.storage.models import InboxItem

    refused = await reopen(engine.deps.db, inbox_id)
    if refused is not None:
        return f"not replayed: {refused}"
    await engine.process(inbox_id)
    async with engine.deps.db.sessions() as session:
        return await session.scalar(select(InboxItem.status).where(InboxItem.id == inbox_id))


async def listing(db: Any, status: str, limit: int) -> list[dict[str, Any]]:
    """Updates in `status`, newest first (ids, channel, kind, times; never the text)."""
    from core.storage.models import InboxItem

    async with db.sessions() as session:
        rows = await session.execute(
            select(InboxItem)
            .where(InboxItem.status == status)
            .order_by(InboxItem.id.desc())
            .limit(limit)
        )
        return [
            {
                "id": item.id,
                "channel": item.channel,
                "kind": item.kind,
                "chat_account_id": item.chat_account_id,
                "received_at": item.received_at.isoformat(),
                "error": item.error,
            }
            for item in rows.scalars()
        ]


@app.command("list")
def list_command(
    status: Annotated[
        str, typer.Option(help="failed, pending, calling, aside or processed.")
    ] = "failed",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    json_mode: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List updates in the inbox by status (default: the failed ones)."""
    from core.storage.db import Database

    async def run() -> list[dict[str, Any]]:
        db = Database(Settings().resolved_database_url())
        try:
            return await listing(db, status, limit)
        finally:
            await db.dispose()

    rows = asyncio.run(run())
    if json_mode:
        typer.echo(json.dumps(rows))
        return
    table = Table("ID", "Channel", "Kind", "Chat", "Received", "Error")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["channel"],
            row["kind"],
            str(row["chat_account_id"] or "-"),
            row["received_at"],
            row["error"] or "",
        )
    Console().print(table)


@app.command("replay")
def replay_command(
    inbox_id: Annotated[int, typer.Argument(metavar="ID", help="The inbox id (ayo inbox list).")],
) -> None:
    """Process a failed update again, as it first arrived."""
    from bot.app import build_app

    async def run() -> str:
        ayo = await build_app(Settings(), prepare=False)
        try:
            return await replay(ayo.engine, inbox_id)
        finally:
            await ayo.close()

    outcome = asyncio.run(run())
    if outcome == InboxStatus.PROCESSED:
        err.print(f"[green]Inbox {inbox_id} replayed: processed[/green]")
        return
    err.print(f"[red]Inbox {inbox_id}: {outcome}[/red]")
    raise typer.Exit(1)
