"""Prometheus metrics of one Ayo process (`/metrics`); gauges of table state are set at scrape.

Counters count events in this process; gauges read from the database (outbox depth and age,
breaker state) are the same whichever instance is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_RECEIVED = Counter(
    "ayo_updates_received",
    "Inbound updates committed to the inbox.",
    ["channel"],
    registry=REGISTRY,
)
UPDATES_PROCESSED = Counter(
    "ayo_updates_processed", "Inbox items processed.", ["channel"], registry=REGISTRY
)
UPDATES_FAILED = Counter(
    "ayo_updates_failed", "Inbox items whose processing failed.", ["channel"], registry=REGISTRY
)
REPLIES_SENT = Counter(
    "ayo_replies_sent", "Messages handed to a channel.", ["channel"], registry=REGISTRY
)
RATE_LIMITED = Counter(
    "ayo_channel_rate_limited",
    "Sends a channel refused with 429 / retry-after.",
    ["channel"],
    registry=REGISTRY,
)
BACKEND_CALLS = Counter(
    "ayo_backend_calls",
    "Backend and callback deliveries by outcome (ok, failed).",
    ["backend", "outcome"],
    registry=REGISTRY,
)
SWEEP_SECONDS = Histogram(
    "ayo_sweep_duration_seconds",
    "Duration of one scheduler sweep.",
    ["sweep"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "ayo_outbox_pending", "Outbox rows waiting, per channel.", ["channel"], registry=REGISTRY
)
OUTBOX_OLDEST = Gauge(
    "ayo_outbox_oldest_age_seconds",
    "Age of the oldest waiting outbox row, per channel.",
    ["channel"],
    registry=REGISTRY,
)
BREAKER_OPEN = Gauge(
    "ayo_backend_breaker_state",
    "Circuit breaker per backend: 0 closed, 1 half-open, 2 open.",
    ["backend"],
    registry=REGISTRY,
)
BREAKER_STATES = {"closed": 0, "half": 1, "open": 2}
