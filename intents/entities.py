"""Entity extraction: dates and durations (dates.py) plus typed slots for service forms."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.settings import DEFAULT_TIMEZONE
from intents.dates import MONTHS, WEEKDAYS, WORD_NUMBERS, number, read_dates
from intents.normalize import fold, normalize
from intents.types import Entities

MAX_CHARS = 1000

# Order matters: the first matching pattern wins, most specific first.
LEAVE_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"\b(?:{pattern})\b"))
    for name, pattern in (
        ("unpaid", r"cltn|luar tanggungan|unpaid"),
        ("maternity", r"melahirkan|bersalin|persalinan|lahiran|maternity|hamil"),
        ("important_reason", r"alasan penting|cap|important reason|compassionate"),
        ("major", r"cuti besar|long service|long leave"),
        ("sick", r"sakit|sick"),
        ("annual", r"tahunan|annual|vacation|liburan"),
    )
)
PERMIT_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"\b(?:{pattern})\b"))
    for name, pattern in (
        ("sick", r"sakit|sick|tidak enak badan|unwell"),
        ("late", r"terlambat|telat|kesiangan|datang siang|late|running late"),
        ("early", r"pulang (?:lebih )?(?:cepat|awal|duluan)|leave early|early"),
        ("absent", r"tidak masuk|tidak hadir|absen|absent|not coming|bolos|skip work"),
    )
)
# Free-text reason: after a comma, or after a word that introduces a cause or purpose.
_REASON = re.compile(
    r",|\b(?:karena|karna|krn|sebab|soalnya|alasannya|alasan|because|due to|"
    r"untuk|utk|buat|for)\b"
)
# "untuk 3 hari", "for tomorrow": a purpose word followed by a date is not a reason.
_NOT_REASON = re.compile(
    r"^\s*(?:\d|tanggal|tgl|besok|bsk|lusa|hari|minggu|bulan|senin|selasa|rabu|kamis|jumat|"
    r"sabtu|tomorrow|today|next|this|the|a|an|one|two|three|\w+day\b|"
    + "|".join(WORD_NUMBERS)
    + r"\b)"
)
_PURPOSE = frozenset({"untuk", "utk", "buat", "for"})
_NUMBER = re.compile(r"\d+(?:,\d+)?")
# dateparser is slow, so it only sees short texts that name a month, a weekday or "next".
_DATEISH = re.compile(
    r"\b(?:" + "|".join([*MONTHS, *WEEKDAYS, "next", "depan", "week", "month", "bulan"]) + r")\b"
)


def _split_reason(folded: str) -> tuple[str, str | None]:
    for m in _REASON.finditer(folded):
        rest = folded[m.end() :].strip(" ,.;:!?-")
        if len(re.sub(r"[^a-z]", "", rest)) < 2:
            continue
        if m[0] in _PURPOSE and _NOT_REASON.match(rest):
            continue
        # "Terima kasih, pak" is politeness, not a reason.
        if m[0] == "," and len(rest.split()) == 1 and rest in ("pak", "bu", "ya", "kak", "mas"):
            continue
        return folded[: m.start()], rest
    return folded, None


def _first(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    return next((name for name, rx in patterns if rx.search(text)), None)


def _numbers(text: str) -> tuple[float, ...]:
    found: list[float] = []
    for token in text.split():
        if token in WORD_NUMBERS and token not in ("a", "an"):
            found.append(float(WORD_NUMBERS[token]))
        elif token == "setengah":
            found.append(0.5)
        else:
            found.extend(number(n) for n in _NUMBER.findall(token))
    return tuple(found)


def local_today(now: datetime, tz: str = DEFAULT_TIMEZONE) -> date:
    """Today's date in the user's timezone; `now` must be timezone-aware."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(tz)).date()


def extract_entities(text: str, now: datetime, tz: str = DEFAULT_TIMEZONE) -> Entities:
    """Read dates, durations, times, numbers, leave/permit type and reason from one message."""
    today = local_today(now, tz)
    folded = fold(text[:MAX_CHARS])
    head, reason = _split_reason(folded)
    norm = normalize(folded)
    norm_head = normalize(head) if reason else norm
    facts = read_dates(norm, today)
    if facts.start is None and facts.duration is None and facts.month is None and not facts.time:
        facts.start = _fallback_date(folded, now, tz)
    leave = _first(LEAVE_TYPES, norm_head)
    if leave == "important_reason" and not re.search(r"\bcuti\b|alasan|important", norm_head):
        leave = None
    return Entities(
        start_date=facts.start,
        end_date=facts.end,
        duration_days=facts.duration,
        time=facts.time,
        month=facts.month,
        year=facts.year,
        numbers=_numbers(norm),
        leave_type=leave,
        permit_type=_first(PERMIT_TYPES, norm_head),
        reason=reason,
    )


def _fallback_date(folded: str, now: datetime, tz: str) -> date | None:
    """dateparser for short free-form answers the rules missed, e.g. "the 3rd of next month"."""
    if len(folded) > 40 or not re.search(r"\d", folded) or not _DATEISH.search(folded):
        return None
    import dateparser  # slow to import; most messages never get here

    found = dateparser.parse(
        folded,
        languages=["id", "en"],
        settings={
            "RELATIVE_BASE": now.astimezone(ZoneInfo(tz)).replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day"],
        },
    )
    return found.date() if found else None
