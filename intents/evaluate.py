"""Evaluation of a router on labelled messages: accuracy, out-of-scope recall, latency."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from intents.router import OOS, Router
from intents.types import MatchKind

FIXED_NOW = datetime(2026, 1, 15, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def read_jsonl(path: Path | str) -> list[tuple[str, str]]:
    """(text, intent) pairs from a JSON Lines file of {"text": ..., "intent": ...} objects."""
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append((str(obj["text"]), str(obj["intent"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: expected {{'text', 'intent'}}: {exc}") from exc
    return rows


def evaluate(
    router: Router,
    rows: Sequence[tuple[str, str]],
    *,
    progress: Callable[[int], None] | None = None,
    latency_sample: int = 300,
) -> dict[str, Any]:
    """Metrics where only a FULL answer with the right intent is correct for in-scope rows,
    and any answer other than FULL counts as a rejection for out-of-scope rows."""
    n_in = n_in_right = n_oos = n_oos_rejected = n_rejected = n_ambiguous = 0
    confusions: dict[str, int] = {}
    for i, (text, truth) in enumerate(rows):
        result = router.classify(text, now=FIXED_NOW)
        accepted = result.kind is MatchKind.FULL
        n_rejected += not accepted
        n_ambiguous += result.kind is MatchKind.AMBIGUOUS
        if truth == OOS:
            n_oos += 1
            n_oos_rejected += not accepted
        else:
            n_in += 1
            if accepted and result.intent == truth:
                n_in_right += 1
            else:
                key = f"{truth} -> {result.intent if accepted else result.kind.value}"
                confusions[key] = confusions.get(key, 0) + 1
        if progress is not None:
            progress(i + 1)
    worst = sorted(confusions.items(), key=lambda kv: -kv[1])[:15]
    return {
        "n_test": len(rows),
        "n_in_scope": n_in,
        "n_oos": n_oos,
        "in_scope_accuracy": round(n_in_right / n_in, 4) if n_in else None,
        "oos_recall": round(n_oos_rejected / n_oos, 4) if n_oos else None,
        "oos_precision": round(n_oos_rejected / n_rejected, 4) if n_rejected else None,
        "ambiguous_rate": round(n_ambiguous / len(rows), 4) if rows else None,
        "latency_ms": latency(router, [t for t, _ in rows][:latency_sample]),
        "top_errors": dict(worst),
    }


def latency(router: Router, texts: Sequence[str]) -> dict[str, float]:
    """p50/p99 milliseconds of one classification, measured after a warm-up pass."""
    if not texts:
        return {"p50": 0.0, "p99": 0.0}
    for text in texts[:20]:
        router.classify(text, now=FIXED_NOW)
    timings = []
    for text in texts:
        start = time.perf_counter()
        router.classify(text, now=FIXED_NOW)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "p50": round(float(np.percentile(timings, 50)), 3),
        "p99": round(float(np.percentile(timings, 99)), 3),
    }
