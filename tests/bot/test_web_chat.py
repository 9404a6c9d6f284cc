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
    """A browser that picked Dimas in the demo picker (a session cookie and its CSRF token)."""
    with (
        ayo_server(ayo_env(database_url, tmp_path)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        assert client.post("/api/local/login/demo", json={"nip": DIMAS}).status_code == 200
        client.headers["X-CSRF-Token"] = client.get("/api/local/session").json()["csrf"]
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


def test_the_page_says_it_is_a_demo(web: httpx.Client) -> None:
    assert "DEMO" in web.get("/").text
    session = web.get("/api/local/session").json()
    assert session["demo"] is True
    assert session["viewer"]["nip"] == DIMAS


def test_picking_an_employee_sets_a_session_cookie(web: httpx.Client) -> None:
    picked = web.post("/api/local/login/demo", json={"nip": DIMAS})
    cookie = picked.headers["set-cookie"].lower()
    assert "ayo_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age=43200" in cookie


def test_without_the_session_nothing_is_sent(web: httpx.Client) -> None:
    anonymous = httpx.Client(base_url=str(web.base_url), timeout=30)
    with anonymous:
        assert anonymous.post("/api/local/me/messages", json={"text": "menu"}).status_code == 401
        assert anonymous.get("/api/local/me/messages").status_code == 401
    # A session without its CSRF token cannot post either.
    token = web.headers.pop("X-CSRF-Token")
    assert web.post("/api/local/me/messages", json={"text": "menu"}).status_code == 403
    web.headers["X-CSRF-Token"] = token


def test_a_message_and_a_button_round_trip(web: httpx.Client) -> None:
    said = web.post("/api/local/me/messages", json={"text": "menu"}).json()["messages"]
    # The real clock runs: a morning lesson push may arrive in the same poll.
    menu = [m for m in said if m["in_reply_to"] is not None]
    assert "Apa yang bisa saya bantu" in menu[0]["text"]
    token = menu[0]["buttons"][0]["token"]
    pressed = web.post("/api/local/me/messages", json={"button": token}).json()["messages"]
    assert pressed and "tidak dikenali" not in pressed[0]["text"]


def test_a_resent_message_is_answered_once(web: httpx.Client) -> None:
    body = {"text": "halo", "client_id": "abc123"}
    first = web.post("/api/local/me/messages", json=body).json()
    second = web.post("/api/local/me/messages", json=body).json()
    # Pushes of the real clock (a morning lesson) have no in_reply_to; answers do.
    answers = [m for m in first["messages"] if m["in_reply_to"] is not None]
    assert len(answers) == 1
    assert first["sent"]["duplicate"] is False and second["sent"]["duplicate"] is True
    # The resend is not processed again: the same answer (same id) comes back, in case the
    # first response was lost on the way.
    again = [m for m in second["messages"] if m["in_reply_to"] is not None]
    assert [m["id"] for m in again] == [answers[0]["id"]]
    assert second["sent"]["id"] == first["sent"]["id"]


def test_bad_requests_get_clear_errors(web: httpx.Client) -> None:
    assert web.post("/api/local/login/demo", json={"nip": "000000000000000000"}).status_code == 404
    assert web.post("/api/local/me/messages", json={}).status_code == 422
    assert web.post("/api/local/me/messages", json={"text": "x" * 5001}).status_code == 422
    assert web.post("/api/local/me/messages", content=b"not json").status_code == 422
