"""The back office under /admin: server-rendered pages on the web chat's login.

Every page resolves the viewer's scope (bot/backoffice/access.py) first; a page outside it is
403. Every POST carries the session's CSRF token and is audited by the operation it runs.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.backoffice import numbers
from bot.backoffice.access import Scope
from bot.backoffice.kit import LANG_COOKIE, LoginNeeded, Pages, csv_response, lang_of
from bot.web.auth import Viewer
from core.storage.models import (
    AuditEvent,
    Broadcast,
    Employee,
    HandoffCase,
    OrgUnit,
    ServiceRequest,
)
from core.storage.models.handoff import CASE_ACTIVE
from integrations import lifecycle
from integrations.handoff import cases

HERE = Path(__file__).parent
MAX_CSV_BYTES = 20 * 1024 * 1024
NO_FILE = ("Pilih berkas CSV dulu.", "Choose a CSV file first.")
TOO_BIG = ("Berkas lebih dari 20 MB.", "The file is larger than 20 MB.")
PAGE_SIZE = 50
CSV_LIMIT = 10000
STATUSES = ("open", "taken", "closed", "cancelled")


def backoffice_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/admin", include_in_schema=False)
    tz = app.settings.timezone
    teams = app.deps.handoff

    def env_for(viewer: Viewer, now: datetime) -> cases.Env:
        return cases.Env(now=now, teams=teams, calendar=app.deps.calendar, tz=tz, channel="web")

    pages = Pages(app)
    page_scope = pages.page_scope
    render = pages.render
    post_scope = pages.post_scope()

    @routes.get("")
    async def home(request: Request) -> Response:
        scope = await page_scope(request)
        target = "/admin/inbox" if scope.operated else "/admin/dashboard"
        return RedirectResponse(target, 303)

    @routes.get("/login")
    async def login(request: Request) -> Response:
        people: list[dict[str, Any]] = []
        if app.settings.demo:
            async with app.db.sessions() as session:
                rows = (await session.execute(select(Employee).order_by(Employee.id))).scalars()
                for e in rows:
                    roles = [r for r in (e.roles or []) if r != "employee"]
                    if teams.of_operator(e.nip):
                        roles.append("operator")
                    if roles:
                        people.append({"nip": e.nip, "name": e.name, "roles": roles})
        return render(request, "login.html", None, people=people)

    @routes.get("/lang/{code}")
    async def language(code: str, request: Request, back: str = "/admin") -> Response:
        response = RedirectResponse(back if back.startswith("/admin") else "/admin", 303)
        response.set_cookie(LANG_COOKIE, "en" if code == "en" else "id", samesite="lax", path="/")
        return response

    # -- inbox --------------------------------------------------------------------------------
    @routes.get("/inbox")
    async def inbox(request: Request, team: str = "", status: str = "active") -> Response:
        scope = await page_scope(request)
        now = app.deps.clock()
        async with app.db.sessions() as session:
            query = select(HandoffCase, Employee).join(
                Employee, Employee.id == HandoffCase.employee_id
            )
            query = _visible_cases(query, scope)
            if team:
                query = query.where(HandoffCase.team == team)
            if status == "active":
                query = query.where(HandoffCase.status.in_(CASE_ACTIVE))
            elif status in STATUSES:
                query = query.where(HandoffCase.status == status)
            rows = (
                await session.execute(
                    query.order_by(HandoffCase.created_at.desc()).limit(PAGE_SIZE)
                )
            ).all()
        listed = [
            {"case": c, "employee": e, "sla": _sla(app, c, now), "team": teams.get(c.team)}
            for c, e in rows
        ]
        visible_teams = [t for t in teams.teams.values() if t.code in scope.team_codes]
        return render(
            request,
            "inbox.html",
            scope,
            rows=listed,
            team=team,
            status=status,
            visible_teams=visible_teams,
        )

    async def _case_or_404(session: AsyncSession, scope: Scope, case_id: int) -> HandoffCase:
        case = await session.get(HandoffCase, case_id)
        if case is None or not scope.sees_case(case):
            raise HTTPException(404, "case not found / kasus tidak ditemukan")
        return case

    async def _case_page(
        request: Request, scope: Scope, case_id: int, error: str | None = None, status: int = 200
    ) -> Response:
        now = app.deps.clock()
        async with app.db.sessions() as session:
            case = await _case_or_404(session, scope, case_id)
            employee = await session.get(Employee, case.employee_id)
            operator = await session.get(Employee, case.operator_id) if case.operator_id else None
            said = await cases.messages_of(session, case.id)
            names = {
                e.id: e.name
                for e in (
                    await session.execute(
                        select(Employee).where(
                            Employee.id.in_({m.author_id for m in said if m.author_id})
                        )
                    )
                ).scalars()
            }
        return render(
            request,
            "case.html",
            scope,
            code=status,
            case=case,
            employee=employee,
            operator=operator,
            said=said,
            names=names,
            team=teams.get(case.team),
            topic=teams.topic_label(case.topic),
            sla=_sla(app, case, now),
            request_ref=cases.request_ref(case),
            may_act=scope.operates(case),
            error=error,
            ok=request.query_params.get("ok"),
        )

    @routes.get("/cases/{case_id}")
    async def case_page(case_id: int, request: Request) -> Response:
        return await _case_page(request, await page_scope(request), case_id)

    @routes.get("/cases/{case_id}/thread")
    async def thread(case_id: int, request: Request) -> Response:
        """The conversation alone, for the page's polling (admin.js)."""
        scope = await page_scope(request)
        async with app.db.sessions() as session:
            case = await _case_or_404(session, scope, case_id)
            said = await cases.messages_of(session, case.id)
            ids = {m.author_id for m in said if m.author_id}
            names = {
                e.id: e.name
                for e in (
                    await session.execute(select(Employee).where(Employee.id.in_(ids)))
                ).scalars()
            }
        return render(request, "thread.html", scope, case=case, said=said, names=names)

    async def _act(
        request: Request, scope: Scope, case_id: int, action: str, text: str = ""
    ) -> Response:
        now = app.deps.clock()
        try:
            async with app.db.transaction() as session:
                case = await session.get(HandoffCase, case_id, with_for_update=True)
                if case is None or not scope.sees_case(case):
                    raise HTTPException(404, "case not found / kasus tidak ditemukan")
                operator = await session.get(Employee, scope.viewer.employee_id)
                env = env_for(scope.viewer, now)
                if action == "take":
                    await cases.take(session, env, case, operator, via="web")
                elif action == "reply":
                    await cases.reply(session, env, case, operator, text)
                else:
                    await cases.close(session, env, case, operator, text)
        except cases.Refused as refused:
            # The refusal itself is audited in its own transaction (the failed one rolled back).
            async with app.db.transaction() as session:
                from core.audit import record

                record(
                    session,
                    now=now,
                    actor_id=scope.viewer.employee_id,
                    channel="web",
                    entity="handoff",
                    entity_id=case_id,
                    action=f"refused.{action}.{refused.reason}"[:40],
                )
            message = refused.message.get(lang_of(request))
            return await _case_page(request, scope, case_id, error=message, status=400)
        return RedirectResponse(f"/admin/cases/{case_id}?ok={action}", 303)

    @routes.post("/cases/{case_id}/take")
    async def take(case_id: int, request: Request, scope: Scope = post_scope) -> Response:
        return await _act(request, scope, case_id, "take")

    @routes.post("/cases/{case_id}/reply")
    async def reply(
        case_id: int,
        request: Request,
        scope: Scope = post_scope,
        text: str = Form(default="", max_length=2000),
    ) -> Response:
        return await _act(request, scope, case_id, "reply", text)

    @routes.post("/cases/{case_id}/close")
    async def close(
        case_id: int,
        request: Request,
        scope: Scope = post_scope,
        note: str = Form(default="", max_length=500),
    ) -> Response:
        return await _act(request, scope, case_id, "close", note)

    # -- dashboard ----------------------------------------------------------------------------
    @routes.get("/dashboard")
    async def dashboard(request: Request) -> Response:
        scope = await page_scope(request)
        async with app.db.sessions() as session:
            figures = await numbers.today(session, scope, app.deps.clock(), tz)
        top = max([1, *figures.requests_by_state.values()])
        states = [
            {
                "state": state,
                "label": lifecycle.STATUS_TEXT.get(state),
                "count": count,
                "width": round(100 * count / top),
            }
            for state, count in sorted(figures.requests_by_state.items())
        ]
        return render(request, "dashboard.html", scope, figures=figures, states=states)

    # -- requests -----------------------------------------------------------------------------
    def _request_query(scope: Scope, service: str, state: str, unit: str, start: str, end: str):
        query = (
            select(ServiceRequest, Employee, OrgUnit)
            .join(Employee, Employee.id == ServiceRequest.employee_id)
            .join(OrgUnit, OrgUnit.id == Employee.unit_id)
        )
        if scope.employees is not None:
            query = query.where(ServiceRequest.employee_id.in_(scope.employees or {-1}))
        if service:
            query = query.where(ServiceRequest.service_id == service)
        if state:
            query = query.where(ServiceRequest.status == state)
        if unit:
            query = query.where(OrgUnit.code == unit)
        first, last = _day(start), _day(end)
        if first is not None:
            query = query.where(ServiceRequest.created_at >= _utc_start(first, tz))
        if last is not None:
            query = query.where(
                ServiceRequest.created_at < _utc_start(last + timedelta(days=1), tz)
            )
        return query.order_by(ServiceRequest.created_at.desc())

    def _filter_errors(start: str, end: str) -> list[str]:
        errors = []
        for label, value in (("dari/from", start), ("sampai/to", end)):
            if value and _day(value) is None:
                errors.append(f"Tanggal {label} tidak valid (YYYY-MM-DD) / invalid date")
        first, last = _day(start), _day(end)
        if first and last and last < first:
            errors.append("Tanggal akhir sebelum tanggal awal / the end is before the start")
        return errors

    @routes.get("/requests")
    async def requests_page(
        request: Request,
        service: str = "",
        state: str = "",
        unit: str = "",
        start: str = "",
        end: str = "",
    ) -> Response:
        scope = await page_scope(request)
        if not (scope.hr or scope.employees):
            raise HTTPException(403, "not allowed / tidak diizinkan")
        errors = _filter_errors(start, end)
        rows: list[Any] = []
        async with app.db.sessions() as session:
            if not errors:
                rows = (
                    await session.execute(
                        _request_query(scope, service, state, unit, start, end).limit(PAGE_SIZE)
                    )
                ).all()
            units = list((await session.execute(select(OrgUnit).order_by(OrgUnit.code))).scalars())
        return render(
            request,
            "requests.html",
            scope,
            code=400 if errors else 200,
            rows=rows,
            errors=errors,
            services=list(app.deps.services),
            states=list(lifecycle.STATUS_TEXT),
            status_text=lifecycle.STATUS_TEXT,
            units=units,
            f={"service": service, "state": state, "unit": unit, "start": start, "end": end},
        )

    @routes.get("/requests.csv")
    async def requests_csv(
        request: Request,
        service: str = "",
        state: str = "",
        unit: str = "",
        start: str = "",
        end: str = "",
    ) -> Response:
        scope = await page_scope(request)
        if not (scope.hr or scope.employees) or _filter_errors(start, end):
            raise HTTPException(400 if scope.hr or scope.employees else 403, "bad filter")
        async with app.db.transaction() as session:
            rows = (
                await session.execute(
                    _request_query(scope, service, state, unit, start, end).limit(CSV_LIMIT)
                )
            ).all()
            _audit_export(session, scope, "requests", len(rows), app.deps.clock())
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "ref",
                "service",
                "status",
                "nip",
                "name",
                "unit",
                "start",
                "end",
                "days",
                "created_at",
            ]
        )
        for req, emp, org in rows:
            writer.writerow(
                [req.ref, req.service_id, req.status, emp.nip, emp.name, org.code,
                 req.start_date, req.end_date, req.days, req.created_at.isoformat()]
            )  # fmt: skip
        return csv_response(out.getvalue(), "requests.csv")

    @routes.get("/requests/{ref}")
    async def request_detail(ref: str, request: Request) -> Response:
        scope = await page_scope(request)
        async with app.db.sessions() as session:
            found = (
                await session.execute(
                    select(ServiceRequest).where(ServiceRequest.ref == ref.upper())
                )
            ).scalar()
            if found is None or not scope.sees_employee(found.employee_id):
                raise HTTPException(404, "request not found / permohonan tidak ditemukan")
            employee = await session.get(Employee, found.employee_id)
            trail = await _events(session, "request", found.id)
        return render(
            request,
            "request.html",
            scope,
            req=found,
            employee=employee,
            trail=trail,
            status_text=lifecycle.STATUS_TEXT,
        )

    # -- audit log ----------------------------------------------------------------------------
    def _audit_query(scope: Scope, q: str, entity: str):
        query = select(AuditEvent, Employee).outerjoin(
            Employee, Employee.id == AuditEvent.actor_id
        )
        if scope.employees is not None:
            query = query.where(
                AuditEvent.actor_id.in_(scope.employees | {scope.viewer.employee_id})
            )
        if entity:
            query = query.where(AuditEvent.entity == entity)
        if q:
            like = f"%{q[:60]}%"
            query = query.where(
                or_(
                    AuditEvent.action.ilike(like),
                    Employee.name.ilike(like),
                    cast(AuditEvent.detail, String).ilike(like),
                )
            )
        return query.order_by(AuditEvent.id.desc())

    @routes.get("/audit")
    async def audit_page(
        request: Request, q: str = "", entity: str = "", page: int = 1
    ) -> Response:
        scope = await page_scope(request)
        if not scope.hr:
            raise HTTPException(403, "not allowed / tidak diizinkan")
        page = max(1, min(page, 1000))
        async with app.db.sessions() as session:
            rows = (
                await session.execute(
                    _audit_query(scope, q, entity).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
                )
            ).all()
            entities = list(
                (
                    await session.execute(
                        select(AuditEvent.entity).distinct().order_by(AuditEvent.entity)
                    )
                ).scalars()
            )
        return render(
            request, "audit.html", scope, rows=rows, q=q, entity=entity, page_no=page,
            entities=entities, more=len(rows) == PAGE_SIZE,
        )  # fmt: skip

    @routes.get("/audit.csv")
    async def audit_csv(request: Request, q: str = "", entity: str = "") -> Response:
        scope = await page_scope(request)
        if not scope.hr:
            raise HTTPException(403, "not allowed / tidak diizinkan")
        async with app.db.transaction() as session:
            rows = (await session.execute(_audit_query(scope, q, entity).limit(CSV_LIMIT))).all()
            _audit_export(session, scope, "audit", len(rows), app.deps.clock())
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["id", "at", "actor_nip", "actor", "channel", "entity", "entity_id", "action"]
        )
        for event, actor in rows:
            writer.writerow(
                [event.id, event.at.isoformat(), actor.nip if actor else "",
                 actor.name if actor else "", event.channel or "", event.entity,
                 event.entity_id or "", event.action]
            )  # fmt: skip
        return csv_response(out.getvalue(), "audit.csv")

    # -- broadcasts -------------------------------------------------------------------------
    async def _audiences(scope: Scope) -> list[tuple[str, str]]:
        """(value, label) of the audiences this HR admin may address."""
        async with app.db.sessions() as session:
            units = list((await session.execute(select(OrgUnit).order_by(OrgUnit.code))).scalars())
            opd = await session.get(OrgUnit, scope.viewer.opd_id)
        if scope.city:
            choices = [
                ("all", "Semua pegawai / everyone"),
                ("role:supervisor", "Semua atasan / all supervisors"),
            ]
            choices += [(f"unit:{u.code}", f"{u.code} · {u.name}") for u in units]
            return choices
        return [(f"unit:{opd.code}", f"{opd.code} · {opd.name}")] if opd else []

    def _broadcast_scope(scope: Scope) -> None:
        if not scope.hr:
            raise HTTPException(403, "not allowed / tidak diizinkan")

    async def _broadcast_form(
        request: Request, scope: Scope, values: dict[str, str], errors: list[str],
        count: int | None = None, code: int = 200,
    ) -> Response:  # fmt: skip
        async with app.db.sessions() as session:
            query = select(Broadcast).order_by(Broadcast.id.desc()).limit(20)
            if not scope.city:
                query = query.where(Broadcast.created_by_id == scope.viewer.employee_id)
            past = list((await session.execute(query)).scalars())
        return render(
            request, "broadcasts.html", scope, code=code, v=values, errors=errors,
            count=count, audiences=await _audiences(scope), past=past,
        )  # fmt: skip

    async def _broadcast_input(request: Request, scope: Scope) -> tuple[dict[str, str], list[str]]:
        form = await request.form()
        values = {
            k: str(form.get(k, "")).strip() for k in ("title", "text_id", "text_en", "audience")
        }
        errors = []
        if not values["title"] or len(values["title"]) > 200:
            errors.append("Judul wajib diisi (maks. 200 huruf) / a title is required (max 200)")
        for key, label in (("text_id", "Indonesia"), ("text_en", "English")):
            if not values[key] or len(values[key]) > 1000:
                errors.append(f"Pesan ({label}) wajib diisi, maks. 1000 huruf / message required")
        if values["audience"] not in {a for a, _ in await _audiences(scope)}:
            errors.append("Pilih penerima / choose the audience")
        return values, errors

    @routes.get("/broadcasts")
    async def broadcasts_page(request: Request) -> Response:
        scope = await page_scope(request)
        _broadcast_scope(scope)
        empty = {"title": "", "text_id": "", "text_en": "", "audience": ""}
        return await _broadcast_form(request, scope, empty, [])

    @routes.post("/broadcasts/preview")
    async def broadcast_preview(request: Request, scope: Scope = post_scope) -> Response:
        from scheduler.broadcasts import Audience, audience_size

        _broadcast_scope(scope)
        values, errors = await _broadcast_input(request, scope)
        if errors:
            return await _broadcast_form(request, scope, values, errors, code=400)
        count = await audience_size(app.db, Audience.parse(values["audience"]))
        return await _broadcast_form(request, scope, values, [], count=count)

    @routes.post("/broadcasts/send")
    async def broadcast_send(request: Request, scope: Scope = post_scope) -> Response:
        from core.audit import record
        from core.messages import Reply
        from core.text import T
        from scheduler.broadcasts import Audience, create_broadcast

        _broadcast_scope(scope)
        values, errors = await _broadcast_input(request, scope)
        if errors:
            return await _broadcast_form(request, scope, values, errors, code=400)
        now = app.deps.clock()
        audience = Audience.parse(values["audience"])
        broadcast_id = await create_broadcast(
            app.db,
            audience=audience,
            reply=Reply(T(values["text_id"], values["text_en"])),
            title=values["title"],
            now=now,
            created_by_id=scope.viewer.employee_id,
        )
        async with app.db.transaction() as session:
            record(
                session, now=now, actor_id=scope.viewer.employee_id, channel="web",
                entity="broadcast", entity_id=broadcast_id, action="broadcast.created",
                detail={"audience": str(audience)},
            )  # fmt: skip
        return RedirectResponse(f"/admin/broadcasts/{broadcast_id}", 303)

    @routes.get("/broadcasts/{broadcast_id}")
    async def broadcast_detail(broadcast_id: int, request: Request) -> Response:
        from scheduler.broadcasts import report

        scope = await page_scope(request)
        _broadcast_scope(scope)
        async with app.db.sessions() as session:
            found = await session.get(Broadcast, broadcast_id)
        if found is None or not (scope.city or found.created_by_id == scope.viewer.employee_id):
            raise HTTPException(404, "broadcast not found / siaran tidak ditemukan")
        progress = await report(app.db, broadcast_id, app.deps.clock())
        return render(request, "broadcast.html", scope, b=found, r=progress)

    # -- organisation import ----------------------------------------------------------------
    def _org_scope(scope: Scope) -> None:
        # The file is the whole city's roster (who is missing is deactivated): city HR only.
        if not scope.city:
            raise HTTPException(403, "not allowed / tidak diizinkan")

    @routes.get("/org")
    async def org_page(request: Request) -> Response:
        scope = await page_scope(request)
        _org_scope(scope)
        return render(request, "org.html", scope, result=None, content="", skip_bad=False)

    async def _import(
        request: Request, scope: Scope, data: bytes, name: str, *, dry_run: bool, skip_bad: bool
    ) -> Response:
        from core.audit import record
        from integrations.org import ImportOptions, run_import

        now = app.deps.clock()
        result = await run_import(
            app.db,
            data,
            ImportOptions(dry_run=dry_run, skip_bad=skip_bad, tz=tz),
            now=now,
            calendar=app.deps.calendar,
            rules=app.deps.leave_rules,
            name=name[:120],
        )
        async with app.db.transaction() as session:
            record(
                session,
                now=now,
                actor_id=scope.viewer.employee_id,
                channel="web",
                entity="organisation",
                entity_id=None,
                action="org.checked" if dry_run else "org.applied",
                detail={"rows": result.rows, "errors": len(result.errors), "ok": result.ok},
            )
        summary = result.as_json()
        return render(
            request,
            "org.html",
            scope,
            code=200 if result.ok else 400,
            result=summary,
            content=base64.b64encode(data).decode() if dry_run and result.ok else "",
            digest=hashlib.sha256(data).hexdigest()[:16],
            skip_bad=skip_bad,
            name=name,
        )

    @routes.post("/org/check")
    async def org_check(request: Request, scope: Scope = post_scope) -> Response:
        _org_scope(scope)
        form = await request.form()
        upload = form.get("file")
        skip_bad = form.get("skip_bad") == "1"
        if upload is None or isinstance(upload, str) or not upload.filename:
            return render(
                request, "org.html", scope, code=400, result=None, content="",
                skip_bad=skip_bad, error=NO_FILE,
            )  # fmt: skip
        data = await upload.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            return render(
                request, "org.html", scope, code=413, result=None, content="",
                skip_bad=skip_bad, error=TOO_BIG,
            )  # fmt: skip
        return await _import(
            request, scope, data, upload.filename, dry_run=True, skip_bad=skip_bad
        )

    @routes.post("/org/apply")
    async def org_apply(request: Request, scope: Scope = post_scope) -> Response:
        _org_scope(scope)
        form = await request.form()
        try:
            data = base64.b64decode(str(form.get("content", "")), validate=True)
        except ValueError:
            data = b""
        if not data or len(data) > MAX_CSV_BYTES:
            return render(
                request, "org.html", scope, code=400, result=None, content="",
                skip_bad=False, error=NO_FILE,
            )  # fmt: skip
        name = str(form.get("name", "org.csv"))
        skip_bad = form.get("skip_bad") == "1"
        return await _import(request, scope, data, name, dry_run=False, skip_bad=skip_bad)

    return routes


