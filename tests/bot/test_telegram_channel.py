"""Telegram end to end: webhook (secret, limits, exactly once) → engine → sender → fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.channels.telegram_polling import poll
from core.clock import FixedClock
from core.messages import Button, Reply
from core.settings import Settings
from core.storage.models import ChatAccount, InboxItem, OutboxItem
from core.text import T
from tests.support.channel_rig import Rig, channel_rig, demo_people
from tests.support.fake_telegram import tg_callback_update, tg_message_update

CHAT = 5550001
OTHER = 5550002


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(CHAT, OTHER, -100777)) as rig:
        yield rig


async def linked(rig: Rig, name: str = "Dimas Prasetyo", chat: int = CHAT) -> str:
    nip = (await demo_people(rig.ayo))[name]["nip"]
    code = await rig.link_code(nip)
    await rig.telegram(tg_message_update(900 + chat % 100, chat, chat, f"/start {code}"))
    await rig.settle()
    return nip


def texts(rig: Rig, chat: int = CHAT) -> list[str]:
    return [m["text"] for m in rig.tg.sent_messages(chat)]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "ayo-telegram-secret-012"])
async def test_wrong_or_missing_secret_is_401_and_touches_nothing(
    rig: Rig, secret: str | None
) -> None:
    response = await rig.telegram(tg_message_update(1, CHAT, CHAT, "halo"), secret=secret)
    assert response.status_code == 401
    assert await rig.inbox_count() == 0


async def test_oversized_body_is_413_and_not_json_is_400(rig: Rig) -> None:
    big = tg_message_update(1, CHAT, CHAT, "x" * (70 * 1024))
    assert (await rig.telegram(big)).status_code == 413
    assert (await rig.telegram(b"{not json")).status_code == 400
    assert await rig.inbox_count() == 0


async def test_unknown_chat_gets_how_to_link_in_both_languages_and_nothing_else(
    rig: Rig,
) -> None:
    response = await rig.telegram(tg_message_update(10, CHAT, CHAT, "cek sisa cuti saya"))
    await rig.settle()
    assert response.status_code == 200
    [text] = texts(rig)
    assert "kode penghubung" in text and "link code" in text


async def test_start_with_code_links_the_chat_and_menu_has_short_callback_data(
    rig: Rig,
) -> None:
    await linked(rig)
    assert "Selamat datang, Dimas" in texts(rig)[-1]
    await rig.telegram(tg_message_update(11, CHAT, CHAT, "menu"))
    await rig.settle()
    menu = rig.tg.sent_messages(CHAT)[-1]
    datas = [row[0]["callback_data"] for row in menu["reply_markup"]["inline_keyboard"]]
    assert len(datas) >= 3
    assert all(len(d.encode()) <= 64 for d in datas)


async def test_button_press_is_answered_and_keyboard_removed(rig: Rig) -> None:
    await linked(rig)
    await rig.telegram(tg_message_update(11, CHAT, CHAT, "menu"))
    await rig.settle()
    menu = rig.tg.sent_messages(CHAT)[-1]
    token = menu["reply_markup"]["inline_keyboard"][-1][0]["callback_data"]
    press = tg_callback_update(12, CHAT, CHAT, token, menu["message_id"])
    await rig.telegram(press)
    await rig.settle()
    assert rig.tg.calls("answerCallbackQuery") == [
        {"callback_query_id": press["callback_query"]["id"]}
    ]
    assert "reply_markup" not in rig.tg.message(CHAT, menu["message_id"])
    assert len(rig.tg.sent_messages(CHAT)) == 3  # welcome, menu, the chosen feature


async def test_redelivered_update_is_acknowledged_and_processed_once(rig: Rig) -> None:
    await linked(rig)
    update = tg_message_update(20, CHAT, CHAT, "terima kasih")
    first = await rig.telegram(update)
    again = await rig.telegram(update)
    await rig.settle()
    assert (first.status_code, again.status_code) == (200, 200)
    assert texts(rig)[1:] == ["Sama-sama! Senang membantu."]
    async with rig.ayo.db.sessions() as session:
        keys = list((await session.execute(select(InboxItem.external_key))).scalars())
    assert keys.count("20") == 1


async def test_out_of_order_updates_are_each_handled_once(rig: Rig) -> None:
    await linked(rig)
    await rig.telegram(tg_message_update(31, CHAT, CHAT, "terima kasih"))
    await rig.telegram(tg_message_update(30, CHAT, CHAT, "bantuan"))
    await rig.telegram(tg_message_update(31, CHAT, CHAT, "terima kasih"))
    await rig.settle()
    replies = texts(rig)[1:]
    assert len(replies) == 2
    assert replies[0] == "Sama-sama! Senang membantu."  # arrival order within the chat
    assert replies[1].startswith("Saya Ayo")


async def test_chats_are_processed_concurrently_each_in_order(rig: Rig) -> None:
    await linked(rig)
    await linked(rig, "Sri Wahyuni", OTHER)
    for n in range(3):
        await rig.telegram(tg_message_update(40 + n, CHAT, CHAT, "terima kasih"))
        await rig.telegram(tg_message_update(50 + n, OTHER, OTHER, "bantuan"))
    await rig.settle()
    assert texts(rig, CHAT)[1:] == ["Sama-sama! Senang membantu."] * 3
    assert [t[:8] for t in texts(rig, OTHER)[1:]] == ["Saya Ayo"] * 3


async def test_unreadable_update_is_kept_aside_and_acknowledged(rig: Rig) -> None:
    response = await rig.telegram({"update_id": "not-a-number", "message": {}})
    broken = await rig.telegram({"update_id": 77, "message": {"chat": "?"}})
    ignored = await rig.telegram({"update_id": 78, "edited_message": {"text": "x"}})
    await rig.settle()
    assert [r.status_code for r in (response, broken, ignored)] == [200, 200, 200]
    async with rig.ayo.db.sessions() as session:
        rows = list((await session.execute(select(InboxItem))).scalars())
    assert [(r.status, r.kind) for r in rows] == [("aside", "unreadable")] * 2
    assert rig.tg.sent_messages() == []


async def test_group_chat_gets_only_the_private_chat_hint(rig: Rig) -> None:
    nip = (await demo_people(rig.ayo))["Dimas Prasetyo"]["nip"]
    code = await rig.link_code(nip)
    update = tg_message_update(60, -100777, CHAT, f"/start@ayo_test_bot {code}", "supergroup")
    await rig.telegram(update)
    await rig.settle()
    [text] = texts(rig, -100777)
    assert "chat pribadi" in text
    async with rig.ayo.db.sessions() as session:
        group = (await session.execute(select(ChatAccount))).scalar_one()
    assert (group.is_group, group.employee_id) == (True, None)


async def test_html_is_escaped_long_text_split_and_replaced_message_edited(rig: Rig) -> None:
    channel = rig.ayo.channels["telegram"]
    await channel.send(str(CHAT), Reply(T("a <b> & </i> c", "x")), language="id")
    assert texts(rig)[-1] == "a <b> & </i> c"
    long = ("kata " * 2000).strip()
    await channel.send(str(CHAT), Reply(T(long, long)), language="id")
    parts = texts(rig)[-3:]
    assert [len(p) <= 4096 for p in parts] == [True, True, True]
    assert " ".join(parts) == long

    prompt = Reply(T("Setujui cuti Dimas?", "x"), (Button(T("Setuju", "OK"), "tok1"),),
                   meta={"ref": "approval:1"})  # fmt: skip
    sent_id = await channel.send(str(CHAT), prompt, language="id")
    decision = Reply(T("Cuti Dimas disetujui ✅", "x"), replaces="approval:1")
    assert await channel.send(str(CHAT), decision, language="id") == sent_id
    edited = rig.tg.message(CHAT, int(sent_id))
    assert edited["text"] == "Cuti Dimas disetujui ✅" and "reply_markup" not in edited


async def test_blocked_user_marks_the_chat_inactive(rig: Rig) -> None:
    await linked(rig)
    rig.tg.block_chat(CHAT)
    await rig.telegram(tg_message_update(70, CHAT, CHAT, "terima kasih"))
    await rig.settle()
    async with rig.ayo.db.sessions() as session:
        account = (await session.execute(select(ChatAccount))).scalar_one()
        last = (await session.execute(select(OutboxItem).order_by(OutboxItem.id.desc()))).scalar()
    assert account.active is False
    assert (last.status, last.last_error) == ("failed", "blocked")


async def test_set_webhook_registers_secret_and_commands_in_both_languages(rig: Rig) -> None:
    channel = rig.ayo.channels["telegram"]
    await channel.register_webhook("https://ayo.kota.go.id/telegram/webhook")
    [hook] = rig.tg.calls("setWebhook")
    assert hook["secret_token"] == "ayo-telegram-secret-0123"
    assert hook["url"] == "https://ayo.kota.go.id/telegram/webhook"
    commands = rig.tg.calls("setMyCommands")
    assert [c.get("language_code") for c in commands] == [None, "en"]
    assert [c["command"] for c in commands[0]["commands"]] == ["menu", "help", "cancel"]


async def test_long_polling_feeds_the_same_pipeline(rig: Rig) -> None:
    rig.tg.max_poll_wait = 30
    stop, processed = asyncio.Event(), asyncio.Event()

    async def after() -> None:
        processed.set()

    rig.ayo.inbound.after = after
    task = asyncio.create_task(poll(rig.ayo.channels["telegram"], rig.ayo.inbound, stop=stop))
    await rig.tg.wait_for_long_poll()
    rig.tg.push_update(tg_message_update(80, CHAT, CHAT, "halo"))
    await asyncio.wait_for(processed.wait(), timeout=10)
    stop.set()
    rig.tg.max_poll_wait = 0.01
    await rig.settle()
    assert "kode penghubung" in texts(rig)[-1]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_closing_a_channel_never_started_closes_its_connections(settings: Settings) -> None:
    """`ayo serve` sends without `Bot.initialize`; `close` still closes the pooled connections
    (PTB's own `shutdown` skips a bot it never initialised), so nothing is left open."""
    import gc
    import warnings

    from bot.channels.telegram import TelegramChannel
    from tests.support.channel_rig import TG_TOKEN
    from tests.support.fake_telegram import FakeTelegram

    async with FakeTelegram(chats=(CHAT,)) as tg:
        configured = settings.model_copy(
            update={"telegram_token": TG_TOKEN, "telegram_api_url": tg.base_url}
        )
        channel = TelegramChannel.from_settings(configured, db=None, clock=None)  # type: ignore[arg-type]
        await channel.bot.send_message(CHAT, "halo")
        await channel.close()
        assert [m["text"] for m in tg.sent_messages(CHAT)] == ["halo"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            del channel
            gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
