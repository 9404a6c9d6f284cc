"""The `ayo` command line: serve, chat, database, demo, and each feature's sub-commands."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from core.settings import Settings


def _nlu() -> click.Command:
    from bot.nlu_cli import add_unknown_command
    from intents.cli import app as nlu_app

    add_unknown_command(nlu_app)
    return typer.main.get_group(nlu_app)


def _lessons() -> click.Command:
    from lessons.cli import app as lessons_app

    return typer.main.get_group(lessons_app)


def _broadcast() -> click.Command:
    from bot.channels.setup import build_channels
    from scheduler.cli import mount as mount_broadcast

    return _mounted(lambda sub: mount_broadcast(sub, build_channels), "broadcast")


def _channel_command(name: str) -> Callable[[], click.Command]:
    def load() -> click.Command:
        from bot.linking.cli import mount as mount_channels

        return _mounted(mount_channels, name)

    return load


def _services() -> click.Command:
    from integrations.cli import services_app

    return typer.main.get_group(services_app)


def _apikey() -> click.Command:
    from integrations.cli import apikey_app

    return typer.main.get_group(apikey_app)


def _org() -> click.Command:
    from integrations.org.cli import org_app

    return typer.main.get_group(org_app)


def _leave() -> click.Command:
    from bot.leave_cli import mount as mount_leave
    from integrations.leave_cli import leave_app

    # One `ayo leave` group: letter and authority there, check and import-history here.
    mount_leave(leave_app)
    return typer.main.get_group(leave_app)


def _privacy() -> click.Command:
    from bot.privacy_cli import app as privacy_app

    return typer.main.get_group(privacy_app)


def _faq() -> click.Command:
    from integrations.faq.cli import app as faq_app

    return typer.main.get_group(faq_app)


def _inbox() -> click.Command:
    from bot.inbound.cli import app as inbox_app

    return typer.main.get_group(inbox_app)


def _learning() -> click.Command:
    from bot.learning_cli import app as learning_app

    return typer.main.get_group(learning_app)


def _mounted(mount: Callable[[typer.Typer], None], name: str) -> click.Command:
    """The command `mount` adds to an app, taken from a scratch app of its own."""
    scratch = typer.Typer()
    mount(scratch)
    scratch.command("-")(lambda: None)  # a group of one command would collapse into it
    group = typer.main.get_command(scratch)
    return group.commands[name]


# Feature commands load their modules only when run: `ayo --help` lists them from this
# table without importing scikit-learn, Alembic or a channel library.
LAZY: dict[str, tuple[str, Callable[[], click.Command]]] = {
    "nlu": ("Intent router: classify messages and measure accuracy.", _nlu),
    "lessons": ("Lessons: content folders and learning reports.", _lessons),
    "broadcast": ("Send a message to many employees, within the channels' limits.", _broadcast),
    "telegram": ("Telegram: register the webhook.", _channel_command("telegram")),
    "link-code": (
        "Make a one-time code that links a chat to an employee.",
        _channel_command("link-code"),
    ),
    "link-codes": (
        "New one-time link codes for many employees: a CSV and/or a PDF of letters to print.",
        _channel_command("link-codes"),
    ),
    "unlink": (
        "Unlink an employee's chats (they link again with a new code).",
        _channel_command("unlink"),
    ),
    "services": ("Service catalog: check and list service files.", _services),
    "apikey": ("API keys of other municipal apps.", _apikey),
    "org": ("The organisation: import units and employees.", _org),
    "leave": ("Cuti: check a request, import past leave, letters, who grants leave.", _leave),
    "privacy": (
        "Data-subject rights (UU PDP): export or erase what Ayo holds on a person.",
        _privacy,
    ),
    "inbox": ("The inbox: failed updates, replayed once fixed.", _inbox),
    "faq": ("The FAQ HR maintains: check and list its entries.", _faq),
    "learning": (
        "Competency development: HR's plan, finished trainings, the city's gaps.",
        _learning,
    ),
}


class LazyCommand(click.Command):
    """Stands in the help listing; parsing and running go to the real command."""

    def __init__(self, name: str, help_text: str, load: Callable[[], click.Command]) -> None:
        super().__init__(name, help=help_text)
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        return self._load().make_context(info_name, args, parent=parent, **extra)


class AyoGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY:
            help_text, load = LAZY[name]
            return LazyCommand(name, help_text, load)
        return super().get_command(ctx, name)


app = typer.Typer(
    cls=AyoGroup,
    help="Ayo — asisten chat pegawai pemerintah kota (the city staff's chat assistant).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema: upgrade and create migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo organisation.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(message)


def setup_logging(settings: Settings, log_file: Path | None = None) -> None:
    # Logs go to stderr (or a file) so that stdout stays a clean channel for --json output.
    target = {"filename": str(log_file)} if log_file is not None else {"stream": sys.stderr}
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        **target,
    )
    # Chatty libraries held at WARNING (a line per sweep tick would bury what matters at
    # 3 a.m.; httpx would log the bot token), and every record redacted as it is made.
    from core import logsafe

    logsafe.install(settings)


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
            help="Inbox worker processes (default AYO_WORKERS, 2, on PostgreSQL; 0: process "
            "in the web process, the default on SQLite, where any other number means one).",
        ),
    ] = None,
) -> None:
    """Run Ayo: web chat, webhooks and background work, on the configured database."""
    from bot.app import DemoDataInProduction
    from bot.serve import run
    from core.settings import Settings

    settings = Settings()
    setup_logging(settings)
    try:
        # uvloop (from uvicorn[standard]) where available: the webhook's fast path runs on it.
        with asyncio.Runner(loop_factory=fast_loop()) as runner:
            runner.run(
                run(
                    settings,
                    host=host or settings.host,
                    port=port or settings.port,
                    telegram_polling=telegram_polling,
                    workers=workers,
                )
            )
    except DemoDataInProduction as exc:
        _err(f"[red]Ayo did not start: {exc}[/red]")
        raise typer.Exit(2) from None


def fast_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


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
    from core.settings import Settings

    settings = Settings()
    setup_logging(settings)
    # A SQLite file has one writer on one machine: its one worker is started by `ayo serve
    # --workers 1` (AYO_WORKER_PARENT), never alone.
    alone = "AYO_WORKER_PARENT" not in os.environ
    if alone and not settings.resolved_database_url().startswith("postgresql"):
        _err(
            "[red]ayo worker butuh PostgreSQL (AYO_DATABASE_URL); dengan SQLite, ayo serve "
            "memproses pesan sendiri (atau ayo serve --workers 1).[/red]\n"
            "ayo worker needs PostgreSQL (AYO_DATABASE_URL); on SQLite, ayo serve processes "
            "the inbox itself (or ayo serve --workers 1)."
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
    from core.settings import Settings

    settings = Settings()
    # The terminal is the conversation: logs go to a file, never between the messages.
    log_file = settings.data_dir / "logs" / "chat.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    setup_logging(settings, log_file)
    code = asyncio.run(run_console(settings, as_nip, json_mode=json_mode))
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from core.settings import Settings
    from core.storage import migrate
    from core.storage.db import Database

    async def _run() -> str | None:
        db = Database(Settings().resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    _err(f"[green]Database at revision {asyncio.run(_run())}[/green]")


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
    from core.settings import Settings

    if Settings().production:
        _err(
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

    _err(f"[green]Demo organisation loaded: {asyncio.run(_run())} employees[/green]")


@demo_app.command("users")
def demo_users(
    json_mode: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the employees you can chat as (NIP, name, unit, roles, supervisor)."""
    from rich.console import Console
    from rich.table import Table

    from bot.app import build_app
    from bot.demo import users
    from core.settings import Settings

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
    # A NIP is 18 digits and is what people copy from here: never cut, the rest wraps.
    table = Table()
    table.add_column("NIP", no_wrap=True, min_width=18)
    table.add_column("Nama", overflow="fold")
    table.add_column("Unit", overflow="fold")
    table.add_column("Peran", overflow="fold")
    table.add_column("Atasan", no_wrap=True, min_width=18)
    for row in rows:
        table.add_row(
            row["nip"],
            row["name"],
            row["unit"],
            ", ".join(row["roles"]),
            row["supervisor_nip"] or "-",
        )
    Console().print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
