"""The statistical matcher: TF-IDF word and character n-grams, a linear model, nearest examples.

Confidence blends the model's softmax probability with the cosine similarity to the closest
training example, because a probability alone is overconfident on far-away (out-of-scope) text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

OOS = "oos"


@dataclass(frozen=True)
class Scores:
    """Per-message model output: class probabilities and nearest-example similarity."""

    margins: np.ndarray  # (n, n_classes), raw SVM decision values
    nearest: np.ndarray  # (n,), cosine similarity in [0, 1]

    def probs(self, temperature: float) -> np.ndarray:
        """Softmax of the margins; rows sum to 1."""
        return softmax(self.margins, temperature)


def softmax(margins: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of margins / temperature."""
    z = margins / temperature
    z = z - z.max(axis=-1, keepdims=True)
    exp = np.exp(z)
    return exp / exp.sum(axis=-1, keepdims=True)


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
        self._examples_t: sparse.csr_matrix | None = None

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
        """Precompute one-message scoring: sklearn's per-call overhead is about 1 ms."""
        self._word_an = self.words.build_analyzer()
        self._char_an = self.chars.build_analyzer()
        self._char_cache: dict[str, np.ndarray] = {}
        self._offset = len(self.words.vocabulary_)
        self._idf = np.concatenate([self.words.idf_, self.chars.idf_])
        coef = self.model.coef_
        if coef.shape[0] == 1:  # two classes: sklearn keeps one row
            coef = np.vstack([-coef[0], coef[0]])
        self._coef_t = np.ascontiguousarray(coef.T)
        intercept = self.model.intercept_
        self._intercept = (
            np.array([-intercept[0], intercept[0]]) if len(intercept) == 1 else intercept
        )
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
        self._examples_t = sparse.csr_matrix(kept)
        self._examples_t.eliminate_zeros()
        self._keep = keep

    def __getstate__(self) -> dict[str, object]:
        # The analyzers are closures over the vectorizers; rebuild them after unpickling.
        skip = ("_word_an", "_char_an", "_char_cache")
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._char_cache = {}
        if self._examples_t is not None:
            self._word_an = self.words.build_analyzer()
            self._char_an = self.chars.build_analyzer()

    def _nearest(self, idx: np.ndarray, val: np.ndarray) -> float:
        """Highest cosine to an in-scope example: a sparse row gather without scipy overhead."""
        kept = self._keep[idx]
        if not kept.any():
            return 0.0
        rows, weights = idx[kept], val[kept]
        ex = self._examples_t
        assert ex is not None
        starts, ends = ex.indptr[rows], ex.indptr[rows + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return 0.0
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total) - np.repeat(first - starts, lengths)
        sims = np.bincount(
            ex.indices[pos], weights=np.repeat(weights, lengths) * ex.data[pos], minlength=1
        )
        # Each view has unit length, so the two-view dot product is at most 2.
        return float(sims.max()) / 2.0

    def _char_ids(self, word: str) -> np.ndarray:
        """Feature columns of one word's character n-grams (char_wb pads each word alone)."""
        ids = self._char_cache.get(word)
        if ids is None:
            vocab, offset = self.chars.vocabulary_, self._offset
            found = [vocab.get(g) for g in self._char_an(word)]
            ids = np.array([j + offset for j in found if j is not None], dtype=np.int64)
            if len(self._char_cache) < 100_000:
                self._char_cache[word] = ids
        return ids

    def _vector(self, words: str, chars: str) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.words.vocabulary_
        found = [vocab.get(g) for g in self._word_an(words)]
        parts = [np.array([j for j in found if j is not None], dtype=np.int64)]
        # Chat words repeat, so their n-gram columns are looked up once and then reused.
        parts += [self._char_ids(w) for w in chars.split()]
        idx, tf = np.unique(np.concatenate(parts), return_counts=True)
        val = (1.0 + np.log(tf)) * self._idf[idx]
        # Each view is L2-normalised on its own, as TfidfVectorizer does.
        words_part = idx < self._offset
        for mask in (words_part, ~words_part):
            norm = np.sqrt((val[mask] ** 2).sum())
            if norm > 0:
                val[mask] /= norm
        return idx, val

    def score(self, words: Sequence[str], chars: Sequence[str]) -> Scores:
        """SVM margins and similarity to the nearest example, one message at a time."""
        n = len(words)
        margins_all = np.zeros((n, len(self.classes)))
        nearest = np.zeros(n)
        assert self._examples_t is not None
        for i, (w, c) in enumerate(zip(words, chars, strict=True)):
            idx, val = self._vector(w, c)
            margins_all[i] = val @ self._coef_t[idx] + self._intercept
            nearest[i] = self._nearest(idx, val)
        return Scores(margins=margins_all, nearest=nearest)
