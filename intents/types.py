"""Result types shared by the matcher, the entity extractor and their callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum


class MatchKind(StrEnum):
    """How sure the router is: one intent, a few candidates, or nothing in scope."""

    FULL = "full"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class Suggestion:
    """A candidate intent to offer as a button when the router is not sure."""

    intent: str
    confidence: float


@dataclass(frozen=True)
class Entities:
    """Slots found in one message; every field is optional so forms can ask for the rest."""

    start_date: date | None = None
    end_date: date | None = None
    duration_days: float | None = None
    time: time | None = None
    month: int | None = None
    year: int | None = None
    numbers: tuple[float, ...] = ()
    leave_type: str | None = None
    permit_type: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready view: dates and times as ISO strings, empty slots as None."""
        return {
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "duration_days": self.duration_days,
            "time": self.time.isoformat(timespec="minutes") if self.time else None,
            "month": self.month,
            "year": self.year,
            "numbers": list(self.numbers),
            "leave_type": self.leave_type,
            "permit_type": self.permit_type,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MatchResult:
    """What the router understood from one message; never mutated after creation."""

    kind: MatchKind
    intent: str | None
    confidence: float
    entities: Entities = field(default_factory=Entities)
    suggestions: tuple[Suggestion, ...] = ()
    text: str = ""
