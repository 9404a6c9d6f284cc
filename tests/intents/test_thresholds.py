from __future__ import annotations

import numpy as np

from intents.thresholds import tune

# Ten in-scope messages (all predicted right) and ten out-of-scope ones whose confidences
# overlap: rejecting more out-of-scope text costs in-scope accuracy.
TRUTH = ["a"] * 10 + ["oos"] * 10
PREDICTED = ["a"] * 20
CONFIDENCE = np.array([0.5 + 0.05 * i for i in range(10)] + [0.1 + 0.05 * i for i in range(10)])
MARGIN = np.ones(20)


def _recall(threshold: float) -> float:
    return float((CONFIDENCE[10:] < threshold).mean())


def test_accuracy_first_tuning_accepts_every_in_scope_message() -> None:
    th = tune(TRUTH, PREDICTED, CONFIDENCE, MARGIN, recall_weight=0.0)
    assert (CONFIDENCE[:10] >= th.threshold).all()


def test_recall_floor_is_met_at_the_smallest_accuracy_cost() -> None:
    th = tune(TRUTH, PREDICTED, CONFIDENCE, MARGIN, recall_weight=0.0, min_oos_recall=0.9)
    assert _recall(th.threshold) >= 0.9
    # Rejecting 9 of 10 needs a threshold above 0.5, which costs exactly one in-scope message.
    assert (CONFIDENCE[:10] >= th.threshold).sum() == 9


def test_unreachable_recall_floor_falls_back_to_the_weighted_rule() -> None:
    weighted = tune(TRUTH, PREDICTED, CONFIDENCE, MARGIN, recall_weight=0.5)
    floored = tune(TRUTH, PREDICTED, CONFIDENCE, MARGIN, recall_weight=0.5, min_oos_recall=1.01)
    assert floored == weighted
