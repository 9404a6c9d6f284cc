"""`kill -9` in the middle of a rush: nothing acknowledged is lost, at most one reply per chat
in flight goes out twice, and the restart works off the backlog at once.

The real `ayo serve` runs as a subprocess against the fake Bot API (its own thread here, real
HTTP). Updates are posted to the webhook; once some replies have arrived the server is killed
with SIGKILL and started again on the same port (so under the same name: it takes its own
claims back instead of waiting for their leases). Bounded: 40 updates, a generous deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.support.console import ROOT
from tests.support.fake_telegram import DEFAULT_TOKEN, FakeTelegram, tg_message_update
from tests.support.server import free_port

SECRET = "kill-test-secret-0123"
CHATS = [910_000 + n for n in range(10)]
PER_CHAT = 4


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "ayo serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("ayo serve did not start")


def post(port: int, update_id: int, chat: int) -> int:
    response = httpx.post(
        f"http://127.0.0.1:{port}/telegram/webhook",
        json=tg_message_update(update_id, chat, chat, f"halo {update_id}"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=30,
    )
    return response.status_code


def replies(tg: FakeTelegram) -> Counter[int]:
    return Counter(m["chat"]["id"] for m in tg.sent_messages())


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_kill_9_loses_nothing_acknowledged_and_doubles_at_most_the_sends_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    # Every send takes a moment at the fake, so several are in flight when the kill comes.
    with FakeTelegram(chats=CHATS, latency=0.05) as tg:
        env = {
            **os.environ,
            "AYO_DATABASE_URL": database_url, "AYO_DATA_DIR": str(tmp_path), "AYO_DEMO": "0",
            "AYO_LOG_LEVEL": "WARNING", "AYO_TELEGRAM_TOKEN": DEFAULT_TOKEN,
            "AYO_TELEGRAM_API_URL": tg.base_url, "AYO_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "AYO_TELEGRAM_BOT_USERNAME": "ayo_test_bot", "AYO_TELEGRAM_RATE_GLOBAL": "1000",
            "AYO_WORKERS": "1", "PTB_TIMEDELTA": "true",
        }  # fmt: skip
        port = free_port()
        updates = [(n + 1, CHATS[n % len(CHATS)]) for n in range(len(CHATS) * PER_CHAT)]
        server = start(env, port)
        try:
            acked = [u for u in updates[:20] if post(port, *u) == 200]
            assert len(acked) == 20
            assert wait_for(lambda: sum(replies(tg).values()) >= 8, 60)
        finally:
            # kill -9 the whole process group (the server and its worker process).
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        at_kill = sum(replies(tg).values())

        server = start(env, port)
        try:
            acked += [u for u in updates[20:] if post(port, *u) == 200]
            assert len(acked) == 40
            done = wait_for(lambda: all(replies(tg)[c] >= PER_CHAT for c in CHATS), 90)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    got = replies(tg)
    assert done, f"replies per chat after the restart: {dict(got)}"
    # Nothing acknowledged was lost: every update of every chat was answered.
    assert all(got[chat] >= PER_CHAT for chat in CHATS)
    # At most one reply per chat went out twice (the send in flight at the kill).
    assert all(got[chat] <= PER_CHAT + 1 for chat in CHATS)
    assert at_kill < 40  # the kill really came mid-way
