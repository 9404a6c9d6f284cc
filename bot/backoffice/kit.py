"""What every back-office page module needs: the viewer's scope, rendering, audit, CSV.

The pages of bot/backoffice/routes.py and the page modules (learning.py, unknown.py,
employees.py) share the templates, the language switch and the login redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.app import App
from bot.backoffice.access import Scope, scope_for
from bot.backoffice.routes import LoginNeeded, _lang, _local, templates
from bot.web.auth import Viewer, check_csrf, csrf_token, optional_viewer

NOT_ALLOWED = "not allowed / tidak diizinkan"


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
        self, request: Request, page: str, scope: Scope, code: int = 200, **values: Any
    ) -> HTMLResponse:
        lang = _lang(request)

        def t(id_text: str, en_text: str) -> str:
            return en_text if lang == "en" else id_text

        html = templates.get_template(page).render(
            request=request,
            scope=scope,
            lang=lang,
            t=t,
            csrf=csrf_token(request),
            demo=self.app.settings.demo,
            local=lambda moment: _local(moment, self.app.settings.timezone),
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
