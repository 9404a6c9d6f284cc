"""The exported scorer gives the scikit-learn model's numbers, without scikit-learn."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pytest
from scipy import sparse

from intents import load_catalog
from intents.matcher import Matcher
from intents.normalize import Speller, normalize, stem_text
from intents.router import MAX_MODEL_CHARS, Router, _views
from intents.scorer import Scorer
from intents.spec import catalog_rows

# Written by hand: typos, slang, English, digits, odd characters, out of scope, long text.
TEXTS = [
    "sy mau cuti bsk 2 hr",
    "sisa cuti saya berapa",
    "cutti besok dong",
    "slip gaji nov",
    "ijin telat, ban bocor",
    "SPPD ke Bandung tgl 5",
    "terima kasih banyak",
    "how many leave days do I have left",
    "resep nasi goreng",
    "asdfgh qwerty",
    "İstanbul ﬁle straße",
    "rapat2 hari-hari 10.30",
    "a",
    "cuti " * 300,
]


@dataclass
class Fitted:
    matcher: Matcher
    scorer: Scorer
    speller: Speller
    norm: list[str]


@pytest.fixture(scope="module")
def fitted() -> Fitted:
    """The built-in catalog's model, fitted once, and its export."""
    rows = catalog_rows(load_catalog())
    norm = [normalize(text[:MAX_MODEL_CHARS]) for text, _ in rows]
    speller = Speller(w for text in norm for w in text.split())
    matcher = Matcher().fit([stem_text(t) for t in norm], norm, [label for _, label in rows])
    return Fitted(matcher, matcher.export(), speller, norm)


def _all_texts(fitted: Fitted) -> list[str]:
    return [*fitted.norm, *(normalize(t[:MAX_MODEL_CHARS]) for t in TEXTS)]


def test_exported_scores_equal_the_matchers_on_every_training_text_and_more(
    fitted: Fitted,
) -> None:
    words, chars = _views(fitted.speller, _all_texts(fitted))
    reference = fitted.matcher.score(words, chars)
    exported = fitted.scorer.score(words, chars)
    assert len(words) > 1000  # the whole catalog, not a sample
    assert np.abs(exported.margins - reference.margins).max() <= 1e-9
    assert np.abs(exported.nearest - reference.nearest).max() <= 1e-9
    assert (exported.margins.argmax(axis=1) == reference.margins.argmax(axis=1)).all()


def test_margins_and_similarity_are_scikit_learns_own(fitted: Fitted) -> None:
    """Against sparse products of the fitted vectorizers and LinearSVC.decision_function.

    The vectorizers store float32 features, so this comparison is to float32 precision."""
    words, chars = _views(fitted.speller, _all_texts(fitted))
    m = fitted.matcher
    features = sparse.csr_matrix(
        sparse.hstack([m.words.transform(words), m.chars.transform(chars)])
    ).astype(np.float64)
    margins = m.model.decision_function(features)
    exported = fitted.scorer.score(words, chars)
    assert np.abs(exported.margins - margins).max() <= 1e-5
    s = fitted.scorer
    examples = sparse.csr_matrix(
        (s.examples_data, s.examples_indices, s.examples_indptr),
        shape=(len(s.keep), int(s.examples_indices.max()) + 1),
    )
    nearest = (features @ examples).toarray().max(axis=1) / 2
    assert np.abs(exported.nearest - nearest).max() <= 1e-5


@pytest.mark.parametrize(
    "text",
    [
        "cuti besok",
        "Cuti  BESOK   ya",
        "tab\tdan\nbaris baru",
        "a b c",
        "x",
        "",
        "   ",
        "İstanbul ﬁle straße ŉ",
        "12.30 jam 3hari",
        "don't stop",
        "emoji 😀 di tengah",
    ],
)
def test_ngrams_are_the_vectorizers_own(fitted: Fitted, text: str) -> None:
    words = fitted.matcher.words.build_analyzer()
    chars = fitted.matcher.chars.build_analyzer()
    assert fitted.scorer.word_grams(text) == words(text)
    assert fitted.scorer.char_grams(text) == chars(text)


def test_word_and_char_ngrams_of_a_short_text(fitted: Fitted) -> None:
    assert fitted.scorer.word_grams("Cuti besok pagi") == [
        "cuti",
        "besok",
        "pagi",
        "cuti besok",
        "besok pagi",
    ]
    # Each word padded with a space; n-grams of 1 to 4 characters; a short word counts once.
    assert fitted.scorer.char_grams("ya") == [
        " ",
        "y",
        "a",
        " ",
        " y",
        "ya",
        "a ",
        " ya",
        "ya ",
        " ya ",
    ]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("sy mau cuti bsk 2 hr", "leave.request"),
        ("sisa cuti saya berapa", "leave.balance"),
        ("slip gaji nov", "payslip.view"),
        ("ijin telat, ban bocor", "permit.request"),
        ("matikan pengingat", "learning.pause"),
        ("terima kasih", "thanks"),
        ("resep nasi goreng", None),
    ],
)
def test_both_routers_reach_the_same_intent(
    fitted: Fitted, router: Router, text: str, intent: str | None, now: datetime
) -> None:
    """The same thresholds and speller over the scikit-learn scoring and the exported one."""
    fitted.matcher.temperature = fitted.scorer.temperature = router.matcher.temperature
    made = [
        Router(scoring, router.thresholds, catalog=router.catalog, speller=fitted.speller)
        for scoring in (fitted.matcher, fitted.scorer)
    ]
    with_sklearn, exported = (r.classify(text, now=now) for r in made)
    assert exported == with_sklearn
    assert exported.intent == intent


def test_the_export_survives_pickling(fitted: Fitted) -> None:
    words, chars = _views(fitted.speller, [normalize(t) for t in TEXTS])
    fitted.scorer.score(words, chars)  # fill its per-word cache first
    loaded = pickle.loads(pickle.dumps(fitted.scorer))
    assert loaded._char_cache == {}
    assert np.array_equal(
        loaded.score(words, chars).margins, fitted.scorer.score(words, chars).margins
    )
