"""The HTTP side: the local web chat and its API; channel webhooks mount here too."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.app import App
from bot.web import guard
from bot.web import history as webhistory  # a route below is called history
from bot.web.auth import (
    LoggedIn,
    LoggedInPost,
    Viewer,
    close_session,
    csrf_token,
    opd_of,
    open_session,
    optional_viewer,
    require_viewer,
)
from bot.web.greet import greet_with_menu
from bot.web.login import RateLimited, clean_nip, request_code, verify_code
from core.storage.models import Employee
from core.text import T

CHAT_PAGE = Path(__file__).parents[1] / "static" / "chat.html"
DEMO_BANNER = (
    '<div id="demo" class="demo" role="note">DEMO — data pegawai fiktif, bukan data '
    "sebenarnya. Demo with fictional employees, not real data.</div>"
)


class SayBody(BaseModel):
    text: str | None = Field(default=None, max_length=5000)
    button: str | None = Field(default=None, max_length=64)
    client_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> SayBody:
        if (self.text is None) == (self.button is None):
            raise ValueError("send exactly one of text or button")
        return self


class LoginBody(BaseModel):
    nip: str = Field(max_length=40)


class VerifyBody(BaseModel):
    nip: str = Field(max_length=40)
    code: str = Field(max_length=12)


CODE_SENT = T(
    "Jika NIP ini terdaftar dan sudah terhubung ke Telegram atau WhatsApp, kode masuk baru "
    "saja dikirim ke sana. Masukkan kode itu di sini.",
    "If this NIP is registered and linked to Telegram or WhatsApp, a login code was just sent "
    "there. Enter that code here.",
)
CODE_WRONG = T(
    "Kode salah atau sudah kedaluwarsa. Minta kode baru bila perlu.",
    "The code is wrong or has expired. Ask for a new code if needed.",
)
TOO_MANY = T(
    "Terlalu banyak percobaan. Coba lagi dalam {minutes} menit.",
    "Too many attempts. Try again in {minutes} minutes.",
)


def client_address(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's X-Forwarded-For here when trusted)."""
    return (request.client.host if request.client else "unknown")[:64]


