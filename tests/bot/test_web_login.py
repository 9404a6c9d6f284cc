"""Production web chat login: NIP → one-time code on the linked Telegram chat → session."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import AuditEvent, Employee
from tests.support.channel_rig import Rig, channel_rig
from tests.support.fake_telegram import tg_message_update
from tests.support.org import BOSS_B, HR_A, STAFF_A, STAFF_B, small_org

CHAT = 7770101


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    production = settings.model_copy(update={"env": "production", "demo": False})
    async with channel_rig(production, clock, tg_chats=(CHAT,)) as rig:
        await small_org(rig.ayo.db, clock())
        code = await rig.link_code(STAFF_A)
        await rig.telegram(tg_message_update(1, CHAT, CHAT, f"/start {code}"))
        await rig.settle()
        assert "Selamat datang" in rig.tg.sent_messages(CHAT)[-1]["text"]
        yield rig


async def code_on_telegram(rig: Rig, nip: str = STAFF_A) -> str:
    answer = await rig.web.post("/api/local/login/code", json={"nip": nip})
    assert answer.status_code == 200
    await rig.settle()
    text = rig.tg.sent_messages(CHAT)[-1]["text"]
    assert "Kode masuk web chat Ayo" in text
    return re.search(r"\b(\d{6})\b", text).group(1)


async def audits(rig: Rig, action: str) -> list[AuditEvent]:
    async with rig.ayo.db.sessions() as session:
        query = select(AuditEvent).where(AuditEvent.entity == "web_login")
        rows = (await session.execute(query.where(AuditEvent.action == action))).scalars()
        return list(rows)


async def test_the_code_arrives_on_telegram_and_opens_a_session(rig: Rig) -> None:
    assert (await rig.web.get("/api/local/session")).json()["viewer"] is None
    code = await code_on_telegram(rig)
    login = await rig.web.post("/api/local/login/verify", json={"nip": STAFF_A, "code": code})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    session = (await rig.web.get("/api/local/session")).json()
    assert session["demo"] is False
    assert session["viewer"] == {"nip": STAFF_A, "name": "Sari Staf", "roles": ["employee"]}
    menu = await rig.web.post(
        "/api/local/me/messages",
        json={"text": "menu"},
        headers={"X-CSRF-Token": session["csrf"]},
    )
    assert "Apa yang bisa saya bantu" in menu.json()["messages"][0]["text"]
    # The code is single-use.
    again = await rig.web.post("/api/local/login/verify", json={"nip": STAFF_A, "code": code})
    assert again.status_code == 401


async def test_unknown_and_unlinked_nips_get_the_same_answer_and_no_message(rig: Rig) -> None:
    sent = len(rig.tg.sent_messages())
    linked = await rig.web.post("/api/local/login/code", json={"nip": STAFF_A})
    unlinked = await rig.web.post("/api/local/login/code", json={"nip": STAFF_B})
    unknown = await rig.web.post("/api/local/login/code", json={"nip": "199912312020121999"})
    assert linked.json() == unlinked.json() == unknown.json()
    assert unknown.json()["status"] == "sent"
    await rig.settle()
    assert len(rig.tg.sent_messages()) == sent + 1
    reasons = sorted(e.detail["reason"] for e in await audits(rig, "code_refused"))
    assert reasons == ["no_linked_chat", "unknown_nip"]


async def test_a_wrong_code_is_refused_and_audited_without_the_code(rig: Rig) -> None:
    code = await code_on_telegram(rig)
    wrong = "000000" if code != "000000" else "111111"
    answer = await rig.web.post("/api/local/login/verify", json={"nip": STAFF_A, "code": wrong})
    assert answer.status_code == 401
    assert "Kode salah" in answer.json()["detail"]["id"]
    assert "ayo_session" not in answer.headers.get("set-cookie", "")
    [failure] = await audits(rig, "login_failed")
    assert failure.detail["reason"] == "wrong"
    assert wrong not in json.dumps(failure.detail) and code not in json.dumps(failure.detail)


async def test_code_requests_are_limited_per_nip_and_per_address(rig: Rig) -> None:
    for _ in range(3):
        assert (await rig.web.post("/api/local/login/code", json={"nip": STAFF_A})).is_success
    limited = await rig.web.post("/api/local/login/code", json={"nip": STAFF_A})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Terlalu banyak percobaan" in limited.json()["detail"]["id"]
    # Other NIPs from the same address: 10 requests per 15 minutes in all.
    others = [f"1990010120150110{i:02d}" for i in range(7)]
    answers = [await rig.web.post("/api/local/login/code", json={"nip": n}) for n in others]
    assert [a.status_code for a in answers] == [200] * 7
    assert (await rig.web.post("/api/local/login/code", json={"nip": HR_A})).status_code == 429
    rig.clock.advance(timedelta(minutes=16))
    assert (await rig.web.post("/api/local/login/code", json={"nip": STAFF_A})).is_success


async def test_five_wrong_codes_lock_the_nip_even_with_the_right_code(rig: Rig) -> None:
    code = await code_on_telegram(rig)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        body = {"nip": STAFF_A, "code": wrong}
        assert (await rig.web.post("/api/local/login/verify", json=body)).status_code == 401
    right = await rig.web.post("/api/local/login/verify", json={"nip": STAFF_A, "code": code})
    assert right.status_code == 429


async def logged_in(rig: Rig) -> str:
    code = await code_on_telegram(rig)
    body = {"nip": STAFF_A, "code": code}
    assert (await rig.web.post("/api/local/login/verify", json=body)).is_success
    return (await rig.web.get("/api/local/session")).json()["csrf"]


async def test_logout_revokes_the_session_for_the_old_cookie_too(rig: Rig) -> None:
    csrf = await logged_in(rig)
    stolen = dict(rig.web.cookies)
    assert (await rig.web.post("/api/local/logout", headers={"X-CSRF-Token": csrf})).is_success
    transport = rig.web._transport
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ayo.test", cookies=stolen
    ) as thief:
        assert (await thief.get("/api/local/me/messages")).status_code == 401


async def test_sessions_expire_and_end_when_the_employee_is_deactivated(rig: Rig) -> None:
    await logged_in(rig)
    assert (await rig.web.get("/api/local/me/messages")).status_code == 200
    async with rig.ayo.db.transaction() as session:
        employee = (
            await session.execute(select(Employee).where(Employee.nip == STAFF_A))
        ).scalar()
        employee.active = False
    assert (await rig.web.get("/api/local/me/messages")).status_code == 401
    async with rig.ayo.db.transaction() as session:
        employee = (
            await session.execute(select(Employee).where(Employee.nip == STAFF_A))
        ).scalar()
        employee.active = True
    assert (await rig.web.get("/api/local/me/messages")).status_code == 200
    rig.clock.advance(timedelta(hours=12, minutes=1))
    assert (await rig.web.get("/api/local/me/messages")).status_code == 401


async def test_production_has_no_picker_and_lists_employees_only_to_hr_of_the_opd(
    rig: Rig,
) -> None:
    assert (await rig.web.post("/api/local/login/demo", json={"nip": STAFF_A})).status_code == 404
    assert (await rig.web.get("/api/local/users")).status_code == 401
    await logged_in(rig)
    assert (await rig.web.get("/api/local/users")).status_code == 403
    page = await rig.web.get("/")
    assert 'id="login"' in page.text


async def test_an_hr_admin_sees_the_employees_of_their_own_opd_only(
    settings: Settings, clock: FixedClock
) -> None:
    production = settings.model_copy(update={"env": "production", "demo": False})
    async with channel_rig(production, clock, tg_chats=(CHAT,)) as rig:
        await small_org(rig.ayo.db, clock())
        link = await rig.link_code(HR_A)
        await rig.telegram(tg_message_update(1, CHAT, CHAT, f"/start {link}"))
        await rig.settle()
        code = await code_on_telegram(rig, HR_A)
        body = {"nip": HR_A, "code": code}
        assert (await rig.web.post("/api/local/login/verify", json=body)).is_success
        listed = (await rig.web.get("/api/local/users")).json()
        assert sorted(u["nip"] for u in listed) == sorted(
            ["198001012005011001", "198202022006021002", "199003032015031003"]
        )
        assert BOSS_B not in {u["nip"] for u in listed}
