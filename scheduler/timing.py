"""When scheduled work may still fire (grace windows) and when pushes must wait (quiet hours)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.jobs import claim
from core.workdays import zone

log = logging.getLogger(__name__)

DAILY_LESSON_GRACE = timedelta(hours=2)


def due_within_grace(scheduled_for: datetime, now: datetime, grace: timedelta) -> bool:
    """True when work scheduled for `scheduled_for` is due and not yet too late to do."""
    return scheduled_for <= now <= scheduled_for + grace


async def fire_once(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    scheduled_for: datetime,
    now: datetime,
    grace: timedelta,
) -> bool:
    """Claim due work exactly once; work past its grace window is claimed as skipped, logged.

    After downtime, a sweep finds everything that fell due while Ayo was down: what is still
    within its grace fires once, the rest is recorded as skipped so that it is never sent late
    (a morning lesson at midnight helps nobody) and never reconsidered.
    """
    if now < scheduled_for:
        return False
    if now - scheduled_for > grace:
        if await claim(
            session, kind=kind, key=key, scheduled_for=scheduled_for, now=now, outcome="skipped"
        ):
            late = int((now - scheduled_for).total_seconds() // 60)
            log.info("skipped %s key=%s: %s min late, grace %s", kind, key, late, grace)
        return False
    return await claim(session, kind=kind, key=key, scheduled_for=scheduled_for, now=now)


@dataclass(frozen=True)
class QuietHours:
    """Local hours without non-urgent pushes: from `start` in the evening to `end` next morning."""

    start: time = time(21, 0)
    end: time = time(6, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read "21:00-06:00"."""
        start, _, end = text.partition("-")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))

    def is_quiet(self, now: datetime, tz: str | ZoneInfo) -> bool:
        """True when `now` falls in the quiet hours of the recipient's time zone."""
        local = now.astimezone(_zone(tz)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now: datetime, tz: str | ZoneInfo) -> datetime:
        """The first instant (UTC) at or after `now` outside the quiet hours."""
        if not self.is_quiet(now, tz):
            return now
        local = now.astimezone(_zone(tz))
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, local.tzinfo).astimezone(UTC)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else zone(tz)
