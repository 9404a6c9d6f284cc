"""Backend delivery over real HTTP on loopback: retries, Retry-After, breaker, dead-letter."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import BackendCircuit, Employee, OutboxItem, ServiceRequest
from integrations import breaker
from integrations.approvals import Env
from integrations.catalog import ConnectorSpec
from integrations.connectors.http import HttpBackend, HttpConnector, Operation
from integrations.delivery import deliver_due
from integrations.requests import submit
from tests.support.fake_backend import FakeBackend


@pytest.fixture
async def backend() -> AsyncIterator[FakeBackend]:
    async with FakeBackend() as fake:
        yield fake


def connectors(url: str, timeout: float = 2.0) -> dict[str, HttpConnector]:
    config = HttpBackend(
        name="hrapp",
        base_url=url,
        timeout_seconds=timeout,
        dead_letter_after_hours=2,
        auth={"type": "bearer", "env": "AYO_TEST_HRAPP_TOKEN"},
        operations={
            "ticket.create": Operation(
                path="/tickets",
                response={"external_ref": "data.id", "status": "data.status"},
                completed_when=("done",),
            )
        },
    )
    return {"hrapp": HttpConnector(config)}


async def file_ticket(ayo: App, clock: FixedClock, name: str = "Dimas Prasetyo") -> int:
    spec = ayo.deps.services.get("helpdesk").model_copy(
        update={
            "connector": ConnectorSpec(
                backend="hrapp",
                operation="ticket.create",
                mapping={"nip": "{employee.nip}", "text": "{description}"},
            )
        }
    )
    async with ayo.db.transaction() as session:
        me = (await session.execute(select(Employee).where(Employee.name == name))).scalar_one()
        data = {"category": "perangkat", "description": "printer macet", "location": "R.201"}
        env = Env(now=clock(), calendar=ayo.deps.calendar, channel="local")
        request = await submit(session, spec, me, data, env=env)
        return request.id


async def state(ayo: App, request_id: int) -> tuple[str, OutboxItem]:
    async with ayo.db.sessions() as session:
        request = await session.get(ServiceRequest, request_id)
        item = (
            (await session.execute(select(OutboxItem).where(OutboxItem.kind == "backend")))
            .scalars()
            .all()
        )
        mine = next(i for i in item if i.payload["request_id"] == request_id)
        return request.status, mine


async def test_an_approved_request_is_delivered_with_its_idempotency_key(
    ayo: App, clock: FixedClock, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AYO_TEST_HRAPP_TOKEN", "s3cret")
    request_id = await file_ticket(ayo, clock)
    assert await deliver_due(ayo.db, clock(), connectors(backend.url)) == 1
    status, item = await state(ayo, request_id)
    assert (status, item.status, item.external_ref) == ("completed", "sent", "EXT-0001")
    assert backend.calls[0]["key"] == item.idempotency_key
    assert backend.calls[0]["auth"] == "Bearer s3cret"
    assert backend.calls[0]["body"]["text"] == "printer macet"


async def test_while_the_backend_is_down_the_request_waits_and_is_delivered_once_later(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    request_id = await file_ticket(ayo, clock)
    links = connectors(backend.url)
    backend.mode = "down"
    await deliver_due(ayo.db, clock(), links, rng=random.Random(1))
    status, item = await state(ayo, request_id)
    assert (status, item.status, item.attempts) == ("approved", "pending", 1)
    assert item.next_attempt_at > clock()
    assert await deliver_due(ayo.db, clock(), links) == 0  # not due yet: nothing is called
    clock.advance(timedelta(minutes=5))
    await deliver_due(ayo.db, clock(), links, rng=random.Random(1))
    backend.mode = "ok"
    clock.advance(timedelta(minutes=10))
    await deliver_due(ayo.db, clock(), links)
    await deliver_due(ayo.db, clock() + timedelta(hours=1), links)
    status, item = await state(ayo, request_id)
    assert (status, item.status, item.attempts) == ("completed", "sent", 3)
    assert len(backend.records) == 1


async def test_a_stopped_backend_is_retried_and_reached_at_its_new_address(
    ayo: App, clock: FixedClock
) -> None:
    request_id = await file_ticket(ayo, clock)
    gone = FakeBackend()
    await gone.astart()
    url = gone.url
    await gone.astop()
    await deliver_due(ayo.db, clock(), connectors(url))
    status, item = await state(ayo, request_id)
    assert (status, item.status) == ("approved", "pending")
    async with FakeBackend() as back:
        clock.advance(timedelta(hours=1))
        await deliver_due(ayo.db, clock(), connectors(back.url))
        assert len(back.records) == 1
    assert (await state(ayo, request_id))[0] == "completed"


async def test_a_4xx_answer_is_not_retried_and_goes_to_the_dead_letter(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    request_id = await file_ticket(ayo, clock)
    backend.mode = "reject"
    await deliver_due(ayo.db, clock(), connectors(backend.url))
    status, item = await state(ayo, request_id)
    assert (status, item.status, len(backend.calls)) == ("failed", "dead", 1)
    async with ayo.db.sessions() as session:
        told = (
            (
                await session.execute(
                    select(OutboxItem.employee_id).where(OutboxItem.idempotency_key.like("%dead%"))
                )
            )
            .scalars()
            .all()
        )
        hr = (await session.execute(select(Employee))).scalars().all()
    admins = {e.id for e in hr if e.has_role("hr_admin")}
    assert admins <= set(told)
    async with ayo.db.sessions() as session:
        request = await session.get(ServiceRequest, request_id)
    assert request.employee_id in told


async def test_a_429_waits_at_least_its_retry_after(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    request_id = await file_ticket(ayo, clock)
    backend.mode, backend.retry_after = "throttle", "900"
    await deliver_due(ayo.db, clock(), connectors(backend.url), rng=random.Random(3))
    _, item = await state(ayo, request_id)
    assert item.status == "pending"
    assert item.next_attempt_at >= clock() + timedelta(seconds=900)


async def test_a_slow_answer_times_out_and_the_retry_does_not_create_a_second_record(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    request_id = await file_ticket(ayo, clock)
    backend.mode, backend.delay = "slow", 1.5
    await deliver_due(ayo.db, clock(), connectors(backend.url, timeout=0.3))
    assert (await state(ayo, request_id))[1].status == "pending"
    backend.mode, backend.delay = "ok", 0.0
    clock.advance(timedelta(hours=1))
    await deliver_due(ayo.db, clock(), connectors(backend.url))
    status, item = await state(ayo, request_id)
    assert (status, len(backend.calls), len(backend.records)) == ("completed", 2, 1)
    assert backend.calls[0]["key"] == backend.calls[1]["key"] == item.idempotency_key


async def test_repeated_500s_open_the_circuit_and_stop_calling_the_backend(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    for _ in range(breaker.THRESHOLD + 2):
        await file_ticket(ayo, clock)
    backend.mode = "error"
    await deliver_due(ayo.db, clock(), connectors(backend.url))
    assert len(backend.calls) == breaker.THRESHOLD
    async with ayo.db.sessions() as session:
        circuit = await session.get(BackendCircuit, "hrapp")
    assert circuit.state == "open"
    backend.mode = "ok"
    clock.advance(breaker.OPEN_FOR + timedelta(seconds=1))
    # Half-open: one trial call; its success closes the circuit for everyone.
    await deliver_due(ayo.db, clock(), connectors(backend.url), limit=1)
    async with ayo.db.sessions() as session:
        circuit = await session.get(BackendCircuit, "hrapp")
    assert (circuit.state, len(backend.records)) == ("closed", 1)


async def test_a_backend_down_past_the_dead_letter_time_fails_the_request(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    request_id = await file_ticket(ayo, clock)
    backend.mode = "down"
    await deliver_due(ayo.db, clock(), connectors(backend.url))
    clock.advance(timedelta(hours=3))
    await deliver_due(ayo.db, clock(), connectors(backend.url))
    status, item = await state(ayo, request_id)
    assert (status, item.status) == ("failed", "dead")


async def test_the_breaker_and_backoff_limits_come_from_the_settings(
    ayo: App, clock: FixedClock, backend: FakeBackend
) -> None:
    from integrations.delivery import RetryPolicy

    settings = ayo.settings.model_copy(
        update={"breaker_failures": 2, "breaker_open_seconds": 600,
                "backend_backoff_base_seconds": 7, "backend_backoff_max_seconds": 7}
    )  # fmt: skip
    policy = RetryPolicy.from_settings(settings)
    for _ in range(4):
        await file_ticket(ayo, clock)
    backend.mode = "error"
    await deliver_due(ayo.db, clock(), connectors(backend.url), policy=policy)
    assert len(backend.calls) == 2  # open after two failures, not five
    async with ayo.db.sessions() as session:
        circuit = await session.get(BackendCircuit, "hrapp")
    assert circuit.retry_at == clock() + timedelta(seconds=600)
