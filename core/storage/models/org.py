"""The organisation: units (OPD and sub-units) and employees."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ColumnElement, Date, ForeignKey, String, literal
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.storage.base import Base
from core.storage.types import UTCDateTime, json_list_contains

NIP_RE = re.compile(r"^\d{18}$")
ROLES = ("employee", "supervisor", "hr_admin")


def nip_is_valid(nip: str) -> bool:
    """A NIP has 18 digits: birth date (8), appointment month (6), sex (1), serial (3)."""
    if not NIP_RE.match(nip):
        return False
    try:
        date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return False
    appointed_month = int(nip[12:14])
    return 1 <= appointed_month <= 12 and nip[14] in "12"


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="opd")  # opd | bidang | seksi
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    def opd(self) -> OrgUnit:
        """The top-level unit (OPD) this unit belongs to; parents must be loaded."""
        unit = self
        while unit.parent is not None:
            unit = unit.parent
        return unit


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    employment: Mapped[str] = mapped_column(String(8), default="PNS")  # PNS | PPPK
    service_start: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    gender: Mapped[str] = mapped_column(String(1), default="L")  # L | P
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["employee"])
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    language: Mapped[str] = mapped_column(String(2), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    supervisor: Mapped[Employee | None] = relationship(remote_side=[id])

    @validates("nip")
    def _check_nip(self, _key: str, nip: str) -> str:
        if not nip_is_valid(nip):
            raise ValueError("NIP must have 18 digits and a valid date of birth")
        return nip

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @classmethod
    def with_role(cls, role: str) -> ColumnElement[bool]:
        """A WHERE clause: the employee holds `role` (evaluated in SQL, on both backends)."""
        return json_list_contains(cls.roles, literal(role))
