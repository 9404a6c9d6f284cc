"""Form answers: parse and validate one typed answer for one field, and show it back.

Pure functions: the runner (bot/handlers/services.py) owns the conversation. Values are kept
JSON-ready in the conversation state: dates as ISO strings, a range as {start, end}, an
attachment as {provided, note}, an employee as {query} until the runner resolves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from core.settings import DEFAULT_TIMEZONE
from core.text import T
from core.workdays import WorkCalendar
from integrations.catalog import FormField, ServiceSpec

MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
)
MONTHS_EN = "January February March April May June July August September October November December"
DAYS_ID = "Senin Selasa Rabu Kamis Jumat Sabtu Minggu"
DAYS_EN = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
# An answer this far ahead is almost always a typo of the year.
MAX_AHEAD = timedelta(days=400)
NO_WORDS = frozenset({"belum", "tidak", "tidak ada", "nanti", "no", "not yet", "none", "-"})


@dataclass(frozen=True)
class Parsed:
    value: Any


@dataclass(frozen=True)
class Invalid:
    message: T


@dataclass(frozen=True)
class YearChoice:
    """A day and month without a year that may mean the past one or the next one.

    In a form that allows past dates (sick leave filed afterwards) "28 nov" typed on 1
    December may be four days ago: the runner asks instead of moving it to next year.
    """

    past: Any  # the answer as stored: an ISO date, or a {start, end} range
    future: Any


def format_date(d: date) -> T:
    """ "Sabtu, 12 Desember 2026" / "Saturday, 12 December 2026"."""
    return T(
        f"{DAYS_ID.split()[d.weekday()]}, {d.day} {MONTHS_ID.split()[d.month - 1]} {d.year}",
        f"{DAYS_EN.split()[d.weekday()]}, {d.day} {MONTHS_EN.split()[d.month - 1]} {d.year}",
    )


def format_range(start: date, end: date) -> T:
    if start == end:
        return format_date(start)
    return format_date(start) + T(" s.d. ", " to ") + format_date(end)


def month_name(month: int, year: int) -> T:
    return T(f"{MONTHS_ID.split()[month - 1]} {year}", f"{MONTHS_EN.split()[month - 1]} {year}")


def applies(field: FormField, data: dict[str, Any]) -> bool:
    """True when the field is asked, given the answers so far."""
    return field.when is None or field.when.holds(data)


def next_field(spec: ServiceSpec, data: dict[str, Any]) -> FormField | None:
    """The first field that applies and has no answer yet."""
    return next((f for f in spec.fields if applies(f, data) and f.name not in data), None)


def entities_of(text: str, now: datetime) -> Any:
    """The entities of a text (dates, numbers, …) as the intents package extracts them."""
    from intents.entities import extract_entities

    return extract_entities(text, now, getattr(now.tzinfo, "key", DEFAULT_TIMEZONE))


def prefill(
    spec: ServiceSpec, entities: Any, *, today: date, calendar: WorkCalendar, text: str = ""
) -> dict[str, Any]:
    """Answers the first message already gave, so the form does not ask them again.

    A choice field with `entity: text` is filled when one of its aliases is in the message
    ("printer rusak" → category perangkat).
    """
    data: dict[str, Any] = {}
    if entities is None:
        return data
    for field in spec.fields:
        if field.entity is None:
            continue
        if field.entity == "text":
            found = _alias(field, text.casefold())
            if found is not None:
                data[field.name] = found
            continue
        value = _from_entities(field, entities, today, calendar, typed=text)
        if value is None or isinstance(value, Invalid | YearChoice):
            continue
        if field.type == "choice" and _needs_confirmation(field, value):
            continue
        data[field.name] = value
    return data


def year_choice(
    spec: ServiceSpec, entities: Any, *, today: date, calendar: WorkCalendar, text: str = ""
) -> tuple[FormField, YearChoice] | None:
    """The date field of the first message that needs "this year or last?" asked, if any."""
    if entities is None:
        return None
    for field in spec.fields:
        if field.type in ("date", "date_range") and field.entity and field.allow_past:
            value = _from_entities(field, entities, today, calendar, typed=text)
            if isinstance(value, YearChoice):
                return field, value
    return None


def needs_confirmation(field: FormField, value: Any) -> bool:
    """True when a typed choice must be confirmed with a button before it is taken."""
    return field.type == "choice" and _needs_confirmation(field, value)


def _needs_confirmation(field: FormField, value: Any) -> bool:
    choice = field.choice(str(value))
    return choice is not None and choice.confirm


def parse_answer(
    field: FormField, text: str, *, now: datetime, calendar: WorkCalendar
) -> Parsed | Invalid:
    """Parse one answer typed for `field`; `now` is the employee's local time."""
    text = text.strip()
    today = now.date()
    match field.type:
        case "choice":
            return _choice(field, text)
        case "text":
            if len(text) < field.min_length:
                return Invalid(T("Jawabannya terlalu singkat.", "That answer is too short."))
            return Parsed(text[: field.max_length])
        case "attachment":
            provided = text.casefold() not in NO_WORDS
            return Parsed({"provided": provided, "note": text[:200] if provided else ""})
        case "employee":
            if len(text) < 3:
                return Invalid(T("Tulis nama atau NIP-nya.", "Write the name or NIP."))
            return Parsed({"query": text[:100]})
        case "number":
            return _number(field, text, now)
        case "time":
            return _time(text, now)
    entities = entities_of(text, now)
    value = _from_entities(field, entities, today, calendar, typed=text)
    if value is None:
        example = T("12 des", "12 Dec") if field.type == "date" else T("12-14 des", "12-14 Dec")
        return Invalid(
            T("Tanggalnya belum saya pahami. Contoh: ", "I could not read the date. Example: ")
            + example
        )
    if isinstance(value, Invalid):
        return value
    return Parsed(value)