def _too_many(exc: Any) -> HTTPException:
    minutes = max(1, -(-exc.retry_after // 60))
    return HTTPException(
        429,
        TOO_MANY.format(minutes=minutes).to_json(),
        headers={"Retry-After": str(exc.retry_after)},
    )


def _viewer_json(viewer: Viewer) -> dict[str, Any]:
    return {
        "nip": viewer.nip,
        "name": viewer.name,
        "roles": sorted(viewer.roles),
    }


def local_chat_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/api/local", tags=["local web chat"])

    @routes.get("/session")
    async def who_am_i(request: Request) -> dict[str, Any]:
        """The logged-in employee (or null), whether this is the demo, and the CSRF token."""
        viewer = await optional_viewer(request)
        return {
            "demo": app.settings.demo,
            "viewer": _viewer_json(viewer) if viewer else None,
            "csrf": csrf_token(request) if viewer else None,
        }

    @routes.get("/users")
    async def users(request: Request) -> list[dict[str, Any]]:
        """The demo picker's employees; in production HR admins only, their own OPD only."""
        from bot.demo import users as list_users

        if app.settings.demo:
            return await list_users(app.db)
        viewer = await require_viewer(request)
        if not viewer.has_role("hr_admin"):
            raise HTTPException(403, "not allowed / tidak diizinkan")
        async with app.db.sessions() as session:
            rows = (await session.execute(select(Employee).order_by(Employee.id))).scalars().all()
            return [
                {
                    "nip": e.nip,
                    "name": e.name,
                    "position": e.position,
                    "unit": e.unit.name,
                    "roles": list(e.roles or []),
                    "active": e.active,
                }
                for e in rows
                if await opd_of(session, e.unit_id) == viewer.opd_id
            ]

    @routes.post("/login/demo")
    async def demo_login(body: LoginBody, request: Request, response: Response) -> dict[str, Any]:
        """Demo only: chat as any demo employee (the picker sets the same session cookie)."""
        if not app.settings.demo:
            raise HTTPException(404, "not found")
        async with app.db.sessions() as session:
            employee = (
                await session.execute(select(Employee).where(Employee.nip == clean_nip(body.nip)))
            ).scalar()
        if employee is None or not employee.active:
            raise HTTPException(404, "unknown employee")
        await open_session(request, response, employee.id, method="demo")
        # Picking someone is like opening their chat: they are greeted with the menu.
        await greet_with_menu(app.deps, employee.id)
        return {"ok": True}

    @routes.post("/login/code")
    async def login_code(body: LoginBody, request: Request) -> dict[str, Any]:
        """Send a one-time code to the NIP's linked chat; the same answer for every NIP."""
        try:
            await request_code(app, body.nip, client_address(request))
        except RateLimited as exc:
            raise _too_many(exc) from exc
        return {"status": "sent", "message": CODE_SENT.to_json()}

    @routes.post("/login/verify")
    async def login_verify(
        body: VerifyBody, request: Request, response: Response
    ) -> dict[str, Any]:
        """Exchange the code for a session cookie; 401 with one neutral text otherwise."""
        try:
            employee_id = await verify_code(app, body.nip, body.code, client_address(request))
        except RateLimited as exc:
            raise _too_many(exc) from exc
        if employee_id is None:
            raise HTTPException(401, CODE_WRONG.to_json())
        await open_session(request, response, employee_id, method="code")
        return {"ok": True}

    @routes.post("/logout")
    async def logout(
        request: Request, response: Response, viewer: LoggedInPost
    ) -> dict[str, bool]:
        """End this browser's session."""
        await close_session(request, response)
        return {"ok": True}

    @routes.post("/me/messages")
    async def say(body: SayBody, viewer: LoggedInPost) -> dict[str, Any]:
        """Send a message or press a button as yourself; answers with every message waiting.

        `sent` tells the page its message arrived (when, and whether it was a resend of a
        `client_id` seen before: then it is not processed again, its answers come back).
        """
        client_id = body.client_id or uuid.uuid4().hex
        try:
            inbox_id = await app.local.say(
                viewer.nip, text=body.text, button=body.button, client_id=client_id
            )
            receipt = await app.local.receipt(viewer.nip, client_id)
            messages = await app.local.collect(viewer.nip)
        except LookupError as exc:
            raise HTTPException(404, "unknown employee") from exc
        answers = receipt.replies if receipt is not None else []
        seen = {m.outbox_id for m in answers}
        answers += [m for m in messages if m.outbox_id not in seen]
        answers.sort(key=lambda m: m.outbox_id)  # the order they were written in
        return {
            "messages": [m.to_json() for m in answers],
            "sent": {
                "id": receipt.inbox_id if receipt is not None else None,
                "client_id": client_id,
                "at": receipt.at if receipt is not None else None,
                "duplicate": inbox_id is None,
            },
        }

    @routes.get("/me/history")
    async def history(
        viewer: LoggedIn,
        before: str | None = Query(default=None, max_length=80),
        limit: int = Query(default=webhistory.PAGE, ge=1, le=webhistory.MAX_PAGE),
    ) -> dict[str, Any]:
        """One's own web chat, both directions with times, newest last; `older` pages back.

        `pending` repeats the bot messages still waiting for an answer (an open form's
        question, a prompt whose buttons still work), wherever they are in the history.
        """
        settings = app.settings
        async with app.db.sessions() as session:
            employee = await session.get(Employee, viewer.employee_id)
            if employee is None:
                raise HTTPException(404, "unknown employee")
            try:
                found = await webhistory.page(
                    session,
                    employee,
                    now=app.deps.clock(),
                    language=employee.language or settings.language,
                    timezone=settings.timezone,
                    before=before,
                    limit=limit,
                )
            except webhistory.BadCursor as exc:
                raise HTTPException(422, "before: not a cursor of this history") from exc
        return found.to_json()

    @routes.post("/me/files")
    async def upload(
        viewer: LoggedInPost, file: UploadFile, client_id: str | None = None
    ) -> dict[str, Any]:
        """The upload button: a photo or PDF the open form asks for (doctor's letter …)."""
        store = app.deps.documents
        employee = await app.local.employee(viewer.nip)
        if employee is None:
            raise HTTPException(404, "unknown employee")
        content = await file.read(store.max_bytes + 1)
        async with app.db.transaction() as session:
            saved = await store.save(
                session,
                content,
                kind="attachment",
                owner_id=employee.id,
                source="local",
                now=app.deps.clock(),
            )
        if isinstance(saved, T):  # refused: the reason, in the employee's language
            language = employee.language or app.settings.language
            return {"messages": [{"id": 0, "text": saved.get(language), "buttons": []}]}
        meta = {"file": {"stored": saved.id, "mime": saved.mime, "size": saved.size}}
        await app.local.say(viewer.nip, client_id=client_id, meta=meta)
        return {"messages": [m.to_json() for m in await app.local.collect(viewer.nip)]}

    @routes.get("/me/files/leave_letter/{letter_id}")
    async def letter(viewer: LoggedIn, letter_id: int) -> Response:
        """Download one's own Surat Izin Cuti from the web chat."""
        from core.storage.models import LeaveLetter, ServiceRequest
        from integrations import leave_letter

        async with app.db.sessions() as session:
            found = await session.get(LeaveLetter, letter_id)
            request = await session.get(ServiceRequest, found.request_id) if found else None
            if found is None or request is None or request.employee_id != viewer.employee_id:
                raise HTTPException(404, "no such letter")
            content = leave_letter.render(found)
        name = leave_letter.attachment_of(found).filename
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @routes.get("/me/messages")
    async def poll(viewer: LoggedIn) -> dict[str, Any]:
        """Messages that arrived while the page was idle (approval prompts, decisions)."""
        try:
            messages = await app.local.collect(viewer.nip)
        except LookupError as exc:
            raise HTTPException(404, "unknown employee") from exc
        return {"messages": [m.to_json() for m in messages]}

    return routes


DOCUMENT_DENIED = (
    "Tautan ini tidak berlaku (kedaluwarsa atau bukan untuk Anda). "
    "This link is not valid (expired or not yours)."
)


def document_routes(app: App) -> APIRouter:
    routes = APIRouter(tags=["documents"])

    @routes.get("/documents/{token}")
    async def document(token: str) -> Response:
        """A document an approver opens from their prompt: signed for them, expiring."""
        from core.audit import record
        from core.storage.models import StoredDocument
        from integrations import documents

        store = app.deps.documents
        now = app.deps.clock()
        try:
            doc_id, viewer_id = store.verify(token, now)
        except documents.Denied:
            return PlainTextResponse(DOCUMENT_DENIED, status_code=403)
        async with app.db.transaction() as session:
            doc = await session.get(StoredDocument, doc_id)
            if doc is None or not await documents.may_view(session, doc, viewer_id):
                return PlainTextResponse(DOCUMENT_DENIED, status_code=403)
            record(
                session,
                now=now,
                actor_id=viewer_id,
                channel="web",
                entity="document",
                entity_id=doc.id,
                action="document.viewed",
                detail={"request": doc.request_id},
            )
            content, name, mime = store.read(doc), store.filename(doc), doc.mime
        return Response(
            content,
            media_type=mime,
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return routes


class AyoWeb(FastAPI):
    """The FastAPI app, with a few exact (method, path) pairs answered in front of it.

    `front` holds the channel webhooks (bot/web/webhooks.py): a request for one of them goes
    straight to its handler, past FastAPI's middleware, exception handlers, exit stack and
    router matching through every included router. Anything else, a webhook path with another
    method or a trailing slash included, is FastAPI's as before.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.front: dict[tuple[str, str], ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            handler = self.front.get((scope["method"], scope["path"]))
            if handler is not None:
                scope["app"] = self
                await handler(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_web(app: App) -> AyoWeb:
    """The ASGI application for `ayo serve`; the App is built and closed by the caller."""

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield

    # The interactive API docs are for trying Ayo; production does not advertise its routes.
    docs = {} if app.settings.demo else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    web = AyoWeb(title="Ayo", version="0.1.0", lifespan=lifespan, **docs)
    web.state.ayo = app
    settings = app.settings

    def body_limit(path: str) -> int:
        if path.startswith(("/telegram/", "/whatsapp/")):
            return settings.webhook_max_bytes
        return settings.api_max_bytes

    guard.install(web, body_limit)

    @web.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def chat_page() -> str:
        page = CHAT_PAGE.read_text(encoding="utf-8")
        return page.replace("<!--DEMO-BANNER-->", DEMO_BANNER if app.settings.demo else "")

    from bot.web.ops import ops_routes

    web.include_router(ops_routes(app))
    web.include_router(local_chat_routes(app))
    web.include_router(document_routes(app))
    from bot.backoffice.mount import mount_all

    mount_all(web, app)
    from bot.web.webhooks import channel_webhooks

    web.front = channel_webhooks(app)
    for (method, path), handler in web.front.items():
        # In the route table too: a wrong method is 405 and a trailing slash 307, as before.
        web.add_route(path, handler, methods=[method], include_in_schema=False)
        web.router.routes[-1].methods = {method}  # a GET route, not also HEAD
    from integrations.api import inbound_api

    deps = app.deps
    web.include_router(inbound_api(deps.db, deps.clock, deps.calendar, deps.leave_rules))
    from bot.web.learning_api import learning_api

    web.include_router(learning_api(deps.db, deps.clock, deps.settings))
    return web
