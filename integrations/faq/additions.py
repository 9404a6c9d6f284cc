"""What the back office adds to the FAQ: question variants of existing entries and drafts of
new entries, kept in their own YAML file (AYO_FAQ_ADDITIONS, default
AYO_DATA_DIR/faq-additions.yaml) and merged into HR's FAQ when it is loaded.

HR's own file (AYO_FAQ_PATH) is never written by Ayo: it may be read-only, under version
control, or shared by several servers. The additions file is written whole under an
exclusive lock, to a temporary file in the same folder, fsync'ed and renamed over the old
one, so a reader sees the old file or the new one and two HR admins saving at once both
keep their change.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core import yamltext
from integrations.faq.spec import Entry

HEADER = (
    "# Written by Ayo's back office (/admin/unknown): do not edit while Ayo runs.\n"
    "# variants: texts HR assigned to an FAQ entry as new question variants.\n"
    "# drafts: texts HR chose to answer with a NEW entry; a draft is not answered until HR\n"
    "#         writes the entry (answer, cites, expires) into the FAQ file (AYO_FAQ_PATH).\n"
)


class AdditionRefused(ValueError):
    """The addition cannot be stored; `args[0]` says why (for HR)."""


@dataclass(frozen=True, slots=True)
class Variant:
    entry: str
    question: str
    by_id: int | None
    at: str


@dataclass(frozen=True, slots=True)
class Draft:
    number: int
    questions: tuple[str, ...]
    by_id: int | None
    at: str


@dataclass
class Additions:
    variants: list[Variant] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)

    @property
    def texts(self) -> set[str]:
        """Every text already given to the FAQ (the back office lists them no more)."""
        return {v.question for v in self.variants} | {q for d in self.drafts for q in d.questions}

    def to_yaml(self) -> str:
        data = {
            "variants": [
                {"entry": v.entry, "question": v.question, "by_id": v.by_id, "at": v.at}
                for v in self.variants
            ],
            "drafts": [
                {"number": d.number, "questions": list(d.questions), "by_id": d.by_id, "at": d.at}
                for d in self.drafts
            ],
        }
        return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def read(path: Path) -> Additions:
    """The additions file as it is now (missing: nothing added yet)."""
    try:
        raw = yamltext.load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return Additions()
    except (OSError, yaml.YAMLError) as exc:
        raise AdditionRefused(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise AdditionRefused(f"{path}: not a mapping")
    try:
        return Additions(
            [Variant(str(v["entry"]), str(v["question"]), v.get("by_id"), str(v["at"]))
             for v in raw.get("variants") or []],
            [Draft(int(d["number"]), tuple(str(q) for q in d["questions"]), d.get("by_id"),
                   str(d["at"])) for d in raw.get("drafts") or []],
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise AdditionRefused(f"{path}: malformed entry ({exc})") from exc


def merge(entries: Sequence[Entry], additions: Additions) -> tuple[list[Entry], list[str]]:
    """HR's entries with the added variants; the problems of variants that no longer fit
    (their entry was removed or renamed in HR's file), which are left out."""
    extra: dict[str, list[str]] = {}
    for v in additions.variants:
        extra.setdefault(v.entry, []).append(v.question)
    known = {e.id for e in entries}
    problems = [
        f"variant {q!r}: entry {entry!r} is not in the FAQ any more"
        for entry, questions in extra.items()
        if entry not in known
        for q in questions
    ]
    merged = []
    for entry in entries:
        added = [q for q in extra.get(entry.id, []) if q not in entry.questions]
        merged.append(
            entry.model_copy(update={"questions": (*entry.questions, *added)}) if added else entry
        )
    return merged, problems


def check_question(entry: Entry, question: str) -> None:
    """Raise AdditionRefused when `question` cannot be a variant of `entry` (the FAQ file's
    own rule: a variant must ask something)."""
    try:
        Entry.model_validate({**entry.model_dump(), "questions": (*entry.questions, question)})
    except ValidationError as exc:
        message = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
        raise AdditionRefused(message) from exc


def add_variants(
    path: Path, entry: Entry, questions: Sequence[str], *, by_id: int | None, now: datetime
) -> int:
    """Add `questions` as variants of `entry`; how many were new. Every question is checked
    first: one that cannot be a variant refuses the whole addition."""
    for question in questions:
        check_question(entry, question)
    with _locked(path) as current:
        have = {(v.entry, v.question) for v in current.variants} | {
            (entry.id, q) for q in entry.questions
        }
        new = [q for q in dict.fromkeys(questions) if (entry.id, q) not in have]
        current.variants += [Variant(entry.id, q, by_id, now.isoformat()) for q in new]
    return len(new)


def add_draft(path: Path, questions: Sequence[str], *, by_id: int | None, now: datetime) -> int:
    """A draft of a new entry asking `questions`; its number."""
    wanted = tuple(dict.fromkeys(q for q in questions if q))
    if not wanted:
        raise AdditionRefused("no text")
    with _locked(path) as current:
        number = max((d.number for d in current.drafts), default=0) + 1
        current.drafts.append(Draft(number, wanted, by_id, now.isoformat()))
    return number


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Additions]:
    """Read, let the caller change, and write the file back atomically, under one lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read(path)
        yield current
        _write(path, current.to_yaml())


def _write(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def stamp(path: Path | None) -> Any:
    """What changes when the file changes (mtime and size), None when there is none."""
    if path is None:
        return None
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)
