"""The states of a request and the only way to move between them: audited transitions.

draft → submitted → waiting (step k) → approved → sent → completed
                  ↘ rejected / cancelled                ↘ failed (dead-letter)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox
from core.audit import record
from core.messages import Reply
from core.statuses import RequestStatus
from core.storage.models import Employee, ServiceRequest
from core.text import T

TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.SUBMITTED, RequestStatus.CANCELLED}),
    RequestStatus.SUBMITTED: frozenset(
        {
            RequestStatus.WAITING,
            RequestStatus.APPROVED,
            RequestStatus.REJECTED,
            RequestStatus.CANCELLED,
        }
    ),
    # postponed (ditangguhkan) and returned (perubahan): the PyBMC's other decisions on leave.
    RequestStatus.WAITING: frozenset(
        {
            RequestStatus.WAITING,
            RequestStatus.APPROVED,
            RequestStatus.REJECTED,
            RequestStatus.CANCELLED,
            RequestStatus.POSTPONED,
            RequestStatus.RETURNED,
        }
    ),
    RequestStatus.APPROVED: frozenset(
        {
            RequestStatus.SENT,
            RequestStatus.COMPLETED,
            RequestStatus.FAILED,
            RequestStatus.CANCELLED,
        }
    ),
    RequestStatus.SENT: frozenset(
        {RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.REJECTED}
    ),
    RequestStatus.COMPLETED: frozenset(),
    RequestStatus.REJECTED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
    RequestStatus.POSTPONED: frozenset(),
    RequestStatus.RETURNED: frozenset(),
    RequestStatus.FAILED: frozenset({RequestStatus.APPROVED}),
}
OPEN = (RequestStatus.SUBMITTED, RequestStatus.WAITING)
LIVE = (
    RequestStatus.SUBMITTED,
    RequestStatus.WAITING,
    RequestStatus.APPROVED,
    RequestStatus.SENT,
    RequestStatus.COMPLETED,
)
STATUS_TEXT: dict[RequestStatus, T] = {
    RequestStatus.DRAFT: T("draf", "draft"),
    RequestStatus.SUBMITTED: T("diajukan", "submitted"),
    RequestStatus.WAITING: T("menunggu persetujuan", "waiting for approval"),
    RequestStatus.APPROVED: T("disetujui", "approved"),
    RequestStatus.SENT: T("diteruskan ke sistem kepegawaian", "sent to the HR system"),
    RequestStatus.COMPLETED: T("selesai", "completed"),
    RequestStatus.REJECTED: T("ditolak", "rejected"),
    RequestStatus.CANCELLED: T("dibatalkan", "cancelled"),
    RequestStatus.POSTPONED: T("ditangguhkan", "postponed"),
    RequestStatus.RETURNED: T("perlu perubahan", "change needed"),
    RequestStatus.FAILED: T("gagal terkirim", "failed to deliver"),
}


class IllegalTransition(ValueError):
    pass


def transition(
    session: AsyncSession,
    request: ServiceRequest,
    to: RequestStatus,
    *,
    now: datetime,
    actor_id: int | None,
    channel: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move a request to `to`, recording who, when, from where and what changed."""
    before = request.status
    if to not in TRANSITIONS.get(before, frozenset()):
        raise IllegalTransition(f"{before} → {to}")
    request.status = to
    request.updated_at = now
    record(
        session,
        now=now,
        actor_id=actor_id,
        channel=channel,
        entity="request",
        entity_id=request.id,
        action=f"status.{to}",
        detail={"from": before, "to": to, "step": request.current_step, **(detail or {})},
    )


def status_text(request: ServiceRequest) -> T:
    text = STATUS_TEXT.get(request.status, T(request.status, request.status))
    if request.status == RequestStatus.WAITING:
        text = text + T(f" (tahap {request.current_step})", f" (step {request.current_step})")
    return text


async def notify(
    session: AsyncSession, employee_id: int, text: T, *, now: datetime, key: str, **kw: Any
) -> None:
    """Tell an employee about a change that matters to them (once per `key`)."""
    await outbox.push(session, employee_id, Reply(text, **kw), now=now, key=key)


def render_mapping(mapping: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """Fill a connector's field mapping (`"{dates.start}"`) from the request's values."""
    if not mapping:
        return dict(data)
    out: dict[str, Any] = {}
    for name, template in mapping.items():
        out[name] = _fill(template, data)
    return out


def _fill(template: str, data: dict[str, Any]) -> Any:
    whole = template.strip()
    if whole.startswith("{") and whole.endswith("}") and whole.count("{") == 1:
        return _lookup(data, whole[1:-1])
    result = template
    for key in [p.split("}")[0] for p in template.split("{")[1:]]:
        value = _lookup(data, key)
        result = result.replace("{" + key + "}", "" if value is None else str(value))
    return result


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def employee_view(employee: Employee) -> dict[str, Any]:
    """The employee fields a connector mapping may use."""
    return {
        "id": employee.id,
        "nip": employee.nip,
        "name": employee.name,
        "position": employee.position,
        "unit": employee.unit.name if employee.unit else None,
        "employment": employee.employment,
    }


async def finish_approved(
    session: AsyncSession,
    request: ServiceRequest,
    *,
    now: datetime,
    actor_id: int | None,
    channel: str | None,
    tell_employee: bool = True,
) -> None:
    """Approve, tell the employee, and queue the backend call and the app's callback."""
    transition(
        session, request, RequestStatus.APPROVED, now=now, actor_id=actor_id, channel=channel
    )
    connector = request.data.get("_connector")
    if connector:
        outbox.enqueue_call(
            session,
            kind="backend",
            target=connector["backend"],
            payload={
                "request_id": request.id,
                "ref": request.ref,
                "operation": connector["operation"],
                "body": connector.get("body") or {},
            },
            now=now,
            key=f"backend:{request.ref}",
            employee_id=request.employee_id,
        )
    await queue_callback(session, request, now=now)
    if request.source_app is None and tell_employee:
        await notify(
            session,
            request.employee_id,
            T(
                f"✅ Permohonan {request.ref} disetujui.",
                f"✅ Your request {request.ref} was approved.",
            ),
            now=now,
            key=f"notify:{request.ref}:approved",
        )


async def queue_callback(
    session: AsyncSession, request: ServiceRequest, *, now: datetime, reason: str | None = None
) -> None:
    """For a request another app made: POST the decision back to its callback URL."""
    url = request.data.get("callback_url")
    if not url or request.source_app is None:
        return
    outbox.enqueue_call(
        session,
        kind="callback",
        target=request.source_app,
        payload={
            "url": url,
            "body": {
                "ref": request.ref,
                "external_id": request.data.get("external_id"),
                "status": request.status,
                "reason": reason,
                "decided_at": now.isoformat(),
            },
        },
        now=now,
        key=f"callback:{request.ref}:{request.status}",
    )
