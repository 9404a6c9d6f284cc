"""The production web chat login in a real browser (chromium), against a real `ayo serve`.

The employee types their NIP, the code arrives on their Telegram (the fake Bot API, sent by
the server's own sender), they type it and chat.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from bot.linking.cli import make_link_code
from core.storage.db import Database
from tests.support import databases
from tests.support.channel_rig import TG_SECRET
from tests.support.console import ayo_env
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, tg_message_update
from tests.support.org import STAFF_A, small_org
from tests.support.server import ayo_server

CHAT = 7790101


async def prepare(url: str) -> str:
    """The small organisation, and a link code for Sari."""
    db = Database(url)
    try:
        now = datetime.now(UTC)
        await small_org(db, now)
        code, _, _ = await make_link_code(db, STAFF_A, now, timedelta(hours=1))
        return code
    finally:
        await db.dispose()


def wait_for(predicate, what: str, within: float = 30.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_employee_logs_in_with_the_code_from_telegram(database_url: str, tmp_path: Path):
    link = databases.run(prepare(database_url))
    with FakeTelegram(chats=(CHAT,)) as tg:
        env = ayo_env(database_url, tmp_path)
        del env["AYO_DEMO"]
        env.update(
            AYO_ENV="production",
            AYO_TELEGRAM_TOKEN=DEFAULT_TOKEN,
            AYO_TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
            AYO_TELEGRAM_API_URL=tg.base_url,
            AYO_TELEGRAM_BOT_USERNAME="ayo_test_bot",
        )
        with ayo_server(env) as url:
            update = tg_message_update(1, CHAT, CHAT, f"/start {link}")
            answer = httpx.post(
                f"{url}/telegram/webhook",
                content=json.dumps(update),
                headers={
                    "content-type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
                },
            )
            assert answer.status_code == 200
            wait_for(lambda: tg.sent_messages(CHAT), "the welcome message")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                try:
                    page = browser.new_page()
                    page.goto(url)
                    expect(page.locator("#login")).to_be_visible()
                    expect(page.locator("#demo")).to_have_count(0)
                    page.fill("#nip", "1990 0303 2015 03 1 003")  # typed as printed
                    page.click("#nipform button")
                    expect(page.locator("#loginmsg")).to_contain_text("kode masuk baru")
                    message = wait_for(
                        lambda: [
                            m["text"]
                            for m in tg.sent_messages(CHAT)
                            if "Kode masuk web chat" in m["text"]
                        ],
                        "the login code on Telegram",
                    )[-1]
                    code = re.search(r"\b(\d{6})\b", message).group(1)
                    page.fill("#code", "000000" if code != "000000" else "111111")
                    page.click("#codeform button")
                    expect(page.locator("#loginmsg")).to_contain_text("Kode salah")
                    page.fill("#code", code)
                    page.click("#codeform button")
                    expect(page.locator("#send")).to_be_visible()
                    expect(page.locator("#me")).to_have_text("Sari Staf")
                    page.fill("#text", "menu")
                    page.click("#send button")
                    expect(page.locator("#log")).to_contain_text("Apa yang bisa saya bantu")
                    cookie = next(c for c in page.context.cookies() if c["name"] == "ayo_session")
                    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
                    page.click("#logout")
                    expect(page.locator("#login")).to_be_visible()
                    page.reload()
                    expect(page.locator("#login")).to_be_visible()
                finally:
                    browser.close()
