"""No reply of Ayo promises a person without a case behind it.

The texts Ayo can say (the intent and service catalogs, the rule messages, every string in
bot/ and integrations/) are searched for a promise of a person; each place that makes one is
listed here with the conversation that reaches it, and that conversation must open a case.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.app import App
from core.storage.models import AuditEvent, HandoffCase, ServiceRequest
from tests.bot.test_leave_form import cltn_summary
from tests.support.ayo_chat import button, nip_of, press, say, text_of
from tests.support.backoffice import admin

WULAN = "198902142014032019"  # HR admin at BKPSDM, operator of the BKPSDM desk

ROOT = Path(__file__).resolve().parents[2]
PROMISE = re.compile(
    r"akan menghubungi|hubungkan anda|kami hubungkan|saya hubungkan|bicara dengan petugas|"
    r"saya teruskan ke|petugas akan|will contact you|talk to a person|connect you|"
    r"passing this to|a person will",
    re.IGNORECASE,
)
# Every file whose texts promise a person, and the scenario below that proves the case.
KNOWN = {
    "intents/catalog/conversation.yaml": "asking for a person (the human.handoff intent)",
    "bot/dispatch.py": "the second miss offers the human.handoff button",
    "bot/handlers/handoff.py": "the topic question of human.handoff",
    "integrations/handoff/cases.py": "the reply that tells the reference number",
    "integrations/rules/leave_messages.yaml": "CLTN's note: submitting it opens a case",
}


def _yaml_strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _yaml_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _yaml_strings(item)


def _python_strings(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
    # Adjacent literals are joined by the parser, so a promise split across lines is seen.


def promising_files() -> set[str]:
    found = set()
    folders = ("intents/catalog", "integrations/services", "integrations/rules")
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            texts = _yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")))
            if any(PROMISE.search(t) for t in texts):
                found.add(str(path.relative_to(ROOT)))
    for package in ("bot", "integrations"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if any(PROMISE.search(t) for t in _python_strings(path)):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_every_promise_of_a_person_is_known_and_has_a_scenario() -> None:
    # A new text promising a person fails here until its path opens a case and is listed.
    assert promising_files() == set(KNOWN)


async def open_cases(ayo: App) -> list[HandoffCase]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(select(HandoffCase).where(HandoffCase.status == "open"))
        return list(rows.scalars())


async def test_asking_for_a_person_opens_a_case(ayo: App) -> None:
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    got = await say(ayo, dimas, "saya mau bicara dengan petugas")
    got = await press(ayo, dimas, button(got, "Helpdesk TI (Diskominfo)"))
    assert "Nomor kasus Anda: PTG-2612-000001" in text_of(got)
    [case] = await open_cases(ayo)
    assert (case.topic, case.source) == ("helpdesk", "human.handoff")


async def test_the_second_miss_offers_a_person_and_the_button_opens_a_case(ayo: App) -> None:
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    await say(ayo, dimas, "zzxq blorp")
    got = await say(ayo, dimas, "qwerty asdf")
    assert "bicara dengan petugas" in text_of(got)
    got = await press(ayo, dimas, button(got, "Bicara dengan petugas"))
    got = await press(ayo, dimas, button(got, "Kepegawaian (BKPSDM)"))
    assert "Nomor kasus Anda: PTG-2612-000001" in text_of(got)
    assert len(await open_cases(ayo)) == 1


async def test_submitting_cltn_opens_a_staffing_case_that_carries_the_request(ayo: App) -> None:
    # PP 11/2017 Ps. 335: CLTN is decided with the HR officer; the note promises a person.
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    got = await cltn_summary(ayo, dimas)
    assert "saya teruskan ke petugas kepegawaian sebagai kasus" in text_of(got)
    got = await press(ayo, dimas, button(got, "Kirim"))
    told = text_of(got)
    assert "Nomor: CUTI-2612-000001" in told
    assert "Nomor kasus Anda: PTG-2612-000001" in told
    [case] = await open_cases(ayo)
    assert (case.team, case.topic, case.source) == (
        "bkpsdm",
        "kepegawaian",
        "request:CUTI-2612-000001",
    )
    async with ayo.db.sessions() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
        linked = (
            await session.execute(
                select(AuditEvent.detail).where(
                    AuditEvent.entity == "request", AuditEvent.action == "handoff.opened"
                )
            )
        ).scalar_one()
    assert request.data["_handoff"] == "PTG-2612-000001"
    assert linked == {"case": "PTG-2612-000001"}
    # The staffing desk's operators are offered the case with the request's reference.
    offer = text_of(await ayo.local.collect(await nip_of(ayo, "Rina Oktaviani")))
    assert "Kasus baru PTG-2612-000001" in offer
    assert "Permohonan: CUTI-2612-000001" in offer
    # In the back office the case links to the request.
    async with admin(ayo, WULAN) as wulan:
        page = (await wulan.get(f"/admin/cases/{case.id}")).text
    assert '<a id="case-request" href="/admin/requests/CUTI-2612-000001">' in page


async def test_annual_leave_opens_no_case(ayo: App) -> None:
    dimas = await nip_of(ayo, "Dimas Prasetyo")
    await say(ayo, dimas, "mau cuti tahunan")
    await say(ayo, dimas, "4 jan 2027 - 5 jan 2027")
    got = await say(ayo, dimas, "urusan keluarga")
    got = await press(ayo, dimas, button(got, "Kirim"))
    assert "Nomor: CUTI-2612-000001" in text_of(got)
    assert "Nomor kasus" not in text_of(got)
    assert await open_cases(ayo) == []
