"""Submitting, cancelling and finding requests; each step in the caller's transaction.

`submit` writes the request, its reference number, the planned approval steps, the audit
trail, the first approver's prompt and (for a service without approval) the backend outbox
row — all in one transaction, so a crash leaves either everything or nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record
from core.statuses import OutboxStatus, RequestStatus, StepStatus
from core.storage.models import ApprovalStep, Employee, OutboxItem, ServiceRequest
from core.text import T
from integrations import documents, lifecycle, routing
from integrations.approvals import Env, open_level, plan_rows, steps_of
from integrations.catalog import ServiceSpec
from integrations.forms import applies, display


def make_ref(prefix: str, created: date, request_id: int) -> str:
    """`CUTI-2612-000123`: service, year and month of submission, and the unique row id."""
    return f"{prefix}-{created:%y%m}-{request_id:06d}"


def snapshot(spec: ServiceSpec, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers as label/value texts, kept so prompts never need the catalog again."""
    lines = []
    for field in spec.fields:
        if field.name in data and applies(field, data):
            lines.append(
                {
                    "label": field.label.t().to_json(),
                    "value": display(field, data[field.name]).to_json(),
                }
            )
    return lines


async def submit(
    session: AsyncSession,
    spec: ServiceSpec,
    employee: Employee,
    data: dict[str, Any],
    *,
    env: Env,
    source_app: str | None = None,
    extra: dict[str, Any] | None = None,
    levels: list[routing.Level] | None = None,
) -> ServiceRequest:
    """Create a request from a completed form and start its approval (or approve it)."""
    start, end = _dates(data)
    stored = {k: v for k, v in data.items() if not k.startswith("_")}
    stored["_title"] = spec.title.t().to_json()
    stored["_summary"] = snapshot(spec, data)
    stored["_sla"] = spec.sla.model_dump()
    stored.update(extra or {})
    request = ServiceRequest(
        service_id=spec.id,
        employee_id=employee.id,
        status=RequestStatus.SUBMITTED,
        data=stored,
        start_date=start,
        end_date=end,
        days=data.get("days"),
        kind=data.get("leave_type"),
        channel=env.channel,
        source_app=source_app,
        current_step=0,
        created_at=env.now,
        updated_at=env.now,
    )
    session.add(request)
    await session.flush()
    local_day = env.today
    request.ref = make_ref(spec.ref_prefix, local_day, request.id)
    # Documents the answers name belong to the request before any approver is asked.
    await documents.link_to_request(session, data, request.id, employee.id)
    if spec.connector is not None:
        body = lifecycle.render_mapping(
            spec.connector.mapping, {**stored, "employee": lifecycle.employee_view(employee)}
        )
        request.data = {
            **request.data,
            "_connector": {
                "backend": spec.connector.backend,
                "operation": spec.connector.operation,
                "body": body,
            },
        }
    record(
        session,
        now=env.now,
        actor_id=employee.id,
        channel=env.channel,
        entity="request",
        entity_id=request.id,
        action="status.submitted",
        detail={
            "from": None,
            "to": RequestStatus.SUBMITTED,
            "service": spec.id,
            "app": source_app,
        },
    )
    if levels is None:
        levels = await routing.plan(session, spec.approval, employee, stored)
    if not levels:
        # Auto-approved: the employee's reply already says so; no second message.
        await lifecycle.finish_approved(
            session,
            request,
            now=env.now,
            actor_id=None,
            channel=env.channel,
            tell_employee=False,
        )
        return request
    session.add_all(plan_rows(request, levels, env.now))
    await session.flush()
    lifecycle.transition(
        session,
        request,
        RequestStatus.WAITING,
        now=env.now,
        actor_id=employee.id,
        channel=env.channel,
        detail={"levels": len(levels)},
    )
    await open_level(session, request, 1, env)
    return request


def _dates(data: dict[str, Any]) -> tuple[date | None, date | None]:
    if isinstance(data.get("dates"), dict):
        return date.fromisoformat(data["dates"]["start"]), date.fromisoformat(data["dates"]["end"])
    if isinstance(data.get("date"), str):
        day = date.fromisoformat(data["date"])
        return day, day
    return None, None


CANCELLABLE = (RequestStatus.SUBMITTED, RequestStatus.WAITING, RequestStatus.APPROVED)


