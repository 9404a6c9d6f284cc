"""The back office in process: the real web app on the test's database and fixed clock, with
a client logged in as one employee (a session row, as the login creates) and its CSRF token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from bot.app import App
from bot.web.app import create_web
from bot.web.auth import COOKIE, new_session
from core.storage.models import AuditEvent, Employee, WebSession


class AdminClient(httpx.AsyncClient):
    csrf: str = ""

    async def send_form(self, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        """A form POST with the session's CSRF token."""
        return await self.post(path, data={"csrf_token": self.csrf, **(data or {})})


async def employee_id(ayo: App, nip: str) -> int:
    async with ayo.db.sessions() as session:
        return await session.scalar(select(Employee.id).where(Employee.nip == nip))


@asynccontextmanager
async def admin(ayo: App, nip: str | None) -> AsyncIterator[AdminClient]:
    """A client of the back office, logged in as `nip` (None: nobody)."""
    cookies = {}
    csrf = ""
    if nip is not None:
        token = await new_session(
            ayo.db, await employee_id(ayo, nip), ayo.deps.clock(), hours=8, method="code"
        )
        async with ayo.db.sessions() as session:
            csrf = await session.scalar(select(WebSession.csrf).order_by(WebSession.id.desc()))
        cookies = {COOKIE: token}
    async with AdminClient(
        transport=httpx.ASGITransport(app=create_web(ayo)),
        base_url="http://ayo.test",
        cookies=cookies,
    ) as client:
        client.csrf = csrf
        yield client


async def audit_actions(ayo: App, entity: str) -> list[tuple[str, dict[str, Any]]]:
    async with ayo.db.sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity == entity)
            .order_by(AuditEvent.id)
        )
        return [(action, detail) for action, detail in rows.all()]
