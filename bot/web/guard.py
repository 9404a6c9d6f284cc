"""What every request passes before any route runs: a bounded body, and 4xx answers that
never echo the input back.

The body limit is enforced here, before routing, authentication or JSON parsing: a declared
`Content-Length` past the limit is refused at once without reading a byte, and a body sent
without one (chunked) is read only up to the limit. A 20 MiB body to the inbound API is
therefore refused before its API key is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.untrusted import clean

TOO_LARGE = b'{"detail":"body too large"}'
BAD_LENGTH = b'{"detail":"bad content-length"}'


class BodyLimit:
    """ASGI middleware: buffer each request body up to `limit_for(path)` bytes, else 413."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = content_length(scope)
        if declared == -1:
            await answer(send, 400, BAD_LENGTH)
            return
        if declared is not None and declared > limit:
            await answer(send, 413, TOO_LARGE)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await answer(send, 413, TOO_LARGE)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def content_length(scope: Scope) -> int | None:
    """The declared length; None if absent, -1 if unreadable."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) < 19 else -1
    return None


async def answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _where(loc: Any) -> list[str | int]:
    # A location may name a key the client sent (a `details` entry): cut and clean it.
    return [p if isinstance(p, int) else clean(str(p))[:40] for p in loc]


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    """422 naming where and what was wrong, never the input (it may be huge or unencodable)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {"loc": _where(e.get("loc", ())), "msg": clean(str(e.get("msg", "")))[:200],
         "type": str(e.get("type", ""))}
        for e in errors[:20]
    ]  # fmt: skip
    return JSONResponse({"detail": detail}, status_code=422)


def install(web: FastAPI, limit_for: Callable[[str], int]) -> None:
    """Add the body limit (outermost) and the input-free 422 handler to the web app."""
    web.add_exception_handler(RequestValidationError, _invalid)
    web.add_middleware(BodyLimit, limit_for=limit_for)
