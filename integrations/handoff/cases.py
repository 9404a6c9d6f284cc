"""Handoff cases from opening to rating: every step a row, an audit event and outbox messages.

A case belongs to a team (integrations/handoff/teams.py). While it is open the employee's
messages go to the case; operators take it (in the back office or from their own chat with
an Ambil/Take button), reply, and close it with a note; the employee may rate it 1–5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import outbox, tokens
from core.audit import record
from core.messages import Button, Reply
from core.redact import mask
from core.storage.models import ChatAccount, Employee, InboxItem, OrgUnit, OutboxItem
from core.storage.models.handoff import CASE_ACTIVE, HandoffCase, HandoffMessage
from core.text import T
from core.workdays import WorkCalendar
from integrations.forms import format_date
from integrations.handoff.teams import Team, Teams, members
from integrations.requests import make_ref

REF_PREFIX = "PTG"
CONTEXT_MESSAGES = 8
CONTEXT_CHARS = 300
MAX_MESSAGE = 2000
MAX_NOTE = 500
# WhatsApp template kind for an operator's message outside the 24-hour window.
TEMPLATE = "handoff"
TOKEN_TTL = timedelta(days=30)
# A case opened for a request carries it in `source` ("request:CUTI-2612-000123"); the
# request's data holds the case's reference under "_handoff".
REQUEST_SOURCE = "request:"


def request_ref(case: HandoffCase) -> str | None:
    """The reference of the request this case was opened for, if any."""
    if case.source.startswith(REQUEST_SOURCE):
        return case.source.removeprefix(REQUEST_SOURCE)
    return None


@dataclass(frozen=True)
class Env:
    """What every case operation needs besides the session."""

    now: datetime
    teams: Teams
    calendar: WorkCalendar
    tz: str
    channel: str = "web"


class Refused(Exception):
    """The operation is not allowed for this person or in this state; `reason` says why."""

    def __init__(self, reason: str, message: T) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


def _local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def format_moment(moment: datetime, tz: str) -> T:
    """ "Rabu, 2 Desember 2026 pukul 07.30" / "Wednesday, 2 December 2026 at 07:30"."""
    local = _local(moment, tz)
    day = format_date(local.date())
    return day + T(f" pukul {local:%H.%M}", f" at {local:%H:%M}")


def in_office_hours(calendar: WorkCalendar, moment: datetime, tz: str) -> bool:
    local = _local(moment, tz)
    hours = calendar.office_hours(local.date())
    return hours is not None and hours.start <= local.time() < hours.end


async def opd_code(session: AsyncSession, employee: Employee) -> str | None:
    """The code of the employee's OPD (the top unit above theirs)."""
    unit = await session.get(OrgUnit, employee.unit_id)
    for _ in range(10):
        if unit is None or unit.parent_id is None:
            break
        unit = await session.get(OrgUnit, unit.parent_id)
    return unit.code if unit is not None else None


# Asked on every typed message (the handoff intercept): a column, built once, and the case
# loaded only for the rare chat that has one.
ACTIVE_CASE_ID = (
    select(HandoffCase.id)
    .where(
        HandoffCase.chat_account_id == bindparam("chat"),
        HandoffCase.status.in_(CASE_ACTIVE),
    )
    .order_by(HandoffCase.id.desc())
    .limit(1)
)


async def active_case(session: AsyncSession, chat_account_id: int) -> HandoffCase | None:
    """The case this chat is talking to now, if any (at most one is active per chat)."""
    # On the connection: a column, no ORM entity to build (this runs on every message).
    connection = await session.connection()
    case_id = await connection.scalar(ACTIVE_CASE_ID, {"chat": chat_account_id})
    return await session.get(HandoffCase, case_id) if case_id is not None else None


