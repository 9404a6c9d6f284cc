"""The yearly needs analysis (AKPK): competencies per position family, ratings and gaps.

PP 11/2017 Ps. 205 ayat (1) huruf a: the needs are an "inventarisasi jenis kompetensi yang
perlu ditingkatkan dari setiap PNS", drawn up for one year (ayat (3)). Ps. 206 ayat (2): the
gap compares the employee's competency profile with the standard of the position. Here the
employee rates themselves, the supervisor confirms or adjusts (the profile), and every
competency confirmed below the family's `required` level (the standard) is a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import yamltext
from core.storage.models import NeedsAnalysis
from core.text import T
from lessons.catalog import COMPETENCIES

DEFAULT_FILE = Path(__file__).resolve().parent / "competencies.yaml"
DRAFT, SUBMITTED, CONFIRMED = "draft", "submitted", "confirmed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Text(_Strict):
    id: str
    en: str

    def t(self) -> T:
        return T(self.id, self.en)


class _Competency(_Strict):
    title: _Text
    type: str
    tags: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_type(self) -> _Competency:
        if self.type not in COMPETENCIES:
            raise ValueError(f"type must be one of {sorted(COMPETENCIES)}")
        return self


class _Family(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: _Text
    match: tuple[str, ...] = ()
    default: bool = False
    required: dict[str, int] = Field(min_length=1)


class _Scale(_Strict):
    min: int = 1
    max: int = 4
    labels: dict[int, _Text]


class _File(_Strict):
    scale: _Scale
    competencies: dict[str, _Competency]
    families: tuple[_Family, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> _File:
        defaults = [f.id for f in self.families if f.default]
        if len(defaults) != 1:
            raise ValueError("exactly one family must be the default")
        for family in self.families:
            unknown = sorted(set(family.required) - set(self.competencies))
            if unknown:
                raise ValueError(f"family {family.id}: unknown competencies {unknown}")
            for name, level in family.required.items():
                if not self.scale.min <= level <= self.scale.max:
                    raise ValueError(f"family {family.id}: {name} level {level} is off the scale")
        if set(self.scale.labels) != set(range(self.scale.min, self.scale.max + 1)):
            raise ValueError("scale: every level needs a label")
        return self


@dataclass(frozen=True, slots=True)
class Competency:
    id: str
    title: T
    type: str
    tags: frozenset[str]
    required: int  # the standard of the position (Ps. 206 ayat (2))


@dataclass(frozen=True, slots=True)
class Family:
    id: str
    title: T
    competencies: tuple[Competency, ...]

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)


@dataclass(frozen=True, slots=True)
class Gap:
    competency: Competency
    level: int
    required: int

    @property
    def size(self) -> int:
        return self.required - self.level


@dataclass(frozen=True)
class Framework:
    """The configured scale, competencies and position families."""

    low: int
    high: int
    labels: dict[int, T]
    families: tuple[tuple[tuple[str, ...], Family], ...]  # (match words, family), in order
    default: Family
    titles: dict[str, T]  # every competency's title, for reports across families

    def family_for(self, position: str) -> Family:
        """The first family whose words occur in the jabatan, else the default one."""
        folded = " ".join(re.findall(r"\w+", (position or "").casefold()))
        for words, family in self.families:
            if any(re.search(rf"\b{re.escape(w.casefold())}\b", folded) for w in words):
                return family
        return self.default

    def family(self, family_id: str) -> Family:
        found = next((f for _, f in self.families if f.id == family_id), None)
        return found or self.default

    def label(self, level: int) -> T:
        return self.labels.get(level, T(str(level), str(level)))


def parse_framework(raw: dict[str, Any]) -> Framework:
    """Check and build the framework from the YAML's contents (raises ValueError)."""
    spec = _File.model_validate(raw)
    families: list[tuple[tuple[str, ...], Family]] = []
    default: Family | None = None
    for f in spec.families:
        family = Family(
            f.id,
            f.title.t(),
            tuple(
                Competency(
                    name,
                    spec.competencies[name].title.t(),
                    spec.competencies[name].type,
                    frozenset(spec.competencies[name].tags),
                    level,
                )
                for name, level in f.required.items()
            ),
        )
        families.append((f.match, family))
        if f.default:
            default = family
    assert default is not None
    return Framework(
        spec.scale.min,
        spec.scale.max,
        {k: v.t() for k, v in spec.scale.labels.items()},
        tuple(families),
        default,
        {name: c.title.t() for name, c in spec.competencies.items()},
    )


@lru_cache(maxsize=4)
def load_framework(path: Path = DEFAULT_FILE) -> Framework:
    return parse_framework(yamltext.load(path.read_text(encoding="utf-8")))


def gaps_of(family: Family, levels: dict[str, Any]) -> list[Gap]:
    """Competencies rated below the position's standard, the widest gap first."""
    found = [
        Gap(c, int(levels[c.id]), c.required)
        for c in family.competencies
        if c.id in levels and int(levels[c.id]) < c.required
    ]
    return sorted(found, key=lambda g: (-g.size, family.competencies.index(g.competency)))


def next_unrated(family: Family, ratings: dict[str, Any]) -> tuple[int, Competency] | None:
    """The first competency not rated yet, with its 0-based position."""
    for i, competency in enumerate(family.competencies):
        if competency.id not in ratings:
            return i, competency
    return None


