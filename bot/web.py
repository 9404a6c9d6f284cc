"""The HTTP side: the local web chat and its API; channel webhooks mount here too."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import HTMLResponse
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

    @routes.get("/{nip}/messages")
    async def poll(nip: str) -> dict[str, Any]:
        """Messages that arrived while the page was idle (approval prompts, decisions)."""
        try:
            messages = await app.local.collect(nip)
        except LookupError as exc:
            raise HTTPException(404, "unknown employee") from exc
        return {"messages": [m.to_json() for m in messages]}

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
    from bot.webhooks import channel_routes

    web.include_router(channel_routes(app))
    from integrations.api import inbound_api

    deps = app.deps
    web.include_router(inbound_api(deps.db, deps.clock, deps.calendar, deps.leave_rules))
    return web
