"""`POST /api/v1/learning/records` over real HTTP: the training system records a classroom
training once per external_id, verified, and the employee is told."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.app import App
from core.storage.models import AuditEvent, LearningEvent
from integrations import apikeys
from lessons.progress import year_progress
from tests.integrations.test_inbound_api import api, key  # noqa: F401 - shared fixtures
from tests.support.requests_kit import person

PATH = "/api/v1/learning/records"


def body(nip: str, **change: object) -> dict:
    return {
        "nip": nip,
        "external_id": "SIMDIKLAT-2026-0042",
        "title": "Bimtek Penyusunan SKP",
        "provider": "BKPSDM Kota",
        "type": "manajerial",
        "hours": 8.25,
        "start_date": "2026-07-13",
        "end_date": "2026-07-14",
    } | change


async def count(ayo: App) -> int:
    async with ayo.db.sessions() as session:
        return (await session.execute(select(func.count(LearningEvent.id)))).scalar_one()


async def test_a_training_is_recorded_once_and_the_employee_told(
    ayo: App,
    api: httpx.AsyncClient,  # noqa: F811
    key: apikeys.NewKey,  # noqa: F811
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    headers = {"X-API-Key": key.key}
    first = await api.post(PATH, json=body(dimas.nip), headers=headers)
    assert first.status_code == 201, first.text
    made = first.json()
    assert {k: made[k] for k in ("nip", "external_id", "source", "status", "type")} == {
        "nip": dimas.nip,
        "external_id": "SIMDIKLAT-2026-0042",
        "source": "classroom",
        "status": "verified",
        "type": "manajerial",
    }
    assert (made["hours"], made["jp"], made["start"], made["end"]) == (
        8.25,
        11.0,
        "2026-07-13",
        "2026-07-14",
    )
    # Answered after the commit: another session reads it at once.
    async with ayo.db.sessions() as session:
        stored = await session.get(LearningEvent, made["id"])
        assert stored.external_key == "api:ekinerja:SIMDIKLAT-2026-0042"

    again = await api.post(PATH, json=body(dimas.nip, hours=99), headers=headers)
    assert again.status_code == 200
    assert again.json() == made
    assert await count(ayo) == 1
    told = [m.text for m in await ayo.local.collect(dimas.nip)]
    assert told == [
        "🎓 Bimtek Penyusunan SKP tercatat: 11,0 JP masuk ke catatan belajar Anda. "
        'Ketik "progres belajar" untuk melihatnya.'
    ]
    async with ayo.db.sessions() as session:
        progress = (await year_progress(session, [dimas.id], 2026))[dimas.id]
        audited = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.channel).where(
                    AuditEvent.entity == "learning_event"
                )
            )
        ).all()
    assert progress.jp_by_source(ayo.deps.settings)["classroom"] == 11.0
    assert audited == [("learning.classroom.verified", "api:ekinerja")]


async def test_no_key_a_bad_key_an_unknown_nip_and_bad_bodies_change_nothing(
    ayo: App,
    api: httpx.AsyncClient,  # noqa: F811
    key: apikeys.NewKey,  # noqa: F811
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    headers = {"X-API-Key": key.key}
    assert (await api.post(PATH, json=body(dimas.nip))).status_code == 401
    wrong = {"X-API-Key": key.key[:-2] + "zz"}
    assert (await api.post(PATH, json=body(dimas.nip), headers=wrong)).status_code == 401
    unknown = await api.post(PATH, json=body("199001012020121001"), headers=headers)
    assert unknown.status_code == 404
    for bad, where in (
        (body(dimas.nip, type="teknik"), ["body", "type"]),
        (body(dimas.nip, hours=0), ["body", "hours"]),
        (body(dimas.nip, hours=5000), ["body", "hours"]),
        (body("123"), ["body", "nip"]),
        (body(dimas.nip, start_date="13-07-2026"), ["body", "start_date"]),
        (body(dimas.nip, end_date="2026-07-01"), ["body"]),
        (body(dimas.nip, title=""), ["body", "title"]),
    ):
        got = await api.post(PATH, json=bad, headers=headers)
        assert got.status_code == 422, bad
        assert got.json()["detail"][0]["loc"] == where
    dates = await api.post(PATH, json=body(dimas.nip, end_date="2026-07-01"), headers=headers)
    assert "end_date is before start_date" in dates.json()["detail"][0]["msg"]
    assert await count(ayo) == 0
    assert await ayo.local.collect(dimas.nip) == []
