"""The inbound API over real HTTP: keys, malformed bodies, notifications, approvals, status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from starlette.types import ASGIApp

from bot.app import App, build_app
from bot.web.app import create_web
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import OutboxItem
from integrations import apikeys
from integrations.callbacks import sign
from integrations.delivery import deliver_due
from tests.support.ayo_chat import button, press, text_of
from tests.support.fake_backend import FakeBackend
from tests.support.loopback import LoopbackServer
from tests.support.requests_kit import person


class AyoServer(LoopbackServer):
    """Ayo's web app on loopback, with its own App whose engine lives on the server's loop."""

    def __init__(self, ayo: App) -> None:
        super().__init__()
        self.ayo = ayo

    def app(self) -> ASGIApp:
        return create_web(self.ayo)


@pytest.fixture
async def api(ayo: App, settings: Settings, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    served = await build_app(settings, clock=clock, prepare=False)
    server = AyoServer(served)
    await server.astart()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        assert server.loop is not None
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(served.close(), server.loop))
        await server.astop()


@pytest.fixture
async def key(ayo: App, clock: FixedClock) -> apikeys.NewKey:
    async with ayo.db.transaction() as session:
        return await apikeys.create(session, "ekinerja", clock())


async def test_a_wrong_missing_or_revoked_key_is_refused(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey, clock: FixedClock
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    body = {"nip": dimas.nip, "text": {"id": "Halo"}, "key": "n1"}
    assert (await api.post("/api/v1/notifications", json=body)).status_code == 401
    wrong = {"X-API-Key": key.key[:-3] + "abc"}
    assert (await api.post("/api/v1/notifications", json=body, headers=wrong)).status_code == 401
    async with ayo.db.transaction() as session:
        assert await apikeys.revoke(session, "ekinerja", clock())
    good = {"X-API-Key": key.key}
    assert (await api.post("/api/v1/notifications", json=body, headers=good)).status_code == 401
    assert await ayo.local.collect(dimas.nip) == []


async def test_malformed_bodies_are_refused_with_422(
    api: httpx.AsyncClient, key: apikeys.NewKey
) -> None:
    headers = {"X-API-Key": key.key}
    bad = [
        {"nip": "123", "text": {"id": "x"}, "key": "k"},
        {"text": {"id": "x"}, "key": "k"},
        {"nip": "199402172019031005", "text": "not an object", "key": "k"},
    ]
    for body in bad:
        got = await api.post("/api/v1/notifications", json=body, headers=headers)
        assert got.status_code == 422
    raw = await api.post("/api/v1/notifications", content=b"{not json", headers=headers)
    assert raw.status_code == 422
    approval = await api.post("/api/v1/approvals", json={"nip": "x"}, headers=headers)
    assert approval.status_code == 422


async def test_a_notification_reaches_the_employee_once(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    body = {"nip": dimas.nip, "text": {"id": "SKP Anda sudah dinilai"}, "key": "skp-1"}
    for _ in range(2):
        got = await api.post("/api/v1/notifications", json=body, headers={"X-API-Key": key.key})
        assert got.status_code == 202
    messages = await ayo.local.collect(dimas.nip)
    assert [m.text for m in messages] == ["📣 ekinerja: SKP Anda sudah dinilai"]


async def test_an_approval_asked_by_an_app_is_decided_in_chat_and_posted_back_signed(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey, clock: FixedClock
) -> None:
    dimas, sri = await person(ayo, "Dimas Prasetyo"), await person(ayo, "Sri Wahyuni")
    async with FakeBackend() as receiver:
        body = {
            "nip": dimas.nip,
            "title": {"id": "Persetujuan lembur", "en": "Overtime approval"},
            "details": {"Tanggal": "5 Des 2026", "Jam": "17.00-20.00"},
            "callback_url": f"{receiver.url}/callback",
            "external_id": "LEMBUR-77",
        }
        got = await api.post("/api/v1/approvals", json=body, headers={"X-API-Key": key.key})
        assert got.status_code == 201
        out = got.json()
        assert (out["status"], out["approver_nip"]) == ("waiting", sri.nip)
        again = await api.post("/api/v1/approvals", json=body, headers={"X-API-Key": key.key})
        assert again.json()["ref"] == out["ref"]

        prompt = await ayo.local.collect(sri.nip)
        assert "Persetujuan lembur" in text_of(prompt) and "17.00-20.00" in text_of(prompt)
        await press(ayo, sri.nip, button(prompt, "Setuju"))
        await deliver_due(ayo.db, clock(), {})
        [(headers, raw)] = receiver.callbacks
    sent = json.loads(raw)
    assert (sent["ref"], sent["status"], sent["external_id"]) == (
        out["ref"],
        "approved",
        "LEMBUR-77",
    )
    expected = sign(key.callback_secret, headers["x-ayo-timestamp"], raw)
    assert headers["x-ayo-signature"] == expected


async def test_an_app_updates_the_status_of_a_request(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey, clock: FixedClock
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    await ayo.local.say(dimas.nip, text="printer rusak, kertas macet terus")
    got = await ayo.local.collect(dimas.nip)
    for _ in range(5):  # answer whatever the form still asks, but never loop forever
        if "Kirim" in [label for m in got for label, _ in m.buttons]:
            break
        await ayo.local.say(dimas.nip, text="ruang 201")
        got = await ayo.local.collect(dimas.nip)
    done = await press(ayo, dimas.nip, button(got, "Kirim"))
    ref = text_of(done).split("Nomor: ")[1].split()[0]
    # The helpdesk request was delivered to the "sandbox" backend: only that app may report.
    stranger = await api.post(
        f"/api/v1/requests/{ref}/status",
        json={"status": "completed"},
        headers={"X-API-Key": key.key},
    )
    assert stranger.status_code == 404
    async with ayo.db.transaction() as session:
        backend = await apikeys.create(session, "sandbox", clock())
    headers = {"X-API-Key": backend.key}
    ok = await api.post(
        f"/api/v1/requests/{ref}/status",
        json={"status": "completed", "note": "sudah diganti"},
        headers=headers,
    )
    assert (ok.status_code, ok.json()["status"]) == (200, "completed")
    again = await api.post(
        f"/api/v1/requests/{ref}/status", json={"status": "sent"}, headers=headers
    )
    assert again.status_code == 409
    missing = await api.get("/api/v1/requests/TIK-2612-999999", headers=headers)
    assert missing.status_code == 404
    assert "sudah diganti" in text_of(await ayo.local.collect(dimas.nip))


async def test_the_api_is_described_by_its_openapi_schema(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert {"/api/v1/notifications", "/api/v1/approvals", "/api/v1/requests/{ref}/status"} <= set(
        paths
    )


async def approval_of(api: httpx.AsyncClient, key: apikeys.NewKey, nip: str) -> str:
    body = {
        "nip": nip,
        "title": {"id": "Persetujuan lembur"},
        "callback_url": "http://127.0.0.1:9/callback",
        "external_id": "LEMBUR-1",
    }
    got = await api.post("/api/v1/approvals", json=body, headers={"X-API-Key": key.key})
    assert got.status_code == 201
    return got.json()["ref"]


async def request_and_steps(ayo: App, ref: str) -> tuple[str, list[str]]:
    from core.storage.models import ApprovalStep, ServiceRequest

    async with ayo.db.sessions() as session:
        request = (
            await session.execute(select(ServiceRequest).where(ServiceRequest.ref == ref))
        ).scalar_one()
        steps = await session.execute(
            select(ApprovalStep.status).where(ApprovalStep.request_id == request.id)
        )
        return request.status, list(steps.scalars())


async def test_another_apps_key_can_neither_read_nor_change_a_request(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey, clock: FixedClock
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    ref = await approval_of(api, key, dimas.nip)
    async with ayo.db.transaction() as session:
        other = await apikeys.create(session, "simpeg", clock())
    headers = {"X-API-Key": other.key}
    read = await api.get(f"/api/v1/requests/{ref}", headers=headers)
    assert read.status_code == 404
    for status in ("rejected", "completed", "failed", "sent"):
        changed = await api.post(
            f"/api/v1/requests/{ref}/status", json={"status": status}, headers=headers
        )
        assert changed.status_code == 404
    assert await request_and_steps(ayo, ref) == ("waiting", ["waiting"])
    mine = await api.get(f"/api/v1/requests/{ref}", headers={"X-API-Key": key.key})
    assert (mine.status_code, mine.json()["status"]) == (200, "waiting")


async def test_the_owning_app_cannot_decide_in_the_approvers_place(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    ref = await approval_of(api, key, dimas.nip)
    for status in ("rejected", "completed"):
        got = await api.post(
            f"/api/v1/requests/{ref}/status",
            json={"status": status, "note": "ditolak aplikasi"},
            headers={"X-API-Key": key.key},
        )
        assert got.status_code == 409
    assert await request_and_steps(ayo, ref) == ("waiting", ["waiting"])
    assert "ditolak aplikasi" not in text_of(await ayo.local.collect(dimas.nip))


async def test_the_answer_comes_after_the_commit(
    ayo: App, api: httpx.AsyncClient, key: apikeys.NewKey
) -> None:
    dimas = await person(ayo, "Dimas Prasetyo")
    body = {"nip": dimas.nip, "text": {"id": "Rapat jam 10"}, "key": "rapat-1"}
    got = await api.post("/api/v1/notifications", json=body, headers={"X-API-Key": key.key})
    assert got.status_code == 202
    # Read at once from another connection: the row is there when the answer arrives.
    async with ayo.db.sessions() as session:
        keys = await session.execute(
            select(OutboxItem.idempotency_key).where(OutboxItem.employee_id == dimas.id)
        )
        assert "api:ekinerja:rapat-1" in set(keys.scalars())


async def raw_exchange(url: str, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send a request by hand and return what the server answered before we finished."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        for part in body_parts:
            writer.write(part)
            await writer.drain()
        return await asyncio.wait_for(reader.read(4096), timeout=5)
    finally:
        writer.close()


async def test_a_20_mib_body_is_refused_before_the_key_and_before_it_is_read(
    api: httpx.AsyncClient,
) -> None:
    url = str(api.base_url).rstrip("/")
    declared = (
        b"POST /api/v1/notifications HTTP/1.1\r\nHost: ayo\r\n"
        b"Content-Type: application/json\r\nContent-Length: 20971520\r\n\r\n"
    )
    # Only 1 KiB of the announced 20 MiB is ever sent: an answer proves nobody waited for it.
    answer = await raw_exchange(url, declared, [b"[" * 1024])
    assert answer.startswith(b"HTTP/1.1 413")
    chunked = (
        b"POST /api/v1/notifications HTTP/1.1\r\nHost: ayo\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"  # 64 KiB chunks, never a last one
    answer = await raw_exchange(url, chunked, [chunk, chunk])
    assert answer.startswith(b"HTTP/1.1 413")


async def test_a_422_names_the_field_and_never_echoes_the_input(
    api: httpx.AsyncClient, key: apikeys.NewKey
) -> None:
    headers = {"X-API-Key": key.key, "content-type": "application/json"}
    marker = "RAHASIA-INPUT-42"
    body = (
        b'{"nip": "'
        + marker.encode()
        + b'", "text": {"id": "\\ud800 '
        + marker.encode()
        + b'"}, "key": 7}'
    )
    got = await api.post("/api/v1/notifications", content=body, headers=headers)
    assert got.status_code == 422
    assert marker not in got.text
    fields = {tuple(e["loc"]) for e in got.json()["detail"]}
    assert ("body", "nip") in fields and ("body", "key") in fields
