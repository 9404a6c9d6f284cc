"""The demo organisation: loaded into an empty database so Ayo can be tried at once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import yamltext
from core.storage.db import Database
from core.storage.models import Employee, OrgUnit

ORGANISATION = Path(__file__).with_name("organisation.yaml")
# The demo OPDs' leave authority (who grants leave: the PPK's delegation decree).
LEAVE_AUTHORITY = Path(__file__).with_name("leave_authority.yaml")


def demo_nip(born: date, tmt: str, sex: str, serial: int) -> str:
    """A NIP in the real layout: birth date, appointment month, sex (1 male, 2 female), serial."""
    year, month = tmt.split("-")
    return f"{born:%Y%m%d}{year}{int(month):02d}{1 if sex == 'L' else 2}{serial:03d}"


def read_organisation(path: Path = ORGANISATION) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yamltext.load(handle)


async def load_demo(db: Database, now: datetime, path: Path = ORGANISATION) -> int:
    """Create or update the demo units and employees; safe to run any number of times."""
    data = read_organisation(path)
    async with db.transaction() as session:
        units: dict[str, OrgUnit] = {}
        for spec in data["units"]:
            unit = (
                await session.execute(select(OrgUnit).where(OrgUnit.code == spec["code"]))
            ).scalar() or OrgUnit(code=spec["code"])
            unit.name = spec["name"]
            unit.kind = spec.get("kind", "opd")
            unit.parent = units.get(spec.get("parent", ""))
            session.add(unit)
            units[spec["code"]] = unit
        await session.flush()
        people: dict[str, Employee] = {}
        for serial, spec in enumerate(data["employees"], start=1):
            nip = demo_nip(spec["born"], spec["tmt"], spec["sex"], serial)
            person = (
                await session.execute(select(Employee).where(Employee.nip == nip))
            ).scalar() or Employee(nip=nip, created_at=now)
            year, month = (int(x) for x in spec["tmt"].split("-"))
            person.name = spec["name"]
            person.position = spec["position"]
            person.unit_id = units[spec["unit"]].id
            person.employment = spec.get("employment", "PNS")
            person.service_start = date(year, month, 1)
            person.gender = spec["sex"]
            person.phone = f"62812{serial:08d}"
            person.roles = ["employee", *spec.get("roles", [])]
            person.active = True
            supervisor = people.get(spec.get("reports_to", ""))
            person.supervisor_id = supervisor.id if supervisor else None
            session.add(person)
            await session.flush()
            people[spec["key"]] = person
        from integrations.leave_authority import load_file

        await load_file(session, LEAVE_AUTHORITY)
        return len(people)


def demo_nips(path: Path = ORGANISATION) -> list[str]:
    """The NIPs `load_demo` gives the demo employees."""
    data = read_organisation(path)
    return [
        demo_nip(spec["born"], spec["tmt"], spec["sex"], serial)
        for serial, spec in enumerate(data["employees"], start=1)
    ]


async def demo_employee_count(session: AsyncSession) -> int:
    """How many demo employees the database holds (production refuses to start with any)."""
    query = select(func.count(Employee.id)).where(Employee.nip.in_(demo_nips()))
    return (await session.execute(query)).scalar_one()


async def is_empty(session: AsyncSession) -> bool:
    return (await session.execute(select(func.count(Employee.id)))).scalar_one() == 0


async def users(db: Database) -> list[dict[str, Any]]:
    """Every employee as the `ayo demo users --json` contract prints them."""
    async with db.sessions() as session:
        rows = (await session.execute(select(Employee).order_by(Employee.id))).scalars().all()
        by_id = {e.id: e for e in rows}
        return [
            {
                "nip": e.nip,
                "name": e.name,
                "position": e.position,
                "unit": e.unit.name,
                "employment": e.employment,
                "roles": list(e.roles or []),
                "supervisor_nip": by_id[e.supervisor_id].nip if e.supervisor_id else None,
            }
            for e in rows
        ]
