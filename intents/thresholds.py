"""Choosing the out-of-scope threshold and the ambiguity margin from held-out training data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

OOS = "oos"
MARGINS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2)


@dataclass(frozen=True)
class Thresholds:
    """FULL needs confidence >= `threshold` and a top-2 margin >= `margin`; below `low` is NONE."""

    threshold: float
    low: float
    margin: float


def tune(
    truth: Sequence[str],
    predicted: Sequence[str],
    confidence: np.ndarray,
    margin: np.ndarray,
    *,
    recall_weight: float = 0.1,
    min_oos_recall: float | None = None,
) -> Thresholds:
    """Maximise in-scope accuracy + recall_weight * out-of-scope recall on held-out predictions.

    With `min_oos_recall`, maximise in-scope accuracy among the settings that reject at least
    that share of out-of-scope messages (recall breaks ties); when none does, fall back to the
    weighted rule. Only FULL answers count: an in-scope message is right when accepted with
    the right intent, an out-of-scope one when not accepted.
    """
    truth_arr = np.asarray(truth)
    pred = np.asarray(predicted)
    inscope = truth_arr != OOS
    n_in = max(int(inscope.sum()), 1)
    n_oos = int((~inscope).sum())
    right = (pred == truth_arr) & inscope
    candidates = np.unique(np.quantile(confidence[inscope], np.linspace(0, 0.3, 121)))
    weighted = (-1.0, 0.0, 0.0)
    floored = (-1.0, 0.0, 0.0)
    for m in MARGINS:
        open_ = (pred != OOS) & (margin >= m)
        for t in candidates:
            accepted = open_ & (confidence >= t)
            acc = (accepted & right).sum() / n_in
            recall = (~accepted & ~inscope).sum() / n_oos if n_oos else 0.0
            score = acc + recall_weight * recall
            if score > weighted[0] + 1e-9:
                weighted = (score, float(t), m)
            if min_oos_recall is not None and recall >= min_oos_recall:
                score = acc + 1e-6 * recall
                if score > floored[0] + 1e-9:
                    floored = (score, float(t), m)
    _, threshold, best_margin = floored if floored[0] >= 0 else weighted
    return Thresholds(
        threshold=threshold, low=_low(truth_arr, confidence, threshold), margin=best_margin
    )


def _low(truth: np.ndarray, confidence: np.ndarray, threshold: float) -> float:
    """Below `low` the message is treated as clearly out of scope (no 'did you mean')."""
    below = confidence < threshold
    oos = truth == OOS
    if not (below & oos).any():
        return threshold / 2
    # Put `low` where it best separates out-of-scope from in-scope among the rejected ones.
    cands = np.unique(confidence[below])
    gains = [((confidence < c) & oos).sum() - ((confidence < c) & ~oos).sum() for c in cands]
    return float(cands[int(np.argmax(gains))])
