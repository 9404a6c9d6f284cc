"""The fakes, proven with the real clients (PTB, pywa) over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pywa
import pywa_async
from pywa import errors as wa_errors
from pywa.types import Button, Section, SectionList, SectionRow
from pywa.types.templates import TemplateLanguage
from pywa.utils import webhook_updates_validator
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from .fake_telegram import DEFAULT_TOKEN as TG_TOKEN
from .fake_telegram import FakeTelegram, TelegramLimits, tg_callback_update, tg_message_update
from .fake_whatsapp import (
    DEFAULT_PHONE_ID,
    FakeWhatsApp,
    GraphAPIRedirect,
    bsuid,
    sign,
    wa_button_reply_update,
    wa_list_reply_update,
    wa_status_update,
    wa_text_update,
)
from .fake_whatsapp import DEFAULT_TOKEN as WA_TOKEN

PAYLOADS = Path(__file__).parent / "payloads"
CHAT = 111222333
USER = "6281234567890"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (PTBDeprecationWarning) when RetryAfter.retry_after is an int; opt in.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:10] or "x", callback_data=d)] for d in data]
    )


# -- Telegram ---------------------------------------------------------------------------------
@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(chats=[CHAT]) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TG_TOKEN, base_url=tg.url + "/bot") as bot:
        yield bot


async def test_ptb_sends_message_with_inline_keyboard(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT,
        "<b>Cuti</b> disetujui &amp; dicatat",
        parse_mode="HTML",
        reply_markup=_keyboard("ok"),
    )

    assert sent.message_id == 1
    assert sent.chat.id == CHAT
    assert sent.text == "Cuti disetujui & dicatat"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 4
    assert sent.reply_markup == _keyboard("ok")
    assert bot.username == "ayo_test_bot"  # getMe ran in `async with bot`
    assert tg.calls("sendMessage") == [
        {
            "chat_id": CHAT,
            "text": "<b>Cuti</b> disetujui &amp; dicatat",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]},
        }
    ]
    assert tg.sent_messages(CHAT)[0]["text"] == "Cuti disetujui & dicatat"


async def test_callback_data_over_64_bytes_is_bad_request(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "64 bytes", reply_markup=_keyboard("a" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "65 bytes", reply_markup=_keyboard("a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):  # 33 chars, 66 bytes
        await bot.send_message(CHAT, "multibyte", reply_markup=_keyboard("ä" * 33))
    assert [r.status for r in tg.requests("sendMessage")] == [200, 400, 400]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("gaji < 5 juta", 'Unsupported start tag "" at byte offset 5'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_broken_html_is_bad_request(
    tg: FakeTelegram, bot: Bot, html: str, error: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as caught:
        await bot.send_message(CHAT, html, parse_mode="HTML")
    assert error.lower() in caught.value.message.lower()  # PTB lower-cases all but the 1st char
    description = tg.requests("sendMessage")[-1].response["description"]
    assert description.startswith("Bad Request: can't parse entities: ")
    assert error in description


async def test_html_length_counts_visible_text(bot: Bot) -> None:
    ok = await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert len(ok.text) == 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    link = await bot.send_message(
        CHAT, 'A & B <a href="https://ayo.go.id">portal</a>', parse_mode="HTML"
    )
    assert link.text == "A & B portal" and link.entities[0].url == "https://ayo.go.id"


async def test_unknown_and_blocked_chats(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "halo")
    tg.block_chat(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "halo")


async def test_flood_limits_raise_retry_after() -> None:
    limits = TelegramLimits(global_per_sec=3, per_chat_per_sec=1)
    async with (
        FakeTelegram(chats=[1, 2, 3, 4], limits=limits) as tg,
        Bot(TG_TOKEN, base_url=tg.base_url) as bot,
    ):
        await bot.send_message(1, "satu")
        with pytest.raises(RetryAfter) as per_chat:
            await bot.send_message(1, "dua")
        await bot.send_message(2, "x")
        await bot.send_message(3, "x")
        with pytest.raises(RetryAfter) as global_:
            await bot.send_message(4, "x")
    assert per_chat.value.retry_after == timedelta(seconds=1)
    assert global_.value.retry_after == timedelta(seconds=1)
    assert tg.count_429 == 2
    assert tg.requests("sendMessage")[1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_edit_and_callback_answer(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Pilih:", reply_markup=_keyboard("a", "b"))
    edited = await bot.edit_message_text("Dipilih: a", chat_id=CHAT, message_id=sent.message_id)
    assert edited.text == "Dipilih: a" and edited.reply_markup is None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Dipilih: a", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_reply_markup(CHAT, 4242, reply_markup=_keyboard("z"))
    assert await bot.answer_callback_query("4382000000000000001", text="Tersimpan")
    assert await bot.send_chat_action(CHAT, "typing")
    assert tg.message(CHAT, sent.message_id)["text"] == "Dipilih: a"


async def test_base_url_with_token_placeholder(tg: FakeTelegram) -> None:
    async with Bot(TG_TOKEN, base_url=tg.url + "/bot{token}") as bot:  # STYLE.md rule 15 form
        assert (await bot.send_message(CHAT, "ok")).message_id == 1


async def test_wrong_token_is_invalid_token(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=tg.base_url):
            pass


async def test_get_updates_long_poll_wakes_on_push(tg: FakeTelegram, bot: Bot) -> None:
    tg.max_poll_wait = 30
    poll = asyncio.create_task(bot.get_updates(timeout=timedelta(seconds=30)))
    await tg.wait_for_long_poll()
    tg.push_update(tg_message_update(10, 555, 555, "/start"))
    updates = await asyncio.wait_for(poll, timeout=5)
    assert updates[0].message.text == "/start" and updates[0].message.chat.id == 555
    tg.max_poll_wait = 0.01
    assert await bot.get_updates(offset=11, timeout=timedelta(seconds=30)) == ()
    await bot.send_message(555, "chat learnt from the update")


async def test_webhook_rules(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
        await bot.set_webhook("http://ayo.go.id/tg")
    assert await bot.set_webhook("https://ayo.go.id/tg", secret_token="s3cret")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.set_my_commands([("mulai", "Mulai"), ("bantuan", "Bantuan")])
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Mulai", "huruf besar ditolak")])


def test_sync_use_from_a_thread() -> None:
    with FakeTelegram(chats=[CHAT]) as tg:
        res = httpx.post(
            f"{tg.base_url}{TG_TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "hi"}
        )
        assert res.json()["result"]["message_id"] == 1
        url = tg.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_telegram_builders_match_samples() -> None:
    message = tg_message_update(100000001, CHAT, CHAT, "/start")
    callback = tg_callback_update(100000002, CHAT, CHAT, "cuti:setuju", 42)
    assert message == json.loads((PAYLOADS / "telegram_message.json").read_text())
    assert callback == json.loads((PAYLOADS / "telegram_callback_query.json").read_text())
    bot = Bot(TG_TOKEN)
    assert Update.de_json(message, bot).message.text == "/start"
    parsed = Update.de_json(callback, bot).callback_query
    assert parsed.data == "cuti:setuju" and parsed.message.message_id == 42
    group = Update.de_json(tg_message_update(3, -1001, 7, "halo", "supergroup"), bot)
    assert group.effective_chat.type == "supergroup" and group.effective_user.id == 7


# -- WhatsApp ---------------------------------------------------------------------------------
@pytest.fixture
async def wa_fake() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp(recipients=[USER], templates=["pengingat_absen"]) as fake:
        yield fake


@pytest.fixture
async def wa(wa_fake: FakeWhatsApp) -> AsyncIterator[pywa_async.WhatsApp]:
    session = httpx.AsyncClient(transport=GraphAPIRedirect(wa_fake.url))
    yield pywa_async.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, session=session)
    await session.aclose()


def _buttons(n: int) -> list[Button]:
    return [Button(title=f"Pilihan {i}", callback_data=f"opt:{i}") for i in range(n)]


def _rows(n: int) -> SectionList:
    rows = [SectionRow(title=f"Layanan {i}", callback_data=f"svc:{i}") for i in range(n)]
    return SectionList(
        button_title="Pilih layanan", sections=[Section(title="Layanan", rows=rows)]
    )


async def test_pywa_sends_text(wa_fake: FakeWhatsApp, wa: pywa_async.WhatsApp) -> None:
    sent = await wa.send_message(to=USER, text="Halo, ada yang bisa dibantu?")
    assert sent.id.startswith("wamid.")
    assert wa_fake.sent(USER) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "type": "text",
            "to": USER,
            "text": {"body": "Halo, ada yang bisa dibantu?", "preview_url": False},
        }
    ]
    assert wa_fake.requests()[0].path.endswith(f"/{DEFAULT_PHONE_ID}/messages")
    assert wa_fake.requests()[0].path.startswith("/v")


async def test_pywa_buttons_limits(wa_fake: FakeWhatsApp, wa: pywa_async.WhatsApp) -> None:
    await wa.send_message(to=USER, text="Setujui cuti?", buttons=_buttons(3))
    with pytest.raises(wa_errors.InvalidParameter) as four:
        await wa.send_message(to=USER, text="Setujui cuti?", buttons=_buttons(4))
    with pytest.raises(wa_errors.InvalidParameter, match="Button title"):
        await wa.send_message(
            to=USER, text="x", buttons=[Button(title="x" * 21, callback_data="long")]
        )
    with pytest.raises(wa_errors.InvalidParameter, match=r"body.text"):
        await wa.send_message(to=USER, text="x" * 1025, buttons=_buttons(1))
    assert four.value.code == 131009 and four.value.status_code == 400
    assert "between 1 and 3" in four.value.details
    action = wa_fake.sent(USER)[0]["interactive"]["action"]
    assert action["buttons"][2] == {
        "type": "reply",
        "reply": {"id": "opt:2", "title": "Pilihan 2"},
    }
    assert len(wa_fake.sent()) == 1


async def test_pywa_list_limits(wa_fake: FakeWhatsApp, wa: pywa_async.WhatsApp) -> None:
    await wa.send_message(to=USER, text="Layanan apa?", buttons=_rows(10))
    with pytest.raises(wa_errors.InvalidParameter, match="max allowed count: 10"):
        await wa.send_message(to=USER, text="Layanan apa?", buttons=_rows(11))
    interactive = wa_fake.sent(USER)[0]["interactive"]
    assert interactive["type"] == "list"
    assert len(interactive["action"]["sections"][0]["rows"]) == 10


async def test_pywa_templates_allowlist(wa_fake: FakeWhatsApp, wa: pywa_async.WhatsApp) -> None:
    await wa.send_template(to=USER, name="pengingat_absen", language=TemplateLanguage.INDONESIAN)
    with pytest.raises(wa_errors.TemplateNotExists):
        await wa.send_template(to=USER, name="promo", language=TemplateLanguage.INDONESIAN)
    assert wa_fake.sent(USER)[0]["template"] == {
        "name": "pengingat_absen",
        "language": {"code": "id"},
    }
    assert wa_fake.requests()[0].response["messages"][0]["message_status"] == "accepted"


async def test_pywa_rejections(wa_fake: FakeWhatsApp, wa: pywa_async.WhatsApp) -> None:
    with pytest.raises(wa_errors.RecipientNotInAllowedList):
        await wa.send_message(to="6289999999999", text="siapa?")
    with pytest.raises(wa_errors.InvalidParameter, match=r"text.body"):
        await wa.send_message(to=USER, text="a" * 4097)
    async with httpx.AsyncClient(transport=GraphAPIRedirect(wa_fake.url)) as session:
        stranger = pywa_async.WhatsApp(
            phone_id=DEFAULT_PHONE_ID, token="EAAwrong", session=session
        )
        with pytest.raises(wa_errors.AuthorizationError) as auth:
            await stranger.send_message(to=USER, text="x")
    assert auth.value.code == 190 and auth.value.status_code == 401
    assert await wa.mark_message_as_read("wamid.incoming1")
    assert wa_fake.read_receipts() == ["wamid.incoming1"]


async def test_pywa_rate_limit() -> None:
    async with (
        FakeWhatsApp(recipients=[USER], per_phone_per_sec=2) as fake,
        httpx.AsyncClient(transport=GraphAPIRedirect(fake.url)) as session,
    ):
        wa = pywa_async.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, session=session)
        await wa.send_message(to=USER, text="1")
        await wa.send_message(to=USER, text="2")
        with pytest.raises(wa_errors.RateLimitHit) as hit:
            await wa.send_message(to=USER, text="3")
    assert hit.value.status_code == 429 and fake.count_429 == 1


def test_sync_pywa_through_the_same_redirect() -> None:
    with (
        FakeWhatsApp(recipients=[USER]) as fake,
        httpx.Client(transport=GraphAPIRedirect(fake.url + "/graph")) as session,
    ):
        wa = pywa.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, session=session)
        with pytest.raises(wa_errors.WhatsAppError, match="Unknown path components: /graph"):
            wa.send_message(to=USER, text="prefix is kept")
    with (
        FakeWhatsApp(recipients=[USER]) as fake,
        httpx.Client(transport=GraphAPIRedirect(fake.url)) as session,
    ):
        wa = pywa.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, session=session)
        assert wa.send_message(to=USER, text="sync").id.startswith("wamid.")


@pytest.mark.parametrize(
    ("sample", "payload"),
    [
        ("whatsapp_text.json", wa_text_update(USER, "cek sisa cuti")),
        ("whatsapp_button_reply.json", wa_button_reply_update(USER, "cuti:setuju", "Setuju")),
        (
            "whatsapp_list_reply.json",
            wa_list_reply_update(USER, "svc:slip", "Slip gaji", "Unduh slip gaji bulan ini"),
        ),
        ("whatsapp_status_sent.json", wa_status_update(USER, "wamid.AYO1", "sent")),
        ("whatsapp_status_delivered.json", wa_status_update(USER, "wamid.AYO1", "delivered")),
        ("whatsapp_status_read.json", wa_status_update(USER, "wamid.AYO1", "read")),
        ("whatsapp_status_failed.json", wa_status_update(USER, "wamid.AYO1", "failed")),
    ],
)
def test_whatsapp_builders_match_samples(sample: str, payload: dict[str, Any]) -> None:
    assert payload == json.loads((PAYLOADS / sample).read_text())


async def test_pywa_parses_built_webhooks() -> None:
    wa = pywa_async.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, validate_updates=False)
    seen: list[Any] = []
    for register in (wa.on_message, wa.on_callback_button, wa.on_callback_selection):
        register()(lambda _, update: seen.append(update))
    wa.on_message_status()(lambda _, update: seen.append(update))
    payloads = [
        wa_text_update(USER, "cek sisa cuti"),
        wa_button_reply_update(USER, "cuti:setuju", "Setuju", wamid="wamid.B"),
        wa_list_reply_update(USER, "svc:slip", "Slip gaji", wamid="wamid.L"),
        wa_status_update(USER, "wamid.AYO1", "delivered"),
        wa_status_update(USER, "wamid.AYO2", "failed", contacts=True),
    ]
    for payload in payloads:
        assert await wa.webhook_update_handler(json.dumps(payload).encode()) == ("ok", 200)
    text, button, selection, delivered, failed = seen
    assert text.text == "cek sisa cuti" and text.from_user.wa_id == USER
    assert text.from_user.bsuid == bsuid(USER)
    assert button.data == "cuti:setuju" and selection.data == "svc:slip"
    assert delivered.status == "delivered" and delivered.id == "wamid.AYO1"
    assert failed.status == "failed" and failed.error.code == 131026
    body = json.dumps(payloads[0]).encode()
    assert webhook_updates_validator("app-secret", body, sign(body, "app-secret"))


async def test_pywa_drops_failed_status_without_contacts(caplog: pytest.LogCaptureFixture) -> None:
    """Quirk of pywa 4.5.0: Meta omits ``contacts`` on failed statuses; pywa then logs an
    error and calls no status handler (only raw-update handlers see it)."""
    wa = pywa_async.WhatsApp(phone_id=DEFAULT_PHONE_ID, token=WA_TOKEN, validate_updates=False)
    statuses: list[Any] = []
    raw: list[Any] = []
    wa.on_message_status()(lambda _, update: statuses.append(update))
    wa.on_raw_update()(lambda _, update: raw.append(update))
    payload = json.dumps(wa_status_update(USER, "wamid.AYO3", "failed")).encode()
    assert await wa.webhook_update_handler(payload) == ("ok", 200)
    assert statuses == [] and len(raw) == 1
    assert "Failed to construct update" in caplog.text
