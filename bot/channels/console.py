"""The console channel: `ayo chat --as NIP`, interactive or as a line-per-message JSON script."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.prompt import Prompt

from bot.app import build_app
from bot.channels.local import LocalMessage
from core import markdown
from core.settings import Settings


def parse_line(line: str) -> dict[str, str]:
    """A plain line is a message; a JSON object with "button" presses that button."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return {"text": line}
        if isinstance(data, dict) and isinstance(data.get("button"), str):
            return {"button": data["button"]}
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return {"text": data["text"]}
    return {"text": line.rstrip("\r\n")}


def to_contract(nip: str, message: LocalMessage, line_of: dict[int, int]) -> dict[str, Any]:
    return {
        "to": nip,
        "in_reply_to": line_of.get(message.in_reply_to) if message.in_reply_to else None,
        "text": message.text,
        "buttons": [{"label": label, "token": token} for label, token in message.buttons],
    }


async def run_console(settings: Settings, nip: str, *, json_mode: bool) -> int:
    ayo = await build_app(settings)
    try:
        if await ayo.local.employee(nip) is None:
            Console(stderr=True).print(
                f"[red]Tidak ada pegawai dengan NIP itu / no employee with NIP {nip}[/red]"
            )
            return 2
        if json_mode:
            await _json_loop(ayo, nip)
        else:
            await _interactive(ayo, nip)
        return 0
    finally:
        await ayo.close()


async def _json_loop(ayo: Any, nip: str) -> None:
    line_of: dict[int, int] = {}

    def emit(messages: list[LocalMessage]) -> None:
        for message in messages:
            sys.stdout.write(
                json.dumps(to_contract(nip, message, line_of), ensure_ascii=False) + "\n"
            )
        sys.stdout.flush()

    emit(await ayo.local.collect(nip))
    for number, line in enumerate(sys.stdin):
        inbox_id = await ayo.local.say(nip, **parse_line(line))
        if inbox_id is not None:
            line_of[inbox_id] = number
        emit(await ayo.local.collect(nip))


async def _interactive(ayo: Any, nip: str) -> None:
    console = Console()
    employee = await ayo.local.employee(nip)
    console.print("Ayo", style="bold green", end="")
    console.print(f" — {employee.name}. Ketik 'keluar' untuk selesai.", markup=False)
    buttons: list[tuple[str, str]] = []

    def show(messages: list[LocalMessage]) -> None:
        nonlocal buttons
        for message in messages:
            # Style, not markup: the message text itself is never read as markup.
            console.print("Ayo:", style="green", end=" ")
            # The reply's Markdown as plain words: a terminal shows no **stars**.
            console.print(markdown.to_plain(message.text), markup=False, highlight=False)
            if message.buttons:
                buttons = list(message.buttons)
                for i, (label, _) in enumerate(buttons, start=1):
                    console.print(f"   [{i}] {label}", markup=False, highlight=False)

    show(await ayo.local.collect(nip))
    while True:
        text = Prompt.ask("[bold]Anda[/bold]")
        if text.strip().lower() in {"keluar", "exit", "quit"}:
            return
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            await ayo.local.say(nip, button=buttons[int(text) - 1][1])
        else:
            await ayo.local.say(nip, text=text)
        show(await ayo.local.collect(nip))
