"""The local web chat over real HTTP, served by a real `ayo serve` process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import App
from tests.support.console import ayo_env
from tests.support.server import ayo_server

DIMAS = "199402172019031005"


@pytest.fixture
def web(ayo: App, database_url: str, tmp_path: Path) -> Iterator[httpx.Client]:
    with (
        ayo_server(ayo_env(database_url, tmp_path)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def test_the_page_is_self_contained(web: httpx.Client) -> None:
    page = web.get("/")
    assert page.status_code == 200
    assert "<title>Ayo" in page.text
    # No CDN or external asset: the chat works offline on an intranet.
    assert "http://" not in page.text.replace("http://127.0.0.1", "")
    assert "https://" not in page.text


def test_the_picker_lists_demo_employees(web: httpx.Client) -> None:
    users = web.get("/api/local/users").json()
    assert any(u["nip"] == DIMAS for u in users)


def test_a_message_and_a_button_round_trip(web: httpx.Client) -> None:
    menu = web.post(f"/api/local/{DIMAS}/messages", json={"text": "menu"}).json()["messages"]
    assert "Apa yang bisa saya bantu" in menu[0]["text"]
    token = menu[0]["buttons"][0]["token"]
    pressed = web.post(f"/api/local/{DIMAS}/messages", json={"button": token}).json()["messages"]
    assert pressed and "tidak dikenali" not in pressed[0]["text"]


def test_a_resent_message_is_answered_once(web: httpx.Client) -> None:
    body = {"text": "halo", "client_id": "abc123"}
    first = web.post(f"/api/local/{DIMAS}/messages", json=body).json()["messages"]
    second = web.post(f"/api/local/{DIMAS}/messages", json=body).json()["messages"]
    assert len(first) == 1
    assert second == []


def test_bad_requests_get_clear_errors(web: httpx.Client) -> None:
    assert (
        web.post("/api/local/000000000000000000/messages", json={"text": "x"}).status_code == 404
    )
    assert web.post(f"/api/local/{DIMAS}/messages", json={}).status_code == 422
    assert web.post(f"/api/local/{DIMAS}/messages", json={"text": "x" * 5001}).status_code == 422
    assert web.post(f"/api/local/{DIMAS}/messages", content=b"not json").status_code == 422