async def conversation_context(
    session: AsyncSession, chat_account_id: int, language: str
) -> list[dict[str, str]]:
    """The chat's last messages, both sides, masked: what the operator reads first."""
    inbound = (
        await session.execute(
            select(InboxItem.id, InboxItem.text, InboxItem.received_at)
            .where(InboxItem.chat_account_id == chat_account_id, InboxItem.text.is_not(None))
            .order_by(InboxItem.id.desc())
            .limit(CONTEXT_MESSAGES)
        )
    ).all()
    sent = (
        await session.execute(
            select(OutboxItem.payload, OutboxItem.created_at)
            .where(OutboxItem.chat_account_id == chat_account_id, OutboxItem.kind == "message")
            .order_by(OutboxItem.id.desc())
            .limit(CONTEXT_MESSAGES)
        )
    ).all()
    items = [(row.received_at, 0, "employee", row.text or "") for row in inbound]
    for row in sent:
        text = (row.payload or {}).get("text") or {}
        items.append((row.created_at, 1, "bot", text.get(language) or text.get("id") or ""))
    items.sort(key=lambda item: (item[0], item[1]))
    return [
        {"who": who, "at": at.isoformat(), "text": mask(text)[:CONTEXT_CHARS]}
        for at, _, who, text in items[-CONTEXT_MESSAGES:]
    ]


