"""An httpx transport that sends pywa's Graph API requests to `AYO_WHATSAPP_API_URL`.

pywa 4.5 has no base-URL setting: it overwrites the client's `base_url` with
graph.facebook.com. Its supported hook is the `session=` argument, so Ayo gives it an httpx
client whose transport rewrites the origin (and keeps an optional path prefix).
"""

from __future__ import annotations

import httpx

PUBLIC_GRAPH_API = "https://graph.facebook.com"


class GraphAPIRedirect(httpx.AsyncBaseTransport):
    """Rewrites `https://graph.facebook.com/v22.0/...` to `<api_url>/v22.0/...`."""

    def __init__(self, api_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        target = httpx.URL(api_url)
        self._scheme, self._host, self._port = target.scheme, target.host, target.port
        self._prefix = target.path.rstrip("/")
        self._netloc = target.netloc.decode()
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._scheme,
            host=self._host,
            port=self._port,
            raw_path=(self._prefix + request.url.raw_path.decode()).encode(),
        )
        request.headers["Host"] = self._netloc
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def graph_session(api_url: str) -> httpx.AsyncClient:
    """The httpx client for pywa: direct for the public Graph API, redirected otherwise."""
    timeout = httpx.Timeout(20.0, connect=5.0)
    if api_url.rstrip("/") == PUBLIC_GRAPH_API:
        return httpx.AsyncClient(timeout=timeout)
    return httpx.AsyncClient(transport=GraphAPIRedirect(api_url), timeout=timeout)
