"""The Router: normalise, score, apply thresholds, attach entities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from intents.entities import extract_entities
from intents.matcher import OOS, Matcher, Scores, calibrate
from intents.normalize import Speller, normalize, stem_text
from intents.spec import Catalog, IntentSpec, catalog_rows, load_catalog
from intents.thresholds import Thresholds, tune
from intents.types import Entities, MatchKind, MatchResult, Suggestion

MAX_MODEL_CHARS = 500  # the model reads the start of long messages; entities read more
N_SUGGESTIONS = 3


class Router:
    """Classifies one message into an intent (FULL), a few candidates (AMBIGUOUS) or NONE."""

    def __init__(
        self,
        matcher: Matcher,
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

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_examples(
        cls,
        pairs: Sequence[tuple[str, str]],
        val: Sequence[tuple[str, str]] | None = None,
        *,
        catalog: Mapping[str, IntentSpec] | None = None,
        recall_weight: float = 0.05,
        refit_with_val: bool = True,
        seed: int = 0,
    ) -> Router:
        """Train on (text, intent) pairs; label "oos" marks out-of-scope examples.

        Thresholds come from `val` when given (then, by default, the final model also learns
        from `val`), else from out-of-fold predictions on `pairs` itself.
        """
        import time

        started = time.perf_counter()
        texts = [t for t, _ in pairs]
        labels = [y for _, y in pairs]
        norm = [normalize(t[:MAX_MODEL_CHARS]) for t in texts]
        speller = Speller(w for text in norm for w in text.split())
        router = cls(Matcher(), Thresholds(0.0, 0.0, 0.0), catalog=catalog, speller=speller)
        if val:
            vnorm = [normalize(t[:MAX_MODEL_CHARS]) for t, _ in val]
            vlabels = [y for _, y in val]
            router._fit(norm, labels)
            held_truth, held_scores = vlabels, router._score(vnorm)
        else:
            held_truth, held_scores = router._out_of_fold(norm, labels, seed)
        classes = router.matcher.classes
        temperature = calibrate(held_scores, held_truth, classes)
        router.thresholds = _tune(
            classes, held_truth, held_scores.probs(temperature), held_scores.nearest, recall_weight
        )
        if val and refit_with_val:
            norm, labels = norm + vnorm, labels + vlabels
            router.speller = Speller(w for text in norm for w in text.split())
        router._fit(norm, labels)
        router.matcher.temperature = temperature
        router.build_seconds = time.perf_counter() - started
        return router

    @classmethod
    def from_catalog(cls, catalog: Catalog | None = None) -> Router:
        """Train on a catalog's examples, keywords and out-of-scope negatives."""
        catalog = catalog if catalog is not None else load_catalog()
        return cls.from_examples(catalog_rows(catalog), catalog=catalog, recall_weight=0.5)

    def _views(self, norm: Sequence[str]) -> tuple[list[str], list[str]]:
        fixed = [self.speller.correct(t) for t in norm] if self.speller else list(norm)
        return [stem_text(t) for t in fixed], fixed

    def _fit(self, norm: Sequence[str], labels: Sequence[str]) -> None:
        words, chars = self._views(norm)
        self.matcher = Matcher().fit(words, chars, labels)

    def _score(self, norm: Sequence[str]) -> Scores:
        words, chars = self._views(norm)
        return self.matcher.score(words, chars)

    def _out_of_fold(
        self, norm: list[str], labels: list[str], seed: int
    ) -> tuple[list[str], Scores]:
        y = np.asarray(labels)
        if len(norm) > 5000:  # large sets: one held-out split is enough and 5x cheaper
            idx = np.arange(len(norm))
            tr, te = train_test_split(idx, test_size=0.2, stratify=y, random_state=seed)
            folds = [(tr, te)]
        else:
            k = max(2, min(5, int(np.bincount(np.unique(y, return_inverse=True)[1]).min())))
            folds = list(StratifiedKFold(k, shuffle=True, random_state=seed).split(norm, y))
        order: list[int] = []
        margins: list[np.ndarray] = []
        nearest: list[np.ndarray] = []
        classes = sorted(set(labels))
        for tr, te in folds:
            self._fit([norm[i] for i in tr], y[tr].tolist())
            scores = self._score([norm[i] for i in te])
            # A class missing from a fold's training part gets a margin no softmax will pick.
            full = np.full((len(te), len(classes)), -10.0)
            cols = [classes.index(c) for c in self.matcher.classes]
            full[:, cols] = scores.margins
            order.extend(te.tolist())
            margins.append(full)
            nearest.append(scores.nearest)
        self.matcher.classes = tuple(classes)
        return [labels[i] for i in order], Scores(np.vstack(margins), np.concatenate(nearest))

    # -- classifying ----------------------------------------------------------------------

    def classify(
        self, text: str, *, now: datetime | None = None, tz: str = "Asia/Jakarta"
    ) -> MatchResult:
        """Understand one chat message; relative dates resolve against `now` in `tz`."""
        now = now if now is not None else datetime.now(ZoneInfo(tz))
        norm = normalize(text[:MAX_MODEL_CHARS])
        entities = extract_entities(text, now, tz) if text.strip() else Entities()
        if not norm:
            return MatchResult(MatchKind.NONE, None, 0.0, entities, (), norm)
        scores = self._score([norm])
        probs = scores.probs(self.matcher.temperature)[0]
        return self._decide(probs, float(scores.nearest[0]), entities, norm)

    def _decide(
        self, probs: np.ndarray, nearest: float, entities: Entities, norm: str
    ) -> MatchResult:
        classes = self.matcher.classes
        order = np.argsort(-probs)
        top = classes[order[0]]
        inscope = [i for i in order if classes[i] != OOS][:N_SUGGESTIONS]
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


def confidence(prob: float, nearest: float) -> float:
    """Blend of model probability and nearest-example similarity, in [0, 1]."""
    return round((prob + nearest) / 2, 4)


def _tune(
    classes: Sequence[str],
    truth: list[str],
    probs: np.ndarray,
    nearest: np.ndarray,
    recall_weight: float,
) -> Thresholds:
    order = np.argsort(-probs, axis=1)
    rows = np.arange(len(order))
    top = probs[rows, order[:, 0]]
    second = probs[rows, order[:, 1]] if order.shape[1] > 1 else np.zeros_like(top)
    predicted = np.asarray(classes)[order[:, 0]].tolist()
    conf = (top + nearest) / 2
    return tune(truth, predicted, conf, top - second, recall_weight=recall_weight)


@cache
def default_router() -> Router:
    """The router for the built-in catalog, built once per process."""
    return Router.from_catalog()
