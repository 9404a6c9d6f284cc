"""Every HTTP route has an owner rule; each is tried as nobody, as another employee and as a
supervisor of another unit, and refuses (401/403/404) without changing anything.

A route added without a rule below fails `test_every_route_has_a_rule`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.web.app import create_web
from bot.web.auth import COOKIE, new_session
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import ButtonToken, ChatAccount, OutboxItem, ServiceRequest, WebSession
from tests.support.channel_rig import Rig, channel_rig
from tests.support.org import BOSS_B, STAFF_A, STAFF_B, small_org
from tests.support.owners import (
    RULES,
    Persona,
    call,
    client_for,
    everything,
    guarded_routes_refuse,
)
from tests.support.routes import all_routes


@pytest.fixture
async def world(settings: Settings, clock: FixedClock) -> AsyncIterator[tuple[Rig, list[Persona]]]:
    production = settings.model_copy(update={"env": "production", "demo": False})
    async with channel_rig(production, clock) as rig:
        org = await small_org(rig.ayo.db, clock())
        # Sari (staff in OPD A) has a menu with buttons waiting in her web chat.
        await rig.ayo.local.say(STAFF_A, text="menu")
        personas = [Persona("nobody", {}, None)]
        for nip in (STAFF_B, BOSS_B):
            token = await new_session(rig.ayo.db, org.ids[nip], clock(), hours=1, method="code")
            async with rig.ayo.db.sessions() as session:
                csrf = (await session.execute(select(WebSession.csrf))).scalars().all()[-1]
            personas.append(Persona(nip, {COOKIE: token}, csrf))
        yield rig, personas


async def sari_data(rig: Rig) -> list[tuple]:
    """What belongs to Sari: her waiting messages, her buttons, requests, chats."""
    async with rig.ayo.db.sessions() as session:
        sari = await session.scalar(
            select(ChatAccount.employee_id).where(ChatAccount.external_id == STAFF_A)
        )
        found: list[tuple] = []
        for model in (OutboxItem, ButtonToken, ServiceRequest, ChatAccount):
            rows = (
                await session.execute(select(model).where(model.employee_id == sari))
            ).scalars()
            for row in rows:
                found.append(
                    (model.__tablename__, row.id if hasattr(row, "id") else row.token,
                     getattr(row, "status", None), getattr(row, "used_at", None))
                )  # fmt: skip
        return sorted(found, key=repr)


async def sari_button(rig: Rig) -> str:
    async with rig.ayo.db.sessions() as session:
        account = await session.scalar(
            select(ChatAccount).where(ChatAccount.external_id == STAFF_A)
        )
        return await session.scalar(
            select(ButtonToken.token).where(ButtonToken.employee_id == account.employee_id)
        )


def test_every_route_has_a_rule(world: tuple[Rig, list[Persona]]) -> None:
    rig, _ = world
    served = all_routes(create_web(rig.ayo))
    assert served - RULES.keys() == set(), "a route without an owner rule"
    assert RULES.keys() - served == set(), "a rule for a route that no longer exists"


# Sockets of the fake APIs closed by the event loop's teardown, not by the route under test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_guarded_routes_refuse_everyone_else_and_change_nothing(
    world: tuple[Rig, list[Persona]],
) -> None:
    rig, personas = world
    # 12 guarded routes (users, demo login, metrics, 3 webhooks, 5 API, document links) × 3,
    # and the 28 back-office pages as nobody.
    assert await guarded_routes_refuse(rig, personas, STAFF_A) == 65


async def test_own_data_routes_never_reach_someone_else(
    world: tuple[Rig, list[Persona]],
) -> None:
    rig, personas = world
    sari_before = await sari_data(rig)
    assert sari_before, "Sari's waiting messages and buttons exist"
    token = await sari_button(rig)
    for persona in personas:
        async with client_for(rig, persona) as web:
            for method, path in (
                ("GET", "/api/local/me/messages"),
                ("GET", "/api/local/me/history"),
                ("POST", "/api/local/me/messages"),
                ("POST", "/api/local/logout"),
            ):
                before = await everything(rig)
                answer = await call(web, method, path, json={"text": "menu"})
                expected = 401 if persona.name == "nobody" else (200 if method == "GET" else 403)
                assert answer.status_code == expected, (method, path, persona.name)
                if answer.status_code != 200:
                    assert await everything(rig) == before
            if persona.csrf is None:
                continue
            headers = {"X-CSRF-Token": persona.csrf}
            # Polling returns one's own messages, never Sari's.
            mine = (await web.get("/api/local/me/messages")).json()["messages"]
            assert all("Apa yang bisa saya bantu" not in m["text"] for m in mine)
            # Nor does the history, nor its pending questions.
            history = (await web.get("/api/local/me/history")).json()
            assert history["messages"] == [] and history["pending"] == []
            # Pressing Sari's button as someone else is refused by the engine.
            pressed = await web.post(
                "/api/local/me/messages", json={"button": token}, headers=headers
            )
            assert "bukan untuk Anda" in pressed.json()["messages"][0]["text"]
    # The old NIP-in-the-path routes are gone.
    async with client_for(rig, personas[1]) as web:
        assert (await web.get(f"/api/local/{STAFF_A}/messages")).status_code in (404, 405)
        legacy = await web.post(f"/api/local/{STAFF_A}/messages", json={"text": "menu"})
        assert legacy.status_code in (404, 405)
    assert await sari_data(rig) == sari_before


async def test_public_routes_show_nobody_s_data(world: tuple[Rig, list[Persona]]) -> None:
    rig, personas = world
    async with client_for(rig, personas[0]) as web:
        session = (await web.get("/api/local/session")).json()
        assert session == {"demo": False, "viewer": None, "csrf": None}
        page = (await web.get("/")).text
        assert STAFF_A not in page and "Sari" not in page
        assert set((await web.get("/readyz")).json()) == {"status", "checks"}
