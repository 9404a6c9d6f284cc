"""Issue #10 "Done when": a fresh PostgreSQL database goes live from a CSV of 50 employees.

The import and the bulk codes run as the real CLI (`ayo org import`, `ayo link-codes`); the
Kabid links his Telegram with the code of his letter against the fake Bot API, logs in to the
web chat with a code that arrives over the same fake Bot API, chats; every guarded route is
refused to nobody, to another employee and to a supervisor of another unit.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.web.auth import COOKIE, new_session
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import Employee, WebSession
from tests.bot.test_go_live_from_csv import city_file
from tests.support import databases
from tests.support.channel_rig import Rig, channel_rig
from tests.support.console import ayo_env, run_ayo
from tests.support.fake_telegram import tg_message_update
from tests.support.owners import Persona, client_for, guarded_routes_refuse

CHAT = 7790001


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    """An empty PostgreSQL database: no schema, no lessons, nobody."""
    url = await databases.create_postgres_database()
    yield url
    await databases.drop_postgres_database(url)


def production(url: str, tmp_path: Path) -> dict[str, str]:
    env = ayo_env(url, tmp_path)
    del env["AYO_DEMO"]
    env.update(AYO_ENV="production", AYO_TELEGRAM_BOT_USERNAME="ayo_test_bot")
    return env


async def test_a_city_goes_live_from_its_csv(
    fresh_postgres: str, tmp_path: Path, clock: FixedClock
) -> None:
    env = production(fresh_postgres, tmp_path)
    settings = Settings(_env_file=None, database_url=fresh_postgres, data_dir=tmp_path)
    assert settings.production
    # The server starts on the empty database: migrations and lessons, no demo.
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        assert await count_employees(rig) == 0
        assert (await rig.web.get("/readyz")).status_code == 200

        # 1. The personnel system's file, through `ayo org import`.
        source = tmp_path / "pegawai.csv"
        source.write_bytes(city_file())
        done = run_ayo(["org", "import", str(source), "--json"], env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["employees"]["added"] == 50
        assert await count_employees(rig) == 50

        # 2. Bulk link codes for everyone, as a CSV.
        codes = tmp_path / "codes.csv"
        done = run_ayo(["link-codes", "--all", "--out", str(codes)], env)
        assert done.returncode == 0, done.stderr[-2000:]
        with codes.open(encoding="utf-8-sig", newline="") as handle:
            letters = {row["nama"]: row for row in csv.DictReader(handle)}
        assert len(letters) == 50
        kabid = letters["Kabid 2"]
        assert kabid["telegram_link"] == f"https://t.me/ayo_test_bot?start={kabid['code']}"

        # 3. The Kabid links his Telegram chat with the code from his letter.
        await rig.telegram(tg_message_update(1, CHAT, CHAT, f"/start {kabid['code']}"))
        await rig.settle()
        assert rig.tg.sent_messages(CHAT)[-1]["text"].startswith("Selamat datang")

        # 4. He logs in to the web chat: the code arrives over the fake Bot API.
        asked = await rig.web.post("/api/local/login/code", json={"nip": kabid["nip"]})
        assert asked.status_code == 200
        await rig.settle()
        message = rig.tg.sent_messages(CHAT)[-1]["text"]
        code = re.search(r"\b(\d{6})\b", message).group(1)
        login = await rig.web.post(
            "/api/local/login/verify", json={"nip": kabid["nip"], "code": code}
        )
        assert login.status_code == 200
        session = (await rig.web.get("/api/local/session")).json()
        assert session["viewer"]["name"] == "Kabid 2"
        assert "supervisor" in session["viewer"]["roles"]
        menu = await rig.web.post(
            "/api/local/me/messages",
            json={"text": "menu"},
            headers={"X-CSRF-Token": session["csrf"]},
        )
        assert "Apa yang bisa saya bantu" in menu.json()["messages"][0]["text"]

        # 5. Every guarded route refuses nobody, another employee, another unit's supervisor.
        personas = [Persona("nobody", {}, None)]
        for name in ("Staf 3-7", "Kabid 3"):
            persona = await session_for(rig, letters[name]["nip"])
            personas.append(persona)
        assert await guarded_routes_refuse(rig, personas, kabid["nip"]) == 65
        # And nobody else's session reads the Kabid's web chat.
        for persona in personas[1:]:
            async with client_for(rig, persona) as other:
                mine = (await other.get("/api/local/me/messages")).json()["messages"]
                assert all("Kabid 2" not in m["text"] for m in mine)
                history = (await other.get("/api/local/me/history")).json()["messages"]
                assert all("Kabid 2" not in m["text"] for m in history)
                assert (await other.get("/api/local/users")).status_code == 403


async def count_employees(rig: Rig) -> int:
    async with rig.ayo.db.sessions() as session:
        return await session.scalar(select(func.count(Employee.id)))


async def session_for(rig: Rig, nip: str) -> Persona:
    """A logged-in browser for `nip` (the login itself is tested above and in test_web_login)."""
    async with rig.ayo.db.sessions() as session:
        employee_id = await session.scalar(select(Employee.id).where(Employee.nip == nip))
    token = await new_session(rig.ayo.db, employee_id, rig.clock(), hours=1, method="code")
    async with rig.ayo.db.sessions() as session:
        csrf = await session.scalar(
            select(WebSession.csrf).where(WebSession.employee_id == employee_id)
        )
    return Persona(nip, {COOKIE: token}, csrf, nip)
