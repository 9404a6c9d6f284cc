"""`ayo nlu unknown`: the most frequent messages Ayo did not understand, for curation."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.settings import Settings


def add_unknown_command(nlu_app: typer.Typer) -> None:
    @nlu_app.command("unknown")
    def unknown(
        limit: Annotated[int, typer.Option(help="How many to list.")] = 20,
        json_mode: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List the most frequent messages that were not understood (personal data masked)."""
        from bot.unknown import most_frequent
        from core.storage import migrate
        from core.storage.db import Database

        async def _run() -> list[dict]:
            db = Database(Settings().resolved_database_url())
            try:
                await migrate.upgrade(db)
                async with db.sessions() as session:
                    rows = await most_frequent(session, limit)
                    return [
                        {"text": r.text, "count": r.count, "last_seen": r.last_seen.isoformat()}
                        for r in rows
                    ]
            finally:
                await db.dispose()

        rows = asyncio.run(_run())
        if json_mode:
            typer.echo(json.dumps(rows, ensure_ascii=False))
            return
        table = Table("Jumlah / count", "Pesan / message", "Terakhir / last seen")
        for row in rows:
            table.add_row(str(row["count"]), row["text"], row["last_seen"][:16])
        Console().print(table)
