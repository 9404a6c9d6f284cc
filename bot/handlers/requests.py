"""The employee's questions: leave balance, attendance, payslip, my requests, cancelling one."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from bot.context import Context
from bot.handlers.registry import ActionHandler, Answer, Fetch, Handler
from bot.handlers.services import env_of
from core.messages import Reply
from core.text import T, join
from integrations import leave, requests
from integrations.connectors.base import DeliveryError
from integrations.forms import month_name

REF = re.compile(r"\b([A-Z]{2,6}-\d{4}-\d{6})\b", re.IGNORECASE)
UNAVAILABLE = T(
    "Maaf, sistem kepegawaian sedang tidak bisa dihubungi. Coba lagi sebentar lagi.",
    "Sorry, the HR system cannot be reached right now. Please try again shortly.",
)


def _rupiah(value: int) -> str:
    sign = "-" if value < 0 else ""
    return sign + "Rp" + f"{abs(value):,.0f}".replace(",", ".")


def _month(ctx: Context) -> tuple[int, int]:
    entities = ctx.match.entities if ctx.match is not None else None
    today = ctx.local_now.date()
    month = getattr(entities, "month", None) or today.month
    year = getattr(entities, "year", None) or (
        today.year if month <= today.month else today.year - 1
    )
    return year, month


async def leave_balance(ctx: Context) -> list[Reply]:
    year = ctx.local_now.year
    found = await leave.annual_balance(
        ctx.session, ctx.me, year, rules=ctx.deps.leave_rules, calendar=ctx.deps.calendar
    )
    a = found.annual
    lines = [
        T(
            f"Sisa cuti tahunan {year}: {found.available:g} hari",
            f"Annual leave left in {year}: {found.available:g} days",
        ),
        T(f"• Hak tahun ini: {a.base} hari", f"• This year's right: {a.base} days"),
        T(
            f"• Sisa tahun lalu: {a.carried_over:g} hari",
            f"• Carried over: {a.carried_over:g} days",
        ),
        T(f"• Sudah diambil: {a.used:g} hari", f"• Taken: {a.used:g} days"),
    ]
    if a.cuti_bersama:
        lines.insert(
            3,
            T(
                f"• Tambahan karena bertugas saat cuti bersama: {a.cuti_bersama} hari",
                f"• Added for working on cuti bersama: {a.cuti_bersama} days",
            ),
        )
    if found.pending:
        lines.append(
            T(
                f"• Menunggu persetujuan: {found.pending:g} hari",
                f"• Waiting for approval: {found.pending:g} days",
            )
        )
    return [Reply(join(lines), sensitive=True)]


async def attendance(ctx: Context) -> Fetch:
    year, month = _month(ctx)
    return _fetch(
        ctx,
        "attendance.summary",
        {"nip": ctx.me.nip, "year": year, "month": month},
        partial(_attendance_reply, year=year, month=month),
    )


async def _attendance_reply(ctx: Context, data: Answer, *, year: int, month: int) -> list[Reply]:
    if isinstance(data, DeliveryError):
        return [Reply(UNAVAILABLE)]
    title = month_name(month, year)
    return [
        Reply(
            T(f"Rekap kehadiran {title.id}:\n", f"Attendance for {title.en}:\n")
            + T(
                f"Hari kerja: {data['working_days']}, hadir: {data['present']}, terlambat: "
                f"{data['late']} kali ({data['late_minutes']} menit), cuti/izin: {data['leave']},"
                f" tanpa keterangan: {data['absent']}",
                f"Working days: {data['working_days']}, present: {data['present']}, late: "
                f"{data['late']} times ({data['late_minutes']} minutes), leave/permit: "
                f"{data['leave']}, unexplained absence: {data['absent']}",
            ),
            sensitive=True,
        )
    ]


async def payslip(ctx: Context) -> Fetch:
    year, month = _month(ctx)
    return _fetch(
        ctx,
        "payslip.view",
        {"nip": ctx.me.nip, "year": year, "month": month, "employment": ctx.me.employment},
        partial(_payslip_reply, year=year, month=month),
    )


async def _payslip_reply(ctx: Context, data: Answer, *, year: int, month: int) -> list[Reply]:
    if isinstance(data, DeliveryError):
        return [Reply(UNAVAILABLE)]
    title = month_name(month, year)
    rows = [
        ("Gaji pokok", "Base salary", data["base"]),
        ("Tunjangan keluarga", "Family allowance", data["family_allowance"]),
        ("Tunjangan makan", "Meal allowance", data["meal_allowance"]),
        ("TPP", "Performance allowance (TPP)", data["tpp"]),
        ("Potongan", "Deductions", -data["deductions"]),
        ("Diterima", "Net pay", data["net"]),
    ]
    lines = [T(f"Slip gaji {title.id}", f"Payslip {title.en}")]
    lines += [T(f"{i}: {_rupiah(v)}", f"{e}: {_rupiah(v)}") for i, e, v in rows]
    return [Reply(join(lines), sensitive=True)]


def _fetch(
    ctx: Context,
    operation: str,
    params: dict[str, Any],
    then: Callable[[Context, Answer], Awaitable[list[Reply]]],
) -> Fetch:
    """The query for the backend the catalog names for `operation` (the sandbox if none)."""
    service = next(
        (s for s in ctx.deps.services if s.connector and s.connector.operation == operation), None
    )
    backend = service.connector.backend if service and service.connector else "sandbox"
    return Fetch(backend, operation, params, then)


async def status(ctx: Context) -> list[Reply]:
    text = ctx.inbound.text or ""
    found = REF.search(text)
    if found:
        request = await requests.find(ctx.session, found.group(1))
        if request is None or request.employee_id != ctx.me.id:
            return [
                Reply(
                    T(
                        "Nomor permohonan itu tidak ditemukan.",
                        "That reference number was not found.",
                    )
                )
            ]
        return [Reply(requests.describe(request))]
    rows = await requests.mine(ctx.session, ctx.me.id)
    if not rows:
        return [Reply(T("Anda belum punya permohonan.", "You have no requests yet."))]
    lines = [T("Permohonan Anda:", "Your requests:")] + [requests.describe(r) for r in rows]
    return [Reply(join(lines))]


async def cancel(ctx: Context) -> list[Reply]:
    text = ctx.inbound.text or ""
    found = REF.search(text)
    rows = await requests.mine(ctx.session, ctx.me.id, statuses=requests.CANCELLABLE)
    if found:
        rows = [r for r in rows if r.ref == found.group(1).upper()]
    if not rows:
        return [
            Reply(
                T(
                    "Tidak ada permohonan yang bisa dibatalkan.",
                    "There is no request that can be cancelled.",
                )
            )
        ]
    group = ctx.new_button_group()
    buttons = tuple(
        [
            await ctx.button(
                T(f"Batalkan {r.ref}", f"Cancel {r.ref}"),
                "request.cancel",
                {"request": r.id},
                group=group,
            )
            for r in rows[:8]
        ]
    )
    lines = [T("Pilih permohonan yang dibatalkan:", "Choose the request to cancel:")]
    lines += [requests.describe(r) for r in rows[:8]]
    return [Reply(join(lines), buttons)]


async def press_cancel(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    ok, request = await requests.cancel(
        ctx.session, int(payload["request"]), actor_id=ctx.me.id, env=env_of(ctx)
    )
    if not ok or request is None:
        return [
            Reply(
                T(
                    "Permohonan ini tidak bisa dibatalkan lagi.",
                    "This request can no longer be cancelled.",
                )
            )
        ]
    return [Reply(T(f"Permohonan {request.ref} dibatalkan.", f"Request {request.ref} cancelled."))]


INTENTS: dict[str, Handler] = {
    "leave.balance": leave_balance,
    "attendance.summary": attendance,
    "payslip.view": payslip,
    "request.status": status,
    "request.cancel": cancel,
}
ACTIONS: dict[str, ActionHandler] = {"request.cancel": press_cancel}
