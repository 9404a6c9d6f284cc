"""CLINC150 benchmark: our Router against a TF-IDF + LinearSVC baseline, in one run.

Usage: .venv/bin/python bench/clinc150.py [--data DIR] [--recall-weight W]
Train on train.jsonl, tune on val.jsonl, report on test.jsonl (never used for tuning).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intents.evaluate import evaluate, read_jsonl
from intents.router import Router

DATA = Path("/work/shared/benchmarks/clinc150")


class Baseline:
    """Word(1-2) + char_wb(2-5) TF-IDF, LinearSVC, softmax(margins / 0.1) max-prob threshold."""

    def __init__(self) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.svm = LinearSVC(C=1.0)
        self.threshold = 0.0

    def _x(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def _probs(self, texts: list[str]) -> np.ndarray:
        z = self.svm.decision_function(self._x(texts)) / 0.1
        z -= z.max(axis=1, keepdims=True)
        return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    def fit(self, train: list[tuple[str, str]], val: list[tuple[str, str]]) -> Baseline:
        texts = [t for t, _ in train]
        self.word.fit(texts)
        self.char.fit(texts)
        self.svm.fit(self._x(texts), [y for _, y in train])
        probs = self._probs([t for t, _ in val])
        truth = np.array([y for _, y in val])
        top = self.svm.classes_[probs.argmax(axis=1)]
        best = -1.0
        for th in np.linspace(0, 0.95, 96):  # the paper's rule: best val accuracy incl. oos
            score = (np.where(probs.max(axis=1) < th, "oos", top) == truth).mean()
            if score > best:
                best, self.threshold = score, float(th)
        return self

    def predict_one(self, text: str) -> str:
        probs = self._probs([text])[0]
        return "oos" if probs.max() < self.threshold else str(self.svm.classes_[probs.argmax()])


def baseline_metrics(
    train: list[tuple[str, str]], val: list[tuple[str, str]], test: list[tuple[str, str]]
) -> dict[str, object]:
    started = time.perf_counter()
    model = Baseline().fit(train, val)
    build = time.perf_counter() - started
    pred = np.array([model.predict_one(t) for t, _ in test])
    truth = np.array([y for _, y in test])
    inscope = truth != "oos"
    timings = []
    for text, _ in test[:300]:
        t0 = time.perf_counter()
        model.predict_one(text)
        timings.append((time.perf_counter() - t0) * 1000)
    rejected = pred == "oos"
    return {
        "in_scope_accuracy": round(float((pred[inscope] == truth[inscope]).mean()), 4),
        "oos_recall": round(float(rejected[~inscope].mean()), 4),
        "oos_precision": round(float((~inscope[rejected]).mean()), 4),
        "build_seconds": round(build, 1),
        "latency_ms": {
            "p50": round(float(np.percentile(timings, 50)), 3),
            "p99": round(float(np.percentile(timings, 99)), 3),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--recall-weight", type=float, default=0.05)
    args = parser.parse_args()
    train = read_jsonl(args.data / "train.jsonl")
    val = read_jsonl(args.data / "val.jsonl")
    test = read_jsonl(args.data / "test.jsonl")
    started = time.perf_counter()
    router = Router.from_examples(train, val, recall_weight=args.recall_weight)
    build = time.perf_counter() - started
    ours = evaluate(router, test)
    ours.pop("top_errors")
    report = {
        "dataset": "clinc150 full (train+oos_train / val+oos_val / test+oos_test)",
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
        "ours": {"build_seconds": round(build, 1), "recall_weight": args.recall_weight, **ours},
        "baseline": baseline_metrics(train, val, test),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
