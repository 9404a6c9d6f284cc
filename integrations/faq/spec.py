"""The FAQ file an HR officer maintains: entries checked at load, errors with file and line.

An entry has the questions it answers (variants, as people type them), an answer in
Indonesian and English, the regulation it cites and the day it expires. An answer may take
its facts from the working calendar (`source`), so dates are never typed twice.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.text import T
from core.yamltext import compose_and_load
from integrations.catalog import (  # the service catalog's: same YAML, same errors
    CatalogError,
    CatalogInvalid,
    _line_of,
)

DEFAULT_FAQ = Path(__file__).with_name("faq.yaml")

# Facts a `source` puts into an answer; an answer names them as {year}, {dates}, ...
SOURCES: Mapping[str, frozenset[str]] = {
    # The year's cuti bersama from the working calendar (core/calendar_data).
    "cuti_bersama": frozenset({"year", "dates", "count"}),
    # Ramadan's first and last day and the office hours then, from the working calendar.
    "ramadan_hours": frozenset({"year", "start", "end", "hours"}),
}
PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")
# A question must ask something: without one of these words a variant like "cuti melahirkan"
# would answer "mau cuti melahirkan", a request that belongs to the leave form.
QUESTION_WORDS = frozenset(
    {
        "berapa", "kapan", "apa", "apakah", "bagaimana", "gimana", "gmn", "bgmn", "siapa",
        "dimana", "mana", "manakah", "bolehkah", "bisakah", "adakah", "mengapa", "kenapa", "knp",
        "berapakah", "jam", "how", "what", "when", "which", "who", "where", "why", "is", "are",
        "can", "does", "do", "much", "many",
    }
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def t(self) -> T:
        return T(self.id.strip(), self.en.strip())


class Entry(_Strict):
    """One question and its answer."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")
    questions: tuple[str, ...] = Field(min_length=1)
    answer: Text
    # The regulation the answer rests on, shown under it ("PP 11/2017 Ps. 325").
    cites: tuple[str, ...] = ()
    # After this day the entry is not answered ("I don't know" and a person is offered):
    # an answer nobody re-checked is worse than none.
    expires: date
    source: Literal["cuti_bersama", "ramadan_hours"] | None = None
    # cuti_bersama: the years HR checked against the decree, each with its citation.
    years: dict[int, tuple[str, ...]] = Field(default_factory=dict)
    # For HR only, never shown: what was checked, what still needs confirming.
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        allowed = SOURCES.get(self.source or "", frozenset())
        for lang, text in (("id", self.answer.id), ("en", self.answer.en)):
            unknown = sorted(set(PLACEHOLDER.findall(text)) - allowed)
            if unknown:
                names = ", ".join("{" + n + "}" for n in unknown)
                if self.source is None:
                    raise ValueError(
                        f"answer.{lang}: {names} needs a `source` ({', '.join(SOURCES)})"
                    )
                raise ValueError(
                    f"answer.{lang}: source {self.source} does not fill {names}"
                    f" (it fills {', '.join(sorted(allowed))})"
                )
        if self.source == "cuti_bersama" and not self.years:
            raise ValueError("source cuti_bersama needs `years`: the years HR checked")
        if self.years and self.source != "cuti_bersama":
            raise ValueError("`years` only goes with source cuti_bersama")
        if not self.cites and not self.years:
            raise ValueError("an answer must cite its regulation (`cites`)")
        for q in self.questions:
            words = set(re.findall(r"[a-z]+", q.casefold()))
            if not words & QUESTION_WORDS:
                raise ValueError(
                    f"question {q!r} asks nothing (no word like berapa, kapan, apa, how, when):"
                    " it would answer a request instead of opening its form"
                )
        return self


class FaqFile(_Strict):
    entries: tuple[Entry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> FaqFile:
        ids = [e.id for e in self.entries]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"entry ids used twice: {twice}")
        return self


# A FAQ file's problems are reported like a service file's: path, line, message.
FaqError = CatalogError


class FaqInvalid(CatalogInvalid):
    """The FAQ files hold errors (each with its file and line)."""


def faq_files(path: Path | None) -> list[Path]:
    """The FAQ files: AYO_FAQ_PATH (a file, or a folder of *.yaml), else the shipped one."""
    path = path or DEFAULT_FAQ
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    return [path]


def read_file(path: Path) -> tuple[list[tuple[Entry, int]], list[FaqError]]:
    """The entries of one file with their lines, or every error found in it."""
    try:
        text = path.read_text(encoding="utf-8")
        node, data = compose_and_load(text)
    except OSError as exc:
        return [], [FaqError(path, None, f"cannot read: {exc.strerror or exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [FaqError(path, mark.line + 1 if mark else None, f"invalid YAML: {exc}")]
    if not isinstance(data, dict):
        return [], [FaqError(path, 1, "a FAQ file is a mapping with `entries:`")]
    try:
        parsed = FaqFile.model_validate(data)
    except ValidationError as exc:
        return [], [
            FaqError(path, _line_of(node, err["loc"]), _describe(data, err))
            for err in exc.errors(include_url=False)
        ]
    lines = [_line_of(node, ("entries", i)) or 1 for i in range(len(parsed.entries))]
    return list(zip(parsed.entries, lines, strict=True)), []


def _describe(data: Any, err: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    where = ".".join(str(p) for p in loc) or "(file)"
    # "entries.2.answer.en" says little to HR; the entry's own id says which one.
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            where = f"entry {data['entries'][loc[1]]['id']!r}" + "".join(f".{p}" for p in loc[2:])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}"
