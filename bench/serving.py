"""A real `ayo serve` for the benchmarks: a prepared database, channels on, output kept.

with served(postgres=False, env_extra={...}) as ayo:   # ayo.url, ayo.pid, ayo.output
    ...
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port, serve_process

__all__ = ["Served", "database", "free_port", "served"]

TG_TOKEN = "123456789:AAFakeTokenForAyoTests_0123456789ab"
TG_SECRET = "bench-telegram-secret-0123"
WA_SECRET = "bench-whatsapp-app-secret"
WA_VERIFY = "bench-verify-token"


@dataclass
class Served:
    url: str
    pid: int
    output: Path
    database_url: str
    api_key: str
    started_in: float


async def _prepare(url: str, folder: Path) -> str:
    """Migrate, load the demo organisation and make an API key; returns the key."""
    from bot.app import build_app
    from core.settings import Settings
    from integrations import apikeys

    app = await build_app(Settings(_env_file=None, database_url=url, data_dir=folder, demo=True))
    try:
        async with app.db.transaction() as session:
            made = await apikeys.create(session, "bench", app.deps.clock())
        return made.key
    finally:
        await app.close()


@contextmanager
def database(postgres: bool) -> Iterator[str]:
    """A private database URL, dropped afterwards (PostgreSQL) or in a temp folder (SQLite)."""
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    from tests.support.databases import create_postgres_database, drop_postgres_database

    url = asyncio.run(create_postgres_database())
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(url))


@contextmanager
def served(
    url: str,
    folder: Path,
    *,
    telegram_api: str,
    env_extra: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> Iterator[Served]:
    key = asyncio.run(_prepare(url, folder))
    env = (
        dict(os.environ)
        | {
            "AYO_DATABASE_URL": url,
            "AYO_DATA_DIR": str(folder),
            "AYO_DEMO": "1",
            "AYO_LOG_LEVEL": "WARNING",
            "PTB_TIMEDELTA": "true",
            "AYO_TELEGRAM_TOKEN": TG_TOKEN,
            "AYO_TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "AYO_TELEGRAM_API_URL": telegram_api,
            "AYO_TELEGRAM_BOT_USERNAME": "ayo_bench_bot",
            "AYO_WHATSAPP_TOKEN": "EAAFakeAyoWhatsAppToken0123456789",
            "AYO_WHATSAPP_PHONE_ID": "106540352242922",
            "AYO_WHATSAPP_APP_SECRET": WA_SECRET,
            "AYO_WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "AYO_WHATSAPP_API_URL": "http://127.0.0.1:9",
        }
        | (env_extra or {})
    )
    output = folder / "serve.log"
    # A loaded machine may take minutes to start it; the benchmark waits rather than fails.
    with serve_process(env, *(args or []), output=output, timeout=900) as running:
        yield Served(running.url, running.pid, output, url, key, running.started_in)
