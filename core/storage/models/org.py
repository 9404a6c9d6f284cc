"""The organisation: units (OPD and sub-units) and employees."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ColumnElement, Date, ForeignKey, Integer, String, literal
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.storage.base import Base
from core.storage.types import UTCDateTime, json_list_contains

NIP_RE = re.compile(r"^\d{18}$")
ROLES = ("employee", "supervisor", "hr_admin", "operator", "pejabat_cuti")


def nip_is_valid(nip: str, *, appointment_month: bool = True) -> bool:
    """A NIP has 18 digits: birth date (8), appointment year and month (6), sex (1), serial (3).

    A PPPK's NI has the appointment year and the number of work agreements in digits 9–14
    instead, so `appointment_month=False` skips the month check for it.
    """
    if not NIP_RE.match(nip):
        return False
    try:
        date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return False
    month_ok = 1 <= int(nip[12:14]) <= 12 or not appointment_month
    return month_ok and nip[14] in "12"


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="opd")  # opd | bidang | seksi
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # False once an organisation import no longer lists the unit (units are never deleted).
    active: Mapped[bool] = mapped_column(Boolean, default=True)

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
    # Academic titles as the personnel system writes them (gelar depan / gelar belakang).
    title_front: Mapped[str] = mapped_column(String(60), default="")
    title_back: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    employment: Mapped[str] = mapped_column(String(8), default="PNS")  # PNS | CPNS | PPPK
    # TMT: the start of service (the CSV's `tmt`).
    service_start: Mapped[date] = mapped_column(Date)
    # E.164 (+628…) from an import; the demo writes digits only (62…). Linking compares digits.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(1), default="L")  # L | P
    # Number of children on record (jumlah_anak); None when the personnel file did not say.
    children: Mapped[int | None] = mapped_column(Integer)
    # True when the post keeps the employee at work on cuti bersama (hospital, fire brigade):
    # those days are added to cuti tahunan (PP 11/2017 Ps. 333 ayat (3)).
    cuti_bersama_denied: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["employee"])
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    language: Mapped[str] = mapped_column(String(2), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    supervisor: Mapped[Employee | None] = relationship(remote_side=[id])

    @validates("nip")
    def _check_nip(self, _key: str, nip: str) -> str:
        if not nip_is_valid(nip, appointment_month=False):
            raise ValueError("NIP must have 18 digits and a valid date of birth")
        return nip

    @property
    def full_name(self) -> str:
        """The name with academic titles, as written on letters: "dr. Ani Lestari, M.Kes."."""
        name = f"{self.title_front} {self.name}".strip()
        return f"{name}, {self.title_back}" if self.title_back else name

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @classmethod
    def with_role(cls, role: str) -> ColumnElement[bool]:
        """A WHERE clause: the employee holds `role` (evaluated in SQL, on both backends)."""
        return json_list_contains(cls.roles, literal(role))
