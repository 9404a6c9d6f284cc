"""The Indonesian working calendar: working days, holidays, cuti bersama and office hours.

National holidays and cuti bersama come from the `holidays` package; a yearly YAML file
(`core/calendar_data/id_overrides.yaml`) carries what the package lacks or gets wrong, the
office hours and the Ramadan dates. Years are built lazily and cached, because
`is_working_day` runs in loops.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from core import yamltext

DEFAULT_OVERRIDES = Path(__file__).parent / "calendar_data" / "id_overrides.yaml"

ZONES: Mapping[str, str] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE_DAY = timedelta(days=1)


def zone(name: str) -> ZoneInfo:
    """The time zone for "WIB"/"WITA"/"WIT" or an IANA name such as "Asia/Makassar"."""
    return ZoneInfo(ZONES.get(name.upper(), name))


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time of the office on one day, in local time."""

    start: time
    end: time


@dataclass(frozen=True)
class _Year:
    days_off: Mapping[date, str]  # national holidays, extra holidays and cuti bersama
    cuti_bersama: frozenset[date]


class WorkCalendar:
    """Working days and office hours of an Indonesian government office.

    `overrides` is a YAML file shaped like the shipped one; each top-level section it has
    (`office_hours`, `ramadan`, `years`) replaces the shipped section, the others are kept.
    `ramadan` maps a label (the year) to the first and last day of Ramadan, over the file's.
    """

    def __init__(
        self,
        overrides: Path | None = None,
        *,
        ramadan: Mapping[int | str, tuple[date, date]] | None = None,
        language: str = "id",
    ) -> None:
        data = _read(DEFAULT_OVERRIDES)
        if overrides is not None:
            data.update(_read(overrides))
        hours = data.get("office_hours") or {}
        self._normal = _parse_hours(hours.get("normal") or {})
        if not self._normal:
            raise ValueError("office_hours.normal must list at least one working weekday")
        self._ramadan_hours = _parse_hours(hours.get("ramadan") or {})
        periods = {str(k): v for k, v in (data.get("ramadan") or {}).items()}
        periods.update({str(k): v for k, v in (ramadan or {}).items()})
        self._ramadan = tuple(sorted((_as_date(a), _as_date(b)) for a, b in periods.values()))
        self._overrides = _parse_years(data.get("years") or {})
        self._language = language
        self._years: dict[int, _Year] = {}

    # Days ---------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True on an office weekday that is neither a holiday nor cuti bersama."""
        return d.weekday() in self._normal and d not in self._year(d.year).days_off

    def is_holiday(self, d: date) -> str | None:
        """The name of the holiday or cuti bersama on `d` (weekends included), else None."""
        return self._year(d.year).days_off.get(d)

    def is_cuti_bersama(self, d: date) -> bool:
        """True on a cuti bersama day (it never reduces cuti tahunan: PP 11/2017 Ps. 333)."""
        return d in self._year(d.year).cuti_bersama

    def cuti_bersama(self, year: int) -> list[date]:
        """All cuti bersama days of `year`, in order."""
        return sorted(self._year(year).cuti_bersama)

    def cuti_bersama_recorded(self, year: int) -> bool:
        """True if the data file lists `year`'s cuti bersama (HR's reading of the Keppres)."""
        return "cuti_bersama" in self._overrides.get(year, {})

    def working_days_between(self, start: date, end: date) -> int:
        """Working days from `start` to `end`, both included (0 if `end` is before `start`)."""
        return sum(1 for d in _days(start, end) if self.is_working_day(d))

    def add_working_days(self, start: date, n: int) -> date:
        """The last day of a span of `n` working days beginning at the first one from `start`."""
        if n < 1:
            raise ValueError("n must be at least 1")
        d = start
        while True:
            if self.is_working_day(d):
                n -= 1
                if n == 0:
                    return d
            d += _ONE_DAY

    def next_working_day(self, d: date, include_today: bool = True) -> date:
        """The first working day on or after `d` (strictly after it if not `include_today`)."""
        return self.add_working_days(d if include_today else d + _ONE_DAY, 1)

    # Hours --------------------------------------------------------------------------------

    def is_ramadan(self, d: date) -> bool:
        """True during Ramadan as recorded in the data file (approximate until isbat)."""
        return any(first <= d <= last for first, last in self._ramadan)

    def ramadan_of(self, year: int) -> tuple[date, date] | None:
        """The first and last day of Ramadan that begins in `year`, if the file has it."""
        return next(((a, b) for a, b in self._ramadan if a.year == year), None)

    def ramadan_hours(self) -> Mapping[int, OfficeHours]:
        """Office hours in Ramadan by weekday (0 = Monday), as the data file sets them."""
        return dict(self._ramadan_hours)

    def office_hours(self, d: date) -> OfficeHours | None:
        """Office hours on `d` (Ramadan hours during Ramadan), or None on a day off."""
        if not self.is_working_day(d):
            return None
        wd = d.weekday()
        if self.is_ramadan(d) and wd in self._ramadan_hours:
            return self._ramadan_hours[wd]
        return self._normal[wd]

    def office_start(self, d: date) -> time:
        """When the office opens on working day `d`: 07:30, or 08:00 in Ramadan by default."""
        return self._hours_or_raise(d).start

    def office_end(self, d: date) -> time:
        """When the office closes on working day `d`."""
        return self._hours_or_raise(d).end

    def working_hours_between(self, start: datetime, end: datetime, tz: tzinfo | str) -> float:
        """Office hours elapsed between two aware instants, for an office in `tz` (SLAs)."""
        tz = _tz(tz)
        a, b = _local(start, tz), _local(end, tz)
        total = timedelta()
        for day in _days(a.date(), b.date()):
            window = self._window(day, tz)
            if window is not None:
                lo, hi = max(window[0], a), min(window[1], b)
                if hi > lo:
                    total += hi - lo
        return total.total_seconds() / 3600

    def add_working_hours(self, start: datetime, hours: float, tz: tzinfo | str) -> datetime:
        """The instant when `hours` office hours have passed since `start` (in `tz`)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        tz = _tz(tz)
        current = _local(start, tz)
        remaining = timedelta(hours=hours)
        if not remaining:
            return current
        day = current.date()
        while True:
            window = self._window(day, tz)
            if window is not None and window[1] > current:
                lo = max(window[0], current)
                # `<=` so that a span ending exactly at closing time stays on that day.
                if remaining <= window[1] - lo:
                    return lo + remaining
                remaining -= window[1] - lo
            day += _ONE_DAY

    # Internals ----------------------------------------------------------------------------

    def _hours_or_raise(self, d: date) -> OfficeHours:
        hours = self.office_hours(d)
        if hours is None:
            raise ValueError(f"{d.isoformat()} is not a working day")
        return hours

    def _window(self, day: date, tz: tzinfo) -> tuple[datetime, datetime] | None:
        hours = self.office_hours(day)
        if hours is None:
            return None
        return datetime.combine(day, hours.start, tz), datetime.combine(day, hours.end, tz)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        def library(category: str) -> dict[date, str]:
            found = holidays.country_holidays(
                "ID", years=year, categories=(category,), language=self._language
            )
            return dict(found)

        override = self._overrides.get(year, {})
        days_off = library("public")
        joint = library("government")
        if "cuti_bersama" in override:
            # The file is authoritative for that year: it records the SKB as HR read it.
            joint = {d: joint.get(d, "Cuti Bersama") for d in override["cuti_bersama"]}
        days_off.update(override.get("add_holidays", {}))
        for d, name in joint.items():
            days_off.setdefault(d, name)
        for d in override.get("remove_holidays", ()):
            days_off.pop(d, None)
            joint.pop(d, None)
        return _Year(days_off=days_off, cuti_bersama=frozenset(joint))


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yamltext.load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_time(value: object) -> time:
    if isinstance(value, int):
        # An unquoted 07:30 arrives as a YAML 1.1 base-60 integer: 7 * 60 + 30.
        return time(value // 60, value % 60)
    return time.fromisoformat(str(value))


def _parse_hours(raw: Mapping[str, Any]) -> dict[int, OfficeHours]:
    parsed: dict[int, OfficeHours] = {}
    for name, (start, end) in raw.items():
        hours = OfficeHours(_as_time(start), _as_time(end))
        if hours.end <= hours.start:
            raise ValueError(f"office hours for {name}: end must be after start")
        parsed[_WEEKDAYS.index(str(name).lower()[:3])] = hours
    return parsed


def _parse_years(raw: Mapping[Any, Any]) -> dict[int, dict[str, Any]]:
    parsed: dict[int, dict[str, Any]] = {}
    for key, entry in raw.items():
        year, entry = int(key), entry or {}
        unknown = set(entry) - {"cuti_bersama", "add_holidays", "remove_holidays"}
        if unknown:
            raise ValueError(f"years.{year}: unknown keys {sorted(unknown)}")
        out: dict[str, Any] = {}
        if "cuti_bersama" in entry:
            out["cuti_bersama"] = [_as_date(d) for d in entry["cuti_bersama"] or ()]
        out["add_holidays"] = {
            _as_date(d): str(n) for d, n in (entry.get("add_holidays") or {}).items()
        }
        out["remove_holidays"] = [_as_date(d) for d in entry.get("remove_holidays") or ()]
        listed = [*out.get("cuti_bersama", ()), *out["add_holidays"], *out["remove_holidays"]]
        wrong = [d.isoformat() for d in listed if d.year != year]
        if wrong:
            # A date filed under the wrong year would silently never apply.
            raise ValueError(f"years.{year}: dates from another year {wrong}")
        parsed[year] = out
    return parsed


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def _tz(tz: tzinfo | str) -> tzinfo:
    return zone(tz) if isinstance(tz, str) else tz


def _local(moment: datetime, tz: tzinfo) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("working-hour arithmetic needs timezone-aware datetimes")
    return moment.astimezone(tz)
