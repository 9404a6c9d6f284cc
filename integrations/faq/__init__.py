"""The FAQ: questions HR answers once, in a YAML file (AYO_FAQ_PATH, else faq.yaml here).

`load_faq` reads and checks the file(s) and, given the working calendar, that every year a
calendar-backed entry claims is recorded there; errors name file and line. The variants the
back office added (integrations/faq/additions.py) are merged in; `current` loads the book
again when another process changed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core.workdays import WorkCalendar
from integrations.faq import additions as _additions
from integrations.faq.book import Answer, FaqBook, Known
from integrations.faq.spec import DEFAULT_FAQ, Entry, FaqError, FaqInvalid, faq_files, read_file

__all__ = [
    "DEFAULT_FAQ",
    "Answer",
    "Entry",
    "FaqBook",
    "FaqError",
    "FaqInvalid",
    "Known",
    "check_faq",
    "current",
    "load_faq",
]
log = logging.getLogger(__name__)


def check_faq(
    path: Path | None, calendar: WorkCalendar | None = None
) -> tuple[list[tuple[Entry, Path, int]], list[FaqError]]:
    """Every entry of the FAQ file(s) with where it is, and every problem found."""
    entries: list[tuple[Entry, Path, int]] = []
    errors: list[FaqError] = []
    files = faq_files(path)
    if not files:
        errors.append(FaqError(path or DEFAULT_FAQ, None, "no FAQ files (*.yaml) there"))
    seen: dict[str, Path] = {}
    for file in files:
        found, problems = read_file(file)
        errors += problems
        for entry, line in found:
            if entry.id in seen:
                taken = f"entry {entry.id!r} already in {seen[entry.id]}"
                errors.append(FaqError(file, line, taken))
                continue
            seen[entry.id] = file
            entries.append((entry, file, line))
            if calendar is not None:
                for year in entry.years:
                    if not calendar.cuti_bersama_recorded(year):
                        errors.append(
                            FaqError(
                                file,
                                line,
                                f"entry {entry.id!r}: year {year} has no cuti_bersama in the "
                                "working calendar file (core/calendar_data/id_overrides.yaml "
                                "or AYO_CALENDAR_OVERRIDES)",
                            )
                        )
    return entries, errors


def load_faq(
    path: Path | None,
    calendar: WorkCalendar | None,
    normalize: Callable[[str], str],
    additions: Path | None = None,
) -> FaqBook:
    """The FAQ, checked, with the back office's variants; raises FaqInvalid listing every
    problem of HR's file. A variant whose entry HR removed is left out (and logged)."""
    entries, errors = check_faq(path, calendar)
    if errors:
        raise FaqInvalid(errors)
    stamp = _additions.stamp(additions)
    found = [e for e, _, _ in entries]
    if additions is not None:
        found, problems = _additions.merge(found, _additions.read(additions))
        for problem in problems:
            log.warning("%s: %s", additions, problem)
    book = FaqBook(found, normalize)
    book.origin = (path, calendar, normalize, additions, stamp)
    return book


def current(book: FaqBook) -> FaqBook:
    """`book`, or the FAQ loaded again if its additions file changed since (the back office
    of another process wrote it); a stat per call, the file is read only when it changed."""
    origin = getattr(book, "origin", None)
    if origin is None:
        return book
    path, calendar, normalize, additions, stamp = origin
    if _additions.stamp(additions) == stamp:
        return book
    return load_faq(path, calendar, normalize, additions)


def expired(book: FaqBook, today: date) -> list[Entry]:
    """Entries past their expiry day (no longer answered)."""
    return [e for e in book.entries if today > e.expires]
