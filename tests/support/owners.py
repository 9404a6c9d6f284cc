"""The owner rule of every HTTP route, and a check that tries the guarded ones as others.

Used by tests/bot/test_route_owners.py and the go-live test (tests/bot/test_go_live.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from bot.web.app import create_web
from core.storage.base import Base

PUBLIC = "public"  # shows no one's data
LOGIN = "login"  # rate-limited login steps; tested in test_web_login.py
DEMO_ONLY = "demo only"  # 404 in production
SELF = "self"  # the session's own data only
HR_ADMIN = "hr_admin of the OPD"
TOKEN = "metrics token"
SECRET = "webhook secret / signature"
API_KEY = "inbound API key"
SIGNED_LINK = "a link signed for its viewer"
# The back office: nobody is sent to its login; who sees what inside is specified by
# tests/bot/test_backoffice.py (operators, supervisors, HR admins by scope).
BACK_OFFICE = "back office role"

_BACK_OFFICE_PAGES = [
    ("GET", "/admin"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit.csv"),
    ("GET", "/admin/broadcasts"),
    ("GET", "/admin/broadcasts/{broadcast_id}"),
    ("GET", "/admin/cases/{case_id}"),
    ("GET", "/admin/cases/{case_id}/thread"),
    ("GET", "/admin/dashboard"),
    ("GET", "/admin/employees"),
    ("GET", "/admin/inbox"),
    ("GET", "/admin/learning"),
    ("GET", "/admin/learning.csv"),
    ("GET", "/admin/org"),
    ("GET", "/admin/requests"),
    ("GET", "/admin/requests.csv"),
    ("GET", "/admin/requests/{ref}"),
    ("GET", "/admin/unknown"),
    ("POST", "/admin/broadcasts/preview"),
    ("POST", "/admin/broadcasts/send"),
    ("POST", "/admin/cases/{case_id}/close"),
    ("POST", "/admin/cases/{case_id}/reply"),
    ("POST", "/admin/cases/{case_id}/take"),
    ("POST", "/admin/employees/letters"),
    ("POST", "/admin/employees/{employee_id}/link-code"),
    ("POST", "/admin/org/apply"),
    ("POST", "/admin/org/check"),
    ("POST", "/admin/unknown/assign"),
    ("POST", "/admin/unknown/faq"),
    ("POST", "/admin/unknown/rebuild"),
]

RULES: dict[tuple[str, str], str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): TOKEN,
    ("GET", "/api/local/session"): PUBLIC,
    ("GET", "/api/local/users"): HR_ADMIN,
    ("POST", "/api/local/login/demo"): DEMO_ONLY,
    ("POST", "/api/local/login/code"): LOGIN,
    ("POST", "/api/local/login/verify"): LOGIN,
    ("POST", "/api/local/logout"): SELF,
    ("GET", "/api/local/me/messages"): SELF,
    ("POST", "/api/local/me/messages"): SELF,
    ("GET", "/api/local/me/history"): SELF,
    ("POST", "/api/local/me/files"): SELF,
    ("GET", "/api/local/me/files/leave_letter/{letter_id}"): SELF,
    ("GET", "/documents/{token}"): SIGNED_LINK,
    ("*", "/admin/static"): PUBLIC,
    ("GET", "/admin/login"): PUBLIC,  # lists people only in the demo
    ("GET", "/admin/lang/{code}"): PUBLIC,
    **dict.fromkeys(_BACK_OFFICE_PAGES, BACK_OFFICE),
    ("POST", "/telegram/webhook"): SECRET,
    ("GET", "/whatsapp/webhook"): SECRET,
    ("POST", "/whatsapp/webhook"): SECRET,
    ("POST", "/api/v1/notifications"): API_KEY,
    ("POST", "/api/v1/approvals"): API_KEY,
    ("POST", "/api/v1/requests/{ref}/status"): API_KEY,
    ("GET", "/api/v1/requests/{ref}"): API_KEY,
    ("POST", "/api/v1/learning/records"): API_KEY,
}
# Tables a refused request may write to: the audit trail of refusals, the login counters.
REFUSALS_LOGGED = {"audit_events", "web_auth_attempts"}


@dataclass
class Persona:
    name: str
    cookies: dict[str, str]
    csrf: str | None
    nip: str = ""


async def everything(rig: Any) -> dict[str, list[tuple]]:
    """Every row of every table (the tiny test database), but the refusal logs."""
    async with rig.ayo.db.sessions() as session:
        snapshot = {}
        for table in Base.metadata.sorted_tables:
            if table.name in REFUSALS_LOGGED:
                continue
            rows = (await session.execute(select(table))).all()
            snapshot[table.name] = sorted(tuple(map(repr, r)) for r in rows)
        return snapshot


def client_for(rig: Any, persona: Persona) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_web(rig.ayo)),
        base_url="http://ayo.test",
        cookies=persona.cookies,
    )


async def call(web: httpx.AsyncClient, method: str, path: str, **kw) -> httpx.Response:
    url = re.sub(r"\{[a-z_]+\}", "1", path.replace("{ref}", "REQ-1"))
    if method == "GET":
        return await web.get(url)
    return await web.post(url, **kw)


async def guarded_routes_refuse(rig: Any, personas: list[Persona], body_nip: str) -> int:
    """Every guarded route, as each persona: refused, and not a row changed. Returns calls."""
    refused = 0
    for (method, path), rule in sorted(RULES.items()):
        if rule in (PUBLIC, LOGIN, SELF):
            continue
        for persona in personas:
            if rule == BACK_OFFICE and persona.cookies:
                continue  # scopes inside the back office: tests/bot/test_backoffice.py
            before = await everything(rig)
            async with client_for(rig, persona) as web:
                # A body valid where a NIP is asked for: only the owner rule may refuse.
                answer = await call(web, method, path, json={"nip": body_nip})
            expected = {
                TOKEN: {403},
                HR_ADMIN: {401} if not persona.cookies else {403},
                DEMO_ONLY: {404},
                SECRET: {401, 403},
                API_KEY: {401},
                SIGNED_LINK: {403},
                BACK_OFFICE: {303, 401, 403},
            }[rule]
            assert answer.status_code in expected, (method, path, persona.name, answer.text)
            assert await everything(rig) == before, (method, path, persona.name)
            refused += 1
    return refused
