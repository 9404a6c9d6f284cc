"""ASN leave rules as versioned configuration: yearly balances and request checks.

The rules live in `integrations/rules/leave.yaml`; a rule change is a new version there, not a
code change. Everything here is pure: the caller brings the calendar, the days already used
and the attachments, and gets back a balance or the reasons a request cannot go ahead, worded
for the employee in Indonesian and English. Overlap with the employee's own approved leave is
the caller's job (it needs the database); `overlaps` is the predicate.
"""

from __future__ import annotations

import calendar as _monthcal
import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

from core import yamltext
from core.workdays import WorkCalendar

DEFAULT_RULES = Path(__file__).parent / "rules" / "leave.yaml"
MESSAGES = Path(__file__).parent / "rules" / "leave_messages.yaml"

Employment = Literal["PNS", "PPPK"]
Counting = Literal["working_days", "calendar_days"]


@dataclass(frozen=True)
class AttachmentRule:
    """A document required once a leave is longer than `over_days` (0: always)."""

    over_days: int
    title_id: str
    title_en: str


@dataclass(frozen=True)
class Reason:
    """One accepted reason for cuti karena alasan penting, with the document it needs."""

    code: str
    title_id: str
    title_en: str
    attachment_id: str
    attachment_en: str
    # Words that recognise this reason in free text ("ayah saya meninggal").
    keywords: tuple[str, ...] = ()
    # The document may follow the request (a death certificate not yet at hand).
    may_follow: bool = False

    def named_in(self, text: str | None) -> bool:
        """Whether free text names this reason by one of its keywords."""
        folded = " ".join((text or "").casefold().split())
        return any(re.search(rf"\b{re.escape(k.casefold())}\b", folded) for k in self.keywords)


@dataclass(frozen=True)
class CarryOver:
    """Caps on the total annual right, this year's days included."""

    one_unused_year: int
    two_unused_years: int


@dataclass(frozen=True)
class LeaveType:
    """One kind of leave for one kind of employment, as configured in one rules version."""

    code: str  # tahunan | besar | sakit | melahirkan | alasan_penting | cltn
    employment: Employment
    title_id: str
    title_en: str
    counts: Counting
    max_days: int | None = None  # for tahunan: the yearly right; otherwise one request's cap
    max_months: int | None = None
    min_service_years: int = 0
    attachments: tuple[AttachmentRule, ...] = ()
    reasons: tuple[Reason, ...] = ()
    handled_by_human: bool = False
    carry_over: CarryOver | None = None  # set for cuti tahunan only
    # Cuti bersama never reduce cuti tahunan; days worked on them are added (Ps. 333).
    cuti_bersama_compensated: bool = False
    forfeits_annual_leave: bool = False
    max_child: int | None = None
    genders: tuple[str, ...] = ()  # empty: everyone
    max_service_years: int | None = None  # only while service is shorter than this
    service_waived_from_child: int | None = None
    # A reason that sets the service condition aside (cuti besar for the first hajj).
    service_waiver: Reason | None = None
    may_be_past: bool = False
    extension_months: int | None = None
    # The PyBMC may postpone (menangguhkan) it for at most this many months when the service
    # urgently needs the employee; None: never postponed.
    postpone_months: int | None = None
    # Not postponed when it is for a religious purpose (the service waiver's reason: the hajj).
    postpone_not_religious: bool = False
    basis: tuple[str, ...] = ()

    @property
    def requires_attachment(self) -> bool:
        """True when some request of this kind needs a document."""
        return bool(self.attachments or self.reasons)

    def attachment_for(self, days: int) -> AttachmentRule | None:
        """The document a leave of `days` needs (the strictest rule that applies), if any."""
        due = [a for a in self.attachments if days > a.over_days]
        return max(due, key=lambda a: a.over_days, default=None)

    def religious(self, data: Mapping[str, Any]) -> bool:
        """The request is for the religious purpose of the service waiver (the first hajj):
        answered yes in the form, or named in its purpose ("naik haji")."""
        waiver = self.service_waiver
        if waiver is None:
            return False
        return data.get(waiver.code) == "ya" or waiver.named_in(data.get("reason"))

    def postponable(self, data: Mapping[str, Any]) -> bool:
        """Whether the PyBMC may postpone this request (ditangguhkan)."""
        if self.postpone_months is None:
            return False
        return not (self.postpone_not_religious and self.religious(data))

    def postponed_until(self, start: date) -> date | None:
        """The last day a postponed leave starting on `start` may be postponed to."""
        if self.postpone_months is None:
            return None
        return _last_day_within(start, self.postpone_months)

    def reason(self, code: str) -> Reason | None:
        """The configured reason with this code, if any."""
        return next((r for r in self.reasons if r.code == code), None)

    def reason_in(self, text: str | None) -> Reason | None:
        """The reason a free text names ("ayah saya meninggal" → keluarga_meninggal), if one.

        The longest keyword found wins, so "sakit keras" beats a bare "sakit".
        """
        if not text:
            return None
        folded = " ".join(text.casefold().replace("_", " ").split())
        direct = self.reason(folded.replace(" ", "_"))
        if direct is not None:
            return direct
        best: tuple[int, Reason] | None = None
        for reason in self.reasons:
            for word in reason.keywords:
                if re.search(rf"\b{re.escape(word.casefold())}\b", folded) and (
                    best is None or len(word) > best[0]
                ):
                    best = (len(word), reason)
        return best[1] if best else None

    def length(self, start: date, end: date, calendar: WorkCalendar) -> int:
        """Days a request from `start` to `end` (inclusive) counts, per `counts`."""
        if self.counts == "working_days":
            return calendar.working_days_between(start, end)
        return max((end - start).days + 1, 0)


