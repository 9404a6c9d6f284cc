"""The generic HTTP connector: a backend app described in YAML, called with httpx.

```yaml
name: simpeg                      # referred to by services' `connector.backend`
base_url: https://simpeg.example.go.id/api
auth: {type: bearer, env: SIMPEG_TOKEN}      # or {type: header, name: X-Key, env: ...}
timeout_seconds: 10
dead_letter_after_hours: 24
operations:
  leave.create:
    method: POST
    path: /cuti
    body: {nip: "{nip}", mulai: "{mulai}"}   # omitted: the mapped body as is
    response: {external_ref: "data.id", status: "data.status"}
    completed_when: [selesai, done]          # else the request waits as "sent"
```
Secrets never live in the file: only the name of the environment variable holding them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from core import yamltext
from integrations.connectors.base import BackendCall, BackendResult, DeliveryError
from integrations.lifecycle import render_mapping

# Statuses worth retrying among the 4xx: timeout, too early, too many requests.
RETRYABLE_4XX = frozenset({408, 425, 429})


class Auth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["none", "bearer", "header", "basic"] = "none"
    env: str | None = None
    name: str = "X-API-Key"
    username_env: str | None = None


class Operation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["GET", "POST", "PUT", "PATCH"] = "POST"
    path: str = ""
    body: dict[str, str] | None = None
    response: dict[str, str] = Field(default_factory=dict)
    completed_when: tuple[str, ...] = ()


class HttpBackend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    base_url: str
    auth: Auth = Auth()
    timeout_seconds: float = 10.0
    dead_letter_after_hours: float = 24.0
    operations: dict[str, Operation]


def load_backends(folder: Path) -> list[HttpBackend]:
    """Every backend file of a folder (`*.yaml`)."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            found.append(HttpBackend.model_validate(yamltext.load(fh)))
    return found


def _pick(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` in seconds (HTTP dates are rare from backends; ignored)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class HttpConnector:
    """Calls one configured backend; every failure becomes a DeliveryError."""

    def __init__(
        self, config: HttpBackend, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self.name = config.name
        self._transport = transport

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        auth = self.config.auth
        secret = os.environ.get(auth.env or "", "") if auth.env else ""
        if auth.type == "bearer" and secret:
            headers["Authorization"] = f"Bearer {secret}"
        elif auth.type == "header" and secret:
            headers[auth.name] = secret
        return headers

    def _basic(self) -> httpx.BasicAuth | None:
        auth = self.config.auth
        if auth.type != "basic":
            return None
        return httpx.BasicAuth(
            os.environ.get(auth.username_env or "", ""), os.environ.get(auth.env or "", "")
        )

    async def _call(
        self, operation: str, body: dict[str, Any], key: str | None
    ) -> tuple[Operation, Any]:
        op = self.config.operations.get(operation)
        if op is None:
            raise DeliveryError(f"{self.name}: no operation {operation}", retryable=False)
        payload = render_mapping(op.body, body) if op.body is not None else body
        url = self.config.base_url.rstrip("/") + "/" + op.path.lstrip("/")
        try:
            async with httpx.AsyncClient(
                timeout=self.config.timeout_seconds,
                transport=self._transport,
                auth=self._basic(),
            ) as client:
                if op.method == "GET":
                    response = await client.get(url, params=payload, headers=self._headers(key))
                else:
                    response = await client.request(
                        op.method, url, json=payload, headers=self._headers(key)
                    )
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"{self.name}: timeout", retryable=True) from exc
        except httpx.TransportError as exc:
            raise DeliveryError(f"{self.name}: {type(exc).__name__}", retryable=True) from exc
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code in RETRYABLE_4XX
            raise DeliveryError(
                f"{self.name}: HTTP {response.status_code}",
                retryable=retryable,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        try:
            data = response.json() if response.content else {}
        except ValueError:
            data = {}
        return op, data

    async def send(self, call: BackendCall) -> BackendResult:
        op, data = await self._call(call.operation, call.body, call.idempotency_key)
        ref = _pick(data, op.response["external_ref"]) if "external_ref" in op.response else None
        status = _pick(data, op.response["status"]) if "status" in op.response else None
        completed = not op.completed_when or str(status) in op.completed_when
        return BackendResult(str(ref) if ref is not None else None, completed, {"status": status})

    async def query(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        op, data = await self._call(operation, params, None)
        if not op.response:
            return data if isinstance(data, dict) else {"data": data}
        return {name: _pick(data, path) for name, path in op.response.items()}