async def open_case(
    session: AsyncSession,
    env: Env,
    *,
    employee: Employee,
    account: ChatAccount,
    topic: str,
    source: str,
) -> tuple[HandoffCase, Reply]:
    """Open a case (or return the chat's active one) and the reply that tells the employee."""
    existing = await active_case(session, account.id)
    if existing is not None:
        return existing, Reply(
            T(
                f"Anda sudah terhubung dengan petugas (nomor kasus {existing.ref}). Tulis saja "
                "pesan Anda di sini; ketik kembali ke bot untuk kembali ke Ayo.",
                f"You are already connected to a person (case {existing.ref}). Just write your "
                "message here; type back to bot to return to Ayo.",
            )
        )
    team = env.teams.for_topic(topic, await opd_code(session, employee))
    now = env.now
    remind_at = env.calendar.add_working_hours(now, team.take_within_hours, env.tz)
    case = HandoffCase(
        ref="pending",
        team=team.code,
        topic=topic,
        source=source[:60],
        employee_id=employee.id,
        chat_account_id=account.id,
        channel=account.channel,
        status="open",
        context=await conversation_context(session, account.id, employee.language or "id"),
        created_at=now,
        expected_by=remind_at,
        remind_at=remind_at,
        escalate_at=env.calendar.add_working_hours(now, team.lead_after_hours, env.tz),
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    case.ref = make_ref(REF_PREFIX, _local(now, env.tz).date(), case.id)
    record(
        session,
        now=now,
        actor_id=employee.id,
        channel=account.channel,
        entity="handoff",
        entity_id=case.id,
        action="opened",
        detail={"ref": case.ref, "team": team.code, "topic": topic, "source": case.source},
    )
    await _offer(session, env, case, team, employee)
    return case, Reply(_opened_text(env, case, team))


def _opened_text(env: Env, case: HandoffCase, team: Team) -> T:
    when = format_moment(case.expected_by, env.tz)
    text = T(
        f"Baik, saya teruskan ke {team.name.id}. Nomor kasus Anda: {case.ref}.\n",
        f"All right, I am passing this to the {team.name.en}. Your case number: {case.ref}.\n",
    )
    if in_office_hours(env.calendar, env.now, env.tz):
        text += T("Petugas akan membalas di chat ini, paling lambat ", "A person will answer ")
        text += T("", "in this chat by ") + when + T(".\n", ".\n")
    else:
        text += T(
            "Saat ini di luar jam kerja, jadi petugas baru bisa membalas pada jam kerja "
            "berikutnya; perkiraan paling lambat ",
            "It is outside office hours now, so a person can answer in the next office hours; "
            "expect an answer by ",
        )
        text += when + T(".\n", ".\n")
    return text + T(
        "Pesan Anda berikutnya langsung diteruskan ke petugas. Ketik kembali ke bot untuk "
        "kembali ke Ayo.",
        "Your next messages go straight to the person. Type back to bot to return to Ayo.",
    )


def _summary(case: HandoffCase, employee: Employee, teams: Teams) -> T:
    unit = employee.unit.name if employee.unit is not None else "-"
    lines = [
        T(
            f"🔔 Kasus baru {case.ref} · {teams.topic_label(case.topic).id}",
            f"🔔 New case {case.ref} · {teams.topic_label(case.topic).en}",
        ),
        T(
            f"Dari: {employee.name} ({unit}) via {case.channel}",
            f"From: {employee.name} ({unit}) via {case.channel}",
        ),
    ]
    ref = request_ref(case)
    if ref is not None:
        lines.append(T(f"Permohonan: {ref}", f"Request: {ref}"))
    for item in case.context[-4:]:
        who = T("Pegawai", "Employee") if item["who"] == "employee" else T("Ayo", "Ayo")
        lines.append(who + T(f": {item['text'][:160]}", f": {item['text'][:160]}"))
    return T("\n".join(x.id for x in lines), "\n".join(x.en for x in lines))


async def _offer(
    session: AsyncSession, env: Env, case: HandoffCase, team: Team, employee: Employee
) -> None:
    """Offer the case to each operator of the team in their own chat, with a Take button."""
    group = f"case-{case.id}"
    text = _summary(case, employee, env.teams)
    for operator in await members(session, team.operators):
        if operator.id == employee.id:
            continue
        token = await tokens.issue(
            session,
            employee_id=operator.id,
            action="handoff.take",
            payload={"case": case.id},
            now=env.now,
            ttl=TOKEN_TTL,
            group=group,
        )
        await outbox.push(
            session,
            operator.id,
            Reply(text, (Button(T("Ambil", "Take"), token),)),
            now=env.now,
            key=f"handoff:{case.id}:offer:{operator.id}",
            priority=outbox.PRIORITY_INTERACTIVE,
        )


async def may_operate(
    session: AsyncSession, teams: Teams, case: HandoffCase, who: Employee
) -> bool:
    team = teams.get(case.team)
    return team is not None and who.nip in team.operators


async def take(
    session: AsyncSession, env: Env, case: HandoffCase, operator: Employee, *, via: str
) -> None:
    """Give the case to this operator; refused if they are not in its team or it is taken."""
    if not await may_operate(session, env.teams, case, operator):
        _refuse(session, env, case, operator, "take.not_operator")
        raise Refused("not_operator", NOT_OPERATOR)
    if case.status != "open":
        if case.status == "taken" and case.operator_id == operator.id:
            case.operator_via = via
            return
        _refuse(session, env, case, operator, f"take.{case.status}")
        raise Refused(case.status, ALREADY.format(ref=case.ref))
    case.status = "taken"
    case.operator_id = operator.id
    case.operator_via = via
    case.taken_at = env.now
    case.updated_at = env.now
    case.remind_at = None
    case.escalate_at = None
    await tokens.retire_group(session, f"case-{case.id}", env.now)
    record(
        session,
        now=env.now,
        actor_id=operator.id,
        channel=env.channel,
        entity="handoff",
        entity_id=case.id,
        action="taken",
        detail={"ref": case.ref, "via": via},
    )
    team = env.teams.get(case.team)
    name = team.name if team else T(case.team, case.team)
    first = operator.name.split()[0]
    await _to_employee(
        session,
        env,
        case,
        T(
            f"👤 {first} dari {name.id} menangani kasus {case.ref}.",
            f"👤 {first} of the {name.en} is handling case {case.ref}.",
        ),
        key=f"handoff:{case.id}:taken",
    )


async def employee_says(session: AsyncSession, env: Env, case: HandoffCase, text: str) -> None:
    """An employee's message while the case is open: kept on the case, relayed if needed."""
    text = text[:MAX_MESSAGE]
    message = HandoffMessage(
        case_id=case.id, author="employee", author_id=case.employee_id, text=text, at=env.now
    )
    session.add(message)
    case.updated_at = env.now
    await session.flush()
    record(
        session,
        now=env.now,
        actor_id=case.employee_id,
        channel=case.channel,
        entity="handoff",
        entity_id=case.id,
        action="message.employee",
        detail={"length": len(text)},
    )
    if case.status == "taken" and case.operator_via == "chat" and case.operator_id:
        employee = await session.get(Employee, case.employee_id)
        who = employee.name.split()[0] if employee else "?"
        await outbox.push(
            session,
            case.operator_id,
            Reply(T(f"💬 {case.ref} · {who}: {text}", f"💬 {case.ref} · {who}: {text}")),
            now=env.now,
            key=f"handoff:{case.id}:relay:{message.id}",
            priority=outbox.PRIORITY_INTERACTIVE,
        )


async def reply(
    session: AsyncSession, env: Env, case: HandoffCase, operator: Employee, text: str
) -> HandoffMessage:
    """An operator's answer: kept on the case and sent to the employee's own chat."""
    text = text.strip()[:MAX_MESSAGE]
    if not text:
        raise Refused("empty", EMPTY)
    if case.status == "open":
        await take(session, env, case, operator, via="web" if env.channel == "web" else "chat")
    if case.status != "taken" or case.operator_id != operator.id:
        _refuse(session, env, case, operator, "reply.not_taker")
        raise Refused("not_taker", NOT_TAKER.format(ref=case.ref))
    message = HandoffMessage(
        case_id=case.id, author="operator", author_id=operator.id, text=text, at=env.now
    )
    session.add(message)
    case.updated_at = env.now
    await session.flush()
    record(
        session,
        now=env.now,
        actor_id=operator.id,
        channel=env.channel,
        entity="handoff",
        entity_id=case.id,
        action="message.operator",
        detail={"length": len(text)},
    )
    first = operator.name.split()[0]
    await _to_employee(
        session,
        env,
        case,
        T(f"👤 {first} ({case.ref}): {text}", f"👤 {first} ({case.ref}): {text}"),
        key=f"handoff:{case.id}:reply:{message.id}",
    )
    return message


async def close(
    session: AsyncSession, env: Env, case: HandoffCase, operator: Employee, note: str
) -> None:
    """Close with a note; the employee is told and may rate the help 1–5."""
    note = " ".join(note.split()).strip()[:MAX_NOTE]
    if not note:
        raise Refused("empty_note", EMPTY_NOTE)
    if case.status not in CASE_ACTIVE:
        raise Refused(case.status, ALREADY.format(ref=case.ref))
    if not await may_operate(session, env.teams, case, operator):
        _refuse(session, env, case, operator, "close.not_operator")
        raise Refused("not_operator", NOT_OPERATOR)
    if case.status == "taken" and case.operator_id != operator.id:
        _refuse(session, env, case, operator, "close.not_taker")
        raise Refused("not_taker", NOT_TAKER.format(ref=case.ref))
    case.status = "closed"
    case.operator_id = case.operator_id or operator.id
    case.closed_at = env.now
    case.close_note = note
    case.updated_at = env.now
    case.remind_at = None
    case.escalate_at = None
    await tokens.retire_group(session, f"case-{case.id}", env.now)
    session.add(
        HandoffMessage(
            case_id=case.id, author="system", author_id=operator.id, text=note, at=env.now
        )
    )
    record(
        session,
        now=env.now,
        actor_id=operator.id,
        channel=env.channel,
        entity="handoff",
        entity_id=case.id,
        action="closed",
        detail={"ref": case.ref, "note_length": len(note)},
    )
    group = f"rate-{case.id}"
    buttons = []
    for score in range(1, 6):
        token = await tokens.issue(
            session,
            employee_id=case.employee_id,
            action="handoff.rate",
            payload={"case": case.id, "score": score},
            now=env.now,
            ttl=TOKEN_TTL,
            group=group,
        )
        buttons.append(Button(T("⭐" * score, "⭐" * score), token))
    await _to_employee(
        session,
        env,
        case,
        T(
            f"✅ Kasus {case.ref} selesai. Catatan petugas: {note}\n"
            "Anda kembali dilayani Ayo. Seberapa puas Anda dengan bantuan petugas? (1–5)",
            f"✅ Case {case.ref} is closed. The person's note: {note}\n"
            "Ayo is with you again. How satisfied are you with the help? (1–5)",
        ),
        key=f"handoff:{case.id}:closed",
        buttons=tuple(buttons),
    )


async def rate(
    session: AsyncSession, env: Env, case: HandoffCase, employee: Employee, score: int
) -> T:
    if case.employee_id != employee.id or not 1 <= score <= 5 or case.status != "closed":
        raise Refused(
            "not_rateable", T("Penilaian tidak bisa diterima.", "The rating cannot be accepted.")
        )
    case.rating = score
    case.rated_at = env.now
    case.updated_at = env.now
    record(
        session,
        now=env.now,
        actor_id=employee.id,
        channel=env.channel,
        entity="handoff",
        entity_id=case.id,
        action="rated",
        detail={"ref": case.ref, "score": score},
    )
    return T(
        f"Terima kasih atas penilaian Anda ({score}/5) untuk kasus {case.ref}.",
        f"Thank you for your rating ({score}/5) for case {case.ref}.",
    )


async def leave_case(session: AsyncSession, env: Env, case: HandoffCase) -> T:
    """The employee went back to the bot ("kembali ke bot"): the case ends, the operator knows."""
    case.status = "cancelled"
    case.closed_at = env.now
    case.updated_at = env.now
    case.remind_at = None
    case.escalate_at = None
    await tokens.retire_group(session, f"case-{case.id}", env.now)
    record(
        session,
        now=env.now,
        actor_id=case.employee_id,
        channel=case.channel,
        entity="handoff",
        entity_id=case.id,
        action="cancelled",
        detail={"ref": case.ref},
    )
    if case.operator_id:
        await outbox.push(
            session,
            case.operator_id,
            Reply(
                T(
                    f"Pegawai menutup kasus {case.ref} (kembali ke bot).",
                    f"The employee ended case {case.ref} (back to the bot).",
                )
            ),
            now=env.now,
            key=f"handoff:{case.id}:cancelled",
        )
    return T(
        f"Baik, kasus {case.ref} ditutup dan Anda kembali dilayani Ayo. Ketik menu untuk pilihan.",
        f"OK, case {case.ref} is closed and Ayo is with you again. Type menu for options.",
    )


async def messages_of(session: AsyncSession, case_id: int) -> list[HandoffMessage]:
    rows = await session.execute(
        select(HandoffMessage).where(HandoffMessage.case_id == case_id).order_by(HandoffMessage.id)
    )
    return list(rows.scalars())


async def _to_employee(
    session: AsyncSession,
    env: Env,
    case: HandoffCase,
    text: T,
    *,
    key: str,
    buttons: tuple[Button, ...] = (),
) -> None:
    """To the chat the case came from (outside WhatsApp's window: the handoff template)."""
    account = await session.get(ChatAccount, case.chat_account_id)
    if account is None or not account.active:
        await outbox.push(
            session,
            case.employee_id,
            Reply(text, buttons, template=TEMPLATE),
            now=env.now,
            key=key,
        )
        return
    outbox.enqueue_reply(
        session,
        account,
        Reply(text, buttons, template=TEMPLATE),
        now=env.now,
        key=key,
        priority=outbox.PRIORITY_INTERACTIVE,
    )


def _refuse(
    session: AsyncSession, env: Env, case: HandoffCase, who: Employee, action: str
) -> None:
    record(
        session,
        now=env.now,
        actor_id=who.id,
        channel=env.channel,
        entity="handoff",
        entity_id=case.id,
        action=f"refused.{action}",
        detail={"ref": case.ref, "status": case.status},
    )


NOT_OPERATOR = T(
    "Maaf, kasus ini milik tim lain; Anda bukan operatornya.",
    "Sorry, this case belongs to another team; you are not one of its operators.",
)
ALREADY = T(
    "Kasus {ref} sudah ditangani atau ditutup.", "Case {ref} is already handled or closed."
)
NOT_TAKER = T("Kasus {ref} ditangani petugas lain.", "Case {ref} is handled by another operator.")
EMPTY = T("Balasan tidak boleh kosong.", "The reply must not be empty.")
EMPTY_NOTE = T("Tulis catatan penutup.", "Write a closing note.")
