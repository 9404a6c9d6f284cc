"""The `ayo` command line: serve, chat, database, demo, and each feature's sub-commands."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

from core.settings import Settings

app = typer.Typer(
    help="Ayo — asisten chat pegawai pemerintah kota (the city staff's chat assistant).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema: upgrade and create migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo organisation.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")

err = Console(stderr=True)


def setup_logging(settings: Settings) -> None:
    # Logs go to stderr so that stdout stays a clean channel for --json output.
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # A line per sweep tick would bury what matters at 3 a.m.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default AYO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default AYO_PORT).")] = None,
    telegram_polling: Annotated[
        bool, typer.Option(help="Fetch Telegram updates by long polling (development).")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Inbox worker processes on PostgreSQL (default AYO_WORKERS; 0: process in "
            "the web process, as always on SQLite).",
        ),
    ] = None,
) -> None:
    """Run Ayo: web chat, webhooks and background work, on the configured database."""
    from bot.app import DemoDataInProduction
    from bot.serve import run

    settings = Settings()
    setup_logging(settings)
    try:
        asyncio.run(
            run(
                settings,
                host=host or settings.host,
                port=port or settings.port,
                telegram_polling=telegram_polling,
                workers=workers,
            )
        )
    except DemoDataInProduction as exc:
        err.print(f"[red]Ayo did not start: {exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def worker(
    name: Annotated[
        str | None,
        typer.Option(help="Stable worker name (its leases are taken back at restart)."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, help="Chats processed at once (default AYO_WORKER_CONCURRENCY)."),
    ] = None,
) -> None:
    """Process the inbox alone (no web side) against the shared PostgreSQL of `ayo serve`."""
    settings = Settings()
    setup_logging(settings)
    if not settings.resolved_database_url().startswith("postgresql"):
        err.print(
            "[red]ayo worker butuh PostgreSQL (AYO_DATABASE_URL); dengan SQLite, ayo serve "
            "memproses pesan sendiri.[/red]\n"
            "ayo worker needs PostgreSQL (AYO_DATABASE_URL); on SQLite, ayo serve processes "
            "the inbox itself."
        )
        raise typer.Exit(2)
    from bot.serve import run_worker

    asyncio.run(run_worker(settings, name=name, concurrency=concurrency))


@app.command()
def chat(
    as_nip: Annotated[str, typer.Option("--as", help="NIP of the employee to chat as.")],
    json_mode: Annotated[
        bool,
        typer.Option("--json", help="Read lines from stdin, write one JSON object a message."),
    ] = False,
) -> None:
    """Chat as an employee in the terminal (the same conversation as the web chat)."""
    from bot.channels.console import run_console

    settings = Settings()
    setup_logging(settings)
    code = asyncio.run(run_console(settings, as_nip, json_mode=json_mode))
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from core.storage import migrate
    from core.storage.db import Database

    async def _run() -> str | None:
        db = Database(Settings().resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    err.print(f"[green]Database at revision {asyncio.run(_run())}[/green]")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What the migration changes.")],
) -> None:
    """Write a new migration from the difference between the models and the migrations."""
    from core.storage.migrate import make_revision

    asyncio.run(make_revision(message))


@demo_app.command("load")
def demo_load() -> None:
    """Load (or refresh) the demo organisation; safe to run again (AYO_ENV=demo only)."""
    from bot.app import build_app
    from bot.demo import load_demo

    if Settings().production:
        err.print(
            "[red]AYO_ENV is production: the demo organisation is never loaded there. "
            "Set AYO_ENV=demo on a separate database to try Ayo.[/red]"
        )
        raise typer.Exit(2)

    async def _run() -> int:
        ayo = await build_app(Settings(), prepare=True)
        try:
            return await load_demo(ayo.db, ayo.deps.clock())
        finally:
            await ayo.close()

    err.print(f"[green]Demo organisation loaded: {asyncio.run(_run())} employees[/green]")


@demo_app.command("users")
def demo_users(
    json_mode: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the employees you can chat as (NIP, name, unit, roles, supervisor)."""
    from rich.table import Table

    from bot.app import build_app
    from bot.demo import users

    async def _run() -> list[dict]:
        ayo = await build_app(Settings(), prepare=True)
        try:
            return await users(ayo.db)
        finally:
            await ayo.close()

    rows = asyncio.run(_run())
    if json_mode:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("NIP", "Nama", "Unit", "Peran", "Atasan")
    for row in rows:
        table.add_row(
            row["nip"],
            row["name"],
            row["unit"],
            ", ".join(row["roles"]),
            row["supervisor_nip"] or "-",
        )
    Console().print(table)


def _mount_features() -> None:
    from bot.nlu_cli import add_unknown_command
    from intents.cli import app as nlu_app

    add_unknown_command(nlu_app)
    app.add_typer(nlu_app, name="nlu")

    from lessons.cli import app as lessons_app

    app.add_typer(lessons_app, name="lessons")

    from bot.channels.setup import build_channels
    from scheduler.cli import mount as mount_broadcast

    mount_broadcast(app, build_channels)

    from bot.channels.cli import mount as mount_channels

    mount_channels(app)

    from integrations.cli import apikey_app, services_app

    app.add_typer(services_app, name="services")
    app.add_typer(apikey_app, name="apikey")

    from integrations.org.cli import org_app

    app.add_typer(org_app, name="org")

    from bot.leave_cli import leave_app

    app.add_typer(leave_app, name="leave")


_mount_features()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