def mount_backoffice(web: Any, app: App) -> None:
    """Add the back office's pages, static files and login redirect to the web app."""
    web.include_router(backoffice_routes(app))
    web.mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin-static")

    @web.exception_handler(LoginNeeded)
    async def _login(request: Request, exc: LoginNeeded) -> Response:
        return RedirectResponse("/admin/login", 303)


def _visible_cases(query, scope: Scope):
    if scope.employees is None:
        return query
    return query.where(
        or_(
            HandoffCase.team.in_(scope.team_codes or {""}),
            HandoffCase.employee_id.in_(scope.employees or {-1}),
        )
    )


def _sla(app: App, case: HandoffCase, now: datetime) -> dict[str, Any]:
    """Office hours left before the promised answer (negative: late), for open cases."""
    if case.status != "open":
        return {"state": case.status, "minutes": None}
    calendar, tz = app.deps.calendar, app.settings.timezone
    if now <= case.expected_by:
        minutes = round(calendar.working_hours_between(now, case.expected_by, tz) * 60)
        return {"state": "warn" if minutes <= 30 else "ok", "minutes": minutes}
    late = round(calendar.working_hours_between(case.expected_by, now, tz) * 60)
    return {"state": "late", "minutes": -late}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _utc_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


async def _events(session: AsyncSession, entity: str, entity_id: int) -> list[Any]:
    return list(
        (
            await session.execute(
                select(AuditEvent, Employee)
                .outerjoin(Employee, Employee.id == AuditEvent.actor_id)
                .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        ).all()
    )


def _audit_export(
    session: AsyncSession, scope: Scope, what: str, count: int, now: datetime
) -> None:
    from core.audit import record

    record(
        session,
        now=now,
        actor_id=scope.viewer.employee_id,
        channel="web",
        entity="export",
        entity_id=None,
        action=f"exported.{what}",
        detail={"rows": count},
    )
