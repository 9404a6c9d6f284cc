"""Rule-based dates, ranges, durations and times for Indonesian and English chat.

Rules run on normalised text (see normalize.py), so "tgl" is already "tanggal", "bsk" is
"besok" and "hr" is "hari". dateparser is only a fallback for short free-form answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "jan januari january",
        "feb februari february pebruari",
        "mar mrt maret march",
        "apr april",
        "mei may",
        "jun juni june",
        "jul juli july",
        "agu agt ags agus agustus aug august",
        "sep sept september",
        "okt oct oktober october",
        "nov nop november nopember",
        "des dec desember december",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _num
# Words that are months only next to a day number or "bulan" ("may i ...", "mar" as slang).
_WEAK_MONTHS = frozenset({"may", "mar", "jan"})

WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
WORD_NUMBERS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a": 1, "an": 1,
}  # fmt: skip

_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NUM = r"\d+(?:,\d+)?|" + "|".join(WORD_NUMBERS)
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_TO = r"(?:-|\s+(?:sampai|hingga|to|until|till)\s+)(?:tanggal\s+)?"

RE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
RE_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b(?!\s*(?:hari|day))")
RE_CROSS = re.compile(
    rf"\b{_ORD}\s+({_M})(?:\s+(\d{{4}}))?{_TO}{_ORD}\s+({_M})(?:\s+(\d{{4}}))?\b"
)
RE_RANGE = re.compile(rf"\b(tanggal\s+)?{_ORD}{_TO}{_ORD}(?:\s+({_M})(?:\s+(\d{{4}}))?)?\b")
RE_DAY_MONTH = re.compile(rf"\b{_ORD}\s+(?:of\s+)?({_M})(?:\s+(\d{{4}}))?\b")
RE_MONTH_DAY = re.compile(rf"\b({_M})\s+{_ORD}(?:\s+(\d{{4}}))?\b")
RE_TANGGAL = re.compile(r"\b(?:tanggal|date|the)\s+(\d{1,2})(?:st|nd|rd|th)?\b")
RE_RELATIVE = re.compile(
    r"\b(hari ini|today|sekarang|now|besok lusa|besok|tomorrow|lusa|"
    r"day after tomorrow|kemarin|yesterday)\b"
)
RE_WEEKDAY = re.compile(
    rf"\b(?:(next|this|last|coming)\s+)?(?:hari\s+)?({_WD}|minggu)"
    r"(?:\s+(depan|ini|lalu|kemarin|minggu depan|pekan depan))?\b"
)
_DAYWORD = (
    rf"(?:(?:next|this|coming)\s+)?(?:hari\s+)?(?:besok lusa|besok|lusa|hari ini|today|tomorrow|"
    rf"{_WD})(?:\s+(?:depan|ini|minggu depan|pekan depan))?"
)
# "besok sampai jumat", "senin sampai rabu depan", "rabu-jumat" (normalised to "sampai").
RE_DAY_RANGE = re.compile(rf"\b({_DAYWORD})\s+(?:sampai|hingga|to|until|till)\s+({_DAYWORD})\b")
RE_WEEK = re.compile(
    r"\b(minggu|pekan|week)\s+(depan|ini|lalu|kemarin)\b|\b(next|this|last) week\b"
)
RE_MONTH_REL = re.compile(
    r"\b(bulan|month)\s+(depan|ini|lalu|kemarin)\b|\b(next|this|last) month\b"
)
RE_MONTH = re.compile(rf"\b(bulan\s+|month\s+(?:of\s+)?)?({_M})(?:\s+(\d{{4}}))?\b")
RE_HALF = re.compile(r"\b(setengah hari|half day|half-day|1/2 hari|setengah hr)\b")
RE_DURATION = re.compile(
    rf"\b({_NUM})\s*(hari|days?|minggu|weeks?|pekan|bulan|months?)\b"
    r"|\b(sehari|seharian|seminggu|sepekan|sebulan)\b"
)
RE_TIME = re.compile(
    r"\b(?:jam|pukul|pkl|at)\s+(\d{1,2})(?:[.:](\d{2}))?(?:\s*(pagi|siang|sore|malam|am|pm))?\b"
    r"|\b(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm)\b|\b(\d{1,2}):(\d{2})\b"
)

_UNIT_DAYS = {"hari": 1, "day": 1, "days": 1, "minggu": 7, "week": 7, "weeks": 7, "pekan": 7}
_UNIT_DAYS |= {"bulan": 30, "month": 30, "months": 30}
_ONE_WORD = {"sehari": 1, "seharian": 1, "seminggu": 7, "sepekan": 7, "sebulan": 30}


@dataclass
class DateFacts:
    """Mutable scratch space while reading one message; entities.py freezes it."""

    start: date | None = None
    end: date | None = None
    duration: float | None = None
    time: time | None = None
    month: int | None = None
    year: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    # "tanggal 5" alone: the day is known, its month may come later ("bulan depan").
    day_only: tuple[int, int | None] | None = None
    relative_month: bool = False

    def free(self, match: re.Match[str]) -> bool:
        """True if the match overlaps no text already used by an earlier rule."""
        a, b = match.span()
        if any(a < y and x < b for x, y in self.spans):
            return False
        self.spans.append((a, b))
        return True


def safe_date(year: int, month: int, day: int) -> date | None:
    """date() that returns None for impossible dates like 31 Feb."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def upcoming(today: date, month: int, day: int, year: int | None = None) -> date | None:
    """The day/month on or after today (next year if already past), unless a year is given."""
    if year is not None:
        return safe_date(year, month, day)
    found = safe_date(today.year, month, day)
    if found is None or found < today:
        found = safe_date(today.year + 1, month, day)
    return found


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def number(text: str) -> float:
    """Digits ("1,5" is one and a half) or a number word."""
    return float(WORD_NUMBERS[text]) if text in WORD_NUMBERS else float(text.replace(",", "."))


