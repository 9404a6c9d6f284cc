"""Finding the FAQ entry a message asks for, and its answer for today (pure, no I/O).

A message matches a question variant when every content word of the variant is in it (a
typo of a long word counts) and it adds at most a couple of words of its own. Word order
does not matter. The caller normalises both sides the same way (intents.normalize), so
"brp hr cuti melahirkan" meets "berapa hari cuti melahirkan".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz

from core.text import T, join
from core.workdays import OfficeHours, WorkCalendar
from integrations.faq.spec import PLACEHOLDER, Entry
from integrations.forms import format_date

# Words that carry no meaning for matching: politeness, pronouns, particles.
FILLER = frozenset(
    {
        "saya", "sy", "aku", "ku", "gue", "kita", "kami", "ya", "yah", "iya", "dong", "sih", "kah",
        "deh", "nih", "tuh", "lah", "pak", "bu", "bapak", "ibu", "min", "admin", "kak", "mas",
        "mbak", "tolong", "mohon", "info", "tanya", "nanya", "mau", "pengen", "ingin", "boleh",
        "minta", "yang", "itu", "ini", "di", "ke", "untuk", "utk", "buat", "dan", "atau", "jadi",
        "tahun", "thn", "ada", "adalah", "the", "a", "an", "of", "for", "i", "me", "my", "please",
        "to", "in", "on", "at",
    }
)  # fmt: skip
MAX_EXTRA = 2  # content words a message may add to a variant and still ask the same thing
FUZZY = 85  # rapidfuzz ratio for a long word typed a little wrong
FUZZY_MIN_LEN = 5
_YEAR = re.compile(r"\b(20\d\d)\b")
_NEXT_YEAR = re.compile(r"\b(tahun depan|thn depan|next year)\b")
_LAST_YEAR = re.compile(r"\b(tahun lalu|thn lalu|last year)\b")
_DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Known(StrEnum):
    """Why an entry was, or was not, answered."""

    ANSWERED = "answered"
    EXPIRED = "expired"
    # cuti_bersama: a year HR has not checked against its decree.
    YEAR_UNCHECKED = "year_unchecked"
    # The working calendar holds no data for what was asked.
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Answer:
    entry: Entry
    known: Known
    text: T | None = None


def _words(norm: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", norm) if not w.isdigit()]


def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in FILLER]


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    return min(len(a), len(b)) >= FUZZY_MIN_LEN and fuzz.ratio(a, b) >= FUZZY


def _extras(variant: Sequence[str], message: Sequence[str]) -> int | None:
    """Content words the message adds to the variant, or None if a variant word is missing."""
    left = list(message)
    for word in variant:
        at = next((i for i, w in enumerate(left) if _same(word, w)), None)
        if at is None:
            return None
        left.pop(at)
    return len(left)


class FaqBook:
    """The loaded entries, each question variant reduced once to its content words."""

    def __init__(self, entries: Sequence[Entry], normalize: Callable[[str], str]) -> None:
        self.entries = tuple(entries)
        self._normalize = normalize
        self._variants = [
            (entry, tuple(_content(_words(normalize(q)))))
            for entry in self.entries
            for q in entry.questions
        ]

    def find(self, text: str) -> Entry | None:
        """The entry this message asks for, if one fits it closely; else None."""
        message = _content(_words(self._normalize(text)))
        if not message:
            return None
        best: tuple[int, int, Entry] | None = None
        for entry, variant in self._variants:
            if not variant:
                continue
            extra = _extras(variant, message)
            if extra is None or extra > MAX_EXTRA:
                continue
            # Fewer added words first, then the more specific (longer) variant.
            key = (extra, -len(variant), entry)
            if best is None or key[:2] < best[:2]:
                best = key
        return best[2] if best else None

    def answer(self, entry: Entry, text: str, today: date, calendar: WorkCalendar) -> Answer:
        """The entry's answer for today, or why it cannot be given."""
        if today > entry.expires:
            return Answer(entry, Known.EXPIRED)
        folded = text.casefold()
        cites = list(entry.cites)
        values: dict[str, T] = {}
        if entry.source == "cuti_bersama":
            year = asked_year(folded, today) or today.year
            if year not in entry.years:
                return Answer(entry, Known.YEAR_UNCHECKED)
            if not calendar.cuti_bersama_recorded(year):
                return Answer(entry, Known.NO_DATA)
            values = cuti_bersama_values(calendar, year)
            cites += entry.years[year]
        elif entry.source == "ramadan_hours":
            found = ramadan_values(calendar, asked_year(folded, today), today)
            if found is None:
                return Answer(entry, Known.NO_DATA)
            values = found
        body = T(_fill(entry.answer.id, values, "id"), _fill(entry.answer.en, values, "en"))
        if cites:
            basis = "; ".join(cites)
            body = body + T(f"\n\n_Dasar: {basis}_", f"\n\n_Basis: {basis}_")
        return Answer(entry, Known.ANSWERED, body)


