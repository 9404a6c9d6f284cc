"""Every (method, path) an ASGI app serves, through included routers too."""

from __future__ import annotations

from typing import Any


def all_routes(app: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:  # FastAPI's included router (newer versions keep it nested)
                walk(inner.routes, prefix + route.include_context.prefix)
                continue
            for method in getattr(route, "methods", None) or {"*"}:
                if method != "HEAD":
                    found.add((method, prefix + route.path))

    walk(app.routes, "")
    return found