def _hour(hour: int, minute: int, part: str | None) -> time | None:
    if (part in ("pm", "sore", "malam") and hour < 12) or (part == "siang" and hour < 6):
        hour += 12
    elif part == "am" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _set(facts: DateFacts, start: date | None, end: date | None = None) -> None:
    if facts.start is None and start is not None:
        facts.start = start
        if end is not None and end >= start:
            facts.end = end


def _absolute(s: str, today: date, facts: DateFacts) -> None:
    for m in RE_ISO.finditer(s):
        if facts.free(m):
            _set(facts, safe_date(int(m[1]), int(m[2]), int(m[3])))
    for m in RE_CROSS.finditer(s):
        if facts.free(m):
            start = upcoming(today, MONTHS[m[2]], int(m[1]), _year(m[3]))
            end_year = _year(m[6]) or (start.year if start else None)
            end = safe_date(end_year, MONTHS[m[5]], int(m[4])) if end_year else None
            if start and end and end < start:  # "30 des - 2 jan" crosses the new year
                end = safe_date(end.year + 1, end.month, end.day)
            _set(facts, start, end)
    for m in RE_RANGE.finditer(s):
        has_month = m[4] is not None
        if not (has_month or m[1]) or not facts.free(m):
            continue  # "8-10" alone could be hours or a count, so ranges need a month or "tgl"
        a, b = int(m[2]), int(m[3])
        if has_month:
            start = upcoming(today, MONTHS[m[4]], a, _year(m[5]))
        else:
            if facts.start is None:
                facts.day_only = (a, b)
            start = _day_of_month(today, a)
        end = None
        if start is not None:
            end = safe_date(start.year, start.month, b)
            if end is not None and end < start:
                nxt = start.replace(day=1) + timedelta(days=32)
                end = safe_date(nxt.year, nxt.month, b)
        _set(facts, start, end)
    for rx, day_i, mon_i in ((RE_DAY_MONTH, 1, 2), (RE_MONTH_DAY, 2, 1)):
        for m in rx.finditer(s):
            if facts.free(m):
                _set(facts, upcoming(today, MONTHS[m[mon_i]], int(m[day_i]), _year(m[3])))
    for m in RE_SLASH.finditer(s):
        if facts.free(m):
            day, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                _set(facts, upcoming(today, month, day, _year(m[3])))
    for m in RE_TANGGAL.finditer(s):
        if facts.free(m):
            if facts.start is None:
                facts.day_only = (int(m[1]), None)
            _set(facts, _day_of_month(today, int(m[1])))


def _day_of_month(today: date, day: int) -> date | None:
    """'tanggal 5': this month if still ahead, otherwise next month."""
    found = safe_date(today.year, today.month, day)
    if found is not None and found >= today:
        return found
    nxt = today.replace(day=1) + timedelta(days=32)
    return safe_date(nxt.year, nxt.month, day)


_REL_DAYS = {"hari ini": 0, "today": 0, "sekarang": 0, "now": 0, "besok": 1, "tomorrow": 1}
_REL_DAYS |= {"lusa": 2, "besok lusa": 2, "day after tomorrow": 2, "kemarin": -1}
_REL_DAYS |= {"yesterday": -1}


def _weekday_date(today: date, name: str, when: str | None, prefix: str | None) -> date:
    wd = WEEKDAYS.get(name, 6)
    monday = _monday(today)
    if when in ("depan", "minggu depan", "pekan depan") or prefix == "next":
        return monday + timedelta(days=7 + wd)
    if when == "ini" or prefix == "this":
        return monday + timedelta(days=wd)
    if when in ("lalu", "kemarin") or prefix == "last":
        return monday + timedelta(days=wd - 7)
    return today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)


def _day_of(phrase: str, today: date) -> tuple[date, int | None, bool] | None:
    """A day word's date, its weekday if it names one, and whether "depan"/"ini" pinned it."""
    rel = RE_RELATIVE.fullmatch(phrase)
    if rel:
        return today + timedelta(days=_REL_DAYS[rel[1]]), None, True
    m = RE_WEEKDAY.fullmatch(phrase)
    if m is None or m[2] not in WEEKDAYS:
        return None
    day = _weekday_date(today, m[2], m[3], m[1])
    return day, WEEKDAYS[m[2]], bool(m[1] or m[3])