async def cancel(
    session: AsyncSession, request_id: int, *, actor_id: int, env: Env
) -> tuple[bool, ServiceRequest | None]:
    """The employee withdraws their own request before it reached the backend."""
    request = await session.get(ServiceRequest, request_id, with_for_update=True)
    if request is None or request.employee_id != actor_id:
        record(
            session,
            now=env.now,
            actor_id=actor_id,
            channel=env.channel,
            entity="request",
            entity_id=request_id,
            action="cancel.refused.not_owner",
        )
        return False, request
    if request.status not in CANCELLABLE:
        record(
            session,
            now=env.now,
            actor_id=actor_id,
            channel=env.channel,
            entity="request",
            entity_id=request_id,
            action=f"cancel.refused.{request.status}",
        )
        return False, request
    from core import tokens

    for step in await steps_of(session, request.id):
        if step.status in (StepStatus.WAITING, StepStatus.PENDING):
            if step.status == StepStatus.WAITING:
                await lifecycle.notify(
                    session,
                    step.approver_id,
                    T(
                        f"Permohonan {request.ref} dibatalkan oleh pemohon.",
                        f"Request {request.ref} was cancelled by the requester.",
                    ),
                    now=env.now,
                    key=f"notify:{request.ref}:cancelled:{step.id}",
                )
            step.status = StepStatus.CANCELLED
            if step.prompt_group:
                await tokens.retire_group(session, step.prompt_group, env.now)
    if request.status == RequestStatus.APPROVED and not await _withdraw_backend_call(
        session, request
    ):
        record(
            session,
            now=env.now,
            actor_id=actor_id,
            channel=env.channel,
            entity="request",
            entity_id=request_id,
            action="cancel.refused.in_delivery",
        )
        return False, request
    lifecycle.transition(
        session,
        request,
        RequestStatus.CANCELLED,
        now=env.now,
        actor_id=actor_id,
        channel=env.channel,
    )
    await lifecycle.queue_callback(session, request, now=env.now)
    return True, request


async def _withdraw_backend_call(session: AsyncSession, request: ServiceRequest) -> bool:
    """Stop an approved request's backend call unless it is already on its way."""
    item = (
        await session.execute(
            select(OutboxItem)
            .where(OutboxItem.idempotency_key == f"backend:{request.ref}")
            .with_for_update()
        )
    ).scalar()
    if item is None:
        return True
    if item.status not in (OutboxStatus.PENDING, OutboxStatus.DEAD):
        return False
    item.status = OutboxStatus.CANCELLED
    return True


async def find(session: AsyncSession, ref: str) -> ServiceRequest | None:
    return (
        await session.execute(select(ServiceRequest).where(ServiceRequest.ref == ref.upper()))
    ).scalar()


async def mine(
    session: AsyncSession,
    employee_id: int,
    *,
    statuses: tuple[str, ...] | None = None,
    limit: int = 10,
) -> list[ServiceRequest]:
    """The employee's latest requests, newest first."""
    query = select(ServiceRequest).where(ServiceRequest.employee_id == employee_id)
    if statuses:
        query = query.where(ServiceRequest.status.in_(statuses))
    rows = await session.execute(query.order_by(ServiceRequest.id.desc()).limit(limit))
    return list(rows.scalars())


def _waiting_for(approver_id: int) -> tuple[Any, ...]:
    return (
        ApprovalStep.approver_id == approver_id,
        ApprovalStep.status == StepStatus.WAITING,
        ServiceRequest.status.in_(lifecycle.OPEN),
    )


async def pending_for(
    session: AsyncSession, approver_id: int, *, limit: int = 20
) -> list[tuple[ApprovalStep, ServiceRequest]]:
    """Steps waiting for this approver (or for the principal they act for), oldest first."""
    rows = await session.execute(
        select(ApprovalStep, ServiceRequest)
        .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
        .where(*_waiting_for(approver_id))
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
        .limit(limit)
    )
    return [(step, request) for step, request in rows.all()]


async def count_pending_for(session: AsyncSession, approver_id: int) -> int:
    """How many steps wait for this approver in all (not just the page shown)."""
    count = await session.scalar(
        select(func.count(ApprovalStep.id))
        .join(ServiceRequest, ServiceRequest.id == ApprovalStep.request_id)
        .where(*_waiting_for(approver_id))
    )
    return int(count or 0)


def describe(request: ServiceRequest) -> T:
    """One line for lists: reference, title, dates, status."""
    from integrations.forms import format_range
    from integrations.prompts import title_of

    when = (
        format_range(request.start_date, request.end_date or request.start_date)
        if request.start_date
        else T("", "")
    )
    sep = T(" — ", " — ") if request.start_date else T("", "")
    return (
        T(f"{request.ref} · ", f"{request.ref} · ")
        + title_of(request)
        + sep
        + when
        + T(" · ", " · ")
        + lifecycle.status_text(request)
    )
