"""The built-in sandbox HR backend: a stand-in for SIMPEG/e-Kinerja in the demo organisation.

It keeps what it receives in its own table (exactly once per idempotency key) and answers
attendance and payslip questions with figures derived from the NIP and the date, so every
run of the demo shows the same numbers. Approved leave shows up in the attendance.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import LEAVE_TAKEN, Employee, SandboxRecord, ServiceRequest
from core.workdays import WorkCalendar
from integrations.connectors.base import BackendCall, BackendResult, DeliveryError

PREFIXES = {"ticket.create": "TKT", "room.book": "RNG", "vehicle.book": "KDN"}
# Monthly base salary by employment, in rupiah (illustrative, not a real pay scale).
BASE = {"PNS": 3_900_000, "PPPK": 3_400_000}


def _seed(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:4], "big")


class SandboxBackend:
    """Connector to the sandbox; it shares Ayo's database but not its transactions."""

    name = "sandbox"

    def __init__(self, db: Database, calendar: WorkCalendar, clock: Clock) -> None:
        self.db = db
        self.calendar = calendar
        self.clock = clock

    async def send(self, call: BackendCall) -> BackendResult:
        now = self.clock()
        prefix = PREFIXES.get(call.operation, "HR")
        async with self.db.transaction() as session:
            found = (
                await session.execute(
                    select(SandboxRecord).where(
                        SandboxRecord.idempotency_key == call.idempotency_key
                    )
                )
            ).scalar()
            if found is not None:
                return BackendResult(found.external_ref, True, dict(found.data))
            nip = str(call.body.get("nip") or "")
            employee = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar()
            row = SandboxRecord(
                idempotency_key=call.idempotency_key,
                operation=call.operation,
                employee_id=employee.id if employee else None,
                external_ref="",
                data=dict(call.body),
                created_at=now,
            )
            session.add(row)
            try:
                await session.flush()
            except IntegrityError as exc:  # a concurrent delivery of the same key won
                raise DeliveryError("duplicate in flight", retryable=True) from exc
            row.external_ref = f"{prefix}-{row.id:06d}"
            return BackendResult(row.external_ref, True, {})

    async def query(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation == "attendance.summary":
            return await self.attendance(params["nip"], int(params["year"]), int(params["month"]))
        if operation == "payslip.view":
            return self.payslip(
                params["nip"],
                params.get("employment", "PNS"),
                int(params["year"]),
                int(params["month"]),
            )
        raise DeliveryError(f"unknown operation {operation}", retryable=False)

    async def attendance(self, nip: str, year: int, month: int) -> dict[str, Any]:
        """Working days of the month up to today: present, late, on leave, absent."""
        today = self.clock().date()
        first = date(year, month, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        last = min(last, today)
        async with self.db.sessions() as session:
            employee = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar()
            leave_days: set[date] = set()
            if employee is not None:
                rows = await session.execute(
                    select(ServiceRequest).where(
                        ServiceRequest.employee_id == employee.id,
                        ServiceRequest.service_id.in_(("cuti", "izin")),
                        ServiceRequest.status.in_(LEAVE_TAKEN),
                    )
                )
                for r in rows.scalars():
                    d = r.start_date
                    while d is not None and r.end_date is not None and d <= r.end_date:
                        leave_days.add(d)
                        d += timedelta(days=1)
        counts = {
            "working_days": 0,
            "present": 0,
            "late": 0,
            "late_minutes": 0,
            "leave": 0,
            "absent": 0,
        }
        d = first
        while d <= last:
            if self.calendar.is_working_day(d):
                counts["working_days"] += 1
                if d in leave_days:
                    counts["leave"] += 1
                else:
                    roll = _seed(nip, d) % 100
                    if roll < 2:
                        counts["absent"] += 1
                    else:
                        counts["present"] += 1
                        if roll < 12:
                            counts["late"] += 1
                            counts["late_minutes"] += 5 + roll
            d += timedelta(days=1)
        return {"year": year, "month": month, **counts}

    def payslip(self, nip: str, employment: str, year: int, month: int) -> dict[str, Any]:
        """An illustrative payslip: base, allowances, deductions, net."""
        base = BASE.get(employment, BASE["PNS"]) + (_seed(nip) % 20) * 50_000
        family = round(base * 0.1)
        meal = 22 * 35_000
        tpp = 2_000_000 + (_seed(nip, "tpp") % 10) * 100_000
        gross = base + family + meal + tpp
        deductions = round(base * 0.1) + round(base * 0.0325)
        return {
            "year": year,
            "month": month,
            "base": base,
            "family_allowance": family,
            "meal_allowance": meal,
            "tpp": tpp,
            "gross": gross,
            "deductions": deductions,
            "net": gross - deductions,
        }
