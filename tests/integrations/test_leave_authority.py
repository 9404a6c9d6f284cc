"""Who decides leave: the atasan langsung considers, the PyBMC of the OPD decides, as the
regulation's form allows per leave type; a Plh. decides only with the letter that appoints them.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.app import App
from core.clock import FixedClock
from core.storage.models import Delegation, Employee, ServiceRequest
from integrations import leave_authority
from integrations.approvals import Refused, decide
from integrations.sweeps import remind_and_escalate
from tests.support.ayo_chat import text_of
from tests.support.requests_kit import audit, env, leave, person, reload, steps

DEC_7, DEC_8 = date(2026, 12, 7), date(2026, 12, 8)


async def _shipped_leave(ayo: App, clock: FixedClock, name: str, kind: str = "tahunan"):
    chain = ayo.deps.services.get("cuti").approval
    return await leave(ayo, clock, name, DEC_7, DEC_8, days=2, kind=kind, approval=chain)


async def _decide(ayo, clock, step_id, actor, outcome, reason=None):
    who = await person(ayo, actor)
    async with ayo.db.transaction() as session:
        return await decide(
            session,
            step_id,
            actor_id=who.id,
            approve=outcome == "setuju",
            outcome=outcome,
            reason=reason,
            env=env(ayo, clock),
        )


async def _delegate(ayo, clock, principal: Employee, delegate: Employee, letter: str | None):
    async with ayo.db.transaction() as session:
        session.add(
            Delegation(
                principal_id=principal.id,
                delegate_id=delegate.id,
                kind="plh",
                start_date=date(2026, 12, 1),
                end_date=date(2026, 12, 4),
                letter_number=letter,
                created_at=clock(),
            )
        )


async def test_deciders_follow_the_opds_decree_per_leave_type(ayo: App) -> None:
    names = ("Dimas Prasetyo", "Sri Wahyuni", "Budi Santoso", "Ratna Dewi Lestari")
    nip = {n: (await person(ayo, n)).nip for n in names}
    nip["Agus Setiawan"] = (await person(ayo, "Agus Setiawan")).nip
    async with ayo.db.sessions() as session:
        dimas = await session.get(Employee, (await person(ayo, "Dimas Prasetyo")).id)
        agus = await session.get(Employee, (await person(ayo, "Agus Setiawan")).id)
        annual = await leave_authority.deciders(session, dimas, "tahunan")
        sick = await leave_authority.deciders(session, dimas, "sakit")
        # Agus reports to the head of the OPD, who is also the PyBMC: one decision.
        boss_is_authority = await leave_authority.deciders(session, agus, "tahunan")
    assert annual == [
        {"role": "atasan_langsung", "nip": nip["Sri Wahyuni"]},
        {"role": "pejabat_berwenang", "nip": nip["Budi Santoso"]},
    ]
    # bot/demo/leave_authority.yaml: DISKOMINFO's Sekretaris Dinas grants sick leave.
    assert sick == [
        {"role": "atasan_langsung", "nip": nip["Sri Wahyuni"]},
        {"role": "pejabat_berwenang", "nip": nip["Ratna Dewi Lestari"]},
    ]
    assert boss_is_authority == [{"role": "pejabat_berwenang", "nip": nip["Budi Santoso"]}]


async def test_sick_leave_is_a_right_the_pybmc_cannot_refuse_or_postpone(
    ayo: App, clock: FixedClock
) -> None:
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo", kind="sakit")
    first, second = await steps(ayo, request.id)
    assert (await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")).ok
    for outcome in ("tidak_disetujui", "ditangguhkan", "perubahan"):
        refused = await _decide(ayo, clock, second.id, "Ratna Dewi Lestari", outcome, "x")
        assert refused.refused is Refused.NOT_ALLOWED
    assert (await reload(ayo, request.id)).status == "waiting"
    assert (await _decide(ayo, clock, second.id, "Ratna Dewi Lestari", "setuju")).ok
    assert (await reload(ayo, request.id)).status == "approved"


async def test_annual_leave_may_be_postponed_with_a_reason_and_the_employee_is_told(
    ayo: App, clock: FixedClock
) -> None:
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, second = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    no_reason = await _decide(ayo, clock, second.id, "Budi Santoso", "ditangguhkan")
    assert no_reason.refused is Refused.REASON_REQUIRED
    done = await _decide(
        ayo, clock, second.id, "Budi Santoso", "ditangguhkan", "audit BPK 7-11 Desember"
    )
    assert done.ok and done.final
    assert (await reload(ayo, request.id)).status == "postponed"
    told = text_of(await ayo.local.collect((await person(ayo, "Dimas Prasetyo")).nip))
    assert "Ditangguhkan. Alasan: audit BPK 7-11 Desember" in told
    [event] = await audit(ayo, "decide.postpone")
    assert (event.detail["role"], event.detail["outcome"]) == ("pybmc", "ditangguhkan")
    # PP 11/2017 Ps. 315: at most 1 year, from the first day (7 December 2026).
    assert "diberikan paling lambat Senin, 6 Desember 2027." in told
    assert (await reload(ayo, request.id)).data["_postponed_until"] == "2027-12-06"
    [moved] = await audit(ayo, "status.postponed")
    assert moved.detail["until"] == "2027-12-06"


async def _with_purpose(ayo: App, request_id: int, reason: str) -> None:
    async with ayo.db.transaction() as session:
        request = await session.get(ServiceRequest, request_id)
        request.data = {**request.data, "reason": reason}


async def test_cuti_besar_for_the_hajj_is_never_postponed_other_cuti_besar_may_be(
    ayo: App, clock: FixedClock
) -> None:
    # PP 11/2017 Ps. 317: postponed at most 1 year, "kecuali untuk kepentingan agama".
    hajj = await _shipped_leave(ayo, clock, "Dimas Prasetyo", kind="besar")
    await _with_purpose(ayo, hajj.id, "menunaikan ibadah haji")
    other = await _shipped_leave(ayo, clock, "Dimas Prasetyo", kind="besar")
    async with ayo.db.sessions() as session:
        for request, expected in (
            (hajj, ("setuju", "perubahan", "tidak_disetujui")),
            (other, ("setuju", "perubahan", "ditangguhkan", "tidak_disetujui")),
        ):
            found = await session.get(ServiceRequest, request.id)
            got = await leave_authority.outcomes_for(session, found, ayo.deps.leave_rules)
            assert got == expected
    first, second = await steps(ayo, hajj.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    refused = await _decide(ayo, clock, second.id, "Budi Santoso", "ditangguhkan", "rapat")
    assert refused.refused is Refused.NOT_ALLOWED
    assert (await reload(ayo, hajj.id)).status == "waiting"
    first, second = await steps(ayo, other.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    done = await _decide(ayo, clock, second.id, "Budi Santoso", "ditangguhkan", "audit BPK")
    assert done.ok and (await reload(ayo, other.id)).data["_postponed_until"] == "2027-12-06"


async def test_a_pppk_s_annual_leave_is_not_postponed(ayo: App, clock: FixedClock) -> None:
    # PP 49/2018 and Perban BKN 7/2022 give no postponement of a PPPK's leave: not offered.
    request = await _shipped_leave(ayo, clock, "Fajar Nugroho")
    async with ayo.db.sessions() as session:
        found = await session.get(ServiceRequest, request.id)
        got = await leave_authority.outcomes_for(session, found, ayo.deps.leave_rules)
    assert got == ("setuju", "perubahan", "tidak_disetujui")


async def test_a_change_returns_the_request_to_be_filed_again(ayo: App, clock: FixedClock) -> None:
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, second = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "perubahan", "geser ke 14 Desember")
    assert (await reload(ayo, request.id)).status == "waiting"  # a consideration only
    await _decide(ayo, clock, second.id, "Budi Santoso", "perubahan", "ambil 14-15 Desember")
    assert (await reload(ayo, request.id)).status == "returned"
    told = text_of(await ayo.local.collect((await person(ayo, "Dimas Prasetyo")).nip))
    assert "Perubahan. Alasan: ambil 14-15 Desember" in told
    assert "ajukan kembali" in told


async def test_a_plh_without_the_assignment_letter_does_not_decide(
    ayo: App, clock: FixedClock
) -> None:
    budi, ratna = await person(ayo, "Budi Santoso"), await person(ayo, "Ratna Dewi Lestari")
    await _delegate(ayo, clock, budi, ratna, letter=None)
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, second = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    [second] = [s for s in await steps(ayo, request.id) if s.id == second.id]
    # The prompt stays with the official: an unrecorded assignment moves no authority.
    assert (second.approver_id, second.acting_for_id) == (budi.id, None)
    refused = await _decide(ayo, clock, second.id, "Ratna Dewi Lestari", "setuju")
    assert refused.refused is Refused.NOT_APPROVER
    assert (await reload(ayo, request.id)).status == "waiting"


async def test_a_plh_with_the_letter_decides_and_the_letter_is_recorded(
    ayo: App, clock: FixedClock
) -> None:
    budi, ratna = await person(ayo, "Budi Santoso"), await person(ayo, "Ratna Dewi Lestari")
    await _delegate(ayo, clock, budi, ratna, letter="800.1.3/SPT-17/2026")
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, second = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    [second] = [s for s in await steps(ayo, request.id) if s.id == second.id]
    assert (second.approver_id, second.acting_for_id) == (ratna.id, budi.id)
    assert (await _decide(ayo, clock, second.id, "Ratna Dewi Lestari", "setuju")).ok
    assert (await reload(ayo, request.id)).status == "approved"
    [event] = [e for e in await audit(ayo, "decide.approve") if e.detail["role"] == "pybmc"]
    assert event.detail["for"] == budi.id
    assert event.detail["assignment"] == {
        "kind": "plh",
        "letter": "800.1.3/SPT-17/2026",
        "from": "2026-12-01",
        "to": "2026-12-04",
    }


async def test_a_requester_named_plh_never_decides_their_own_leave(
    ayo: App, clock: FixedClock
) -> None:
    budi, dimas = await person(ayo, "Budi Santoso"), await person(ayo, "Dimas Prasetyo")
    await _delegate(ayo, clock, budi, dimas, letter="800.1.3/SPT-18/2026")
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, second = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    [second] = [s for s in await steps(ayo, request.id) if s.id == second.id]
    assert second.approver_id == budi.id  # never routed to the requester
    refused = await _decide(ayo, clock, second.id, "Dimas Prasetyo", "setuju")
    assert refused.refused is Refused.SELF
    assert (await reload(ayo, request.id)).status == "waiting"


async def test_a_silent_pybmc_is_not_escalated_away_hr_is_told(
    ayo: App, clock: FixedClock
) -> None:
    request = await _shipped_leave(ayo, clock, "Dimas Prasetyo")
    first, _ = await steps(ayo, request.id)
    await _decide(ayo, clock, first.id, "Sri Wahyuni", "setuju")
    cal = ayo.deps.calendar
    clock.advance(timedelta(days=3))  # Friday 09:00: past 16 working hours
    await remind_and_escalate(ayo.db, clock(), cal)
    chain = await steps(ayo, request.id)
    assert [(s.role, s.status) for s in chain] == [("atasan", "approved"), ("pybmc", "waiting")]
    assert chain[1].approver_id == (await person(ayo, "Budi Santoso")).id
    hr = text_of(await ayo.local.collect((await person(ayo, "Wulan Sari")).nip))
    assert "Kewenangan tetap padanya" in hr
    assert len(await audit(ayo, "step.escalation_held")) == 1
