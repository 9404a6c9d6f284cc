"""A small municipal backend app for connector tests, served on loopback by uvicorn.

`mode` changes its behaviour between calls: "ok", "down" (503), "error" (500),
"throttle" (429 with Retry-After), "reject" (400), "slow" (answers after `delay` seconds,
but records the call first, as a real backend that is merely slow would).
It de-duplicates on the Idempotency-Key header, like a well-behaved backend.

`GET /payslip` answers a payslip query; with `hold` set it signals `entered` and answers
only once the test sets `release` (events, so a test controls the delay without sleeping).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from tests.support.loopback import LoopbackServer


class FakeBackend(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"
        self.delay = 0.0
        self.retry_after = "7"
        self.calls: list[dict[str, Any]] = []  # every HTTP call, duplicates included
        self.records: dict[str, dict[str, Any]] = {}  # idempotency key → stored record
        self.callbacks: list[tuple[dict[str, str], bytes]] = []
        self.hold = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.queries: list[dict[str, str]] = []

    def app(self) -> ASGIApp:
        web = FastAPI()

        @web.post("/tickets")
        async def create(request: Request) -> JSONResponse:
            body = await request.json()
            key = request.headers.get("idempotency-key", "")
            self.calls.append(
                {"key": key, "body": body, "auth": request.headers.get("authorization")}
            )
            if self.mode == "down":
                return JSONResponse({"error": "maintenance"}, status_code=503)
            if self.mode == "error":
                return JSONResponse({"error": "boom"}, status_code=500)
            if self.mode == "throttle":
                return JSONResponse(
                    {"error": "slow down"},
                    status_code=429,
                    headers={"Retry-After": self.retry_after},
                )
            if self.mode == "reject":
                return JSONResponse({"error": "invalid nip"}, status_code=400)
            record = self.records.setdefault(
                key, {"id": f"EXT-{len(self.records) + 1:04d}", "body": body}
            )
            if self.mode == "slow":
                await asyncio.sleep(self.delay)
            return JSONResponse({"data": {"id": record["id"], "status": "done"}})

        @web.get("/payslip")
        async def payslip(request: Request) -> JSONResponse:
            self.queries.append(dict(request.query_params))
            if self.hold:
                self.entered.set()
                await asyncio.to_thread(self.release.wait, 30)
            return JSONResponse(
                {
                    "base": 4_000_000,
                    "family_allowance": 400_000,
                    "meal_allowance": 500_000,
                    "tpp": 2_000_000,
                    "deductions": 300_000,
                    "net": 6_600_000,
                }
            )

        @web.post("/callback")
        async def callback(request: Request) -> JSONResponse:
            self.callbacks.append((dict(request.headers), await request.body()))
            return JSONResponse({"ok": True})

        return web

    def on_stop(self) -> None:
        self.release.set()
