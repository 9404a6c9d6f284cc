"""Bad input to the webhooks is a 4xx or set aside, never a 500, and nothing is lost.

Each case is an authentic request (right secret or signature) carrying something a real
platform never sends, or sends rarely: the answer and what the inbox holds are written here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import InboxItem
from tests.support.channel_rig import Rig, channel_rig
from tests.support.fake_telegram import tg_callback_update, tg_message_update
from tests.support.fake_whatsapp import wa_text_update

CHAT = 5550301


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT,)) as rig:
        yield rig


async def inbox(rig: Rig) -> list[tuple[str, str, str | None]]:
    async with rig.ayo.db.sessions() as session:
        rows = await session.execute(
            select(InboxItem.kind, InboxItem.status, InboxItem.text).order_by(InboxItem.id)
        )
        return [tuple(row) for row in rows.all()]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 60_000,
        b"{" * 40 + b"}" * 40,
        b'{"update_id": Infinity, "message": {"chat": {"id": 1}}}',
        b'{"update_id": NaN}',
        b'{"update_id": 1, "message": {"chat": {"id": -Infinity}}}',
        b'{"update_id": 1e999}',
        b'{"update_id": ' + b"9" * 5000 + b"}",
        b'{"update_id": 7, "message": {"chat": {"id": 1}, "text": "\xff\xfe"}}',
        b"\xef\xbb\xbf{}",
        b"",
    ],
    ids=[
        "nested-100k",
        "nested-40",
        "infinity",
        "nan",
        "minus-infinity",
        "float-overflow",
        "5000-digits",
        "invalid-utf8",
        "bom",
        "empty",
    ],
)
async def test_bodies_that_are_not_plain_json_are_400(rig: Rig, body: bytes) -> None:
    assert (await rig.telegram(body)).status_code == 400
    assert await inbox(rig) == []


@pytest.mark.parametrize(
    "update",
    [
        {},
        {"update_id": "12"},
        {"update_id": True},
        {"update_id": 2**64},
        {"update_id": 1, "message": "halo"},
        {"update_id": 1, "message": None},
        {"update_id": 1, "message": []},
        {"update_id": 1, "message": {"text": "halo"}},
        {"update_id": 1, "message": {"chat": "5550301", "text": "halo"}},
        {"update_id": 1, "message": {"chat": {"id": "5550301"}, "text": "halo"}},
        {"update_id": 1, "message": {"chat": {"id": 1.5}, "text": "halo"}},
        {"update_id": 1, "message": {"chat": {"id": 10**30}, "text": "halo"}},
        {"update_id": 1, "callback_query": {"id": "1", "from": "x", "data": "t"}},
        {"update_id": 1, "callback_query": {"id": "x" * 5000, "from": {"id": 1}, "data": "t"}},
        {"update_id": 1, "callback_query": {"id": 7, "from": {"id": 1}, "data": "t"}},
    ],
)
async def test_authentic_updates_of_the_wrong_shape_are_set_aside_once(
    rig: Rig, update: dict
) -> None:
    for _ in range(2):  # Telegram's retry is a no-op
        assert (await rig.telegram(update)).status_code == 200
    [(kind, status, _)] = await inbox(rig)
    assert (kind, status) == ("unreadable", "aside")


async def test_unknown_kinds_and_missing_parts_are_acknowledged_and_ignored(rig: Rig) -> None:
    for update in (
        {"update_id": 1},
        {"update_id": 2, "edited_message": {"chat": {"id": CHAT}, "text": "x"}},
        {"update_id": 3, "poll": {"id": "1"}},
    ):
        assert (await rig.telegram(update)).status_code == 200
    assert await inbox(rig) == []


async def test_nul_bytes_and_lone_surrogates_are_cleaned_and_the_update_kept(rig: Rig) -> None:
    update = tg_message_update(21, CHAT, CHAT, "x")
    raw = json.dumps(update).replace('"text": "x"', '"text": "cu\\u0000ti\\ud800 besok"')
    for _ in range(2):
        assert (await rig.telegram(raw.encode())).status_code == 200
    await rig.settle()
    assert await inbox(rig) == [("text", "processed", "cuti\ufffd besok")]
    assert rig.tg.sent_messages(CHAT)  # answered, not stuck


async def test_wrong_types_in_optional_fields_do_not_stop_a_message(rig: Rig) -> None:
    update = tg_message_update(22, CHAT, CHAT, "halo")
    update["message"]["from"] = "not an object"
    update["message"]["message_id"] = "7"
    assert (await rig.telegram(update)).status_code == 200
    assert await inbox(rig) == [("text", "pending", "halo")]


async def test_overlong_text_and_button_data_are_cut_to_the_columns(rig: Rig) -> None:
    await rig.telegram(tg_message_update(23, CHAT, CHAT, "a" * 6000))
    await rig.telegram(tg_callback_update(24, CHAT, CHAT, "t" * 500, 99))
    [(kind, _, text), (pressed, _, _)] = await inbox(rig)
    assert (kind, len(text or "")) == ("text", 5000)
    assert pressed == "unsupported"  # 500 characters are no token of ours


@pytest.mark.parametrize(
    "message",
    [
        {"from": {"a": 1}, "id": "wamid.1", "type": "text", "text": {"body": "x"}},
        {"from": "62" + "1" * 200, "id": "wamid.2", "type": "text", "text": {"body": "x"}},
        {"from": "6281200000000", "id": "w" * 500, "type": "text", "text": {"body": "x"}},
        {"from": "6281200000000", "type": "text"},
        "not an object",
    ],
)
async def test_whatsapp_messages_of_the_wrong_shape_are_set_aside(rig: Rig, message) -> None:
    payload = wa_text_update("6281200000000", "x")
    payload["entry"][0]["changes"][0]["value"]["messages"] = [message]
    assert (await rig.whatsapp(payload)).status_code == 200
    [(kind, status, _)] = await inbox(rig)
    assert (kind, status) == ("unreadable", "aside")


async def test_whatsapp_deep_nesting_is_400_after_the_signature(rig: Rig) -> None:
    assert (await rig.whatsapp(b"[" * 60_000)).status_code == 400
    assert (await rig.whatsapp(b"[" * 60_000, secret="wrong")).status_code == 401
    assert (await rig.whatsapp(b"[" * 100_000, secret=None)).status_code == 413
    assert await inbox(rig) == []
