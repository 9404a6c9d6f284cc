"""`ayo services check|list` and `ayo apikey create|revoke`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.settings import Settings
from integrations.catalog import BUILTIN_DIR, Catalog, CatalogInvalid, check_folder

services_app = typer.Typer(
    help="Service catalog: check and list service files.", no_args_is_help=True
)
apikey_app = typer.Typer(help="API keys of other municipal apps.", no_args_is_help=True)
err = Console(stderr=True)


@services_app.command("check")
def check(folder: Annotated[Path, typer.Argument(help="Folder of service YAML files.")]) -> None:
    """Check every service file of a folder; errors show file and line."""
    specs, errors = check_folder(folder)
    for error in errors:
        typer.echo(str(error))
    if errors:
        raise typer.Exit(1)
    err.print(f"[green]{len(specs)} service(s) OK[/green]")


@services_app.command("list")
def list_services(
    json_mode: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """The services loaded: built-in plus AYO_SERVICES_DIR."""
    settings = Settings()
    try:
        catalog = Catalog.load(settings.services_dir)
    except CatalogInvalid as exc:
        typer.echo(str(exc))
        raise typer.Exit(1) from exc
    rows = [
        {
            "id": s.id,
            "intent": s.intent,
            "kind": s.kind,
            "title": s.title.model_dump(),
            "fields": [f.name for f in s.fields],
            "approval": "auto" if s.approval.auto else [st.approver for st in s.approval.steps],
            "backend": s.connector.backend if s.connector else None,
            "builtin": (BUILTIN_DIR / f"{s.id}.yaml").exists(),
        }
        for s in catalog
    ]
    if json_mode:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("id", "intent", "judul", "kolom", "persetujuan", "backend")
    for row in rows:
        approval = row["approval"] if row["approval"] == "auto" else " → ".join(row["approval"])
        table.add_row(
            row["id"],
            row["intent"],
            row["title"]["id"],
            ", ".join(row["fields"]),
            approval if row["kind"] == "request" else "-",
            row["backend"] or "-",
        )
    Console().print(table)


async def _with_db(action):
    from core.storage import migrate
    from core.storage.db import Database

    settings = Settings()
    db = Database(settings.resolved_database_url())
    try:
        await migrate.upgrade(db)
        async with db.transaction() as session:
            return await action(session)
    finally:
        await db.dispose()


@apikey_app.command("create")
def create(name: Annotated[str, typer.Argument(help="The app's name, e.g. ekinerja.")]) -> None:
    """Create (or replace) an app's key; the key and callback secret are shown only once."""
    from core.clock import system_clock
    from integrations import apikeys

    made = asyncio.run(_with_db(lambda s: apikeys.create(s, name, system_clock())))
    typer.echo(f"name: {made.name}\napi_key: {made.key}\ncallback_secret: {made.callback_secret}")
    err.print(
        "[yellow]Simpan sekarang: kunci ini tidak bisa ditampilkan lagi. "
        "Store it now: it cannot be shown again.[/yellow]"
    )


@apikey_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The app's name.")]) -> None:
    """Revoke an app's key at once."""
    from core.clock import system_clock
    from integrations import apikeys

    done = asyncio.run(_with_db(lambda s: apikeys.revoke(s, name, system_clock())))
    if not done:
        err.print("[red]No active key with that name[/red]")
        raise typer.Exit(1)
    err.print(f"[green]Revoked {name}[/green]")
