"""The engine's promises: exactly once, state in the database, friendly answers to bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.types import ChatRef, Inbound
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import AuditEvent, ChatAccount, InboxItem, OutboxItem

DIMAS = "199402172019031005"
NURUL = "199008252015032006"


async def say(ayo: App, text: str, nip: str = DIMAS) -> list[str]:
    await ayo.local.say(nip, text=text)
    return [m.text for m in await ayo.local.collect(nip)]


async def count(ayo: App, model: type, *where: object) -> int:
    async with ayo.db.sessions() as s:
        return (
            await s.execute(select(func.count()).select_from(model).where(*where))
        ).scalar_one()


async def test_gibberish_gets_a_friendly_not_understood_never_an_action(ayo: App) -> None:
    await ayo.local.say(DIMAS, text="asdfgh qwerty")
    [message] = await ayo.local.collect(DIMAS)
    assert "belum mengerti" in message.text
    assert message.buttons  # a way forward: suggestions or the menu
    assert await count(ayo, OutboxItem, OutboxItem.kind == "backend") == 0


async def test_a_second_miss_offers_a_human(ayo: App) -> None:
    await say(ayo, "asdfgh qwerty")
    [message] = [m for m in await _say_full(ayo, "zzzz xxxx yyyy")]
    assert "masih belum mengerti" in message.text
    labels = [label for label, _ in message.buttons]
    assert any("petugas" in label.lower() or "manusia" in label.lower() for label in labels)


async def _say_full(ayo: App, text: str, nip: str = DIMAS):
    await ayo.local.say(nip, text=text)
    return await ayo.local.collect(nip)


async def test_not_understood_messages_are_kept_without_personal_numbers(ayo: App) -> None:
    from bot.unknown import most_frequent

    await say(ayo, "resep nasi goreng hubungi 081234567890")
    async with ayo.db.sessions() as s:
        [row] = await most_frequent(s)
    assert "081234567890" not in row.text
    assert "nasi goreng" in row.text


async def test_a_redelivered_update_is_processed_once(ayo: App) -> None:
    inbound = Inbound(chat=ChatRef("local", DIMAS), key="same-key", text="halo")
    await ayo.local.ensure_account(await ayo.local.employee(DIMAS))
    first = await ayo.engine.handle(inbound)
    second = await ayo.engine.handle(inbound)
    assert first is not None
    assert second is None
    assert await count(ayo, InboxItem) == 1
    assert len(await ayo.local.collect(DIMAS)) == 1


async def test_huge_emoji_and_html_messages_get_an_answer_and_are_kept(ayo: App) -> None:
    text = "<b>tolong</b> 😀🙏 " + "x" * 6000
    replies = await say(ayo, text)
    assert len(replies) == 1
    async with ayo.db.sessions() as s:
        item = (await s.execute(select(InboxItem))).scalar_one()
    assert item.status == "processed"
    assert len(item.text) == 5000


async def test_a_forged_button_is_refused_and_audited(ayo: App) -> None:
    await ayo.local.say(DIMAS, button="forged-token-123")
    [message] = await ayo.local.collect(DIMAS)
    assert "tidak dikenali" in message.text
    assert await count(ayo, AuditEvent, AuditEvent.action == "refused.unknown") == 1


async def test_someone_elses_button_is_refused(ayo: App) -> None:
    await ayo.local.say(DIMAS, text="menu")
    [menu] = await ayo.local.collect(DIMAS)
    _, token = menu.buttons[0]
    await ayo.local.say(NURUL, button=token)
    [message] = await ayo.local.collect(NURUL)
    assert "bukan untuk Anda" in message.text
    assert await count(ayo, AuditEvent, AuditEvent.action == "refused.not_yours") == 1


async def test_buttons_survive_a_restart(settings: Settings, clock: FixedClock) -> None:
    first = await build_app(settings, clock=clock)
    await first.local.say(DIMAS, text="menu")
    [menu] = await first.local.collect(DIMAS)
    await first.close()
    clock.advance(timedelta(minutes=5))
    second = await build_app(settings, clock=clock)
    try:
        help_token = next(t for label, t in menu.buttons if "Saldo" in label or "Sisa" in label)
        await second.local.say(DIMAS, button=help_token)
        replies = await second.local.collect(DIMAS)
        assert replies and "tidak dikenali" not in replies[0].text
    finally:
        await second.close()


async def test_an_unlinked_chat_is_told_how_to_link_and_nothing_else(ayo: App) -> None:
    inbound = Inbound(chat=ChatRef("telegram", "999"), key="u1", text="slip gaji nov")
    await ayo.engine.handle(inbound)
    async with ayo.db.sessions() as s:
        account = (
            await s.execute(select(ChatAccount).where(ChatAccount.external_id == "999"))
        ).scalar_one()
        [row] = (
            await s.execute(select(OutboxItem).where(OutboxItem.chat_account_id == account.id))
        ).scalars()
    assert "belum terhubung" in row.payload["text"]["id"]
    assert "not linked" in row.payload["text"]["en"]


async def test_a_handler_crash_keeps_the_message_and_apologises(ayo: App, monkeypatch) -> None:
    from bot.handlers import tables

    async def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(tables.INTENT_HANDLERS, "greeting", broken)
    replies = await say(ayo, "selamat pagi")
    assert "gangguan" in replies[0]
    async with ayo.db.sessions() as s:
        item = (await s.execute(select(InboxItem))).scalar_one()
    assert (item.status, item.text) == ("failed", "selamat pagi")


async def test_batal_cancels_what_was_in_progress(ayo: App) -> None:
    replies = await say(ayo, "batal")
    assert "Tidak ada yang sedang berjalan" in replies[0]


async def test_two_messages_sent_at_once_are_answered_in_order(ayo: App) -> None:
    """A double send from the web chat (two tabs, a quick second message) is two requests at
    once: the second waits for the first, nothing fails, the answers keep the order."""
    first = asyncio.create_task(
        ayo.local.say(DIMAS, text="cuti sakit besok 2 hari", client_id="first")
    )
    # The second is sent once the first is committed (so it is the later message) and while
    # the first is still being processed.
    while await count(ayo, InboxItem) == 0:  # noqa: ASYNC110 (a row in the database, no event)
        await asyncio.sleep(0.001)
    await asyncio.gather(first, ayo.local.say(DIMAS, text="demam tinggi", client_id="second"))
    texts = [m.text for m in await ayo.local.collect(DIMAS)]
    assert await count(ayo, InboxItem, InboxItem.status == "failed") == 0
    assert await count(ayo, InboxItem, InboxItem.status == "processed") == 2
    assert "Apa keperluan cutinya?" in texts[0]
    # "demam tinggi" answered the question the first message asked (the reason), not a new
    # conversation: the form moved on to the doctor's letter.
    assert "Kirim foto atau PDF" in texts[-1]


async def test_what_a_handler_queues_keeps_its_place_before_the_replies(ayo: App) -> None:
    from core.messages import Reply
    from core.outbox import enqueue_reply
    from core.text import T

    async def handler(ctx):
        enqueue_reply(ctx.session, ctx.account, Reply(T("pertama", "first")), now=ctx.now,
                      key=f"handler:{ctx.inbox_id}")  # fmt: skip
        return [Reply(T("kedua", "second"))]

    ayo.engine.unlinked = handler  # a chat not linked yet: the handler above answers it
    inbox_id = await ayo.engine.handle(Inbound(ChatRef("telegram", "555"), key="o:1", text="x"))
    async with ayo.db.sessions() as s:
        chat = await s.scalar(select(InboxItem.chat_account_id).where(InboxItem.id == inbox_id))
        keys = list(
            (
                await s.execute(
                    select(OutboxItem.idempotency_key)
                    .where(OutboxItem.chat_account_id == chat)
                    .order_by(OutboxItem.id)
                )
            ).scalars()
        )
    # Sent in id order: the handler's message, then the step's reply, as the handler meant.
    assert keys == [f"handler:{inbox_id}", f"reply:{inbox_id}:0"]
