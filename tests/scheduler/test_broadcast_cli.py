"""`ayo broadcast` end to end: queue, send through PTB to the fake Bot API, report."""

from __future__ import annotations

import asyncio
import json

import pytest
import typer
from typer.testing import CliRunner

from bot.channels.setup import build_channels
from core.storage.db import Database
from scheduler.cli import mount
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram
from tests.support.scheduler_world import add_people


def seeded(url: str) -> list[int]:
    async def run() -> list[int]:
        db = Database(url)
        try:
            await add_people(db, 3, unit="DISHUB")
            return await add_people(db, 4, unit="DINKES")
        finally:
            await db.dispose()

    return asyncio.run(run())


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("version")(lambda: None)  # a second command keeps `broadcast` a subcommand
    mount(app, build_channels)
    return app


def test_a_broadcast_to_a_unit_reaches_each_member_once_and_reports(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = seeded(database_url)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with FakeTelegram(chats=[700_000 + i for i in range(1, 200)]) as tg:
        for name, value in {
            "AYO_DATABASE_URL": database_url,
            "AYO_TELEGRAM_TOKEN": DEFAULT_TOKEN,
            "AYO_TELEGRAM_API_URL": tg.base_url,
            "AYO_TELEGRAM_RATE_GLOBAL": "1000",
        }.items():
            monkeypatch.setenv(name, value)

        result = CliRunner().invoke(
            cli(), ["broadcast", "--to", "unit:DINKES", "--text", "Apel jam 8", "--json"]
        )

        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert (report["total"], report["delivered"], report["pending"]) == (4, 4, 0)
        assert sorted(m["chat"]["id"] for m in tg.sent_messages()) == [700_000 + i for i in people]
        assert {m["text"] for m in tg.sent_messages()} == {"Apel jam 8"}