@dataclass(frozen=True)
class RulesVersion:
    """The leave rules in force between two dates, with their legal basis."""

    id: str
    effective_from: date
    effective_to: date | None
    legal_basis: tuple[str, ...]
    leave_types: tuple[LeaveType, ...]

    def covers(self, d: date) -> bool:
        """True when this version is in force on `d`."""
        return self.effective_from <= d and (self.effective_to is None or d <= self.effective_to)

    def leave_type(self, code: str, employment: Employment) -> LeaveType | None:
        """The leave type with this code for this employment, or None if it has none."""
        return next(
            (t for t in self.leave_types if t.code == code and t.employment == employment), None
        )


@dataclass(frozen=True)
class AnnualBalance:
    """Cuti tahunan for one year; `remaining` may be negative if records show overuse.

    `cuti_bersama` is the number of days ADDED because the employee's post kept them at work
    on cuti bersama (PP 11/2017 Ps. 333 ayat (3)); cuti bersama never reduce the right.
    """

    year: int
    base: int
    carried_over: float
    cuti_bersama: int
    entitled: float
    used: float
    remaining: float


@dataclass(frozen=True)
class Opening:
    """Remaining annual leave brought from the personnel system for the year `year`.

    `n1` is what was left of year-1 and `n2` of year-2; None means unknown (not zero).
    """

    year: int
    n1: float | None
    n2: float | None


