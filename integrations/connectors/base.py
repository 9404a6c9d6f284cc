"""The connector interface every backend link implements, and how a call can fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class BackendCall:
    """One delivery to a backend: the operation, its body and the idempotency key."""

    operation: str
    body: dict[str, Any]
    idempotency_key: str
    ref: str | None = None


@dataclass(frozen=True)
class BackendResult:
    """What the backend answered: its reference and whether the work is already done."""

    external_ref: str | None = None
    completed: bool = True
    data: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """A failed call. `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Connector(Protocol):
    """A backend app Ayo sends approved requests to and asks questions of."""

    name: str

    async def send(self, call: BackendCall) -> BackendResult:
        """Deliver one call; raise DeliveryError when it did not go through."""
        ...

    async def query(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Read data (balances, payslips …); raise DeliveryError when unavailable."""
        ...
