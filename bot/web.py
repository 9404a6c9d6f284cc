"""The HTTP side: the local web chat and its API; channel webhooks mount here too."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field, model_validator

from bot import http_guard
from bot.app import App

CHAT_PAGE = Path(__file__).parent / "static" / "chat.html"


class SayBody(BaseModel):
    text: str | None = Field(default=None, max_length=5000)
    button: str | None = Field(default=None, max_length=64)
    client_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> SayBody:
        if (self.text is None) == (self.button is None):
            raise ValueError("send exactly one of text or button")
        return self


def local_chat_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/api/local", tags=["local web chat"])

    @routes.get("/users")
    async def users() -> list[dict[str, Any]]:
        """Employees to chat as (the local web chat is for trying Ayo and for pilots)."""
        from bot.demo import users as list_users

        return await list_users(app.db)

    @routes.post("/{nip}/messages")
    async def say(nip: str, body: SayBody) -> dict[str, Any]:
        """Send a message or press a button; answers with every message now waiting."""
        try:
            await app.local.say(nip, text=body.text, button=body.button, client_id=body.client_id)
            messages = await app.local.collect(nip)
        except LookupError as exc:
            raise HTTPException(404, "unknown employee") from exc
        return {"messages": [m.to_json() for m in messages]}

    @routes.post("/{nip}/files")
    async def upload(nip: str, file: UploadFile, client_id: str | None = None) -> dict[str, Any]:
        """The upload button: a photo or PDF the open form asks for (doctor's letter …)."""
        store = app.deps.documents
        employee = await app.local.employee(nip)
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
        from core.text import T

        if isinstance(saved, T):  # refused: the reason, in the employee's language
            language = employee.language or app.settings.language
            return {"messages": [{"id": 0, "text": saved.get(language), "buttons": []}]}
        meta = {"file": {"stored": saved.id, "mime": saved.mime, "size": saved.size}}
        await app.local.say(nip, client_id=client_id, meta=meta)
        return {"messages": [m.to_json() for m in await app.local.collect(nip)]}

    @routes.get("/{nip}/files/leave_letter/{letter_id}")
    async def letter(nip: str, letter_id: int) -> Response:
        """Download one's own Surat Izin Cuti from the web chat."""
        from core.storage.models import Employee, LeaveLetter, ServiceRequest
        from integrations import leave_letter

        async with app.db.sessions() as session:
            found = await session.get(LeaveLetter, letter_id)
            request = await session.get(ServiceRequest, found.request_id) if found else None
            owner = await session.get(Employee, request.employee_id) if request else None
            if found is None or owner is None or owner.nip != nip:
                raise HTTPException(404, "no such letter")
            content = leave_letter.render(found)
        name = leave_letter.attachment_of(found).filename
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @routes.get("/{nip}/messages")
    async def poll(nip: str) -> dict[str, Any]:
        """Messages that arrived while the page was idle (approval prompts, decisions)."""
        try:
            messages = await app.local.collect(nip)
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
        from core.storage.models import StoredDocument
        from integrations import documents
        from integrations.audit import record

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


def create_web(app: App) -> FastAPI:
    """The ASGI application for `ayo serve`; the App is built and closed by the caller."""

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield

    web = FastAPI(title="Ayo", version="0.1.0", lifespan=lifespan)
    web.state.ayo = app
    settings = app.settings

    def body_limit(path: str) -> int:
        if path.startswith(("/telegram/", "/whatsapp/")):
            return settings.webhook_max_bytes
        return settings.api_max_bytes

    http_guard.install(web, body_limit)

    @web.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def chat_page() -> str:
        return CHAT_PAGE.read_text(encoding="utf-8")

    @web.get("/healthz", tags=["ops"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    web.include_router(local_chat_routes(app))
    web.include_router(document_routes(app))
    from bot.webhooks import channel_routes

    web.include_router(channel_routes(app))
    from integrations.api import inbound_api

    deps = app.deps
    web.include_router(inbound_api(deps.db, deps.clock, deps.calendar, deps.leave_rules))
    return web
