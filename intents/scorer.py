"""The fitted matcher as plain arrays: what classifying needs, without scikit-learn or SciPy.

Training (`intents.matcher.Matcher`) uses scikit-learn; serving only multiplies a message's
TF-IDF vector by the fitted weights. Importing scikit-learn and SciPy costs a served process
about 1.5 s and 60 MB, so the fitted model is exported to numpy arrays and vocabularies and
scored here. The n-grams are made exactly as scikit-learn's `TfidfVectorizer` makes them
(`analyzer="word"` and `"char_wb"`, lower-cased, no stop words), so the scores are the same
numbers (tests/intents/test_scorer.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

OOS = "oos"

# What scikit-learn's vectorizers do to whitespace before char_wb n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")


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


@dataclass(eq=False)
class Scorer:
    """Linear model over stemmed-word and character n-grams, plus the nearest-example cosine.

    Columns: the word vocabulary first, then the character vocabulary shifted by its size.
    `examples_*` are the rows of a CSR matrix (features × in-scope examples) restricted to the
    n-grams found in few examples (`keep`).
    """

    classes: tuple[str, ...]
    temperature: float
    word_vocab: dict[str, int]
    char_vocab: dict[str, int]
    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    token_pattern: str
    idf: np.ndarray  # (n_features,)
    coef_t: np.ndarray  # (n_features, n_classes), C-contiguous
    intercept: np.ndarray  # (n_classes,)
    keep: np.ndarray  # (n_features,) bool
    examples_indptr: np.ndarray
    examples_indices: np.ndarray
    examples_data: np.ndarray
    _char_cache: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._tokens = re.compile(self.token_pattern).findall

    def __getstate__(self) -> dict[str, object]:
        # The per-word cache fills while serving; it is not part of the model.
        skip = ("_char_cache", "_tokens")
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._char_cache = {}
        self.__post_init__()

    # -- n-grams, as TfidfVectorizer makes them ------------------------------------------------

    def word_grams(self, text: str) -> list[str]:
        """Word n-grams of one text (`analyzer="word"`, lower-cased, no stop words)."""
        tokens = self._tokens(text.lower())
        low, high = self.word_ngrams
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    def char_grams(self, text: str) -> list[str]:
        """Character n-grams inside word boundaries, each word padded with a space
        (`analyzer="char_wb"`, lower-cased)."""
        low, high = self.char_ngrams
        grams: list[str] = []
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            padded = f" {word} "
            size = len(padded)
            for n in range(low, high + 1):
                offset = 0
                grams.append(padded[offset : offset + n])
                while offset + n < size:
                    offset += 1
                    grams.append(padded[offset : offset + n])
                if offset == 0:  # a word shorter than n counts once
                    break
        return grams

    # -- scoring -----------------------------------------------------------------------------

    def _char_ids(self, word: str) -> np.ndarray:
        """Feature columns of one word's character n-grams (char_wb pads each word alone)."""
        ids = self._char_cache.get(word)
        if ids is None:
            vocab, offset = self.char_vocab, len(self.word_vocab)
            found = [vocab.get(g) for g in self.char_grams(word)]
            ids = np.array([j + offset for j in found if j is not None], dtype=np.int64)
            if len(self._char_cache) < 100_000:
                self._char_cache[word] = ids
        return ids

    def _vector(self, words: str, chars: str) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.word_vocab
        found = [vocab.get(g) for g in self.word_grams(words)]
        parts = [np.array([j for j in found if j is not None], dtype=np.int64)]
        # Chat words repeat, so their n-gram columns are looked up once and then reused.
        parts += [self._char_ids(w) for w in chars.split()]
        idx, tf = np.unique(np.concatenate(parts), return_counts=True)
        val = (1.0 + np.log(tf)) * self.idf[idx]
        # Each view is L2-normalised on its own, as TfidfVectorizer does.
        words_part = idx < len(self.word_vocab)
        for mask in (words_part, ~words_part):
            norm = np.sqrt((val[mask] ** 2).sum())
            if norm > 0:
                val[mask] /= norm
        return idx, val

    def _nearest(self, idx: np.ndarray, val: np.ndarray) -> float:
        """Highest cosine to an in-scope example: a sparse row gather in plain numpy."""
        kept = self.keep[idx]
        if not kept.any():
            return 0.0
        rows, weights = idx[kept], val[kept]
        indptr, indices, data = self.examples_indptr, self.examples_indices, self.examples_data
        starts, ends = indptr[rows], indptr[rows + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return 0.0
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total) - np.repeat(first - starts, lengths)
        sims = np.bincount(
            indices[pos], weights=np.repeat(weights, lengths) * data[pos], minlength=1
        )
        # Each view has unit length, so the two-view dot product is at most 2.
        return float(sims.max()) / 2.0

    def score(self, words: Sequence[str], chars: Sequence[str]) -> Scores:
        """SVM margins and similarity to the nearest example, one message at a time."""
        n = len(words)
        margins = np.zeros((n, len(self.classes)))
        nearest = np.zeros(n)
        for i, (w, c) in enumerate(zip(words, chars, strict=True)):
            idx, val = self._vector(w, c)
            margins[i] = val @ self.coef_t[idx] + self.intercept
            nearest[i] = self._nearest(idx, val)
        return Scores(margins=margins, nearest=nearest)
