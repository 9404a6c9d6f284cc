"""Conversation state is typed; a row the untyped state saved keeps working after a deploy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.state import (
    ConversationState,
    FormAnswer,
    FormRun,
    InfoAnswer,
    NeedsRating,
    OutcomeReason,
    RejectReason,
)
from core.outbox import local_account
from core.storage.models import ChatAccount, Conversation, Employee, ServiceRequest

DIMAS = "199402172019031005"
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

# Exactly what the untyped state (before the typed one) saved half-way through a helpdesk
# ticket, with a leave draft parked and the intent it smuggled through the row.
OLD_ROW: dict[str, Any] = {
    "form": {
        "service": "helpdesk",
        "data": {"category": "perangkat", "description": "printer di lantai 2 macet"},
        "history": ["category", "description"],
        "phase": "ask",
        "asking": "location",
    },
    "expect": {"kind": "form"},
    "drafts": {
        "cuti": {
            "service": "cuti",
            "data": {"leave_type": "tahunan"},
            "history": ["leave_type"],
            "phase": "ask",
            "asking": "dates",
        }
    },
    "misses": 1,
    "last_intent": "helpdesk.ticket",
    "expires_at": "2026-12-08T02:00:00+00:00",
}


def test_an_old_row_reads_as_typed_state() -> None:
    state = ConversationState.parse(OLD_ROW)
    assert state.form == FormRun(
        service="helpdesk",
        data={"category": "perangkat", "description": "printer di lantai 2 macet"},
        history=["category", "description"],
        phase="ask",
        asking="location",
    )
    assert state.awaiting == FormAnswer()
    assert state.open_form() is state.form
    assert list(state.drafts) == ["cuti"]
    assert state.drafts["cuti"].asking == "dates"
    assert state.misses == 1


def test_every_awaited_kind_reads_from_the_old_dicts_and_writes_them_back() -> None:
    old = [
        {"kind": "approval.reason", "step": 7},
        {"kind": "approval.outcome_reason", "step": 7, "outcome": "ditangguhkan"},
        {"kind": "approval.question", "step": 8},
        {"kind": "request.answer", "request": 3, "step": 8},
        {"kind": "learning.reminder_time"},
        {"kind": "needs.rating", "a": 12, "c": "komunikasi"},
    ]
    read = [ConversationState.parse({"expect": e}).awaiting for e in old]
    assert read[0] == RejectReason(step=7)
    assert read[1] == OutcomeReason(step=7, outcome="ditangguhkan")
    assert read[3] == InfoAnswer(request=3, step=8)
    assert read[5] == NeedsRating(analysis=12, competency="komunikasi")
    # The same shape goes back to the row, so even a rolled-back release reads it.
    assert [ConversationState.parse({"expect": e}).to_json() for e in old] == [
        {"expect": e} for e in old
    ]


def test_a_part_that_no_longer_reads_is_dropped_not_the_rest() -> None:
    state = ConversationState.parse(
        {
            "form": OLD_ROW["form"],
            "expect": {"kind": "survey.answer"},
            "drafts": {"izin": {"data": {}}, "cuti": OLD_ROW["drafts"]["cuti"]},
        }
    )
    assert state.awaiting is None
    assert state.form is not None and state.form.service == "helpdesk"
    assert list(state.drafts) == ["cuti"]


def test_an_expired_row_is_an_empty_state() -> None:
    row = Conversation(chat_account_id=1, state=OLD_ROW, updated_at=NOW, version=3)
    later = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    assert ConversationState.of(row, later).to_json() == {}
    assert ConversationState.of(row, NOW).form is not None


async def test_a_form_saved_by_the_old_state_goes_on_after_the_deploy(ayo: App) -> None:
    async with ayo.db.transaction() as session:
        dimas = await _employee(session, DIMAS)
        account = await local_account(session, dimas.id, NOW)
        session.add(
            Conversation(chat_account_id=account.id, state=OLD_ROW, updated_at=NOW, version=4)
        )
    await ayo.local.say(DIMAS, text="Ruang Bidang Aplikasi lt 2")
    [summary] = await ayo.local.collect(DIMAS)
    assert "Lokasi: Ruang Bidang Aplikasi lt 2" in summary.text
    assert "Keterangan: printer di lantai 2 macet" in summary.text
    await ayo.local.say(DIMAS, text="kirim")
    [received] = await ayo.local.collect(DIMAS)
    assert "Permohonan diterima" in received.text
    async with ayo.db.sessions() as session:
        request = await session.scalar(select(ServiceRequest.data))
        row = await session.get(Conversation, account.id)
    assert request["location"] == "Ruang Bidang Aplikasi lt 2"
    assert request["category"] == "perangkat"
    # The parked leave draft survived, in the typed state's (same) shape.
    assert row.state["drafts"]["cuti"]["data"] == {"leave_type": "tahunan"}
    assert "form" not in row.state and "expect" not in row.state and "last_intent" not in row.state


async def _employee(session: AsyncSession, nip: str) -> Employee:
    return (await session.execute(select(Employee).where(Employee.nip == nip))).scalar_one()


async def _conversation(ayo: App, nip: str) -> tuple[dict[str, Any], int] | None:
    async with ayo.db.sessions() as session:
        found = (
            await session.execute(
                select(Conversation.state, Conversation.version)
                .join(ChatAccount, ChatAccount.id == Conversation.chat_account_id)
                .join(Employee, Employee.id == ChatAccount.employee_id)
                .where(Employee.nip == nip)
            )
        ).first()
    return (found.state, found.version) if found is not None else None


async def test_a_step_that_leaves_nothing_open_writes_no_conversation_row(ayo: App) -> None:
    await ayo.local.say(DIMAS, text="halo")
    await ayo.local.say(DIMAS, text="menu")
    assert len(await ayo.local.collect(DIMAS)) >= 2
    assert await _conversation(ayo, DIMAS) is None


async def test_an_open_form_is_written_and_kept_until_nothing_is_open_again(ayo: App) -> None:
    await ayo.local.say(DIMAS, text="printer rusak")
    state, version = await _conversation(ayo, DIMAS)
    assert state["form"]["service"] == "helpdesk"
    assert state["expires_at"] == "2026-12-08T02:00:00+00:00"
    assert version == 1
    await ayo.local.say(DIMAS, text="batal")
    assert await _conversation(ayo, DIMAS) == ({}, 2)
    # Nothing open before and after: the row is left as it is.
    await ayo.local.say(DIMAS, text="menu")
    assert await _conversation(ayo, DIMAS) == ({}, 2)
