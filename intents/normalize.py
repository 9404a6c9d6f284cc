"""Text normalisation for Indonesian chat: folding, slang, reduplication, stems, typos."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from core.yamltext import load as load_yaml

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.yaml"

_TAG = re.compile(r"<[^<>]{0,200}>")
_RANGE_WORD = re.compile(r"\b(?:s\s*/\s*d|s\.d\.?|sd)\b")
_DIGIT_DASH = re.compile(r"(\d)\s*[-\u2013\u2014]\s*(?=\d)")
_LONE_DASH = re.compile(r"\s[-\u2013\u2014]+\s")
# "minggu" is left out: "minggu-minggu" is "weeks", and Sunday is "hari minggu" or "ahad".
_DAYS = (
    r"senin|selasa|rabu|kamis|jum'?at|sabtu|ahad|besok|bsk|lusa|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|tomorrow"
)
# "rabu-jumat", "besok-jumat": a dash between two days is a range, not one hyphenated word.
_DAY_DASH = re.compile(rf"\b({_DAYS})\s*[-\u2013\u2014]\s*(?=(?:{_DAYS})\b)")
_TOKEN = re.compile(
    r"\d+(?:[.,:/-]\d+)*(?:[a-z]+)?"  # 12-14, 10.30, 1/12/2026, 10am
    r"|[a-z]+(?:'[a-z]+)?(?:-[a-z]+)*\d?"  # hari-hari, rapat2, jum'at
    r"|[,.;!?]"
)
_RUN3 = re.compile(r"([a-z])\1{2,}")
# "3hr", "3hari", "2mgg": a count glued to its unit is still a duration.
_GLUED_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)([a-z]+)")
_UNITS = frozenset({"hari", "minggu", "pekan", "bulan", "day", "days", "week", "weeks", "month"})
_PUNCT = frozenset(",.;!?")


@cache
def _lexicon() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    data = load_yaml(LEXICON_PATH.read_text(encoding="utf-8")) or {}
    slang = {str(k): str(v) for k, v in (data.get("slang") or {}).items()}
    domain = {str(k): str(v) for k, v in (data.get("domain") or {}).items()}
    doubles = frozenset(str(w) for w in data.get("doubles") or ())
    return slang, domain, doubles


def fold(text: str) -> str:
    """Lower-case, NFKC-fold and strip accents, emoji, symbols and HTML tags."""
    text = _TAG.sub(" ", html.unescape(text))
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        # Emoji, dingbats and private-use glyphs carry no intent; keep '/' ':' '-' for dates.
        out.append(" " if cat[0] in "SC" and ch not in "\n\t" else ch)
    return " ".join("".join(out).split())


def squeeze(token: str) -> str:
    """Collapse letters repeated three or more times ("cutiii" -> "cuti", "maaaf" -> "maaf")."""
    if not _RUN3.search(token):
        return token
    _, _, doubles = _lexicon()
    double = _RUN3.sub(r"\1\1", token)
    return double if double in doubles else _RUN3.sub(r"\1", token)


def dereduplicate(token: str) -> str:
    """Reduce reduplicated words to their base ("hari-hari" -> "hari", "rapat2" -> "rapat")."""
    if token[-1:] == "2" and token[:-1].isalpha() and len(token) > 2:
        return token[:-1]
    if "-" in token and token[0].isalpha():
        first, _, second = token.partition("-")
        if first == second or first.endswith(second):
            return first
        return token.replace("-", " ")
    return token


def tokens(text: str, *, keep_punct: bool = False) -> list[str]:
    """Tokenise already folded text into normalised words (and punctuation when asked)."""
    slang, domain, _ = _lexicon()
    text = _RANGE_WORD.sub(" sampai ", text.replace("jum'at", "jumat"))
    # "5 - 7 des" and "30 nov - 2 des" are ranges; a lone dash would otherwise vanish.
    text = _LONE_DASH.sub(" sampai ", _DIGIT_DASH.sub(r"\1-", text))
    text = _DAY_DASH.sub(r"\1 sampai ", text)
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw in _PUNCT:
            if keep_punct:
                out.append(raw)
            continue
        if raw[0].isdigit():
            glued = _GLUED_UNIT.fullmatch(raw)
            unit = slang.get(glued[2], glued[2]) if glued else ""
            if glued and domain.get(unit, unit) in _UNITS:
                out += [glued[1], domain.get(unit, unit)]
            else:
                out.append(raw)
            continue
        word = squeeze(dereduplicate(raw))
        for part in word.split():
            part = slang.get(part, part)
            out.extend(domain.get(p, p) for p in part.split())
    return " ".join(out).split()


def normalize(text: str, *, keep_punct: bool = False) -> str:
    """Return the canonical form of a chat message used for matching and shown in results."""
    return " ".join(tokens(fold(text), keep_punct=keep_punct))


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Indonesian root of one word (PySastrawi is slow, so every word is stemmed once)."""
    if len(word) <= 4 or not word.isalpha():
        return word
    return _stemmer().stem(word) or word


def stem_text(text: str) -> str:
    """Stem every word of normalised text."""
    return " ".join(stem(w) for w in text.split())


class Speller:
    """Maps unknown words to the closest known word, to survive typos like "cutti" or "gajih"."""

    def __init__(self, vocabulary: Iterable[str], *, cutoff: float = 84.0) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._choices = sorted(w for w in self.vocabulary if len(w) >= 4)
        self.cutoff = cutoff
        self._cache: dict[str, str] = {}
        self._by_length: dict[int, list[str]] = {}

    def _candidates(self, length: int) -> list[str]:
        """Known words long enough or short enough to reach the cutoff, in the same order.

        fuzz.ratio is 100 * (1 - indel / (a + b)) and indel >= |a - b|, so a word whose length
        differs too much can never score the cutoff: skipping it changes no answer and makes
        a lookup two to three times faster on a large vocabulary.
        """
        found = self._by_length.get(length)
        if found is None:
            slack = 1 - self.cutoff / 100
            found = [w for w in self._choices if abs(len(w) - length) <= slack * (len(w) + length)]
            self._by_length[length] = found
        return found

    def correct_word(self, word: str) -> str:
        """The word itself when known or too short, else its nearest vocabulary neighbour."""
        if len(word) < 4 or word in self.vocabulary or not word.isalpha():
            return word
        hit = self._cache.get(word)
        if hit is None:
            best = process.extractOne(
                word, self._candidates(len(word)), scorer=fuzz.ratio, score_cutoff=self.cutoff
            )
            hit = best[0] if best else word
            if len(self._cache) < 50_000:
                self._cache[word] = hit
        return hit

    def correct(self, text: str, *, limit: int = 40) -> str:
        """Correct the first `limit` words; long messages keep their tail as typed."""
        words = text.split()
        head = [self.correct_word(w) for w in words[:limit]]
        return " ".join(head + words[limit:])
