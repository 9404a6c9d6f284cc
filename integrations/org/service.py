"""One import from start to end: read, check, compare, and (unless a dry run) write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from core.audit import record
from core.settings import DEFAULT_TIMEZONE
from core.storage.db import Database
from core.storage.models import OrgUnit
from core.storage.models.org import ROLES
from core.text import T
from core.workdays import WorkCalendar
from integrations.approvals import Env
from integrations.leave_rules import LeaveRules
from integrations.org import apply, chart, csvfile, handover, plan
from integrations.org.problems import FileRejected, Problem
from integrations.org.rows import Person, check_row

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    skip_bad: bool = False
    tz: str = DEFAULT_TIMEZONE


@dataclass
class ImportResult:
    """What happened; `as_json()` is the `ayo org import --json` contract."""

    file: str
    dry_run: bool
    skip_bad: bool
    applied: bool = False
    rows: int = 0
    delimiter: str = ""
    encoding: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plan: plan.Plan | None = None
    approvals_moved: int = 0
    approvals_unassigned: int = 0
    balance_year: int | None = None

    @property
    def ok(self) -> bool:
        return self.plan is not None

    @property
    def skipped_lines(self) -> list[int]:
        return sorted({p.line for p in self.errors if p.line is not None}) if self.ok else []

    def as_json(self) -> dict[str, Any]:
        p = self.plan

        def counts(units: bool) -> dict[str, int]:
            return {
                "added": p.count("added", units) if p else 0,
                "updated": p.count("updated", units) if p else 0,
                "deactivated": p.count("deactivated", units) if p else 0,
                "unchanged": (p.units_unchanged if units else p.unchanged) if p else 0,
            }

        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "file": self.file,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "skipped": len(self.skipped_lines),
            "skipped_lines": self.skipped_lines,
            "employees": counts(False),
            "units": counts(True),
            "approvals_moved": self.approvals_moved,
            "approvals_unassigned": self.approvals_unassigned,
            "balance_year": self.balance_year,
            "changes": [c.as_dict("nip") for c in p.changes] if p else [],
            "unit_changes": [c.as_dict("code") for c in p.unit_changes] if p else [],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _role_warnings(people: list[Person]) -> list[Problem]:
    first: dict[str, int] = {}
    for person in people:
        for role in person.roles or ():
            if role not in ROLES:
                first.setdefault(role, person.line)
    return [
        Problem(
            line,
            "unknown_role",
            T(
                f"Peran {role!r} belum dikenal Ayo; tetap disimpan.",
                f"Role {role!r} is not known to Ayo yet; it is stored anyway.",
            ),
            "peran",
        )
        for role, line in first.items()
    ]


async def run_import(
    db: Database,
    source: Path | bytes,
    options: ImportOptions,
    *,
    now: datetime,
    calendar: WorkCalendar,
    rules: LeaveRules | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> ImportResult:
    """Check the whole file; then write all of it in one transaction, or nothing."""
    tell = progress or (lambda _stage, _done, _total: None)
    label = name or (str(source) if isinstance(source, Path) else "-")
    result = ImportResult(label, options.dry_run, options.skip_bad)
    try:
        table = csvfile.read_table(source) if isinstance(source, Path) else csvfile.parse(source)
    except FileRejected as exc:
        result.errors = exc.problems
        return result
    result.rows, result.delimiter, result.encoding = (
        len(table.rows),
        table.delimiter,
        table.encoding,
    )
    result.warnings = list(table.warnings)
    tell("check", 0, len(table.rows))
    people: list[Person] = []
    problems: list[Problem] = []
    for n, (line, values) in enumerate(table.rows, start=1):
        checked = check_row(line, values, table.columns)
        (people if isinstance(checked, Person) else problems).append(checked)
        if n % 1000 == 0:
            tell("check", n, len(table.rows))
    tell("check", len(table.rows), len(table.rows))
    problems += chart.duplicates(people) + chart.unit_conflicts(people)
    async with db.sessions() as session:
        known_units = set((await session.execute(select(OrgUnit.code))).scalars())
    bad = {p.line for p in problems}
    problems += chart.hierarchy([p for p in people if p.line not in bad], known_units)
    bad = {p.line for p in problems}
    result.errors = sorted(problems, key=lambda p: (p.line or 0, p.code))
    result.warnings += _role_warnings(people)
    if problems and not options.skip_bad:
        return result
    good = [p for p in people if p.line not in bad]
    skipped = {p.nip for p in problems if p.nip}
    year = now.astimezone(ZoneInfo(options.tz)).year
    result.balance_year = year
    if options.dry_run:
        async with db.sessions() as session:
            result.plan = plan.build(good, await plan.load_held(session), skipped, year)
        return result
    tell("write", 0, len(good))
    async with db.transaction() as session:
        if not db.is_sqlite:
            # Two imports at once would each see the other's half; they take turns instead.
            await session.execute(text("SELECT pg_advisory_xact_lock(4242010)"))
        held = await plan.load_held(session)
        result.plan = built = plan.build(good, held, skipped, year)
        await apply.write(session, built, held, now)
        gone = built.people_gone
        env = Env(now=now, calendar=calendar, rules=rules, channel="import", tz=options.tz)
        result.approvals_moved, result.approvals_unassigned = await handover.hand_over(
            session, gone, env
        )
        record(
            session,
            now=now,
            actor_id=None,
            channel="import",
            entity="organisation",
            entity_id=None,
            action="org.imported",
            detail={
                "rows": result.rows,
                "skipped": len(result.skipped_lines),
                "added": built.count("added"),
                "updated": built.count("updated"),
                "deactivated": built.count("deactivated"),
                "approvals_moved": result.approvals_moved,
            },
        )
    result.applied = True
    tell("write", len(good), len(good))
    return result
