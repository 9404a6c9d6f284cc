"""Who considers and who decides a leave request, and which decisions the regulation allows.

PP 11/2017 Ps. 309 ayat (1)-(2): leave is granted by the PPK, who may delegate that authority
to officials of the OPD (the "Pejabat yang Berwenang Memberikan Cuti", PyBMC). Perban BKN
24/2017 (as amended by Perban BKN 7/2021), Anak Lampiran I.b, the form "Formulir Permintaan
dan Pemberian Cuti": part VII "Pertimbangan Atasan Langsung" and part VIII "Keputusan Pejabat
yang Berwenang Memberikan Cuti", each one of DISETUJUI / PERUBAHAN / DITANGGUHKAN / TIDAK
DISETUJUI, the last three ticked "dan alasannya" (with the reason).

So a leave request has two steps: the atasan langsung's consideration (role "atasan"), which
never closes the request by itself, then the PyBMC's decision (role "pybmc"). Who holds the
PyBMC authority is a table per OPD (`LeaveAuthority`, loaded from YAML: `load_file`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import yamltext
from core.storage.models import Delegation, Employee, LeaveAuthority, OrgUnit
from core.text import T
from integrations.leave_rules import rules_employment

ATASAN = "atasan"
PYBMC = "pybmc"
# The roles as `ayo leave check --json` names them in "deciders".
DECIDER_ROLE = {ATASAN: "atasan_langsung", PYBMC: "pejabat_berwenang"}

SETUJU = "setuju"
PERUBAHAN = "perubahan"
DITANGGUHKAN = "ditangguhkan"
TIDAK_DISETUJUI = "tidak_disetujui"
OUTCOMES = (SETUJU, PERUBAHAN, DITANGGUHKAN, TIDAK_DISETUJUI)
# Anak Lampiran I.b parts VII and VIII: every box but DISETUJUI is ticked with its reason.
NEEDS_REASON = frozenset({PERUBAHAN, DITANGGUHKAN, TIDAK_DISETUJUI})

OUTCOME_TEXT: dict[str, T] = {
    SETUJU: T("Disetujui", "Approved"),
    PERUBAHAN: T("Perubahan", "Change needed"),
    DITANGGUHKAN: T("Ditangguhkan", "Postponed"),
    TIDAK_DISETUJUI: T("Tidak disetujui", "Not approved"),
}

# Which decisions each leave type admits. A right the regulation grants outright is never
# refused or postponed; where the text is silent we take the reading that keeps the right.
# DITANGGUHKAN is further limited per request by the leave rules (`postpone_months`,
# `postpone_not_religious` in integrations/rules/leave.yaml): see `outcomes_for`.
ALLOWED: dict[str, tuple[str, ...]] = {
    # PP 11/2017 Ps. 315 (Perban BKN 24/2017 Lampiran I.A angka 11): annual leave may be
    # postponed by the PyBMC for at most 1 year "apabila kepentingan dinas mendesak"; the
    # form admits a change of dates or a refusal, each with its reason.
    "tahunan": OUTCOMES,
    # PP 11/2017 Ps. 317: cuti besar may be postponed for at most 1 year when the service
    # urgently needs the employee, except when it is for a religious purpose.
    "besar": OUTCOMES,
    # PP 11/2017 Ps. 321-323 as amended by PP 17/2020: "PNS yang menderita sakit berhak atas
    # cuti sakit" with the doctor's letter: a right, only approved (a missing letter is
    # asked for with "Minta info", not refused).
    "sakit": (SETUJU,),
    # PP 11/2017 Ps. 325: maternity leave for the 1st to 3rd child is a right.
    "melahirkan": (SETUJU,),
    # PP 11/2017 Ps. 326-328: the listed important reasons; the text gives no ground to
    # refuse or postpone a listed reason, so only the dates may be changed.
    "alasan_penting": (SETUJU, PERUBAHAN),
    # PP 11/2017 Ps. 331-332: CLTN "dapat diberikan" (may be granted): every decision.
    "cltn": OUTCOMES,
}


def allowed_outcomes(leave_type: str | None) -> tuple[str, ...]:
    return ALLOWED.get(leave_type or "", OUTCOMES)


async def outcomes_for(session: AsyncSession, request: Any, rules: Any) -> tuple[str, ...]:
    """The decisions open on this request: the type's, without DITANGGUHKAN when the leave
    rules do not let this leave be postponed (a PPPK's, or a cuti besar for the hajj)."""
    base = allowed_outcomes(request.kind)
    kind = await rule_of(session, request, rules)
    if DITANGGUHKAN in base and kind is not None and not kind.postponable(request.data or {}):
        return tuple(o for o in base if o != DITANGGUHKAN)
    return base


async def rule_of(session: AsyncSession, request: Any, rules: Any) -> Any:
    """The leave rule (integrations/leave_rules.LeaveType) of this request, if one applies."""
    if rules is None or request.kind is None or request.start_date is None:
        return None
    employee = await session.get(Employee, request.employee_id)
    if employee is None:
        return None
    try:
        version = rules.version_for(request.start_date)
    except LookupError:
        return None
    return version.leave_type(request.kind, rules_employment(employee.employment))


def needs_reason(outcome: str) -> bool:
    return outcome in NEEDS_REASON


# -- the delegation decree ----------------------------------------------------------------------
@dataclass(frozen=True)
class AuthoritySpec:
    opd: str
    leave_type: str | None
    holder: str  # head_of_opd | position | nip
    position: str | None = None
    nip: str | None = None
    decree: str | None = None


def read_file(path: Path) -> list[AuthoritySpec]:
    """The decree as YAML: `{opd: {default: {...}, types: {sakit: {...}}, decree: "..."}}`."""
    with path.open(encoding="utf-8") as handle:
        data = yamltext.load(handle) or {}
    specs: list[AuthoritySpec] = []
    for opd, entry in (data.get("opd") or {}).items():
        decree = entry.get("decree")
        for leave_type, holder in [
            (None, entry.get("default") or {"holder": "head_of_opd"}),
            *(entry.get("types") or {}).items(),
        ]:
            kind = holder.get("holder", "head_of_opd")
            if kind not in ("head_of_opd", "position", "nip"):
                raise ValueError(f"{opd}: unknown holder {kind!r}")
            specs.append(
                AuthoritySpec(
                    str(opd),
                    leave_type,
                    kind,
                    holder.get("position"),
                    str(holder["nip"]) if holder.get("nip") else None,
                    holder.get("decree", decree),
                )
            )
    return specs


async def load(session: AsyncSession, specs: list[AuthoritySpec]) -> int:
    """Replace the authority rows of the OPDs named in `specs` (safe to run again)."""
    opds = {s.opd for s in specs}
    for row in (
        await session.execute(select(LeaveAuthority).where(LeaveAuthority.opd_code.in_(opds)))
    ).scalars():
        await session.delete(row)
    await session.flush()
    for spec in specs:
        session.add(
            LeaveAuthority(
                opd_code=spec.opd,
                leave_type=spec.leave_type,
                holder=spec.holder,
                position=spec.position,
                nip=spec.nip,
                decree=spec.decree,
            )
        )
    await session.flush()
    return len(specs)


async def load_file(session: AsyncSession, path: Path) -> int:
    return await load(session, read_file(path))


async def opd_of(session: AsyncSession, employee: Employee) -> OrgUnit | None:
    unit = await session.get(OrgUnit, employee.unit_id)
    for _ in range(12):  # a loop in bad data must not hang
        if unit is None or unit.parent_id is None:
            return unit
        unit = await session.get(OrgUnit, unit.parent_id)
    return None


async def _in_opd(session: AsyncSession, opd: OrgUnit) -> list[Employee]:
    units = {opd.id}
    rows = list((await session.execute(select(OrgUnit))).scalars())
    grew = True
    while grew:
        more = {u.id for u in rows if u.parent_id in units} - units
        grew = bool(more)
        units |= more
    found = await session.execute(
        select(Employee).where(Employee.unit_id.in_(units), Employee.active.is_(True))
    )
    return list(found.scalars())


async def holder(
    session: AsyncSession, employee: Employee, leave_type: str | None
) -> Employee | None:
    """The PyBMC for this employee's leave of `leave_type`, per the OPD's decree.

    Without a row for the OPD the head of the OPD holds it (the usual delegation; HR must
    confirm per OPD). Never the requester: a head of OPD's own leave goes to HR routing.
    """
    opd = await opd_of(session, employee)
    if opd is None:
        return None
    rows = list(
        (
            await session.execute(
                select(LeaveAuthority).where(LeaveAuthority.opd_code == opd.code)
            )
        ).scalars()
    )
    spec = next((r for r in rows if r.leave_type == leave_type), None) or next(
        (r for r in rows if r.leave_type is None), None
    )
    people = await _in_opd(session, opd)
    found: Employee | None = None
    if spec is None or spec.holder == "head_of_opd":
        found = next((p for p in people if p.unit_id == opd.id and p.supervisor_id is None), None)
    elif spec.holder == "position":
        found = next((p for p in people if p.position == spec.position), None)
    elif spec.holder == "nip":
        found = (await session.execute(select(Employee).where(Employee.nip == spec.nip))).scalar()
    if found is None or found.id == employee.id:
        return None
    return found


async def deciders(
    session: AsyncSession, employee: Employee, leave_type: str | None
) -> list[dict[str, str]]:
    """Who gives the consideration and who decides, in order: `[{"role", "nip"}]`.

    The atasan langsung first (if any), then the PyBMC; one person holding both decides once
    (role "pejabat_berwenang"), as the approval chain does.
    """
    out: list[dict[str, str]] = []
    boss = await session.get(Employee, employee.supervisor_id) if employee.supervisor_id else None
    authority = await holder(session, employee, leave_type)
    if boss is not None and (authority is None or boss.id != authority.id):
        out.append({"role": DECIDER_ROLE[ATASAN], "nip": boss.nip})
    if authority is not None:
        out.append({"role": DECIDER_ROLE[PYBMC], "nip": authority.nip})
    return out


# -- delegates (Plh./Plt.) ------------------------------------------------------------------------
async def assignment(
    session: AsyncSession, principal_id: int, delegate_id: int, day: date
) -> Delegation | None:
    """The recorded assignment letting `delegate_id` act for `principal_id` on `day`.

    Only an assignment with its letter's number counts: deciding leave is a legal authority
    and the letter (surat perintah Plh./Plt.) is what gives it to the delegate.
    """
    row = (
        await session.execute(
            select(Delegation)
            .where(
                Delegation.principal_id == principal_id,
                Delegation.delegate_id == delegate_id,
                Delegation.start_date <= day,
                Delegation.end_date >= day,
                Delegation.revoked_at.is_(None),
                Delegation.letter_number.is_not(None),
            )
            .order_by(Delegation.id.desc())
        )
    ).scalar()
    return row if row is not None and (row.letter_number or "").strip() else None


def describe(delegation: Delegation | None) -> dict[str, Any] | None:
    """What the letter and the audit say of a delegate's assignment."""
    if delegation is None:
        return None
    return {
        "kind": delegation.kind,
        "letter": delegation.letter_number,
        "from": delegation.start_date.isoformat(),
        "to": delegation.end_date.isoformat(),
    }
