"""Training the statistical matcher: TF-IDF word and character n-grams, a linear model, nearest
examples. Serving scores with the exported arrays (`intents.scorer.Scorer`), never with this.

Confidence blends the model's softmax probability with the cosine similarity to the closest
training example, because a probability alone is overconfident on far-away (out-of-scope) text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from intents.scorer import OOS, Scorer, Scores, softmax

__all__ = ["OOS", "Matcher", "Scores", "calibrate", "softmax"]


def calibrate(scores: Scores, truth: Sequence[str], classes: Sequence[str]) -> float:
    """The softmax temperature with the lowest log-loss on held-out messages."""
    index = {c: i for i, c in enumerate(classes)}
    rows = [(i, index[t]) for i, t in enumerate(truth) if t in index]
    r = np.array([a for a, _ in rows])
    c = np.array([b for _, b in rows])
    best = (np.inf, 0.1)
    for temperature in (0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0):
        p = softmax(scores.margins[r], temperature)[np.arange(len(r)), c]
        loss = -np.log(np.clip(p, 1e-12, None)).mean()
        if loss < best[0]:
            best = (loss, temperature)
    return best[1]


class Matcher:
    """Linear classifier over two views of a message: stemmed words and raw characters."""

    def __init__(
        self,
        *,
        c: float = 1.0,
        oos_weight: float = 3.0,
        temperature: float = 0.1,
    ) -> None:
        self.c = c
        self.oos_weight = oos_weight
        self.temperature = temperature
        # One-letter tokens stay: "i", "a", "p" (a common Indonesian chat greeting) and digits.
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b", dtype=np.float32
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        # tol=1e-2: same predictions on CLINC150 val as the default 1e-4, about 10% faster.
        self.model = LinearSVC(C=c, tol=1e-2, class_weight={OOS: oos_weight}, random_state=0)
        self.classes: tuple[str, ...] = ()

    def fit(self, words: Sequence[str], chars: Sequence[str], labels: Sequence[str]) -> Matcher:
        """Train on parallel lists of the word view, the character view and the labels."""
        # min_df=2 would drop everything on tiny datasets, so fall back to keeping all n-grams.
        if len(chars) < 50:
            self.chars.set_params(min_df=1)
        parts = [self.words.fit_transform(words), self.chars.fit_transform(chars)]
        matrix = sparse.csr_matrix(sparse.hstack(parts))
        if OOS not in labels:
            self.model.set_params(class_weight=None)
        self.model.fit(matrix, list(labels))
        self.classes = tuple(str(c) for c in self.model.classes_)
        self._prepare(matrix, np.asarray(labels) != OOS)
        return self

    def _prepare(self, matrix: sparse.csr_matrix, inscope: np.ndarray) -> None:
        """The arrays one-message scoring needs: sklearn's per-call overhead is about 1 ms."""
        coef = self.model.coef_
        if coef.shape[0] == 1:  # two classes: sklearn keeps one row
            coef = np.vstack([-coef[0], coef[0]])
        intercept = self.model.intercept_
        # Nearest-example similarity ignores n-grams found in over 2% of examples: they add little
        # to the cosine and make the sparse product many times slower.
        df = np.diff(sparse.csc_matrix(matrix).indptr)
        keep = df <= max(5, 0.02 * matrix.shape[0])
        # Only in-scope examples count: being close to an out-of-scope example is no support.
        kept = (
            sparse.diags(keep.astype(np.float32))
            @ matrix.T
            @ sparse.diags(inscope.astype(np.float32))
        )
        examples = sparse.csr_matrix(kept)
        examples.eliminate_zeros()
        self._arrays = {
            "idf": np.concatenate([self.words.idf_, self.chars.idf_]),
            "coef_t": np.ascontiguousarray(coef.T),
            "intercept": (
                np.array([-intercept[0], intercept[0]]) if len(intercept) == 1 else intercept
            ),
            "keep": keep,
            "examples_indptr": examples.indptr,
            "examples_indices": examples.indices,
            "examples_data": examples.data,
        }
        self._reference = _SklearnAnalyzers(
            self._exported_fields(), self.words.build_analyzer(), self.chars.build_analyzer()
        )

    def _exported_fields(self) -> dict[str, object]:
        for vectorizer, analyzer in ((self.words, "word"), (self.chars, "char_wb")):
            # The scorer makes n-grams itself: only the settings it reproduces may be used.
            params = vectorizer.get_params()
            assert params["analyzer"] == analyzer and params["lowercase"], params
            assert params["preprocessor"] is None and params["tokenizer"] is None, params
            assert params["stop_words"] is None and params["strip_accents"] is None, params
        return {
            "classes": self.classes,
            "temperature": self.temperature,
            # sklearn keeps numpy ints after min_df pruning; plain ints pickle smaller.
            "word_vocab": {k: int(v) for k, v in self.words.vocabulary_.items()},
            "char_vocab": {k: int(v) for k, v in self.chars.vocabulary_.items()},
            "word_ngrams": tuple(self.words.ngram_range),
            "char_ngrams": tuple(self.chars.ngram_range),
            "token_pattern": self.words.token_pattern,
            **self._arrays,
        }

    def export(self) -> Scorer:
        """The fitted model as plain arrays and vocabularies: no scikit-learn needed to score."""
        return Scorer(**self._exported_fields())  # type: ignore[arg-type]

    def score(self, words: Sequence[str], chars: Sequence[str]) -> Scores:
        """Scores computed with scikit-learn's own analyzers: the reference for the export."""
        return self._reference.score(words, chars)


class _SklearnAnalyzers(Scorer):
    """The exported arrays, with n-grams made by the fitted vectorizers themselves."""

    def __init__(
        self,
        fields: dict[str, object],
        word_analyzer: Callable[[str], list[str]],
        char_analyzer: Callable[[str], list[str]],
    ) -> None:
        super().__init__(**fields)  # type: ignore[arg-type]
        self._word_analyzer, self._char_analyzer = word_analyzer, char_analyzer

    def word_grams(self, text: str) -> list[str]:
        return self._word_analyzer(text)

    def char_grams(self, text: str) -> list[str]:
        return self._char_analyzer(text)
