"""Callbacks to other apps: the decision POSTed to their URL, signed with HMAC-SHA256.

Headers: `X-Ayo-Timestamp` (unix seconds) and `X-Ayo-Signature: sha256=<hex>` where the
MAC covers `timestamp + "." + body` with the app's callback secret, so a receiver can check
both origin and freshness.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from sqlalchemy import select

from core.storage.db import Database
from core.storage.models import ApiKey, OutboxItem
from integrations.connectors.base import BackendResult, DeliveryError
from integrations.connectors.http import RETRYABLE_4XX, retry_after_seconds

TIMEOUT_SECONDS = 10.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for one callback."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


async def post_callback(db: Database, item: OutboxItem) -> BackendResult:
    async with db.sessions() as session:
        key = (await session.execute(select(ApiKey).where(ApiKey.name == item.target))).scalar()
    if key is None or key.revoked_at is not None:
        raise DeliveryError("unknown or revoked app", retryable=False)
    body = json.dumps(item.payload["body"], separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(item.created_at.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-Ayo-Timestamp": timestamp,
        "X-Ayo-Signature": sign(key.callback_secret, timestamp, body),
        "Idempotency-Key": item.idempotency_key,
    }
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(item.payload["url"], content=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise DeliveryError("callback timeout", retryable=True) from exc
    except httpx.TransportError as exc:
        raise DeliveryError(f"callback {type(exc).__name__}", retryable=True) from exc
    if response.status_code >= 400:
        raise DeliveryError(
            f"callback HTTP {response.status_code}",
            retryable=response.status_code >= 500 or response.status_code in RETRYABLE_4XX,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    return BackendResult(None, True, {})