def display(field: FormField, value: Any) -> T:
    """An answer as the summary shows it."""
    match field.type:
        case "choice":
            choice = field.choice(str(value))
            return choice.label() if choice else T(str(value), str(value))
        case "date":
            return format_date(date.fromisoformat(value))
        case "date_range":
            return format_range(
                date.fromisoformat(value["start"]), date.fromisoformat(value["end"])
            )
        case "attachment":
            if value.get("provided"):
                return T(value.get("note") or "ada", value.get("note") or "provided")
            return T("belum ada", "not yet")
        case "employee":
            name = value.get("name") or value.get("query", "")
            return T(name, name)
        case "number":
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            return T(shown.replace(".", ","), shown)
    return T(str(value), str(value))


def range_of(value: dict[str, str]) -> tuple[date, date]:
    return date.fromisoformat(value["start"]), date.fromisoformat(value["end"])


def _from_entities(
    field: FormField, entities: Any, today: date, calendar: WorkCalendar, typed: str = ""
) -> Any:
    if field.type in ("choice", "text") and field.entity:
        raw = getattr(entities, field.entity, None)
        if raw is None:
            return None
        if field.type == "choice":
            found = _choice(field, str(raw))
            return found.value if isinstance(found, Parsed) else None
        return str(raw) if len(str(raw)) >= field.min_length else None
    if field.type == "time":
        found = getattr(entities, "time", None)
        return found.strftime("%H:%M") if found else None
    start = getattr(entities, "start_date", None) or _iso_date(typed)
    if start is None:
        return None
    if not field.allow_past and start < today:
        return Invalid(T("Tanggalnya sudah lewat.", "That date has already passed."))
    moved = _moved_to_next_year(start, today, typed)
    if start - today > MAX_AHEAD:
        return Invalid(T("Tanggalnya terlalu jauh ke depan.", "That date is too far ahead."))
    if field.type == "date":
        if field.allow_past and moved:
            return YearChoice(past=_year_back(start).isoformat(), future=start.isoformat())
        return start.isoformat()
    end = getattr(entities, "end_date", None)
    duration = getattr(entities, "duration_days", None)
    # "besok 2 hari" gives one number, the duration: count it in the field's days (working
    # days for leave), not as the calendar span the extractor reports.
    if duration and tuple(getattr(entities, "numbers", ())) == (duration,):
        end = None
    if end is None and duration:
        n = max(round(duration), 1)
        if field.count == "working_days":
            start = calendar.next_working_day(start)
            end = calendar.add_working_days(start, n)
        else:
            end = start + timedelta(days=n - 1)
    end = end or start
    if end < start:
        return Invalid(T("Tanggal selesai sebelum tanggal mulai.", "The end is before the start."))
    value = {"start": start.isoformat(), "end": end.isoformat()}
    if field.allow_past and moved:
        past = {"start": _year_back(start).isoformat(), "end": _year_back(end).isoformat()}
        return YearChoice(past=past, future=value)
    return value


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def _moved_to_next_year(start: date, today: date, typed: str) -> bool:
    """True when a day/month without a year was read as next year's (it is past this year)."""
    if _YEAR.search(typed or "") or start.year != today.year + 1:
        return False
    return _year_back(start) < today


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _iso_date(text: str) -> date | None:
    match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if match is None:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _alias(field: FormField, folded: str) -> str | None:
    for choice in field.choices:
        if any(re.search(rf"\b{re.escape(a.casefold())}\b", folded) for a in choice.aliases):
            return choice.value
    return None


