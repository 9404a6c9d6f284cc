"""`/admin/employees`: the employees in the HR admin's scope with their link status (Telegram,
WhatsApp, a code waiting), one-time link codes for one employee (shown once, or as a letter)
and the printable letters of a unit (the code behind `ayo link-code` / `ayo link-codes`).

Codes are stored as their SHA-256 only (bot/linking/codes.py): the page or the PDF that
hands a code out is the only place it ever appears, so neither is cached by the browser.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.backoffice.access import Scope, unit_opds
from bot.backoffice.kit import Pages, require
from core.storage.models import ChatAccount, Employee, LinkCode, OrgUnit

LISTED = 300
CHANNELS = ("telegram", "whatsapp")
DAYS = (1, 60)  # how long letters' codes may stay valid
NO_STORE = {"Cache-Control": "no-store"}
NO_LINK = (
    "Atur AYO_TELEGRAM_BOT_USERNAME (atau AYO_TELEGRAM_TOKEN) atau AYO_WHATSAPP_NUMBER agar "
    "surat memuat tautan / set AYO_TELEGRAM_BOT_USERNAME (or AYO_TELEGRAM_TOKEN) or "
    "AYO_WHATSAPP_NUMBER so that the letters have a link to follow"
)


def _hr(scope: Scope) -> bool:
    return scope.hr


async def link_status(
    session: AsyncSession, employee_ids: list[int], now: datetime
) -> dict[int, dict[str, bool]]:
    """Per employee: which channels are linked, and whether an unused code is waiting."""
    found = {i: {"telegram": False, "whatsapp": False, "code": False} for i in employee_ids}
    if not employee_ids:
        return found
    accounts = await session.execute(
        select(ChatAccount.employee_id, ChatAccount.channel).where(
            ChatAccount.employee_id.in_(employee_ids), ChatAccount.channel.in_(CHANNELS)
        )
    )
    for employee_id, channel in accounts.all():
        found[employee_id][channel] = True
    codes = await session.execute(
        select(LinkCode.employee_id).where(
            LinkCode.employee_id.in_(employee_ids),
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
    )
    for (employee_id,) in codes.all():
        found[employee_id]["code"] = True
    return found


def employees_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/admin", include_in_schema=False)
    pages = Pages(app)
    post_scope = pages.post_scope()

    async def letter_units(session: AsyncSession, scope: Scope) -> list[OrgUnit]:
        """Units whose letters the viewer may print: every unit (city), else their OPD's."""
        units = list((await session.execute(select(OrgUnit).order_by(OrgUnit.code))).scalars())
        if scope.city:
            return units
        opds = await unit_opds(session)
        return [u for u in units if opds.get(u.id) == scope.viewer.opd_id]

    async def listing(request: Request, scope: Scope, *, errors: list[str], code: int = 200):
        q = request.query_params.get("q", "").strip()[:60]
        unit = request.query_params.get("unit", "")
        linked = request.query_params.get("linked", "")
        async with app.db.sessions() as session:
            units = await letter_units(session, scope)
            query = (
                select(Employee, OrgUnit)
                .join(OrgUnit, OrgUnit.id == Employee.unit_id)
                .where(Employee.active.is_(True))
            )
            if scope.employees is not None:
                query = query.where(Employee.id.in_(scope.employees or {-1}))
            if unit:
                query = query.where(OrgUnit.code == unit)
            if q:
                query = query.where(or_(Employee.name.ilike(f"%{q}%"), Employee.nip == q))
            rows = (await session.execute(query.order_by(OrgUnit.code, Employee.name))).all()
            status = await link_status(session, [e.id for e, _ in rows], app.deps.clock())
        if linked in ("yes", "no"):
            want = linked == "yes"
            rows = [
                r
                for r in rows
                if (status[r[0].id]["telegram"] or status[r[0].id]["whatsapp"]) == want
            ]
        counts = {
            "people": len(rows),
            "linked": sum(status[e.id]["telegram"] or status[e.id]["whatsapp"] for e, _ in rows),
        }
        return pages.render(
            request, "employees.html", scope, code=code, rows=rows[:LISTED], status=status,
            counts=counts, units=units, errors=errors, listed=LISTED,
            f={"q": q, "unit": unit, "linked": linked},
        )  # fmt: skip

    @routes.get("/employees")
    async def employees_page(request: Request) -> Response:
        scope = require(_hr, await pages.page_scope(request))
        return await listing(request, scope, errors=[])

    async def links() -> tuple[str, str]:
        from bot.linking.cli import telegram_username

        return await telegram_username(app.settings), app.settings.whatsapp_number

    @routes.post("/employees/{employee_id}/link-code")
    async def one_code(employee_id: int, request: Request, scope: Scope = post_scope) -> Response:
        from bot.linking import letters
        from bot.linking.codes import CODE_TTL, create_code

        require(_hr, scope)
        form = await request.form()
        as_pdf = form.get("as") == "pdf"
        username, number = await links()
        if as_pdf and not (username or number):
            return await listing(request, scope, errors=[NO_LINK], code=400)
        now = app.deps.clock()
        async with app.db.transaction() as session:
            employee = await session.get(Employee, employee_id)
            if employee is None or not employee.active or not scope.sees_employee(employee.id):
                raise HTTPException(404, "employee not found / pegawai tidak ditemukan")
            made = await create_code(session, employee.id, now=now, ttl=CODE_TTL)
            unit = await session.get(OrgUnit, employee.unit_id)
            pages.audit(
                session, scope, entity="employee", entity_id=employee.id,
                action="link_code.created", detail={"as": "pdf" if as_pdf else "page"},
            )  # fmt: skip
        letter = letters.Letter(
            nip=employee.nip,
            name=employee.full_name,
            unit=unit.name if unit else "",
            code=made.code,
            expires_at=made.expires_at,
            telegram_link=letters.telegram_link(username, made.code),
            whatsapp_link=letters.whatsapp_link(number, made.code),
        )
        if as_pdf:
            return _pdf(letters.render_pdf([letter], tz=app.settings.timezone), employee.nip)
        qr = {
            name: letters.qr_code(link).svg_inline(scale=4)
            for name, link in (
                ("telegram", letter.telegram_link),
                ("whatsapp", letter.whatsapp_link),
            )
            if link
        }
        response = pages.render(request, "link_code.html", scope, letter=letter, qr=qr)
        response.headers.update(NO_STORE)
        return response

    @routes.post("/employees/letters")
    async def unit_letters(request: Request, scope: Scope = post_scope) -> Response:
        from bot.linking import letters

        require(_hr, scope)
        form = await request.form()
        unit = str(form.get("unit", ""))
        unlinked = form.get("unlinked") == "1"
        raw_days = str(form.get("days", "14"))
        errors = []
        async with app.db.sessions() as session:
            allowed = {u.code for u in await letter_units(session, scope)}
        if not (unit in allowed or (unit == "*" and scope.city)):
            errors.append("Pilih unit / choose a unit")
        days = int(raw_days) if raw_days.isdigit() else 0
        if not DAYS[0] <= days <= DAYS[1]:
            errors.append(
                f"Masa berlaku {DAYS[0]}–{DAYS[1]} hari / valid for {DAYS[0]}–{DAYS[1]} days"
            )
        username, number = await links()
        if not (username or number):
            errors.append(NO_LINK)
        if errors:
            return await listing(request, scope, errors=errors, code=400)
        made = await letters.issue(
            app.db,
            unit_code=None if unit == "*" else unit,
            now=app.deps.clock(),
            ttl=timedelta(days=days),
            bot_username=username,
            whatsapp_number=number,
            unlinked_only=unlinked,
        )
        async with app.db.transaction() as session:
            pages.audit(
                session, scope, entity="link_codes", action="link_codes.created",
                detail={"unit": unit, "codes": len(made), "unlinked": unlinked, "days": days},
            )  # fmt: skip
        if not made:
            return await listing(
                request, scope, code=400,
                errors=["Tidak ada pegawai untuk dibuatkan kode / nobody to make a code for"],
            )  # fmt: skip
        return _pdf(letters.render_pdf(made, tz=app.settings.timezone), unit.strip("*") or "all")

    return routes


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="kode-penghubung-{name}.pdf"',
            **NO_STORE,
        },
    )
