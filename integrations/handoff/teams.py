"""The teams that answer handed-over conversations, read from YAML (AYO_HANDOFF_TEAMS)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import yamltext
from core.storage.models import Employee
from core.text import T

DEFAULT_TEAMS = Path(__file__).with_name("teams.yaml")


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    en: str

    def t(self) -> T:
        return T(self.id, self.en)


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    topic: str
    name: Label
    opd: str | None = None
    operators: list[str] = Field(min_length=1)
    lead: str | None = None
    take_within_hours: float = Field(default=2.0, gt=0)
    lead_after_hours: float = Field(default=4.0, gt=0)

    @model_validator(mode="after")
    def _lead_later(self) -> Team:
        if self.lead_after_hours < self.take_within_hours:
            raise ValueError("lead_after_hours must not be shorter than take_within_hours")
        return self


class TeamsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: dict[str, Label]
    teams: list[Team]

    @model_validator(mode="after")
    def _consistent(self) -> TeamsFile:
        codes = [t.code for t in self.teams]
        if len(set(codes)) != len(codes):
            raise ValueError("team codes must be unique")
        for team in self.teams:
            if team.topic not in self.topics:
                raise ValueError(f"team {team.code}: unknown topic {team.topic!r}")
        for topic in self.topics:
            if not any(t.topic == topic and t.opd is None for t in self.teams):
                raise ValueError(f"topic {topic!r} needs a city-wide team (one without opd)")
        return self


class Teams:
    """Every team and topic; which team serves an employee; who operates which team."""

    def __init__(self, data: TeamsFile) -> None:
        self.topics = data.topics
        self.teams = {t.code: t for t in data.teams}

    @classmethod
    def load(cls, path: Path | None = None) -> Teams:
        path = path or DEFAULT_TEAMS
        try:
            raw = yamltext.load(path.read_text(encoding="utf-8"))
            return cls(TeamsFile.model_validate(raw))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def topic_label(self, topic: str) -> T:
        label = self.topics.get(topic)
        return label.t() if label else T(topic, topic)

    def for_topic(self, topic: str, opd_code: str | None) -> Team:
        """The employee's own OPD team for the topic if there is one, else the city-wide one."""
        if topic not in self.topics:
            raise KeyError(topic)
        city = None
        for team in self.teams.values():
            if team.topic != topic:
                continue
            if team.opd is not None and team.opd == opd_code:
                return team
            if team.opd is None and city is None:
                city = team
        assert city is not None  # the file's validation guarantees a city-wide team
        return city

    def of_operator(self, nip: str) -> list[Team]:
        return [t for t in self.teams.values() if nip in t.operators]

    def led_by(self, nip: str) -> list[Team]:
        return [t for t in self.teams.values() if t.lead == nip]

    def get(self, code: str) -> Team | None:
        return self.teams.get(code)


async def members(session: AsyncSession, nips: list[str]) -> list[Employee]:
    """The active employees among these NIPs (a NIP of someone who left is skipped)."""
    if not nips:
        return []
    rows = await session.execute(
        select(Employee).where(Employee.nip.in_(nips), Employee.active.is_(True))
    )
    return list(rows.scalars())


@cache
def load_teams(path: Path | None = None) -> Teams:
    """The teams file named by AYO_HANDOFF_TEAMS (else the built-in one), read once."""
    return Teams.load(path)