def _day_ranges(s: str, today: date, facts: DateFacts) -> None:
    for m in RE_DAY_RANGE.finditer(s):
        first, last = _day_of(m[1], today), _day_of(m[2], today)
        if first is None or last is None or not facts.free(m):
            continue
        (start, start_wd, _), (end, end_wd, end_pinned) = first, last
        if end_pinned and end_wd is not None and start_wd is not None and not first[2]:
            # "senin sampai rabu depan": the "depan" is the whole range's.
            start = _monday(end) + timedelta(days=start_wd)
        if end < start and not end_pinned and end_wd is not None:
            # "jumat sampai senin": the first such day from the start on.
            end = start + timedelta(days=(end_wd - start.weekday()) % 7)
        if end >= start:
            _set(facts, start, end)


def _relative(s: str, today: date, facts: DateFacts) -> None:
    _day_ranges(s, today, facts)
    for m in RE_RELATIVE.finditer(s):
        if facts.free(m):
            _set(facts, today + timedelta(days=_REL_DAYS[m[1]]))
    for m in RE_WEEKDAY.finditer(s):
        name, when, prefix = m[2], m[3], m[1]
        if name == "minggu" and (
            when in ("depan", "ini", "lalu", "kemarin") or "hari" not in m[0]
        ):
            continue  # "minggu depan" is next week; Sunday is "hari minggu" or "ahad"
        if not facts.free(m):
            continue
        _set(facts, _weekday_date(today, name, when, prefix))
    for m in RE_WEEK.finditer(s):
        if facts.free(m):
            when = m[2] or m[3]
            shift = {"depan": 7, "next": 7, "ini": 0, "this": 0}.get(when, -7)
            monday = _monday(today) + timedelta(days=shift)
            # A whole week means its working days unless a duration was also given.
            _set(facts, monday, None if facts.duration else monday + timedelta(days=4))


def _months(s: str, today: date, facts: DateFacts) -> None:
    for m in RE_MONTH_REL.finditer(s):
        if facts.free(m):
            when = m[2] or m[3]
            first = today.replace(day=1)
            if when in ("depan", "next"):
                first = (first + timedelta(days=32)).replace(day=1)
            elif when in ("lalu", "kemarin", "last"):
                first = (first - timedelta(days=1)).replace(day=1)
            facts.month, facts.year = first.month, first.year
            facts.relative_month = True
    for m in RE_MONTH.finditer(s):
        if facts.month is not None:
            break
        if m[2] in _WEAK_MONTHS and not (m[1] or m[3]):
            continue
        if facts.free(m):
            facts.month = MONTHS[m[2]]
            # A bare month ("slip gaji nov") means the latest one that has already begun.
            year = _year(m[3])
            if year is None:
                year = today.year if facts.month <= today.month else today.year - 1
            facts.year = year


def _durations(s: str, facts: DateFacts) -> None:
    if RE_HALF.search(s):
        facts.duration = 0.5
        return
    for m in RE_DURATION.finditer(s):
        if re.search(r"\b(?:tanggal|date|the)\s+(?:\d{1,2}\s*-\s*)?$", s[: m.start()]):
            continue  # "tanggal 5 bulan depan" names a day, not five months
        if m[3]:
            facts.duration = float(_ONE_WORD[m[3]])
        else:
            unit = m[2] if m[2] in _UNIT_DAYS else m[2].rstrip("s")
            facts.duration = number(m[1]) * _UNIT_DAYS.get(unit, 1)
        return


def _times(s: str, facts: DateFacts) -> None:
    for m in RE_TIME.finditer(s):
        if m[1]:
            found = _hour(int(m[1]), int(m[2] or 0), m[3])
        elif m[4]:
            found = _hour(int(m[4]), int(m[5] or 0), m[6])
        else:
            found = _hour(int(m[7]), int(m[8]), None)
        if found is not None:
            facts.time = found
            return


def read_dates(s: str, today: date) -> DateFacts:
    """Dates, range, duration, time and month named in normalised text, relative to today."""
    facts = DateFacts()
    _durations(s, facts)
    _times(s, facts)
    _absolute(s, today, facts)
    _relative(s, today, facts)
    _months(s, today, facts)
    if facts.day_only and facts.relative_month and facts.month and facts.year:
        # "tanggal 5 bulan depan", "the 3rd of next month", "tgl 3-5 bulan depan".
        first, last = facts.day_only
        start = safe_date(facts.year, facts.month, first)
        if start is not None:
            facts.start = start
            facts.end = safe_date(facts.year, facts.month, last) if last else None
    if facts.start and facts.end is None and facts.duration and facts.duration >= 1:
        facts.end = facts.start + timedelta(days=int(facts.duration) - 1)
    elif facts.start and facts.end and facts.duration is None:
        facts.duration = float((facts.end - facts.start).days + 1)
    if facts.start and facts.month is None:
        facts.month, facts.year = facts.start.month, facts.start.year
    return facts
