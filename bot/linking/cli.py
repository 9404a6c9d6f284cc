"""`ayo telegram set-webhook URL`, `ayo link-code NIP`, `ayo link-codes` and `ayo unlink NIP`."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from core.clock import system_clock
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Employee

telegram_app = typer.Typer(help="Telegram: register the webhook.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


async def make_link_code(
    db: Database, nip: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime, str]:
    """A new one-time link code for the employee with this NIP: (code, expiry, name)."""
    from bot.linking.codes import create_code

    async with db.transaction() as session:
        employee = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
        if employee is None or not employee.active:
            raise LookupError("no active employee with this NIP")
        row = await create_code(session, employee.id, now=now, ttl=ttl)
        return row.code, row.expires_at, employee.name


async def unlink_nip(db: Database, nip: str, channel: str | None) -> int:
    """Unlink the employee's chats (one channel, or all); returns how many were unlinked."""
    from bot.linking.codes import unlink_employee

    async with db.transaction() as session:
        employee = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
        if employee is None:
            raise LookupError("no employee with this NIP")
        return await unlink_employee(session, employee.id, channel)


async def telegram_username(settings: Settings) -> str:
    """The bot's username, from the settings or from Telegram."""
    if settings.telegram_bot_username or not settings.telegram_token:
        return settings.telegram_bot_username
    from bot.channels.telegram import TelegramChannel

    channel = TelegramChannel.from_settings(
        settings, Database("sqlite+aiosqlite://"), system_clock
    )
    try:
        return await channel.username()
    except Exception:
        return ""
    finally:
        await channel.close()
        await channel.db.dispose()


def link_code(
    nip: Annotated[str, typer.Argument(help="NIP of the employee.")],
    hours: Annotated[int, typer.Option(help="Hours the code stays valid.")] = 24,
) -> None:
    """Create a one-time code that links an employee's Telegram or WhatsApp chat."""
    from core.storage import migrate

    settings = Settings()

    async def _run() -> tuple[str, datetime, str, str]:
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            code, expires, name = await make_link_code(
                db, nip, system_clock(), timedelta(hours=hours)
            )
        finally:
            await db.dispose()
        return code, expires, name, await telegram_username(settings)

    try:
        code, expires, name, username = asyncio.run(_run())
    except LookupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    local = expires.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out.print(f"Kode untuk {name}: [bold]{code}[/bold] (berlaku sampai {local})")
    if username:
        out.print(f"Telegram: https://t.me/{username}?start={code}")
    out.print(
        f"WhatsApp: kirim  {code}  dari nomor yang tercatat / send it from the number on file"
    )
    if settings.whatsapp_number:
        from bot.linking.letters import whatsapp_link

        out.print(f"WhatsApp: {whatsapp_link(settings.whatsapp_number, code)}")


def link_codes(
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", help="letters.pdf, codes.csv, or a name without suffix for both files."
        ),
    ],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit code; its sub-units are included.")
    ] = None,
    everyone: Annotated[
        bool, typer.Option("--all", help="Every active employee (e.g. after an import).")
    ] = False,
    days: Annotated[int, typer.Option(help="Days the codes stay valid.")] = 14,
    unlinked: Annotated[
        bool, typer.Option("--unlinked", help="Only employees without a linked chat yet.")
    ] = False,
) -> None:
    """New one-time link codes for many employees: a CSV and/or a PDF of letters to print."""
    from bot.linking import letters
    from core.storage import migrate

    if (unit is None) == (not everyone):
        err.print("[red]Pilih salah satu / choose one: --unit CODE or --all[/red]")
        raise typer.Exit(2)
    try:
        targets = letters.outputs(out_file)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    settings = Settings()

    async def _run() -> list[letters.Letter]:
        username = await telegram_username(settings)
        if not username and not settings.whatsapp_number:
            raise LookupError(
                "set AYO_TELEGRAM_BOT_USERNAME (or AYO_TELEGRAM_TOKEN) or AYO_WHATSAPP_NUMBER "
                "so that the letters have a link to follow"
            )
        db = Database(settings.resolved_database_url())
        try:
            await migrate.upgrade(db)
            return await letters.issue(
                db,
                unit_code=unit,
                now=system_clock(),
                ttl=timedelta(days=days),
                bot_username=username,
                whatsapp_number=settings.whatsapp_number,
                unlinked_only=unlinked,
            )
        finally:
            await db.dispose()

    try:
        made = asyncio.run(_run())
    except LookupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for target in targets:
        if target.suffix.lower() == ".csv":
            letters.write_csv(made, target)
        else:
            letters.write_pdf(made, target, tz=settings.timezone)
        out.print(f"{len(made)} kode / codes → {target}")
    out.print(
        "[yellow]Berkas ini berisi kode rahasia: cetak, bagikan tertutup, lalu hapus. "
        "These files hold secret codes: print, hand out sealed, then delete.[/yellow]"
    )


def unlink(
    nip: Annotated[str, typer.Argument(help="NIP of the employee.")],
    channel: Annotated[
        str | None, typer.Option(help="telegram or whatsapp (default: both).")
    ] = None,
) -> None:
    """Unlink an employee's chats (they link again with a new code)."""
    settings = Settings()

    async def _run() -> int:
        db = Database(settings.resolved_database_url())
        try:
            return await unlink_nip(db, nip, channel)
        finally:
            await db.dispose()

    try:
        count = asyncio.run(_run())
    except LookupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"{count} chat(s) unlinked")


@telegram_app.command("set-webhook")
def set_webhook(
    url: Annotated[str, typer.Argument(help="Public HTTPS URL of POST /telegram/webhook.")],
) -> None:
    """Register the webhook with its secret, and the command menu (id and en)."""
    from bot.channels.telegram import TelegramChannel

    settings = Settings()
    if not settings.telegram_token or not settings.telegram_webhook_secret:
        err.print("[red]Set AYO_TELEGRAM_TOKEN and AYO_TELEGRAM_WEBHOOK_SECRET first.[/red]")
        raise typer.Exit(1)

    async def _run() -> None:
        db = Database("sqlite+aiosqlite://")
        channel = TelegramChannel.from_settings(settings, db, system_clock)
        try:
            await channel.register_webhook(url)
        finally:
            await channel.close()
            await db.dispose()

    try:
        asyncio.run(_run())
    except Exception as exc:
        err.print(f"[red]Telegram refused: {exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(f"[green]Webhook set: {url} (with secret), commands set (id, en)[/green]")


def mount(app: typer.Typer) -> None:
    """Add the channel commands to the `ayo` command line."""
    app.add_typer(telegram_app, name="telegram")
    app.command("link-code")(link_code)
    app.command("link-codes")(link_codes)
    app.command("unlink")(unlink)
