"""Operations endpoints: `/healthz` (the process is up), `/readyz` (it can serve), `/metrics`."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from core import metrics
from core.statuses import OutboxStatus
from core.storage.models import BackendCircuit, OutboxItem

if TYPE_CHECKING:
    from bot.app import App


def migrations_head() -> str | None:
    from core.storage.migrate import alembic_config, head_revision

    head = head_revision()  # from the files: no Alembic import on every probe
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def readiness(app: App) -> dict[str, Any]:
    """Each check's result; ready when all are true."""
    from core.storage.migrate import current_revision

    checks: dict[str, Any] = {}
    try:
        async with app.db.sessions() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = False
        checks["database_error"] = type(exc).__name__
    if checks["database"]:
        current, head = await current_revision(app.db), migrations_head()
        checks["migrations"] = current == head
        checks["revision"] = {"current": current, "head": head}
    else:
        checks["migrations"] = False
    router = app.deps.router
    checks["router"] = router is not None and len(getattr(router, "catalog", {})) > 0
    # Not a condition of readiness: the inbox takes updates before the handlers are loaded
    # (`ayo serve` loads them just after it starts answering; a message meanwhile waits).
    from bot.handlers.loading import loaded

    checks["handlers"] = loaded()
    return checks


async def refresh_gauges(app: App) -> None:
    """Set the gauges that describe tables: outbox depth and age, breaker state."""
    now = app.deps.clock()
    async with app.db.sessions() as session:
        lane = func.coalesce(OutboxItem.channel, OutboxItem.kind)
        rows = (
            await session.execute(
                select(lane, func.count(OutboxItem.id), func.min(OutboxItem.created_at))
                .where(OutboxItem.status == OutboxStatus.PENDING)
                .group_by(lane)
            )
        ).all()
        circuits = (await session.execute(select(BackendCircuit))).scalars().all()
    metrics.OUTBOX_DEPTH.clear()
    metrics.OUTBOX_OLDEST.clear()
    for channel, count, oldest in rows:
        metrics.OUTBOX_DEPTH.labels(channel).set(count)
        metrics.OUTBOX_OLDEST.labels(channel).set(max(0.0, (now - oldest).total_seconds()))
    metrics.BREAKER_OPEN.clear()
    for circuit in circuits:
        metrics.BREAKER_OPEN.labels(circuit.backend).set(
            metrics.BREAKER_STATES.get(circuit.state, 2)
        )


def metrics_allowed(app: App, request: Request) -> bool:
    """Production needs `Authorization: Bearer AYO_METRICS_TOKEN`; the demo only if one is set."""
    token = app.settings.metrics_token
    if not token:
        return not app.settings.production
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def ops_routes(app: App) -> APIRouter:
    routes = APIRouter(tags=["ops"])

    @routes.get("/healthz")
    async def health() -> dict[str, str]:
        """The process is up (it touches nothing else)."""
        return {"status": "ok"}

    @routes.get("/readyz")
    async def ready() -> JSONResponse:
        """Database reachable, migrations at head, intent router loaded; 503 otherwise."""
        checks = await readiness(app)
        ok = checks["database"] and checks["migrations"] and checks["router"]
        body = {"status": "ready" if ok else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @routes.get("/metrics")
    async def scrape(request: Request) -> Response:
        """Prometheus metrics; token-protected in production."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        if not metrics_allowed(app, request):
            raise HTTPException(403, "metrics need the token (AYO_METRICS_TOKEN)")
        await refresh_gauges(app)
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return routes
