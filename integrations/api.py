"""The inbound API for other municipal apps (`/api/v1`), described by its OpenAPI schema.

Every call carries `X-API-Key` (from `ayo apikey create NAME`). An app can notify an employee
by NIP, ask an employee's supervisor for an approval (the decision is POSTed back to its
callback URL, HMAC-signed), and update or read the status of a request it owns: one it asked
for, or one delivered to it as the backend. Another app's request is a 404 and stays as it
was; while a request waits for its approver no status update decides it (409): decisions go
through the approval engine only. Every call answers after its transaction committed.
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import AfterValidator, BaseModel, Field, HttpUrl
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox
from core.clock import Clock
from core.messages import Reply
from core.statuses import StepStatus
from core.storage.db import Database
from core.storage.models import Employee, OutboxItem, ServiceRequest
from core.text import T
from core.untrusted import clean
from core.workdays import WorkCalendar
from integrations import apikeys, lifecycle, requests
from integrations.approvals import Env
from integrations.catalog import ServiceSpec, Text
from integrations.leave_rules import LeaveRules

# Text other apps send is cleaned like chat text (no NUL, no lone surrogate) before storage.
Clean = AfterValidator(clean)
Label = Annotated[str, Field(min_length=1, max_length=60), Clean]
Value = Annotated[str, Field(max_length=500), Clean]


class Bilingual(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=2000), Clean]
    en: Annotated[str, Field(max_length=2000), Clean] | None = None

    def t(self) -> T:
        return T(self.id, self.en or self.id)


class NotificationIn(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$")
    text: Bilingual
    key: Annotated[str, Field(description="Your id; a resend is ignored."), Label]


class ApprovalIn(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$", description="The employee whose supervisor decides.")
    title: Bilingual
    details: dict[Label, Value] = Field(default_factory=dict, max_length=20)
    callback_url: HttpUrl
    external_id: Label
    start_date: date | None = None
    end_date: date | None = None


class StatusIn(BaseModel):
    status: Literal["sent", "completed", "rejected", "failed"]
    note: Value | None = None
    backend_ref: Annotated[str, Field(max_length=100), Clean] | None = None


class RequestOut(BaseModel):
    ref: str
    status: str
    service: str
    backend_ref: str | None = None
    approver_nip: str | None = None


def api_key_app(db: Database, clock: Clock) -> Callable[..., Awaitable[str]]:
    """The dependency every /api/v1 route uses: the app name of a valid `X-API-Key`, or 401."""

    async def app_dep(x_api_key: Annotated[str | None, Header()] = None) -> str:
        async with db.transaction() as session:
            found = await apikeys.verify(session, x_api_key or "", clock())
            if found is None:
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
            return found.name

    return app_dep


def inbound_api(
    db: Database, clock: Clock, calendar: WorkCalendar, rules: LeaveRules | None = None
) -> APIRouter:
    """The `/api/v1` routes, bound to Ayo's database and clock.

    Each route runs in its own transaction and answers only after it committed. A key acts
    only on what its app owns (`owns`); another app's request is answered 404, unchanged.
    """
    routes = APIRouter(prefix="/api/v1", tags=["inbound API for municipal apps"])
    AppName = Annotated[str, Depends(api_key_app(db, clock))]

    async def employee(session: AsyncSession, nip: str) -> Employee:
        person = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar()
        if person is None or not person.active:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown employee")
        return person

    async def owned(session: AsyncSession, ref: str, app: str) -> ServiceRequest:
        request = await requests.find(session, ref)
        if request is None or not owns(app, request):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown request")
        return request

    @routes.post("/notifications", status_code=202)
    async def notify(body: NotificationIn, app: AppName) -> dict[str, str]:
        """Send a message to an employee, by NIP, on the chat they use."""
        key = f"api:{app}:{body.key}"
        try:
            async with db.transaction() as session:
                person = await employee(session, body.nip)
                exists = await session.execute(
                    select(OutboxItem.id).where(OutboxItem.idempotency_key == key)
                )
                if exists.scalar() is None:
                    reply = Reply(T(f"📣 {app}: ", f"📣 {app}: ") + body.text.t())
                    await outbox.push(session, person.id, reply, now=clock(), key=key)
        except IntegrityError:
            pass  # the same key sent twice at once: the other call queued it
        return {"status": "queued"}

    @routes.post("/approvals", status_code=201)
    async def ask_approval(body: ApprovalIn, app: AppName) -> RequestOut:
        """Ask the employee's supervisor to approve; the decision is POSTed to callback_url."""
        async with db.transaction() as session:
            person = await employee(session, body.nip)
            existing = await _by_external(session, app, body.external_id)
            if existing is not None:
                return await _out(session, existing)
            spec = ServiceSpec(
                id=f"app.{app}"[:60].lower(),
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
            env = Env(now=clock(), calendar=calendar, rules=rules, channel=f"api:{app}"[:20])
            request = await requests.submit(
                session, spec, person, data, env=env, source_app=app, extra=extra
            )
            # Returned from inside the block: the commit runs before FastAPI answers.
            return await _out(session, request)

    @routes.post("/requests/{ref}/status")
    async def update_status(ref: str, body: StatusIn, app: AppName) -> RequestOut:
        """A backend app reports progress on a request it owns (sent, completed, rejected, failed).

        While the request waits for its approver the decision is theirs alone: 409.
        """
        async with db.transaction() as session:
            request = await owned(session, ref, app)
            if request.status in lifecycle.OPEN:
                raise HTTPException(status.HTTP_409_CONFLICT, "waiting for the approver")
            try:
                lifecycle.transition(
                    session,
                    request,
                    body.status,
                    now=clock(),
                    actor_id=None,
                    channel=f"api:{app}"[:20],
                    detail={"app": app, "note": body.note},
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
                key=f"api:{app}:{request.ref}:{body.status}",
            )
            return await _out(session, request)

    @routes.get("/requests/{ref}")
    async def read(ref: str, app: AppName) -> RequestOut:
        """The status of a request this app owns, by its reference number."""
        async with db.sessions() as session:
            return await _out(session, await owned(session, ref, app))

    return routes


def owns(app: str, request: ServiceRequest) -> bool:
    """An app owns the requests it asked for and those delivered to it as their backend."""
    if request.source_app is not None:
        return request.source_app == app
    connector = request.data.get("_connector") or {}
    return connector.get("backend") == app


async def _by_external(session: AsyncSession, app: str, external_id: str):
    rows = await session.execute(
        select(ServiceRequest)
        .where(ServiceRequest.source_app == app)
        .order_by(ServiceRequest.id.desc())
        .limit(500)
    )
    return next((r for r in rows.scalars() if r.data.get("external_id") == external_id), None)


async def _out(session: AsyncSession, request: Any) -> RequestOut:
    from integrations.approvals import steps_of

    waiting = [s for s in await steps_of(session, request.id) if s.status == StepStatus.WAITING]
    approver = await session.get(Employee, waiting[0].approver_id) if waiting else None
    return RequestOut(
        ref=request.ref,
        status=request.status,
        service=request.service_id,
        backend_ref=request.backend_ref,
        approver_nip=approver.nip if approver else None,
    )