def review_levels(row: NeedsAnalysis) -> dict[str, Any]:
    """What the supervisor is looking at: the employee's ratings with their own changes."""
    return {**(row.ratings or {}), **(row.adjusted or {})}


def row_gaps(row: NeedsAnalysis, framework: Framework) -> list[Gap]:
    """The confirmed gaps of an analysis (none until the supervisor confirmed it)."""
    if row.status != CONFIRMED:
        return []
    return gaps_of(framework.family(row.family), row.confirmed or {})


async def analysis_for(
    session: AsyncSession, employee_id: int, year: int, *, lock: bool = False
) -> NeedsAnalysis | None:
    query = select(NeedsAnalysis).where(
        NeedsAnalysis.employee_id == employee_id, NeedsAnalysis.year == year
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def analyses(
    session: AsyncSession, employee_ids: Iterable[int] | None, year: int
) -> dict[int, NeedsAnalysis]:
    """The year's analyses by employee (every employee's when `employee_ids` is None)."""
    query = select(NeedsAnalysis).where(NeedsAnalysis.year == year)
    if employee_ids is not None:
        ids = list(employee_ids)
        if not ids:
            return {}
        query = query.where(NeedsAnalysis.employee_id.in_(ids))
    return {row.employee_id: row for row in (await session.execute(query)).scalars()}


async def gap_tags(
    session: AsyncSession, wanted: dict[int, int], framework: Framework | None = None
) -> dict[int, tuple[frozenset[str], ...]]:
    """Per employee (id → year), the lesson tags of their confirmed gaps, widest gap first."""
    if not wanted:
        return {}
    framework = framework or load_framework()
    rows = await session.execute(
        select(NeedsAnalysis).where(
            NeedsAnalysis.employee_id.in_(list(wanted)),
            NeedsAnalysis.year.in_(set(wanted.values())),
            NeedsAnalysis.status == CONFIRMED,
        )
    )
    found: dict[int, tuple[frozenset[str], ...]] = {}
    for row in rows.scalars():
        if wanted.get(row.employee_id) == row.year:
            found[row.employee_id] = tuple(g.competency.tags for g in row_gaps(row, framework))
    return found


@dataclass(frozen=True, slots=True)
class Recommended:
    """A lesson recommended for a gap (its id, course and title as stored)."""

    lesson_id: str
    course: str
    course_title: T
    title: T
    competency_id: str


def recommend(
    gaps: Sequence[Gap], lessons: Sequence[Any], *, per_gap: int = 3
) -> list[Recommended]:
    """Lessons whose tags meet a gap's competency, the widest gap first, each lesson once.

    `lessons` are stored lessons (`StoredLesson`) in curriculum order.
    """
    seen: set[str] = set()
    found: list[Recommended] = []
    for gap in gaps:
        taken = 0
        for lesson in lessons:
            meta = lesson.meta or {}
            if lesson.id in seen or not gap.competency.tags.intersection(meta.get("tags") or ()):
                continue
            seen.add(lesson.id)
            found.append(
                Recommended(
                    lesson.id,
                    lesson.course,
                    T.from_json(meta.get("course_title") or {"id": lesson.course}),
                    T.from_json(meta.get("title") or {"id": lesson.id}),
                    gap.competency.id,
                )
            )
            taken += 1
            if taken >= per_gap:
                break
    return found


@dataclass(frozen=True, slots=True)
class GapCount:
    competency_id: str
    title: T
    type: str
    employees: int
    total_gap: int

    @property
    def average_gap(self) -> float:
        return self.total_gap / self.employees if self.employees else 0.0


def count_gaps(rows: Iterable[NeedsAnalysis], framework: Framework) -> list[GapCount]:
    """How many employees have each gap (confirmed analyses only), the most common first."""
    people: dict[str, int] = {}
    sizes: dict[str, int] = {}
    types: dict[str, str] = {}
    for row in rows:
        for gap in row_gaps(row, framework):
            cid = gap.competency.id
            people[cid] = people.get(cid, 0) + 1
            sizes[cid] = sizes.get(cid, 0) + gap.size
            types[cid] = gap.competency.type
    counts = [
        GapCount(cid, framework.titles.get(cid, T(cid, cid)), types[cid], n, sizes[cid])
        for cid, n in people.items()
    ]
    return sorted(counts, key=lambda c: (-c.employees, -c.total_gap, c.competency_id))


async def city_gaps(
    session: AsyncSession, year: int, framework: Framework | None = None
) -> dict[str, Any]:
    """Every OPD's confirmed gaps of `year` counted together (for `ayo learning gaps`)."""
    framework = framework or load_framework()
    rows = list((await analyses(session, None, year)).values())
    statuses = {s: sum(r.status == s for r in rows) for s in (DRAFT, SUBMITTED, CONFIRMED)}
    return {
        "year": year,
        "analyses": statuses,
        "gaps": [
            {
                "competency": c.competency_id,
                "title": c.title.id,
                "title_en": c.title.en,
                "type": c.type,
                "employees": c.employees,
                "average_gap": round(c.average_gap, 2),
            }
            for c in count_gaps(rows, framework)
        ],
    }
