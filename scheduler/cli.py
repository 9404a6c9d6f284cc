"""`ayo broadcast`: queue one message to everyone, a unit or a role, and watch it go out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.clock import Clock, system_clock
from core.messages import Reply
from core.settings import Settings
from core.storage.db import Database
from core.text import T
from scheduler.broadcasts import Audience, BroadcastReport, create_broadcast, report
from scheduler.channel_port import (
    ChannelLimits,
    ChannelSender,
    close_channels,
    limits_from_settings,
    start_channels,
)
from scheduler.sender import Sender

err = Console(stderr=True)


ChannelFactory = Callable[[Settings, Database, Clock], Mapping[str, ChannelSender]]
# The composition root (bot/cli.py) hands in the real channel adapters when it mounts us.
_factory: ChannelFactory | None = None


def broadcast(
    to: Annotated[str, typer.Option("--to", help="all, unit:CODE or role:NAME.")] = "all",
    text: Annotated[str, typer.Option(help="The message in Indonesian.")] = "",
    text_en: Annotated[str, typer.Option(help="The message in English (default: same).")] = "",
    title: Annotated[str, typer.Option(help="A title for the report.")] = "",
    urgent: Annotated[bool, typer.Option(help="Send during quiet hours too.")] = False,
    send: Annotated[
        bool, typer.Option(help="Send from this process (--no-send: `ayo serve` sends).")
    ] = True,
    resume: Annotated[int | None, typer.Option(help="Watch/continue broadcast ID.")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Send a message to many employees, within the channels' limits, resumable after a crash."""
    if resume is None and not text.strip():
        raise typer.BadParameter("--text is required (or --resume ID)")
    try:
        audience = Audience.parse(to)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    reply = Reply(text=T(text, text_en or text), meta={"urgent": True} if urgent else {})
    settings = Settings()
    result = asyncio.run(_run(settings, audience, reply, title or text[:60], resume, send))
    if json_mode:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        _print(result)


async def _run(
    settings: Settings,
    audience: Audience,
    reply: Reply,
    title: str,
    resume: int | None,
    send: bool,
) -> BroadcastReport:
    db = Database(settings.resolved_database_url())
    channels = dict(_factory(settings, db, system_clock)) if send and _factory else {}
    limits = limits_from_settings(settings)
    try:
        if resume is None:
            resume = await create_broadcast(
                db, audience=audience, reply=reply, title=title, now=system_clock()
            )
            err.print(f"Siaran #{resume} diantrekan / broadcast #{resume} queued")
        await start_channels(channels)
        sender = Sender(db, channels, limits, system_clock) if channels else None
        if send and sender is None:
            err.print("[yellow]Tidak ada kanal terkonfigurasi; menunggu `ayo serve` mengirim.")
        return await _watch(db, resume, sender, limits)
    finally:
        await close_channels(channels)
        await db.dispose()


async def _watch(
    db: Database, broadcast_id: int, sender: Sender | None, limits: dict
) -> BroadcastReport:
    state = await report(db, broadcast_id)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("ETA {task.fields[eta]}"))  # fmt: skip
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("Mengirim / sending", total=state.total, eta="-")
        sending = (
            asyncio.create_task(_send_until_done(db, broadcast_id, sender)) if sender else None
        )
        while True:
            state = await report(db, broadcast_id, system_clock())
            done = state.total - state.pending
            bar.update(task, completed=done, eta=_eta(state, limits))
            if state.finished:
                break
            await asyncio.sleep(0.5)
        if sending is not None:
            await sending
    return state


async def _send_until_done(db: Database, broadcast_id: int, sender: Sender) -> None:
    while not (await report(db, broadcast_id)).finished:
        if not await sender.sweep():
            await asyncio.sleep(0.5)  # only retries pending: wait for their retry_after


def _eta(state: BroadcastReport, limits: dict[str, ChannelLimits]) -> str:
    # The channel's limit, not our past speed, sets the pace: a fair estimate from the start.
    seconds = max(
        (
            n / limits[ch].global_per_sec
            for ch, n in state.pending_by_channel.items()
            if ch in limits
        ),
        default=0.0,
    )
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _print(state: BroadcastReport) -> None:
    table = Table("", "jumlah / count", title=f"Siaran / broadcast #{state.broadcast_id}")
    table.add_row("penerima / recipients", str(state.total))
    table.add_row("terkirim / delivered", str(state.delivered))
    table.add_row("di web chat / waiting in web chat", str(state.waiting_in_web_chat))
    table.add_row("belum / pending", str(state.pending))
    for reason, count in sorted(state.failed.items()):
        table.add_row(f"gagal / failed: {reason}", str(count))
    for reason, count in sorted(state.skipped.items()):
        table.add_row(f"dilewati / skipped: {reason}", str(count))
    Console().print(table)


def mount(app: typer.Typer, channels: ChannelFactory | None = None) -> None:
    """Add `ayo broadcast` to the main command line, sending through `channels(...)`."""
    global _factory
    _factory = channels
    app.command("broadcast")(broadcast)
