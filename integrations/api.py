"""The inbound API for other municipal apps (`/api/v1`), described by its OpenAPI schema.

Every call carries `X-API-Key` (from `ayo apikey create NAME`). An app can notify an employee
by NIP, ask an employee's supervisor for an approval (the decision is POSTed back to its
callback URL, HMAC-signed), and update or read the status of a request.
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox
from core.clock import Clock
from core.messages import Reply
from core.storage.db import Database
from core.storage.models import ApiKey, Employee, OutboxItem
from core.text import T
from core.workdays import WorkCalendar
from integrations import apikeys, lifecycle, requests
from integrations.approvals import Env
from integrations.catalog import ServiceSpec, Text
from integrations.leave_rules import LeaveRules


class Bilingual(BaseModel):
    id: str = Field(min_length=1, max_length=2000)
    en: str | None = Field(default=None, max_length=2000)

    def t(self) -> T:
        return T(self.id, self.en or self.id)


class NotificationIn(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$")
    text: Bilingual
    key: str = Field(min_length=1, max_length=60, description="Your id; a resend is ignored.")


class ApprovalIn(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$", description="The employee whose supervisor decides.")
    title: Bilingual
    details: dict[str, str] = Field(default_factory=dict, max_length=20)
    callback_url: HttpUrl
    external_id: str = Field(min_length=1, max_length=60)
    start_date: date | None = None
    end_date: date | None = None


class StatusIn(BaseModel):
    status: Literal["sent", "completed", "rejected", "failed"]
    note: str | None = Field(default=None, max_length=500)
    backend_ref: str | None = Field(default=None, max_length=100)


class RequestOut(BaseModel):
    ref: str
    status: str
    service: str
    backend_ref: str | None = None
    approver_nip: str | None = None


def inbound_api(
    db: Database, clock: Clock, calendar: WorkCalendar, rules: LeaveRules | None = None
) -> APIRouter:
    """The `/api/v1` routes, bound to Ayo's database and clock."""
    routes = APIRouter(prefix="/api/v1", tags=["inbound API for municipal apps"])

    async def session_dep():
        async with db.transaction() as session:
            yield session

    Session = Annotated[AsyncSession, Depends(session_dep)]

    async def app_dep(
        session: Session, x_api_key: Annotated[str | None, Header()] = None
    ) -> ApiKey:
        found = await apikeys.verify(session, x_api_key or "", clock())
        if found is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
        return found

    App = Annotated[ApiKey, Depends(app_dep)]

    async def employee(session: AsyncSession, nip: str) -> Employee:
        person = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
        if person is None or not person.active:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown employee")
        return person

    @routes.post("/notifications", status_code=202)
    async def notify(body: NotificationIn, app: App, session: Session) -> dict[str, str]:
        """Send a message to an employee, by NIP, on the chat they use."""
        person = await employee(session, body.nip)
        key = f"api:{app.name}:{body.key}"
        exists = await session.execute(
            select(OutboxItem.id).where(OutboxItem.idempotency_key == key)
        )
        if exists.scalar() is None:
            reply = Reply(T(f"📣 {app.name}: ", f"📣 {app.name}: ") + body.text.t())
            await outbox.push(session, person.id, reply, now=clock(), key=key)
        return {"status": "queued"}

    @routes.post("/approvals", status_code=201)
    async def ask_approval(body: ApprovalIn, app: App, session: Session) -> RequestOut:
        """Ask the employee's supervisor to approve; the decision is POSTed to callback_url."""
        person = await employee(session, body.nip)
        existing = await _by_external(session, app.name, body.external_id)
        if existing is not None:
            return await _out(session, existing)
        spec = ServiceSpec(
            id=f"app.{app.name}"[:60].lower(),
            intent="external",
            ref_prefix="APP",
            title=Text(id=body.title.t().id, en=body.title.t().en),
        )
        data: dict[str, Any] = {}
        if body.start_date:
            end = body.end_date or body.start_date
            data["dates"] = {"start": body.start_date.isoformat(), "end": end.isoformat()}
        extra = {
            "callback_url": str(body.callback_url),
            "external_id": body.external_id,
            "_summary": [
                {"label": {"id": k, "en": k}, "value": {"id": v, "en": v}}
                for k, v in body.details.items()
            ],
        }
        env = Env(now=clock(), calendar=calendar, rules=rules, channel=f"api:{app.name}"[:20])
        request = await requests.submit(
            session, spec, person, data, env=env, source_app=app.name, extra=extra
        )
        return await _out(session, request)

    @routes.post("/requests/{ref}/status")
    async def update_status(ref: str, body: StatusIn, app: App, session: Session) -> RequestOut:
        """A backend app reports progress on a request (sent, completed, rejected, failed)."""
        request = await requests.find(session, ref)
        if request is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown request")
        try:
            lifecycle.transition(
                session,
                request,
                body.status,
                now=clock(),
                actor_id=None,
                channel=f"api:{app.name}"[:20],
                detail={"app": app.name, "note": body.note},
            )
        except lifecycle.IllegalTransition as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, f"not allowed: {exc}") from exc
        if body.backend_ref:
            request.backend_ref = body.backend_ref
        shown = lifecycle.status_text(request)
        note = T(f"\nCatatan: {body.note}", f"\nNote: {body.note}") if body.note else T("", "")
        await lifecycle.notify(
            session,
            request.employee_id,
            T(f"ℹ️ Status {request.ref}: ", f"ℹ️ Status of {request.ref}: ") + shown + note,
            now=clock(),
            key=f"api:{app.name}:{request.ref}:{body.status}",
        )
        return await _out(session, request)

    @routes.get("/requests/{ref}")
    async def read(ref: str, app: App, session: Session) -> RequestOut:
        """The status of a request by its reference number."""
        request = await requests.find(session, ref)
        if request is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown request")
        return await _out(session, request)

    return routes


async def _by_external(session: AsyncSession, app: str, external_id: str):
    from core.storage.models import ServiceRequest

    rows = await session.execute(
        select(ServiceRequest)
        .where(ServiceRequest.source_app == app)
        .order_by(ServiceRequest.id.desc())
        .limit(500)
    )
    return next((r for r in rows.scalars() if r.data.get("external_id") == external_id), None)


async def _out(session: AsyncSession, request: Any) -> RequestOut:
    from integrations.approvals import steps_of

    waiting = [s for s in await steps_of(session, request.id) if s.status == "waiting"]
    approver = await session.get(Employee, waiting[0].approver_id) if waiting else None
    return RequestOut(
        ref=request.ref,
        status=request.status,
        service=request.service_id,
        backend_ref=request.backend_ref,
        approver_nip=approver.nip if approver else None,
    )
