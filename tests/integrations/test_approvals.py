"""Approval rules: who may decide, once, in which order, via whom, and what is refused."""

from __future__ import annotations

from datetime import date, timedelta

from bot.app import App
from core.clock import FixedClock
from core.storage.models import Delegation
from integrations import approvals
from integrations.approvals import Refused, decide
from integrations.catalog import ApprovalPolicy, ApprovalStepSpec
from integrations.requests import cancel
from integrations.sweeps import remind_and_escalate
from tests.support.ayo_chat import button, press, text_of
from tests.support.requests_kit import audit, env, leave, person, reload, steps

DEC_7, DEC_8 = date(2026, 12, 7), date(2026, 12, 8)


async def _decide(
    ayo: App,
    clock: FixedClock,
    step_id: int,
    actor: str,
    *,
    approve: bool = True,
    reason: str | None = None,
) -> approvals.Outcome:
    who = await person(ayo, actor)
    async with ayo.db.transaction() as session:
        return await decide(
            session, step_id, actor_id=who.id, approve=approve, reason=reason, env=env(ayo, clock)
        )


async def test_the_direct_supervisor_gets_the_prompt_and_only_they_may_decide(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    sri = await person(ayo, "Sri Wahyuni")
    assert (step.approver_id, step.status) == (sri.id, "waiting")
    outcome = await _decide(ayo, clock, step.id, "Agus Setiawan")
    assert outcome.refused is Refused.NOT_APPROVER
    assert (await reload(ayo, request.id)).status == "waiting"
    assert len(await audit(ayo, "decide.refused.not_approver")) == 1


async def test_a_button_pressed_by_someone_else_is_refused_and_audited(
    ayo: App, clock: FixedClock
) -> None:
    await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    sri, agus = await person(ayo, "Sri Wahyuni"), await person(ayo, "Agus Setiawan")
    prompt = await ayo.local.collect(sri.nip)
    got = await press(ayo, agus.nip, button(prompt, "Setuju"))
    assert "bukan untuk Anda" in text_of(got)
    assert len(await audit(ayo, "refused.not_yours")) == 1


async def test_a_replayed_or_forged_token_is_refused(ayo: App, clock: FixedClock) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    sri = await person(ayo, "Sri Wahyuni")
    token = button(await ayo.local.collect(sri.nip), "Setuju")
    assert "disetujui" in text_of(await press(ayo, sri.nip, token))
    assert "sudah dipakai" in text_of(await press(ayo, sri.nip, token))
    assert "tidak dikenali" in text_of(await press(ayo, sri.nip, token[:-2] + "xx"))
    assert len(await audit(ayo, "decide.approve")) == 1
    assert (await reload(ayo, request.id)).status == "approved"


async def test_two_taps_decide_once(ayo: App, clock: FixedClock) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    first = await _decide(ayo, clock, step.id, "Sri Wahyuni")
    second = await _decide(ayo, clock, step.id, "Sri Wahyuni", approve=False, reason="x")
    assert (first.ok, second.refused) == (True, Refused.DECIDED)
    assert (await reload(ayo, request.id)).status == "approved"


async def test_self_approval_is_impossible(ayo: App, clock: FixedClock) -> None:
    request = await leave(ayo, clock, "Sri Wahyuni", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    assert step.approver_id == (await person(ayo, "Agus Setiawan")).id
    outcome = await _decide(ayo, clock, step.id, "Sri Wahyuni")
    assert outcome.refused is Refused.SELF
    assert (await reload(ayo, request.id)).status == "waiting"


async def test_a_rejection_needs_a_reason_and_tells_the_employee(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    refused = await _decide(ayo, clock, step.id, "Sri Wahyuni", approve=False, reason="  ")
    assert refused.refused is Refused.REASON_REQUIRED
    assert (
        await _decide(
            ayo, clock, step.id, "Sri Wahyuni", approve=False, reason="tim sedang kurang"
        )
    ).ok
    dimas = await person(ayo, "Dimas Prasetyo")
    assert "tim sedang kurang" in text_of(await ayo.local.collect(dimas.nip))
    assert (await reload(ayo, request.id)).status == "rejected"


async def test_a_decision_on_a_cancelled_request_is_refused(ayo: App, clock: FixedClock) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    dimas = await person(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        ok, _ = await cancel(session, request.id, actor_id=dimas.id, env=env(ayo, clock))
    assert ok
    assert (await _decide(ayo, clock, step.id, "Sri Wahyuni")).refused is Refused.CLOSED
    assert (await reload(ayo, request.id)).status == "cancelled"


async def test_the_atasan_considers_then_the_pybmc_of_the_opd_decides(
    ayo: App, clock: FixedClock
) -> None:
    # Perban BKN 24/2017 Anak Lampiran I.b parts VII and VIII; DISKOMINFO's decree (demo)
    # names the head of the OPD for annual leave.
    shipped = ayo.deps.services.get("cuti").approval
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2, approval=shipped)
    first, second = await steps(ayo, request.id)
    assert (first.role, first.status, first.approver_id) == (
        "atasan",
        "waiting",
        (await person(ayo, "Sri Wahyuni")).id,
    )
    assert (second.role, second.status, second.approver_id) == (
        "pybmc",
        "pending",
        (await person(ayo, "Budi Santoso")).id,
    )
    # The atasan's "tidak disetujui" is a consideration: the PyBMC still decides.
    await _decide(ayo, clock, first.id, "Sri Wahyuni", approve=False, reason="rapat anggaran")
    after = await reload(ayo, request.id)
    assert (after.status, after.current_step) == ("waiting", 2)
    prompt = text_of(await ayo.local.collect((await person(ayo, "Budi Santoso")).nip))
    assert "Pertimbangan atasan langsung (Sri Wahyuni): Tidak disetujui — rapat anggaran" in prompt
    await _decide(ayo, clock, second.id, "Budi Santoso")
    assert (await reload(ayo, request.id)).status == "approved"


async def test_parallel_steps_need_all_or_the_first_answer(ayo: App, clock: FixedClock) -> None:
    sri, maya = await person(ayo, "Sri Wahyuni"), await person(ayo, "Maya Sari")
    for mode, expected in (("all", "waiting"), ("any", "approved")):
        policy = ApprovalPolicy(
            steps=(ApprovalStepSpec(approver="employee", nips=(sri.nip, maya.nip), mode=mode),)
        )
        request = await leave(
            ayo, clock, "Dimas Prasetyo", DEC_7, DEC_7, days=1, kind="sakit", approval=policy
        )
        one, two = await steps(ayo, request.id)
        await _decide(ayo, clock, one.id, "Sri Wahyuni")
        assert (await reload(ayo, request.id)).status == expected
        if mode == "all":
            await _decide(ayo, clock, two.id, "Maya Sari")
            assert (await reload(ayo, request.id)).status == "approved"
        else:
            assert (await _decide(ayo, clock, two.id, "Maya Sari")).refused is Refused.DECIDED


async def test_a_delegate_gets_the_prompts_while_the_supervisor_is_away(
    ayo: App, clock: FixedClock
) -> None:
    sri, nurul = await person(ayo, "Sri Wahyuni"), await person(ayo, "Nurul Hidayah")
    async with ayo.db.transaction() as session:
        session.add(
            Delegation(
                principal_id=sri.id,
                delegate_id=nurul.id,
                start_date=date(2026, 12, 1),
                end_date=date(2026, 12, 4),
                created_at=clock(),
            )
        )
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    assert (step.approver_id, step.acting_for_id) == (nurul.id, sri.id)
    assert "Plh. Sri Wahyuni" in text_of(await ayo.local.collect(nurul.nip))
    assert (await _decide(ayo, clock, step.id, "Nurul Hidayah")).ok


async def test_a_supervisor_on_approved_leave_is_covered_by_their_own_supervisor(
    ayo: App, clock: FixedClock
) -> None:
    away = await leave(ayo, clock, "Sri Wahyuni", date(2026, 12, 1), date(2026, 12, 2), days=2)
    [step] = await steps(ayo, away.id)
    await _decide(ayo, clock, step.id, "Agus Setiawan")
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    assert step.approver_id == (await person(ayo, "Agus Setiawan")).id


async def test_only_an_hr_admin_may_reassign(ayo: App, clock: FixedClock) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    [step] = await steps(ayo, request.id)
    agus = await person(ayo, "Agus Setiawan")
    wulan = await person(ayo, "Wulan Sari")
    dimas = await person(ayo, "Dimas Prasetyo")
    async with ayo.db.transaction() as session:
        refused = await approvals.reassign(
            session, step.id, agus.id, actor_id=dimas.id, env=env(ayo, clock)
        )
        done = await approvals.reassign(
            session, step.id, agus.id, actor_id=wulan.id, env=env(ayo, clock)
        )
    assert (refused.refused, done.ok) == (Refused.NOT_APPROVER, True)
    old, new = await steps(ayo, request.id)
    assert (old.status, new.approver_id, new.status) == ("reassigned", agus.id, "waiting")


def document_links(text: str) -> list[str]:
    return [w for w in text.split() if "/documents/" in w]


async def test_a_reminder_and_an_escalation_carry_the_document_links_for_their_reader(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    store = ayo.deps.documents
    async with ayo.db.transaction() as session:
        doc = await store.save(
            session, b"%PDF-1.7\n%%EOF\n", kind="doctor_letter",
            owner_id=request.employee_id, source="test", now=clock(),
        )  # fmt: skip
        doc.request_id = request.id
    sri, agus = await person(ayo, "Sri Wahyuni"), await person(ayo, "Agus Setiawan")
    await ayo.local.collect(sri.nip)
    links = {"documents": store, "public_url": "https://ayo.kota.go.id"}
    clock.advance(timedelta(hours=24))  # Wednesday 09:00: more than 8 working hours
    assert await remind_and_escalate(ayo.db, clock(), ayo.deps.calendar, **links) == 1
    reminder = text_of(await ayo.local.collect(sri.nip))
    assert "Pengingat" in reminder
    [link] = document_links(reminder)
    assert link.startswith("https://ayo.kota.go.id/documents/")
    token = link.removeprefix("https://ayo.kota.go.id/documents/")
    assert store.verify(token, clock()) == (doc.id, sri.id)  # Sri's link, nobody else's
    clock.advance(timedelta(days=1))  # Thursday 09:00: escalated to Agus
    assert await remind_and_escalate(ayo.db, clock(), ayo.deps.calendar, **links) == 1
    [link] = document_links(text_of(await ayo.local.collect(agus.nip)))
    token = link.removeprefix("https://ayo.kota.go.id/documents/")
    assert store.verify(token, clock()) == (doc.id, agus.id)


async def test_a_silent_approver_is_reminded_once_then_escalated_after_working_hours(
    ayo: App, clock: FixedClock
) -> None:
    request = await leave(ayo, clock, "Dimas Prasetyo", DEC_7, DEC_8, days=2)
    sri = await person(ayo, "Sri Wahyuni")
    await ayo.local.collect(sri.nip)
    cal = ayo.deps.calendar
    clock.advance(timedelta(hours=6))  # 15:00 the same day: under 8 working hours
    assert await remind_and_escalate(ayo.db, clock(), cal) == 0
    clock.advance(timedelta(hours=18))  # Wednesday 09:00: more than 8 working hours
    assert await remind_and_escalate(ayo.db, clock(), cal) == 1
    assert await remind_and_escalate(ayo.db, clock(), cal) == 0
    assert "Pengingat" in text_of(await ayo.local.collect(sri.nip))
    clock.advance(timedelta(days=1))  # Thursday 09:00: past 16 working hours
    assert await remind_and_escalate(ayo.db, clock(), cal) == 1
    first, second = await steps(ayo, request.id)
    assert (first.status, second.approver_id) == (
        "escalated",
        (await person(ayo, "Agus Setiawan")).id,
    )
