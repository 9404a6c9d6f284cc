"""The Router: normalise, score, apply thresholds, attach entities.

Classifying needs numpy only (`intents.scorer`); scikit-learn is imported when a router is
trained (`from_examples`), so a process that loads a cached router never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from core.settings import DEFAULT_TIMEZONE
from intents.cues import STATUS, asks_status, negated_cancel
from intents.entities import extract_entities
from intents.normalize import Speller, normalize, stem_text
from intents.scorer import OOS, Scorer, Scores
from intents.spec import Catalog, IntentSpec, catalog_rows, load_catalog
from intents.thresholds import Thresholds, tune
from intents.types import Entities, MatchKind, MatchResult, Suggestion

MAX_MODEL_CHARS = 500  # the model reads the start of long messages; entities read more
N_SUGGESTIONS = 3
PARALLEL_ABOVE = 5000  # training rows


class Router:
    """Classifies one message into an intent (FULL), a few candidates (AMBIGUOUS) or NONE."""

    def __init__(
        self,
        matcher: Scorer,
        thresholds: Thresholds,
        *,
        catalog: Mapping[str, IntentSpec] | None = None,
        speller: Speller | None = None,
    ) -> None:
        self.matcher = matcher
        self.thresholds = thresholds
        self.catalog: Mapping[str, IntentSpec] = catalog if catalog is not None else {}
        self.speller = speller
        self.build_seconds = 0.0
        self.from_cache = False

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_examples(
        cls,
        pairs: Sequence[tuple[str, str]],
        val: Sequence[tuple[str, str]] | None = None,
        *,
        catalog: Mapping[str, IntentSpec] | None = None,
        recall_weight: float = 0.05,
        min_oos_recall: float | None = None,
        refit_with_val: bool = True,
        seed: int = 0,
    ) -> Router:
        """Train on (text, intent) pairs; label "oos" marks out-of-scope examples.

        Thresholds come from `val` when given (then, by default, the final model also learns
        from `val`), else from out-of-fold predictions on `pairs` itself. They maximise
        in-scope accuracy + `recall_weight` * out-of-scope recall, or, with `min_oos_recall`,
        in-scope accuracy among the settings that reject at least that share of held-out
        out-of-scope messages.
        """
        import time

        from intents.matcher import calibrate

        started = time.perf_counter()
        norm = [normalize(t[:MAX_MODEL_CHARS]) for t, _ in pairs]
        labels = [y for _, y in pairs]
        vnorm = [normalize(t[:MAX_MODEL_CHARS]) for t, _ in val] if val else []
        vlabels = [y for _, y in val] if val else []
        final_norm, final_labels = (
            (norm + vnorm, labels + vlabels) if val and refit_with_val else (norm, labels)
        )
        # Stem every word once, up front: PySastrawi is slow and both fits need the stems.
        for text in final_norm:
            stem_text(text)
        # The held-out model and the final model do not depend on each other: on large sets,
        # train them at the same time (liblinear releases the GIL), which halves the build on
        # two cores. Small sets (the built-in catalog) train one model at a time, because
        # liblinear shares C's rand() between threads and its results then vary a little.
        workers = 2 if len(final_norm) > PARALLEL_ABOVE else 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            final = pool.submit(_fitted, final_norm, final_labels)
            if val:
                held = pool.submit(_held_out_scores, norm, labels, vnorm)
                classes, held_scores = held.result()
                held_truth = vlabels
            else:
                held_truth, classes, held_scores = _out_of_fold(pool, norm, labels, seed)
            matcher, speller = final.result()
        temperature = calibrate(held_scores, held_truth, classes)
        thresholds = _tune(
            classes,
            held_truth,
            held_scores.probs(temperature),
            held_scores.nearest,
            recall_weight,
            min_oos_recall,
        )
        matcher.temperature = temperature
        router = cls(matcher, thresholds, catalog=catalog, speller=speller)
        router.build_seconds = time.perf_counter() - started
        return router

    @classmethod
    def from_catalog(
        cls, catalog: Catalog | None = None, *, extra: Sequence[tuple[str, str]] = ()
    ) -> Router:
        """Train on a catalog's examples, keywords and out-of-scope negatives, and on `extra`
        (text, intent) pairs curated outside the catalog files (intents/curated.py)."""
        catalog = catalog if catalog is not None else load_catalog()
        rows = catalog_rows(catalog) + list(extra)
        return cls.from_examples(rows, catalog=catalog, recall_weight=0.5)

    def _score(self, norm: Sequence[str]) -> Scores:
        return self.matcher.score(*_views(self.speller, norm))

    # -- classifying ----------------------------------------------------------------------

    def classify(
        self, text: str, *, now: datetime | None = None, tz: str = DEFAULT_TIMEZONE
    ) -> MatchResult:
        """Understand one chat message; relative dates resolve against `now` in `tz`."""
        now = now if now is not None else datetime.now(ZoneInfo(tz))
        norm = normalize(text[:MAX_MODEL_CHARS])
        entities = extract_entities(text, now, tz) if text.strip() else Entities()
        if not norm:
            return MatchResult(MatchKind.NONE, None, 0.0, entities, (), norm)
        scores = self._score([norm])
        probs = scores.probs(self.matcher.temperature)[0]
        return _status_rules(self._decide(probs, float(scores.nearest[0]), entities, norm))

    def _decide(
        self, probs: np.ndarray, nearest: float, entities: Entities, norm: str
    ) -> MatchResult:
        classes = self.matcher.classes
        order = np.argsort(-probs)
        top = classes[order[0]]
        # Only one class is "oos", so the best N + 1 always hold the best N in-scope ones.
        inscope = [i for i in order[: N_SUGGESTIONS + 1] if classes[i] != OOS][:N_SUGGESTIONS]
        suggestions = tuple(Suggestion(classes[i], round(float(probs[i]), 4)) for i in inscope)
        conf = confidence(float(probs[order[0]]), nearest)
        margin = float(probs[order[0]] - probs[order[1]]) if len(order) > 1 else 1.0
        # When rejecting, report how sure we are of the best in-scope guess, not of "oos".
        best_in = round(float(probs[inscope[0]]), 4) if inscope else 0.0
        th = self.thresholds
        if top == OOS or conf < th.low:
            return MatchResult(MatchKind.NONE, None, best_in, entities, suggestions, norm)
        if conf < th.threshold or margin < th.margin:
            return MatchResult(MatchKind.AMBIGUOUS, None, conf, entities, suggestions, norm)
        return MatchResult(MatchKind.FULL, top, conf, entities, suggestions, norm)


# Asking about one's requests is status whatever service it names; these intents already
# answer a question about state and keep it.
_STATE_INTENTS = frozenset(
    {
        STATUS,
        "approval.pending",
        "team.progress",
        "learning.progress",
        "attendance.summary",
        "leave.balance",
    }
)


def _status_rules(result: MatchResult) -> MatchResult:
    """ "jangan batalkan cuti saya" and "progres permintaan mobil" go to status, not to X."""
    norm = result.text
    if result.intent in _STATE_INTENTS:
        return result
    if negated_cancel(norm) or asks_status(norm):
        return replace(result, kind=MatchKind.FULL, intent=STATUS, confidence=0.9)
    return result


def confidence(prob: float, nearest: float) -> float:
    """Blend of model probability and nearest-example similarity, in [0, 1]."""
    return round((prob + nearest) / 2, 4)


def _views(speller: Speller | None, norm: Sequence[str]) -> tuple[list[str], list[str]]:
    """The stemmed word view and the spelling-fixed character view of normalised texts."""
    fixed = [speller.correct(t) for t in norm] if speller else list(norm)
    return [stem_text(t) for t in fixed], fixed


def _fitted(norm: Sequence[str], labels: Sequence[str]) -> tuple[Scorer, Speller]:
    """A fitted matcher, exported for serving, and the speller (from the same texts'
    vocabulary) that feeds it."""
    from intents.matcher import Matcher

    speller = Speller(w for text in norm for w in text.split())
    # The speller knows every word of its own training texts, so they need no correction.
    return Matcher().fit([stem_text(t) for t in norm], norm, labels).export(), speller


def _held_out_scores(
    norm: Sequence[str], labels: Sequence[str], held: Sequence[str]
) -> tuple[tuple[str, ...], Scores]:
    matcher, speller = _fitted(norm, labels)
    return matcher.classes, matcher.score(*_views(speller, held))


def _out_of_fold(
    pool: ThreadPoolExecutor, norm: list[str], labels: list[str], seed: int
) -> tuple[list[str], tuple[str, ...], Scores]:
    from sklearn.model_selection import StratifiedKFold, train_test_split

    y = np.asarray(labels)
    if len(norm) > 5000:  # large sets: one held-out split is enough and 5x cheaper
        idx = np.arange(len(norm))
        tr, te = train_test_split(idx, test_size=0.2, stratify=y, random_state=seed)
        folds = [(tr, te)]
    else:
        k = max(2, min(5, int(np.bincount(np.unique(y, return_inverse=True)[1]).min())))
        folds = list(StratifiedKFold(k, shuffle=True, random_state=seed).split(norm, y))
    classes = tuple(sorted(set(labels)))
    jobs = [
        pool.submit(_held_out_scores, [norm[i] for i in tr], y[tr].tolist(), [norm[i] for i in te])
        for tr, te in folds
    ]
    order: list[int] = []
    margins: list[np.ndarray] = []
    nearest: list[np.ndarray] = []
    for (_, te), job in zip(folds, jobs, strict=True):
        fold_classes, scores = job.result()
        # A class missing from a fold's training part gets a margin no softmax will pick.
        full = np.full((len(te), len(classes)), -10.0)
        full[:, [classes.index(c) for c in fold_classes]] = scores.margins
        order.extend(te.tolist())
        margins.append(full)
        nearest.append(scores.nearest)
    truth = [labels[i] for i in order]
    return truth, classes, Scores(np.vstack(margins), np.concatenate(nearest))


def _tune(
    classes: Sequence[str],
    truth: list[str],
    probs: np.ndarray,
    nearest: np.ndarray,
    recall_weight: float,
    min_oos_recall: float | None = None,
) -> Thresholds:
    order = np.argsort(-probs, axis=1)
    rows = np.arange(len(order))
    top = probs[rows, order[:, 0]]
    second = probs[rows, order[:, 1]] if order.shape[1] > 1 else np.zeros_like(top)
    predicted = np.asarray(classes)[order[:, 0]].tolist()
    conf = (top + nearest) / 2
    return tune(
        truth,
        predicted,
        conf,
        top - second,
        recall_weight=recall_weight,
        min_oos_recall=min_oos_recall,
    )
