"""Who is looking at a web page: sessions, the `Viewer`, role and owner checks, CSRF.

The stable API every HTTP feature builds on:

- `optional_viewer` / `require_viewer` / `require_role(*roles)`: FastAPI dependencies;
  401 without a valid session, 403 without the role.
- `csrf_token(request)` for HTML forms (a hidden `csrf_token` field) and JS (`X-CSRF-Token`),
  and the `check_csrf` dependency for every state-changing POST.
- `may_see(session, viewer, employee)`: the owner rule — the employee themself, their
  supervisor chain, or an HR admin of the same OPD.

A session is a database row (revocable); the cookie holds a random id whose SHA-256 is
stored, so a leaked database does not hand out live sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, OrgUnit, WebSession

COOKIE = "ayo_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in employee behind a request."""

    employee_id: int
    nip: str
    name: str
    roles: frozenset[str]
    unit_id: int
    opd_id: int

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _app(request: Request) -> Any:
    return request.app.state.ayo


async def opd_of(session: AsyncSession, unit_id: int) -> int:
    """The top-level unit (OPD) a unit belongs to."""
    seen: set[int] = set()
    unit = await session.get(OrgUnit, unit_id)
    while unit is not None and unit.parent_id is not None and unit.id not in seen:
        seen.add(unit.id)
        unit = await session.get(OrgUnit, unit.parent_id)
    return unit.id if unit is not None else unit_id


async def viewer_for(session: AsyncSession, employee: Employee) -> Viewer:
    return Viewer(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        roles=frozenset(employee.roles or ()),
        unit_id=employee.unit_id,
        opd_id=await opd_of(session, employee.unit_id),
    )


async def new_session(
    db: Any, employee_id: int, now: datetime, *, hours: float, method: str
) -> str:
    """Store a session row; returns the cookie value (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    async with db.transaction() as session:
        session.add(
            WebSession(
                token_hash=_hash(token),
                employee_id=employee_id,
                csrf=secrets.token_urlsafe(24),
                method=method,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token


async def open_session(
    request: Request, response: Response, employee_id: int, *, method: str
) -> None:
    """Start a session for `employee_id` and set its cookie on `response`."""
    app = _app(request)
    hours = app.settings.session_hours
    token = await new_session(app.db, employee_id, app.deps.clock(), hours=hours, method=method)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="lax",
        secure=app.settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )


async def close_session(request: Request, response: Response) -> None:
    """Revoke the request's session (if any) and clear its cookie."""
    token = request.cookies.get(COOKIE)
    if token:
        app = _app(request)
        async with app.db.transaction() as session:
            await session.execute(
                update(WebSession)
                .where(WebSession.token_hash == _hash(token), WebSession.revoked_at.is_(None))
                .values(revoked_at=app.deps.clock())
            )
    response.delete_cookie(COOKIE, path="/")


async def revoke_sessions(session: AsyncSession, employee_id: int, now: datetime) -> int:
    """End every live session of an employee (erasure, deactivation); returns how many."""
    done = await session.execute(
        update(WebSession)
        .where(WebSession.employee_id == employee_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return done.rowcount or 0


async def optional_viewer(request: Request) -> Viewer | None:
    """The logged-in employee, or None (no cookie, expired, revoked, or deactivated)."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer
    viewer: Viewer | None = None
    token = request.cookies.get(COOKIE)
    if token and len(token) <= 128:
        app = _app(request)
        async with app.db.sessions() as session:
            row = (
                await session.execute(
                    select(WebSession, Employee)
                    .join(Employee, Employee.id == WebSession.employee_id)
                    .where(WebSession.token_hash == _hash(token))
                )
            ).first()
            if row is not None:
                web_session, employee = row
                live = web_session.revoked_at is None and web_session.expires_at > app.deps.clock()
                if live and employee.active:
                    viewer = await viewer_for(session, employee)
                    request.state.csrf = web_session.csrf
    request.state.viewer = viewer
    return viewer


async def require_viewer(request: Request) -> Viewer:
    """The logged-in employee; 401 otherwise."""
    viewer = await optional_viewer(request)
    if viewer is None:
        raise HTTPException(401, "login required / perlu masuk")
    return viewer


def require_role(*roles: str) -> Any:
    """A dependency: the logged-in employee holding at least one of `roles` (else 403)."""

    async def dependency(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
        if not viewer.has_role(*roles):
            raise HTTPException(403, "not allowed / tidak diizinkan")
        return viewer

    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (resolve the viewer first)."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        raise HTTPException(401, "login required / perlu masuk")
    return token


async def check_csrf(
    request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]
) -> Viewer:
    """For state-changing requests: the session's token in `X-CSRF-Token` or the form."""
    expected = csrf_token(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, expected):
        raise HTTPException(403, "invalid CSRF token")
    return viewer


# Route parameter types: `viewer: LoggedIn` (401 if nobody), `viewer: LoggedInPost` (also the
# CSRF check, for every state-changing request).
LoggedIn = Annotated[Viewer, Depends(require_viewer)]
LoggedInPost = Annotated[Viewer, Depends(check_csrf)]


async def may_see(session: AsyncSession, viewer: Viewer, employee: Employee) -> bool:
    """The owner rule: oneself, anyone below one in the supervisor chain, or (HR admin) the OPD."""
    if employee.id == viewer.employee_id:
        return True
    if viewer.has_role("hr_admin") and await opd_of(session, employee.unit_id) == viewer.opd_id:
        return True
    seen: set[int] = set()
    boss_id = employee.supervisor_id
    while boss_id is not None and boss_id not in seen:
        if boss_id == viewer.employee_id:
            return True
        seen.add(boss_id)
        boss = await session.get(Employee, boss_id)
        boss_id = boss.supervisor_id if boss is not None else None
    return False
