"""`ayo privacy export` and `ayo privacy erase` (UU 27/2022 PDP), run as the real CLI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import (
    AuditEvent,
    ChatAccount,
    InboxItem,
    OutboxItem,
    PrivacyErasure,
    ServiceRequest,
)
from tests.support.channel_rig import Rig, channel_rig, demo_people
from tests.support.console import ayo_env, run_ayo
from tests.support.fake_telegram import tg_message_update

DIMAS_CHAT = 7770301
YOGA_CHAT = 7770302


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    """Dimas and Yoga, each linked on Telegram, each with a chat and a leave request."""
    async with channel_rig(settings, clock, tg_chats=(DIMAS_CHAT, YOGA_CHAT)) as rig:
        people = await demo_people(rig.ayo)
        update = 1
        for name, chat, words in (
            ("Dimas Prasetyo", DIMAS_CHAT, "halo saya dimas"),
            ("Yoga Pratama", YOGA_CHAT, "halo saya yoga"),
        ):
            code = await rig.link_code(people[name]["nip"])
            for text in (f"/start {code}", words, "menu"):
                await rig.telegram(tg_message_update(update, chat, chat, text))
                update += 1
            await rig.settle()
        async with rig.ayo.db.transaction() as session:
            for name, ref in (("Dimas Prasetyo", "CUTI-D-1"), ("Yoga Pratama", "CUTI-Y-1")):
                employee_id = await employee_id_of(session, people[name]["nip"])
                session.add(
                    ServiceRequest(
                        ref=ref,
                        service_id="cuti_tahunan",
                        employee_id=employee_id,
                        status="approved",
                        data={"alasan": f"keperluan keluarga {ref}"},
                        start_date=date(2026, 12, 3),
                        end_date=date(2026, 12, 3),
                        days=1,
                        kind="tahunan",
                        created_at=clock(),
                        updated_at=clock(),
                    )
                )
        yield rig


async def employee_id_of(session, nip: str) -> int:
    from core.storage.models import Employee

    return await session.scalar(select(Employee.id).where(Employee.nip == nip))


async def nips(rig: Rig) -> tuple[str, str]:
    people = await demo_people(rig.ayo)
    return people["Dimas Prasetyo"]["nip"], people["Yoga Pratama"]["nip"]


def env(rig: Rig, tmp_path: Path) -> dict[str, str]:
    return ayo_env(rig.ayo.settings.resolved_database_url(), tmp_path)


async def test_export_holds_the_person_s_rows_and_nobody_else_s(rig: Rig, tmp_path: Path) -> None:
    dimas, yoga = await nips(rig)
    done = run_ayo(["privacy", "export", dimas], env(rig, tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["format"] == "ayo-privacy-export/1"
    assert data["employee"]["nip"] == dimas
    assert data["employee"]["name"] == "Dimas Prasetyo"
    assert [u["code"] for u in data["units"]] == ["DISKOMINFO-APTIKA", "DISKOMINFO"]
    tables = data["tables"]
    assert {a["external_id"] for a in tables["chat_accounts"]} == {str(DIMAS_CHAT)}
    texts = {row["text"] for row in tables["inbox"]}
    assert {"halo saya dimas", "menu"} <= texts
    assert [r["ref"] for r in tables["service_requests"]] == ["CUTI-D-1"]
    assert tables["outbox"], "the replies Ayo sent him"
    whole = done.stdout
    for someone_else in (yoga, str(YOGA_CHAT), "halo saya yoga", "CUTI-Y-1"):
        assert someone_else not in whole
    # Secrets are not part of a person's data.
    assert "code_hash" not in whole and "token_hash" not in whole
    async with rig.ayo.db.sessions() as session:
        actions = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert "privacy.export" in actions


async def test_export_to_a_file(rig: Rig, tmp_path: Path) -> None:
    dimas, _ = await nips(rig)
    out = tmp_path / "dimas.json"
    done = run_ayo(["privacy", "export", dimas, "--out", str(out)], env(rig, tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["employee"]["nip"] == dimas
    assert out.stat().st_mode & 0o077 == 0


async def test_an_unknown_nip_is_a_clear_error(rig: Rig, tmp_path: Path) -> None:
    done = run_ayo(["privacy", "export", "199912312020121999"], env(rig, tmp_path))
    assert done.returncode == 1
    assert "Tidak ada pegawai dengan NIP ini" in done.stderr


async def test_erase_removes_texts_and_chat_ids_and_keeps_required_records(
    rig: Rig, tmp_path: Path
) -> None:
    dimas, yoga = await nips(rig)
    done = run_ayo(["privacy", "erase", dimas], env(rig, tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["kept"]["service_requests"] == 1
    async with rig.ayo.db.sessions() as session:
        dimas_id = await employee_id_of(session, dimas)
        yoga_id = await employee_id_of(session, yoga)
        chats = {a.external_id: a for a in (await session.execute(select(ChatAccount))).scalars()}
        assert str(DIMAS_CHAT) not in chats and dimas not in chats
        assert chats[str(YOGA_CHAT)].employee_id == yoga_id
        texts = (await session.execute(select(InboxItem.text))).scalars().all()
        assert "halo saya dimas" not in texts
        assert "halo saya yoga" in texts
        outbox = (await session.execute(select(OutboxItem))).scalars().all()
        assert all(o.payload == {"erased": True} for o in outbox if o.employee_id == dimas_id)
        assert any(o.payload != {"erased": True} for o in outbox if o.employee_id == yoga_id)
        # Required records stay, and are marked by the erasure record.
        refs = (
            await session.execute(
                select(ServiceRequest.ref).where(ServiceRequest.employee_id == dimas_id)
            )
        ).scalars()
        assert list(refs) == ["CUTI-D-1"]
        erasure = await session.scalar(select(PrivacyErasure))
        assert erasure.employee_id == dimas_id
        assert erasure.kept["service_requests"] == 1
        assert erasure.removed["chat_accounts"] == 1  # his Telegram chat
        audited = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
        ).scalar()
        assert audited.entity_id == dimas_id
        # Audit events from before the erasure remain.
        assert await session.scalar(select(AuditEvent).where(AuditEvent.actor_id == dimas_id))
    # Afterwards his export holds no conversation and no chat id, but the kept records.
    after = json.loads(run_ayo(["privacy", "export", dimas], env(rig, tmp_path)).stdout)
    assert "chat_accounts" not in after["tables"] and "inbox" not in after["tables"]
    assert [r["ref"] for r in after["tables"]["service_requests"]] == ["CUTI-D-1"]
    assert after["tables"]["privacy_erasures"][0]["kept"]["service_requests"] == 1
    # His Telegram chat is a stranger now: writing again starts the linking flow.
    await rig.telegram(tg_message_update(99, DIMAS_CHAT, DIMAS_CHAT, "menu"))
    await rig.settle()
    assert "kode" in rig.tg.sent_messages(DIMAS_CHAT)[-1]["text"].lower()
