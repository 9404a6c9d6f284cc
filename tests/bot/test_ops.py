"""/healthz, /readyz and /metrics as the city's monitoring sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, build_app
from bot.web.app import create_web
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import BackendCircuit, OutboxItem
from tests.support.channel_rig import channel_rig
from tests.support.fake_telegram import tg_message_update

TOKEN = "metrics-token-for-tests"
CHAT = 7770201


def client(ayo: App) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_web(ayo)), base_url="http://t"
    )


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def test_health_and_readiness_when_all_is_well(ayo: App) -> None:
    async with client(ayo) as web:
        assert (await web.get("/healthz")).json() == {"status": "ok"}
        ready = await web.get("/readyz")
        assert ready.status_code == 200
        checks = ready.json()["checks"]
        assert checks["database"] is True and checks["migrations"] is True
        assert checks["router"] is True


async def test_not_ready_before_the_migrations(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    fresh = await build_app(
        Settings(_env_file=None, database_url=url, data_dir=tmp_path, env="demo"),
        clock=clock,
        prepare=False,
    )
    try:
        async with client(fresh) as web:
            ready = await web.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["migrations"] is False
            assert ready.json()["checks"]["database"] is True
            assert (await web.get("/healthz")).status_code == 200
    finally:
        await fresh.close()


async def test_not_ready_without_the_database(tmp_path: Path, clock: FixedClock) -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    down = await build_app(
        Settings(_env_file=None, database_url=url, data_dir=tmp_path, env="demo"),
        clock=clock,
        prepare=False,
    )
    try:
        async with client(down) as web:
            ready = await web.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"] is False
    finally:
        await down.close()


@pytest.fixture
async def production(settings: Settings, clock: FixedClock) -> AsyncIterator:
    prod = settings.model_copy(update={"env": "production", "demo": False, "metrics_token": TOKEN})
    async with channel_rig(prod, clock, tg_chats=(CHAT,)) as rig:
        yield rig


async def test_metrics_need_the_token_in_production(production) -> None:
    web = production.web
    assert (await web.get("/metrics")).status_code == 403
    wrong = {"Authorization": "Bearer nope"}
    assert (await web.get("/metrics", headers=wrong)).status_code == 403
    right = await web.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert "ayo_updates_received_total" in right.text


async def test_production_without_a_token_serves_no_metrics(settings: Settings, clock) -> None:
    prod = settings.model_copy(update={"env": "production", "demo": False})
    async with channel_rig(prod, clock) as rig:
        assert (await rig.web.get("/metrics")).status_code == 403


async def test_metrics_count_updates_replies_and_show_the_outbox_and_breakers(production) -> None:
    rig = production
    auth = {"Authorization": f"Bearer {TOKEN}"}

    async def scrape() -> str:
        return (await rig.web.get("/metrics", headers=auth)).text

    before = await scrape()
    await rig.telegram(tg_message_update(1, CHAT, CHAT, "halo"))
    await rig.settle()
    after = await scrape()
    received = "ayo_updates_received_total"
    assert (
        sample(after, received, channel="telegram")
        == sample(before, received, channel="telegram") + 1
    )
    processed = "ayo_updates_processed_total"
    assert (
        sample(after, processed, channel="telegram")
        == sample(before, processed, channel="telegram") + 1
    )
    sent = "ayo_replies_sent_total"
    assert sample(after, sent, channel="telegram") == sample(before, sent, channel="telegram") + 1

    now = rig.clock()
    async with rig.ayo.db.transaction() as session:
        for minutes, key in ((2, "a"), (1, "b")):
            session.add(
                OutboxItem(
                    kind="message",
                    channel="whatsapp",
                    payload={},
                    idempotency_key=f"metrics-{key}",
                    status="pending",
                    next_attempt_at=now + timedelta(hours=1),
                    created_at=now - timedelta(minutes=minutes),
                )
            )
        session.add(BackendCircuit(backend="simpeg", state="open", failures=5, updated_at=now))
    text = await scrape()
    assert sample(text, "ayo_outbox_pending", channel="whatsapp") == 2
    assert sample(text, "ayo_outbox_oldest_age_seconds", channel="whatsapp") == 120
    assert sample(text, "ayo_backend_breaker_state", backend="simpeg") == 2
