"""A small organisation for tests that must not use the demo (production mode).

Two OPDs: A (with sub-unit A1) and B. In A: an HR admin, a supervisor and their staff member;
in B: a supervisor and their staff member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.storage.db import Database
from core.storage.models import Employee, OrgUnit

# NIP layout: birth date, appointment year+month, sex, serial.
HR_A = "198001012005011001"
BOSS_A = "198202022006021002"
STAFF_A = "199003032015031003"
BOSS_B = "198404042007042004"
STAFF_B = "199205052016052005"


@dataclass(frozen=True)
class SmallOrg:
    ids: dict[str, int]  # NIP -> employee id
    units: dict[str, int]  # unit code -> id


async def small_org(db: Database, now: datetime) -> SmallOrg:
    async with db.transaction() as session:
        a = OrgUnit(code="A", name="Dinas A", kind="opd")
        b = OrgUnit(code="B", name="Dinas B", kind="opd")
        session.add_all([a, b])
        await session.flush()
        a1 = OrgUnit(code="A1", name="Bidang A1", kind="bidang", parent_id=a.id)
        session.add(a1)
        await session.flush()

        def person(nip: str, name: str, unit: OrgUnit, roles: list[str], boss: Employee | None):
            employee = Employee(
                nip=nip,
                name=name,
                position="Staf",
                unit_id=unit.id,
                supervisor_id=boss.id if boss else None,
                service_start=date(2010, 1, 1),
                gender="L" if nip[14] == "1" else "P",
                roles=["employee", *roles],
                created_at=now,
            )
            session.add(employee)
            return employee

        hr = person(HR_A, "Hana HR", a, ["hr_admin"], None)
        await session.flush()
        boss_a = person(BOSS_A, "Bayu Atasan", a1, ["supervisor"], None)
        boss_b = person(BOSS_B, "Bella Atasan", b, ["supervisor"], None)
        await session.flush()
        staff_a = person(STAFF_A, "Sari Staf", a1, [], boss_a)
        staff_b = person(STAFF_B, "Seno Staf", b, [], boss_b)
        await session.flush()
        ids = {e.nip: e.id for e in (hr, boss_a, boss_b, staff_a, staff_b)}
        return SmallOrg(ids=ids, units={"A": a.id, "A1": a1.id, "B": b.id})
