"""What an import would change: the file's rows compared with the units and employees held."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Employee, LeaveOpeningBalance, OrgUnit
from integrations.org.rows import Person

# The employee columns an import owns, in the order the report names them.
FIELDS = (
    "name",
    "title_front",
    "title_back",
    "gender",
    "employment",
    "service_start",
    "position",
    "unit_id",
    "supervisor_id",
    "roles",
    "phone",
    "email",
    "children",
    "cuti_bersama_denied",
    "active",
)
_OPTIONAL_FIELD = {
    "title_front": "gelar_depan",
    "title_back": "gelar_belakang",
    "roles": "peran",
    "phone": "telepon",
    "email": "email",
    "children": "jumlah_anak",
    "cuti_bersama_denied": "tanpa_cuti_bersama",
}
_DEFAULTS: dict[str, Any] = {
    "title_front": "",
    "title_back": "",
    "phone": None,
    "email": None,
    "children": None,
    "cuti_bersama_denied": False,
}
UNIT_KINDS = ("opd", "bidang", "seksi")


@dataclass
class Held:
    """The database as the import found it (plain tuples: 20,000 ORM objects are slow)."""

    units: dict[str, dict[str, Any]]  # code → id, name, kind, parent_id, active
    employees: dict[str, dict[str, Any]]  # nip → id and FIELDS
    balances: dict[int, tuple[int, float | None, float | None]]  # employee id → year, n1, n2

    @property
    def unit_codes(self) -> dict[int, str]:
        return {u["id"]: code for code, u in self.units.items()}

    @property
    def nips(self) -> dict[int, str]:
        return {e["id"]: nip for nip, e in self.employees.items()}


async def load_held(session: AsyncSession) -> Held:
    units = {
        r.code: dict(r._mapping)
        for r in await session.execute(
            select(
                OrgUnit.id,
                OrgUnit.code,
                OrgUnit.name,
                OrgUnit.kind,
                OrgUnit.parent_id,
                OrgUnit.active,
            )
        )
    }
    columns = [getattr(Employee, f) for f in FIELDS]
    employees = {
        r.nip: dict(r._mapping)
        for r in await session.execute(select(Employee.id, Employee.nip, *columns))
    }
    rows = await session.execute(
        select(
            LeaveOpeningBalance.employee_id,
            LeaveOpeningBalance.year,
            LeaveOpeningBalance.remaining_n1,
            LeaveOpeningBalance.remaining_n2,
        )
    )
    balances = {r.employee_id: (r.year, r.remaining_n1, r.remaining_n2) for r in rows}
    return Held(units, employees, balances)


@dataclass
class Change:
    action: str  # added | updated | deactivated
    key: str  # NIP or unit code
    name: str
    fields: list[str] = field(default_factory=list)
    line: int | None = None

    def as_dict(self, key_name: str) -> dict[str, Any]:
        return {
            "action": self.action,
            key_name: self.key,
            "name": self.name,
            "fields": self.fields,
            "line": self.line,
        }


@dataclass
class Plan:
    """Everything to write, as plain values keyed by NIP and unit code (ids come later)."""

    unit_new: dict[str, dict[str, Any]] = field(default_factory=dict)
    unit_changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    unit_gone: list[int] = field(default_factory=list)
    unit_parents: dict[str, str | None] = field(default_factory=dict)
    people_new: dict[str, dict[str, Any]] = field(default_factory=dict)
    people_changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    people_gone: list[int] = field(default_factory=list)
    supervisors: dict[str, str | None] = field(default_factory=dict)
    units_of: dict[str, str] = field(default_factory=dict)
    balances: dict[str, tuple[int, float | None, float | None]] = field(default_factory=dict)
    phones_released: list[int] = field(default_factory=list)
    unit_changes: list[Change] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    units_unchanged: int = 0

    def count(self, action: str, units: bool = False) -> int:
        return sum(c.action == action for c in (self.unit_changes if units else self.changes))


def _kinds(parents: dict[str, str | None]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for code in parents:
        depth, seen, parent = 0, {code}, parents[code]
        while parent is not None and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parents.get(parent)
        kinds[code] = UNIT_KINDS[min(depth, 2)]
    return kinds


def _plan_units(people: list[Person], held: Held, plan: Plan) -> None:
    units: dict[str, Person] = {}
    for p in people:
        units.setdefault(p.unit_code, p)
    by_id = held.unit_codes
    parents: dict[str, str | None] = {
        code: (by_id.get(u["parent_id"]) if u["parent_id"] else None)
        for code, u in held.units.items()
    }
    parents.update({code: p.parent_code for code, p in units.items()})
    kinds = _kinds(parents)
    # A unit only named as a parent stays as it is (the file has no row of its own for it).
    kept = {code for code in parents if code in units}
    chain = {p.parent_code for p in units.values() if p.parent_code}
    while chain - kept:
        kept |= chain
        chain = {parents[c] for c in chain if parents.get(c)}
    for code, p in units.items():
        want = {"name": p.unit_name, "kind": kinds[code], "active": True}
        have = held.units.get(code)
        if have is None:
            plan.unit_new[code] = want
            plan.unit_parents[code] = p.parent_code
            plan.unit_changes.append(Change("added", code, p.unit_name, line=p.line))
            continue
        old_parent = by_id.get(have["parent_id"]) if have["parent_id"] else None
        changed = [k for k, v in want.items() if have[k] != v]
        if old_parent != p.parent_code:
            changed.append("parent")
            plan.unit_parents[code] = p.parent_code
        if changed:
            plan.unit_changed[code] = {"id": have["id"], **want}
            plan.unit_changes.append(Change("updated", code, p.unit_name, changed, p.line))
        else:
            plan.units_unchanged += 1
    for code, have in held.units.items():
        if code in kept:
            continue
        if have["active"]:
            plan.unit_gone.append(have["id"])
            plan.unit_changes.append(Change("deactivated", code, have["name"]))
        else:
            plan.units_unchanged += 1


def _roles(p: Person, have: dict[str, Any] | None, bosses: set[str]) -> list[str]:
    if p.roles is not None:
        rest = set(p.roles)
    else:
        rest = set((have or {}).get("roles") or [])
        rest.discard("supervisor")
    rest.discard("employee")
    if p.nip in bosses:
        rest.add("supervisor")
    return ["employee", *sorted(rest)]


def build(people: list[Person], held: Held, skipped: set[str], year: int) -> Plan:
    """The plan for the good rows; NIPs of skipped rows are left exactly as they are."""
    plan = Plan()
    _plan_units(people, held, plan)
    bosses = {p.supervisor_nip for p in people if p.supervisor_nip}
    emp_ids = {nip: e["id"] for nip, e in held.employees.items()}
    in_file = {p.nip for p in people}
    phone_holder = {e["phone"]: nip for nip, e in held.employees.items() if e["phone"]}
    released: set[int] = set()
    unit_codes, nips = held.unit_codes, held.nips
    for p in people:
        have = held.employees.get(p.nip)
        want: dict[str, Any] = {
            "name": p.name,
            "title_front": p.title_front,
            "title_back": p.title_back,
            "gender": p.gender,
            "employment": p.employment,
            "service_start": p.service_start,
            "position": p.position,
            "roles": _roles(p, have, bosses),
            "phone": p.phone,
            "email": p.email,
            "children": p.children,
            "cuti_bersama_denied": p.cuti_bersama_denied,
            "active": True,
        }
        for key, column in _OPTIONAL_FIELD.items():
            if key != "roles" and column not in p.has:
                want[key] = have[key] if have else _DEFAULTS[key]
        holder = phone_holder.get(want["phone"]) if want["phone"] else None
        if holder is not None and holder != p.nip:
            if holder in skipped:
                want["phone"] = have["phone"] if have else None
            elif holder not in in_file:
                released.add(emp_ids[holder])  # a number that moved to someone else
        plan.units_of[p.nip] = p.unit_code
        plan.supervisors[p.nip] = p.supervisor_nip
        balance = None
        if {"sisa_cuti_n1", "sisa_cuti_n2"} & p.has:
            balance = (year, p.balance_n1, p.balance_n2)
        if have is None:
            plan.people_new[p.nip] = want
            plan.changes.append(Change("added", p.nip, p.name, line=p.line))
            if balance is not None and balance[1:] != (None, None):
                plan.balances[p.nip] = balance
            continue
        changed = [k for k, v in want.items() if have[k] != v]
        if unit_codes.get(have["unit_id"]) != p.unit_code:
            changed.append("unit")
        old_boss = nips.get(have["supervisor_id"]) if have["supervisor_id"] else None
        if old_boss != p.supervisor_nip:
            changed.append("supervisor")
        held_balance = held.balances.get(have["id"])
        empty = balance is not None and balance[1:] == (None, None)
        if balance is not None and held_balance != balance and not (empty and not held_balance):
            plan.balances[p.nip] = balance
            changed.append("sisa_cuti")
        if "phone" in changed and have["phone"]:
            released.add(have["id"])
        if changed:
            plan.people_changed[p.nip] = {"id": have["id"], **want}
            plan.changes.append(Change("updated", p.nip, p.name, changed, p.line))
        else:
            plan.unchanged += 1
    for nip, have in held.employees.items():
        if nip in in_file or nip in skipped:
            continue
        if have["active"]:
            plan.people_gone.append(have["id"])
            plan.changes.append(Change("deactivated", nip, have["name"]))
        else:
            plan.unchanged += 1
    plan.phones_released = sorted(released)
    return plan