@dataclass(frozen=True)
class Violation:
    """Why a request cannot go ahead (or, if not `blocking`, what the employee should know)."""

    code: str
    message: dict[str, str]  # {"id": ..., "en": ...}
    blocking: bool = True


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """True when two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


class LeaveRules:
    """All versions of the leave rules, and the checks that use them."""

    def __init__(self, versions: Collection[RulesVersion]) -> None:
        if not versions:
            raise ValueError("at least one rules version is needed")
        self.versions = tuple(sorted(versions, key=lambda v: v.effective_from))

    @classmethod
    def load(cls, path: Path | None = None) -> LeaveRules:
        """Read the rules file (the shipped `rules/leave.yaml` by default)."""
        with (path or DEFAULT_RULES).open(encoding="utf-8") as fh:
            data = yamltext.load(fh) or {}
        return cls([_parse_version(v) for v in data.get("versions") or ()])

    def version_for(self, d: date) -> RulesVersion:
        """The version in force on `d`; the latest-starting one if ranges overlap."""
        found = [v for v in self.versions if v.covers(d)]
        if not found:
            raise LookupError(f"no leave rules version is in force on {d.isoformat()}")
        return found[-1]

    def annual_entitlement(
        self,
        year: int,
        *,
        service_start: date,
        employment: Employment,
        used_by_year: Mapping[int, float],
        calendar: WorkCalendar,
        cuti_besar_years: Collection[int] = (),
        gets_cuti_bersama: bool = True,
        known_from: int | None = None,
        opening: Opening | None = None,
    ) -> AnnualBalance:
        """Cuti tahunan for `year`, carrying unused days forward from earlier years.

        `used_by_year` holds annual leave days taken (cuti bersama excluded); a year missing
        from it counts as no leave taken. If records are complete only from some year on, pass
        it as `known_from`: nothing is carried into that year. Cuti bersama never reduce the
        right (PP 11/2017 Ps. 333 ayat (2)); employees whose post keeps them at work on cuti
        bersama (`gets_cuti_bersama=False`) get those days added (ayat (3)).

        `opening` (from the personnel system) starts the count in its year with the remaining
        days of the two years before. UNCLEAR what "unused" means for a remainder: a year is
        taken as unused when a full year's right (12) or more was left of it, and with two
        unused years both remainders count towards the 24-day cap (the reading that keeps
        the right).
        """
        balance = AnnualBalance(year, 0, 0.0, 0, 0.0, float(used_by_year.get(year, 0)), 0.0)
        earliest = self.versions[0].effective_from
        # (remaining, eligible and untouched) for the two years before the one being computed.
        prev: tuple[float, bool] = (0.0, False)
        prev2_unused = False
        first = max(service_start.year, earliest.year, known_from or 0)
        if opening is not None and opening.year <= year:
            first = max(first, opening.year)
            if first == opening.year:
                full = self._annual(max(date(first, 1, 1), earliest), employment).max_days or 0
                n1, n2 = opening.n1 or 0.0, opening.n2 or 0.0
                prev2_unused = opening.n2 is not None and full > 0 and n2 >= full
                unused = opening.n1 is not None and full > 0 and n1 >= full
                prev = (n1 + (n2 if unused and prev2_unused else 0.0), unused)
        for y in range(first, year + 1):
            rule = self._annual(max(date(y, 1, 1), earliest), employment)
            eligible_from = _add_years(service_start, rule.min_service_years)
            base = (rule.max_days or 0) if eligible_from.year <= y else 0
            carried = 0.0
            if base and rule.carry_over is not None:
                caps = rule.carry_over
                cap = caps.two_unused_years if prev[1] and prev2_unused else caps.one_unused_year
                carried = min(max(prev[0], 0.0), float(max(cap - base, 0)))
            if y in cuti_besar_years:
                # Taking cuti besar ends that year's right to cuti tahunan.
                base, carried = 0, 0.0
            cb = 0
            if base and rule.cuti_bersama_compensated and not gets_cuti_bersama:
                # Only cuti bersama on days the employee would otherwise work count.
                cb = sum(
                    1 for d in calendar.cuti_bersama(y) if d >= eligible_from and d.weekday() < 5
                )
            entitled = base + carried + cb
            used = float(used_by_year.get(y, 0))
            balance = AnnualBalance(y, base, carried, cb, entitled, used, entitled - used)
            prev2_unused = prev[1]
            prev = (balance.remaining, base > 0 and used == 0)
        return balance

    def check_request(
        self,
        leave_type: str,
        start: date,
        end: date,
        *,
        service_start: date,
        employment: Employment,
        calendar: WorkCalendar,
        balance: AnnualBalance | None = None,
        has_attachment: bool | None = False,
        reason: str | None = None,
        child_number: int | None = None,
        service_waiver: bool = False,
    ) -> list[Violation]:
        """Everything that stops this request under the rules in force on `start`.

        `balance` (from `annual_entitlement` for `start.year`) is needed for cuti tahunan.
        A non-blocking violation is information the employee should confirm, not a refusal.
        `has_attachment=None` means "not known yet" (a check before any form): the documents
        needed are then listed without blocking.
        """
        if end < start:
            return [_say("invalid_range", start=start, end=end)]
        version = self.version_for(start)
        kind = version.leave_type(leave_type, employment)
        if kind is None:
            other = next((t for t in version.leave_types if t.code == leave_type), None)
            return [_say("not_available", leave=other or leave_type, employment=employment)]
        days = kind.length(start, end, calendar)
        if days == 0:
            return [_say("no_working_days", start=start, end=end)]

        found: list[Violation] = []
        waived = (
            kind.service_waived_from_child is not None
            and child_number is not None
            and child_number >= kind.service_waived_from_child
        )
        eligible_from = _add_years(service_start, kind.min_service_years)
        waiver = kind.service_waiver if service_waiver else None
        if start < eligible_from and waiver is not None and not waived:
            waived = True
            document = _Text(waiver.attachment_id, waiver.attachment_en)
            if has_attachment is None:
                found.append(_say("attachment_needed", blocking=False, document=document))
            elif not has_attachment:
                found.append(_say("attachment_required", document=document))
        if start < eligible_from and not waived:
            found.append(
                _say(
                    "service_too_short_unless" if kind.service_waiver else "service_too_short",
                    waiver=_waiver_text(kind),
                    leave=kind,
                    years=kind.min_service_years,
                    eligible_from=eligible_from,
                )
            )
        if kind.max_service_years is not None:
            until = _add_years(service_start, kind.max_service_years)
            if start >= until:
                found.append(_say("service_too_long", leave=kind, until=until))
        if kind.carry_over is not None:
            found += _annual_checks(start, end, days, balance)
        elif kind.max_days is not None and days > kind.max_days:
            found.append(_say("too_many_days", leave=kind, max=kind.max_days, days=days))
        if kind.max_months is not None:
            last_day = _last_day_within(start, kind.max_months)
            if end > last_day and kind.extension_months:
                found.append(
                    _say(
                        "extension_needed",
                        leave=kind,
                        months=kind.max_months,
                        extra=kind.extension_months,
                        last_day=last_day,
                    )
                )
            elif end > last_day:
                found.append(
                    _say("too_many_months", leave=kind, months=kind.max_months, last_day=last_day)
                )
        found += _document_checks(kind, days, reason, has_attachment)
        if kind.max_child is not None:
            if child_number is None:
                found.append(_say("child_number_required"))
            elif child_number > kind.max_child:
                found.append(
                    _say("child_limit", leave=kind, max_child=kind.max_child, child=child_number)
                )
        if kind.forfeits_annual_leave:
            found.append(_say("forfeits_annual_leave", blocking=False, year=start.year))
        if kind.handled_by_human:
            found.append(_say("handled_by_human", blocking=False, leave=kind))
        return found

    def eligibility(
        self,
        leave_type: str,
        *,
        employment: str,
        gender: str | None,
        service_start: date,
        children: int | None,
        today: date,
        service_waiver: bool = False,
    ) -> Violation | None:
        """Why this employee may not take this kind of leave at all, or None if they may.

        Checked before any date is asked. Service is measured on `today`, or up to a year
        ahead for leave that can be planned (a right that starts in March can be asked for in
        December); the dates themselves are checked later by `check_request`.
        """
        kind_of = rules_employment(employment)
        version = self.version_for(today)
        kind = version.leave_type(leave_type, kind_of)
        if kind is None:
            other = next((t for t in version.leave_types if t.code == leave_type), None)
            alt = "tahunan" if leave_type == "alasan_penting" else None
            return _say(
                "not_offered",
                leave=other or leave_type,
                employment=employment,
                alternative=self._title(alt, kind_of, today),
            )
        if kind.genders and (gender or "").upper() not in kind.genders:
            return _say(
                "not_for_gender",
                leave=kind,
                alternative=self._title("alasan_penting", kind_of, today),
            )
        next_child = children + 1 if children is not None else None
        if kind.max_child is not None and next_child is not None and next_child > kind.max_child:
            return _say(
                "child_limit",
                leave=kind,
                max_child=kind.max_child,
                child=next_child,
            )
        waived = (
            kind.service_waived_from_child is not None
            and (gender or "").upper() == "P"
            and next_child is not None
            and next_child >= kind.service_waived_from_child
        )
        eligible_from = _add_years(service_start, kind.min_service_years)
        if kind.service_waiver is not None and service_waiver:
            waived = True
        if not waived and eligible_from > _add_years(today, 1):
            return _say(
                "service_too_short_unless" if kind.service_waiver else "service_too_short",
                leave=kind,
                years=kind.min_service_years,
                eligible_from=eligible_from,
                waiver=_waiver_text(kind),
            )
        if kind.max_service_years is not None:
            until = _add_years(service_start, kind.max_service_years)
            if today >= until:
                return _say(
                    "service_too_long",
                    leave=kind,
                    until=until,
                    alternative=self._title("tahunan", kind_of, today),
                )
        return None

    def open_waiver(
        self, leave_type: str, *, employment: str, service_start: date, today: date
    ) -> Reason | None:
        """The reason that would set aside a service condition this employee does not meet yet.

        Cuti besar before 5 years of service only for the first hajj: the chat asks about it
        before the dates, instead of refusing a right the employee may have.
        """
        kind = self.version_for(today).leave_type(leave_type, rules_employment(employment))
        if kind is None or kind.service_waiver is None:
            return None
        if today >= _add_years(service_start, kind.min_service_years):
            return None
        return kind.service_waiver

    def _title(self, code: str | None, employment: Employment, today: date) -> _Text:
        kind = self.version_for(today).leave_type(code, employment) if code else None
        if kind is None:
            return _Text("jenis cuti lain", "another kind of leave")
        return _Text(kind.title_id, kind.title_en)

    def _annual(self, d: date, employment: Employment) -> LeaveType:
        kind = self.version_for(d).leave_type("tahunan", employment)
        if kind is None:
            raise LookupError(f"no cuti tahunan configured for {employment} on {d.isoformat()}")
        return kind


def _annual_checks(
    start: date, end: date, days: int, balance: AnnualBalance | None
) -> list[Violation]:
    if start.year != end.year:
        # Each year has its own balance, so a request over New Year is two requests.
        return [_say("crosses_year", year=str(start.year), next_year=str(end.year))]
    if balance is None or balance.year != start.year:
        raise ValueError(f"cuti tahunan needs the {start.year} balance to check a request")
    if days > balance.remaining:
        return [_say("insufficient_balance", remaining=max(balance.remaining, 0), days=days)]
    return []


def _document_checks(
    kind: LeaveType, days: int, reason: str | None, has_attachment: bool | None
) -> list[Violation]:
    if not kind.reasons:
        needed = kind.attachment_for(days)
        if needed is None or has_attachment:
            return []
        document = _Text(needed.title_id, needed.title_en)
        if has_attachment is None:
            return [_say("attachment_needed", blocking=False, document=document)]
        return [_say("attachment_required", document=document)]
    if reason is None:
        return [_say("reason_required", leave=kind)]
    chosen = kind.reason(reason)
    if chosen is None:
        return [_say("unknown_reason", leave=kind)]
    if has_attachment:
        return []
    document = _Text(chosen.attachment_id, chosen.attachment_en)
    if chosen.may_follow:
        return [_say("attachment_may_follow", blocking=False, document=document)]
    if has_attachment is None:
        return [_say("attachment_needed", blocking=False, document=document)]
    return [_say("attachment_required", document=document)]


def _waiver_text(kind: LeaveType) -> _Text | str:
    waiver = kind.service_waiver
    return _Text(waiver.title_id, waiver.title_en) if waiver else ""


def rules_employment(employment: str) -> Employment:
    """The rules an employee follows: CPNS follow the PNS entries (PP 11/2017 Ps. 311)."""
    return "PPPK" if employment.upper() == "PPPK" else "PNS"


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February: the year is complete on 1 March
        return date(d.year + years, 3, 1)


def _last_day_within(start: date, months: int) -> date:
    """The last day of a period of `months` calendar months beginning on `start`."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _monthcal.monthrange(year, month)[1]
    if start.day > last:  # e.g. from 31 January, one month runs to the end of February
        return date(year, month, last)
    return date(year, month, start.day) - timedelta(days=1)


