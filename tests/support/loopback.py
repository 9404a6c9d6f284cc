"""Run an ASGI app on 127.0.0.1 with an ephemeral port, in a background thread.

The fakes (``FakeTelegram``, ``FakeWhatsApp``) subclass :class:`LoopbackServer`. The server
runs uvicorn on its own event loop in a daemon thread, so it serves the same way whether the
test is async (``async with fake:``) or sync (``with fake:``), and a slow fake (latency,
long polling) never blocks the test's loop.

The port is chosen by binding a socket to port 0 *before* uvicorn starts and handing that
socket to uvicorn, so there is no race between picking a port and listening on it.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections import deque
from types import TracebackType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

_START_TIMEOUT = 10.0
_POLL = 0.005


class LoopbackServer:
    """Base for loopback fakes: ``start()``/``stop()``, context managers, ``.url``."""

    def __init__(self) -> None:
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    def app(self) -> ASGIApp:
        raise NotImplementedError

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return f"http://127.0.0.1:{self.port}"

    # -- lifecycle ---------------------------------------------------------------------------
    def _launch(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._sock, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(),
            loop="asyncio",
            http="h11",
            ws="none",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._run, name=f"{type(self).__name__}:{self.port}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        assert self._server is not None and self._sock is not None
        asyncio.run(self._serve(self._server, self._sock))

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self.loop = asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def _ready(self) -> bool:
        assert self._server is not None and self._thread is not None
        if not self._thread.is_alive():
            self._cleanup()
            raise RuntimeError(f"{type(self).__name__} failed to start")
        return self._server.started

    def _request_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self.on_stop()

    def on_stop(self) -> None:
        """Hook: wake up anything the fake keeps waiting (long polls)."""

    def _cleanup(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = self.loop = None
        self.port = 0

    def start(self) -> Self:
        self._launch()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._ready():
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{type(self).__name__} did not start")
            time.sleep(_POLL)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._request_stop()
        self._thread.join(timeout=_START_TIMEOUT)
        self._cleanup()

    async def astart(self) -> Self:
        self._launch()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._ready():
            if time.monotonic() > deadline:
                await self.astop()
                raise TimeoutError(f"{type(self).__name__} did not start")
            await asyncio.sleep(_POLL)
        return self

    async def astop(self) -> None:
        if self._thread is None:
            return
        self._request_stop()
        await asyncio.to_thread(self._thread.join, _START_TIMEOUT)
        self._cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop()


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds per key (not thread-safe on its own)."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit, self.window = limit, window
        self._events: dict[object, deque[float]] = {}

    def retry_after(self, key: object, now: float) -> float:
        """Seconds until one more event is allowed for ``key``; 0 if allowed now."""
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return events[0] + self.window - now

    def hit(self, key: object, now: float) -> None:
        self._events.setdefault(key, deque()).append(now)


def whole_seconds(delay: float) -> int:
    """Round a delay up to the whole seconds the real APIs report (at least 1)."""
    return max(1, math.ceil(delay))