def asked_year(folded: str, today: date) -> int | None:
    """The year a question names: "2026", "tahun depan", "last year"; else None."""
    found = _YEAR.search(folded)
    if found:
        return int(found[1])
    if _NEXT_YEAR.search(folded):
        return today.year + 1
    if _LAST_YEAR.search(folded):
        return today.year - 1
    return None


def _fill(template: str, values: dict[str, T], language: str) -> str:
    # Only the known names are replaced: str.format would let a file reach attributes.
    return PLACEHOLDER.sub(lambda m: values[m[1]].get(language), template)


def cuti_bersama_values(calendar: WorkCalendar, year: int) -> dict[str, T]:
    days = calendar.cuti_bersama(year)
    lines = []
    for d in days:
        name = (calendar.is_holiday(d) or "").removeprefix("Cuti Bersama").strip()
        suffix = T(f" ({name})", f" ({name})") if name else T("", "")
        lines.append(T("- ", "- ") + format_date(d) + suffix)
    n = str(len(days))
    return {"year": T(str(year), str(year)), "dates": join(lines), "count": T(n, n)}


def ramadan_values(calendar: WorkCalendar, year: int | None, today: date) -> dict[str, T] | None:
    """Ramadan of the year asked, else the coming (or current) one; None if not recorded."""
    if year is None:
        period = calendar.ramadan_of(today.year)
        if period is None or period[1] < today:
            period = calendar.ramadan_of(today.year + 1)
    else:
        period = calendar.ramadan_of(year)
    hours = calendar.ramadan_hours()
    if period is None or not hours:
        return None
    start, end = period
    y = str(start.year)
    return {
        "year": T(y, y),
        "start": format_date(start),
        "end": format_date(end),
        "hours": hours_text(hours),
    }


def hours_text(hours: Mapping[int, OfficeHours]) -> T:
    """ "Senin–Kamis 08.00–15.00, Jumat 08.00–15.30": weekdays with the same hours grouped."""
    groups: list[tuple[int, int, OfficeHours]] = []
    for wd in sorted(hours):
        h = hours[wd]
        if groups and groups[-1][2] == h and groups[-1][1] == wd - 1:
            groups[-1] = (groups[-1][0], wd, h)
        else:
            groups.append((wd, wd, h))

    def clock(h: OfficeHours, sep: str) -> str:
        return f"{h.start.strftime('%H' + sep + '%M')}–{h.end.strftime('%H' + sep + '%M')}"

    def days(a: int, b: int, names: tuple[str, ...]) -> str:
        return names[a] if a == b else f"{names[a]}–{names[b]}"

    return T(
        ", ".join(f"{days(a, b, _DAYS_ID)} {clock(h, '.')}" for a, b, h in groups),
        ", ".join(f"{days(a, b, _DAYS_EN)} {clock(h, ':')}" for a, b, h in groups),
    )