_LEAVE_KEYS = set(LeaveType.__dataclass_fields__)


def _parse_version(raw: Mapping[str, Any]) -> RulesVersion:
    return RulesVersion(
        id=str(raw["id"]),
        effective_from=_as_date(raw["effective_from"]),
        effective_to=_as_date(raw["effective_to"]) if raw.get("effective_to") else None,
        legal_basis=tuple(str(x) for x in raw.get("legal_basis") or ()),
        leave_types=tuple(_parse_leave_type(t) for t in raw.get("leave_types") or ()),
    )


def _parse_leave_type(raw: Mapping[str, Any]) -> LeaveType:
    unknown = set(raw) - _LEAVE_KEYS
    if unknown:
        # A misspelt key would otherwise silently drop a rule.
        raise ValueError(f"leave type {raw.get('code')!r}: unknown keys {sorted(unknown)}")
    if raw.get("employment") not in ("PNS", "PPPK"):
        raise ValueError(f"leave type {raw.get('code')!r}: employment must be PNS or PPPK")
    if raw.get("counts") not in ("working_days", "calendar_days"):
        raise ValueError(f"leave type {raw.get('code')!r}: counts must be working/calendar_days")
    fields = dict(raw)
    fields["attachments"] = tuple(AttachmentRule(**a) for a in raw.get("attachments") or ())
    fields["reasons"] = tuple(
        Reason(**{**r, "keywords": tuple(r.get("keywords") or ())})
        for r in raw.get("reasons") or ()
    )
    if raw.get("service_waiver") is not None:
        waiver = raw["service_waiver"]
        fields["service_waiver"] = Reason(
            **{**waiver, "keywords": tuple(waiver.get("keywords") or ())}
        )
    for key in ("genders", "basis"):
        fields[key] = tuple(str(x) for x in raw.get(key) or ())
    if raw.get("carry_over") is not None:
        fields["carry_over"] = CarryOver(**raw["carry_over"])
    return LeaveType(**fields)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# Messages ---------------------------------------------------------------------------------

_MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}


class _Text(NamedTuple):
    id: str
    en: str


@functools.cache
def _templates() -> dict[str, dict[str, str]]:
    with MESSAGES.open(encoding="utf-8") as fh:
        return yamltext.load(fh)


def _say(code: str, *, blocking: bool = True, **values: object) -> Violation:
    message = {
        lang: _templates()[code][lang].format(**{k: _show(v, lang) for k, v in values.items()})
        for lang in ("id", "en")
    }
    return Violation(code=code, message=message, blocking=blocking)


def _show(value: object, lang: str) -> str:
    if isinstance(value, _Text):
        return value.id if lang == "id" else value.en
    if isinstance(value, LeaveType):
        return value.title_id if lang == "id" else value.title_en
    if isinstance(value, date):
        return f"{value.day} {_MONTHS[lang].split()[value.month - 1]} {value.year}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "id" else text
    return str(value)


def say(code: str, *, blocking: bool = True, **values: object) -> Violation:
    """A violation worded from `rules/leave_messages.yaml` (for callers outside this module)."""
    return _say(code, blocking=blocking, **values)
