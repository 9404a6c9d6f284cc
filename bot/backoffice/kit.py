"""What every back-office page needs: the viewer's scope, the one renderer, audit, CSV.

The pages of bot/backoffice/routes.py and the page modules (learning.py, unknown.py,
employees.py) share the templates, the language switch and the login redirect from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.app import App
from bot.backoffice.access import Scope, scope_for
from bot.web.auth import Viewer, check_csrf, csrf_token, optional_viewer

NOT_ALLOWED = "not allowed / tidak diizinkan"
HERE = Path(__file__).parent
LANG_COOKIE = "ayo_lang"

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginNeeded(Exception):
    """No session: HTML pages send the browser to the login page instead of a bare 401."""


def lang_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "id"


def local_text(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y %H:%M")


def csv_response(text: str, name: str) -> Response:
    """A CSV download (with a BOM, so spreadsheets read the UTF-8)."""
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class Pages:
    """The scope dependencies and the renderer of one app's back office."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def _scope(self, viewer: Viewer) -> Scope:
        app = self.app
        async with app.db.sessions() as session:
            scope = await scope_for(session, viewer, app.deps.handoff, app.settings.city_hr_opd)
        if not scope.allowed:
            raise HTTPException(403, NOT_ALLOWED)
        return scope

    async def page_scope(self, request: Request) -> Scope:
        """For pages: the viewer's scope; no session sends the browser to the login page."""
        viewer = await optional_viewer(request)
        if viewer is None:
            raise LoginNeeded()
        return await self._scope(viewer)

    def post_scope(self) -> Any:
        """A dependency for every POST: a session, its CSRF token, and a back-office scope."""

        async def dependency(viewer: Annotated[Viewer, Depends(check_csrf)]) -> Scope:
            return await self._scope(viewer)

        return Depends(dependency)

    def render(
        self, request: Request, page: str, scope: Scope | None, code: int = 200, **values: Any
    ) -> HTMLResponse:
        """The page in the viewer's language; without a scope (the login page), no CSRF."""
        lang = lang_of(request)

        def t(id_text: str, en_text: str) -> str:
            return en_text if lang == "en" else id_text

        html = templates.get_template(page).render(
            request=request,
            scope=scope,
            lang=lang,
            t=t,
            csrf=csrf_token(request) if scope is not None else "",
            demo=self.app.settings.demo,
            local=lambda moment: local_text(moment, self.app.settings.timezone),
            **values,
        )
        return HTMLResponse(html, status_code=code)

    def audit(
        self,
        session: Any,
        scope: Scope,
        *,
        entity: str,
        action: str,
        entity_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        from core.audit import record

        record(
            session,
            now=self.app.deps.clock(),
            actor_id=scope.viewer.employee_id,
            channel="web",
            entity=entity,
            entity_id=entity_id,
            action=action,
            detail=detail or {},
        )


def require(allowed: Callable[[Scope], bool], scope: Scope) -> Scope:
    if not allowed(scope):
        raise HTTPException(403, NOT_ALLOWED)
    return scope