def _choice(field: FormField, text: str) -> Parsed | Invalid:
    folded = text.casefold().strip(" .")
    if folded.isdigit() and 1 <= int(folded) <= len(field.choices):
        return Parsed(field.choices[int(folded) - 1].value)
    for choice in field.choices:
        names = {choice.value, choice.id.casefold(), choice.en.casefold()}
        if folded in names or folded.replace(" ", "_") == choice.value:
            return Parsed(choice.value)
    by_alias = _alias(field, folded)
    if by_alias is not None:
        return Parsed(by_alias)
    scored = [(fuzz.WRatio(folded, c.id.casefold()), c) for c in field.choices if len(folded) >= 3]
    best = max(scored, key=lambda s: s[0], default=None)
    if best is not None and best[0] >= 86:
        return Parsed(best[1].value)
    options = ", ".join(c.id for c in field.choices)
    options_en = ", ".join(c.en for c in field.choices)
    return Invalid(T(f"Pilih salah satu: {options}.", f"Choose one of: {options_en}."))


# Indonesian amounts: a dot groups thousands ("3.500.000", "Rp 350.000"), a comma is the
# decimal mark ("1,5"); "3,5 juta" and "500 rb" scale.
_GROUPED = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?![\d.])")
_SCALE = re.compile(r"^\s*(juta|jt|ribu|rb)\b")
_SCALES = {"juta": 1_000_000, "jt": 1_000_000, "ribu": 1_000, "rb": 1_000}


def _number(field: FormField, text: str, now: datetime) -> Parsed | Invalid:
    folded = text.casefold()
    grouped = _GROUPED.search(folded)
    match = grouped or re.search(r"-?\d+(?:[.,]\d+)?", folded)
    if match is None:
        return Invalid(T("Tulis angkanya, misalnya 3.", "Write the number, for example 3."))
    if grouped is not None:
        value = float(grouped.group().strip().replace(".", ""))
    else:
        value = float(match.group().replace(",", "."))
    scale = _SCALE.match(folded[match.end() :])
    if scale is not None:
        value *= _SCALES[scale.group(1)]
    if field.min is not None and value < field.min:
        return Invalid(T(f"Paling sedikit {field.min:g}.", f"At least {field.min:g}."))
    if field.max is not None and value > field.max:
        return Invalid(T(f"Paling banyak {field.max:g}.", f"At most {field.max:g}."))
    return Parsed(int(value) if value.is_integer() else value)


def _time(text: str, now: datetime) -> Parsed | Invalid:
    match = re.search(r"\b([01]?\d|2[0-3])(?:[.:](\d{2}))?\b", text)
    if match is None:
        return Invalid(T("Tulis jamnya, misalnya 09.30.", "Write the time, for example 09:30."))
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if minute > 59:
        return Invalid(T("Menitnya tidak valid.", "The minutes are not valid."))
    return Parsed(f"{hour:02d}:{minute:02d}")
