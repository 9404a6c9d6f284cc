"""Fuzzing the webhooks and the inbound API: hostile bodies never get a server error.

A fixed budget for CI (derandomized, a bounded number of examples per endpoint); the longer
run is bench/fuzz_webhooks.py. Bodies are authentic (right secret, valid signature, valid API
key) so they reach the parsers, not only the door.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import FixedClock
from core.settings import Settings
from integrations import apikeys
from tests.support import hostile
from tests.support.channel_rig import Rig, channel_rig

BUDGET = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def rig(settings: Settings, clock: FixedClock) -> AsyncIterator[Rig]:
    async with channel_rig(settings, clock, tg_chats=(5550001,)) as rig:
        yield rig


@pytest.fixture
async def api_key(rig: Rig, clock: FixedClock) -> str:
    async with rig.ayo.db.transaction() as session:
        return (await apikeys.create(session, "fuzz", clock())).key


@BUDGET
@given(body=hostile.bodies(hostile.TELEGRAM_UPDATE))
async def test_telegram_webhook(rig: Rig, body: bytes) -> None:
    response = await rig.telegram(body)
    assert response.status_code in (200, 400, 413)  # 413: past AYO_WEBHOOK_MAX_BYTES
    await rig.ayo.inbound.idle()


@BUDGET
@given(body=hostile.bodies(hostile.WHATSAPP_PAYLOAD))
async def test_whatsapp_webhook(rig: Rig, body: bytes) -> None:
    response = await rig.whatsapp(body)
    assert response.status_code in (200, 400, 413)  # 413: past AYO_WEBHOOK_MAX_BYTES
    await rig.ayo.inbound.idle()


@BUDGET
@given(
    route=st.sampled_from(["notifications", "approvals", "status"]),
    data=st.data(),
)
async def test_inbound_api(rig: Rig, api_key: str, route: str, data: st.DataObject) -> None:
    headers = {"X-API-Key": api_key, "content-type": "application/json"}
    if route == "notifications":
        body = data.draw(hostile.bodies(hostile.NOTIFICATION))
        response = await rig.web.post("/api/v1/notifications", content=body, headers=headers)
    elif route == "approvals":
        body = data.draw(hostile.bodies(hostile.APPROVAL))
        response = await rig.web.post("/api/v1/approvals", content=body, headers=headers)
    else:
        ref = quote(data.draw(hostile.REF), safe="")
        body = data.draw(hostile.bodies(hostile.STATUS))
        response = await rig.web.post(
            f"/api/v1/requests/{ref}/status", content=body, headers=headers
        )
    assert 200 <= response.status_code < 500
    assert "Traceback" not in response.text
