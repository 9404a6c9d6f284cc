"""The form runner: any service of the catalog, asked field by field, confirmed, submitted.

State (`ctx.state.form`, a `bot.state.FormRun`): service id, answers, the order they were
given (for `kembali`) and the phase (ask | confirm). A form interrupted by another request is
parked in `ctx.state.drafts` and offered again when the employee comes back to that service.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.handlers import faq
from bot.handlers.handoff import for_request
from bot.handlers.registry import (
    UNHANDLED,
    ActionHandler,
    ExpectHandler,
    Handler,
    Redirect,
    Result,
)
from bot.state import FormAnswer, FormRun
from core.messages import Reply
from core.statuses import RequestStatus, StepStatus
from core.text import T, join
from integrations import forms, lifecycle, validation
from integrations.approvals import Env
from integrations.catalog import FormField, ServiceSpec
from integrations.requests import submit
from intents import cues
from intents.normalize import normalize

BACK_WORDS = frozenset({"kembali", "back", "balik", "sebelumnya"})
# Typed instead of pressing the summary's buttons (numbered menus, screen readers).
SEND_WORDS = frozenset({"kirim", "ya", "ok", "oke", "send", "yes"})
EDIT_WORDS = frozenset({"ubah", "edit", "change"})
MAX_CHOICE_BUTTONS = 8
# Intents an answer can resemble without being a change of mind ("menu makan siang rapat").
SMALL_TALK = frozenset({"help", "menu", "greeting", "thanks"})


def env_of(ctx: Context) -> Env:
    return Env(
        now=ctx.now,
        calendar=ctx.deps.calendar,
        rules=ctx.deps.leave_rules,
        channel=ctx.account.channel,
        tz=str(ctx.tz),
        organisation=ctx.deps.settings.organisation_name,
        documents=ctx.deps.documents,
        public_url=ctx.deps.settings.public_url,
    )


def _form(ctx: Context) -> FormRun | None:
    return ctx.state.form


def _save(ctx: Context, form: FormRun) -> None:
    ctx.state.form = form
    ctx.state.awaiting = FormAnswer()


def _spec(ctx: Context, form: FormRun) -> ServiceSpec:
    return ctx.deps.services.get(form.service)


def title_of(ctx: Context, form: FormRun) -> T:
    return _spec(ctx, form).title.t()


def park(ctx: Context, form: FormRun) -> None:
    """Keep a form as a draft (offered again when its service is picked) and close it."""
    if form.data:
        ctx.state.drafts[form.service] = form
    ctx.state.close_form()


def eligible(ctx: Context, spec: ServiceSpec) -> T | None:
    me = ctx.me
    if not any(r == "employee" or me.has_role(r) for r in spec.eligibility.roles):
        return T("Layanan ini bukan untuk peran Anda.", "This service is not for your role.")
    if me.employment not in spec.eligibility.employment:
        return T(
            f"Layanan ini tidak tersedia untuk {me.employment}.",
            f"This service is not available to {me.employment}.",
        )
    return None


async def start(ctx: Context, spec: ServiceSpec) -> list[Reply]:
    """Begin a service's form, filling what the first message already said."""
    refusal = eligible(ctx, spec)
    if refusal is not None:
        return [Reply(refusal)]
    drafts = ctx.state.drafts
    current = _form(ctx)
    if current is not None and current.service != spec.id and current.data:
        drafts[current.service] = current
    if spec.id in drafts:
        group = ctx.new_button_group()
        buttons = (
            await ctx.button(
                T("Lanjutkan draf", "Resume draft"),
                "form.resume",
                {"service": spec.id},
                group=group,
            ),
            await ctx.button(
                T("Mulai baru", "Start again"),
                "form.fresh",
                {"service": spec.id, "text": _typed(ctx)},
                group=group,
            ),
        )
        return [
            Reply(
                T("Anda punya draf ", "You have an unfinished ")
                + spec.title.t()
                + T(" yang belum selesai. Lanjutkan?", " draft. Resume it?"),
                buttons,
            )
        ]
    return await _fresh(ctx, spec)


def _typed(ctx: Context) -> str:
    return ctx.inbound.text or ""


async def _fresh(ctx: Context, spec: ServiceSpec, text: str | None = None) -> list[Reply]:
    entities = ctx.match.entities if ctx.match is not None else None
    if text:
        entities = forms.entities_of(text, ctx.local_now)
    data = forms.prefill(
        spec,
        entities,
        today=ctx.local_now.date(),
        calendar=ctx.deps.calendar,
        text=text or _typed(ctx),
    )
    form = FormRun(service=spec.id, data=data, history=list(data))
    _save(ctx, form)
    ambiguous = forms.year_choice(
        spec,
        entities,
        today=ctx.local_now.date(),
        calendar=ctx.deps.calendar,
        text=text or _typed(ctx),
    )
    if ambiguous is not None:
        return [await _ask_year(ctx, form, *ambiguous)]
    return await advance(ctx, form, intro=spec.title.t())


async def _ask_year(
    ctx: Context, form: FormRun, field: FormField, found: forms.YearChoice
) -> Reply:
    """A past-allowed date without a year that could be either: ask, never guess."""
    form.phase = "ask"
    form.asking = field.name
    _save(ctx, form)
    group = ctx.new_button_group()
    buttons = []
    for value, when in ((found.past, T(" (sudah lewat)", " (past)")), (found.future, None)):
        label = forms.display(field, value)
        buttons.append(
            await ctx.button(
                label if when is None else label + when,
                "form.answer",
                {"value": value, "field": field.name},
                group=group,
            )
        )
    return Reply(
        T(
            "Tanggal yang Anda maksud tahun ini (sudah lewat) atau tahun depan?",
            "Do you mean the date that has passed this year, or next year's?",
        ),
        tuple(buttons),
    )


async def _confirm_choice(ctx: Context, field: FormField, value: str) -> Reply:
    """A typed choice that must not be taken from free text alone (cuti besar)."""
    choice = field.choice(value)
    label = choice.label() if choice else T(value, value)
    group = ctx.new_button_group()
    yes = await ctx.button(
        T("Ya, ", "Yes, ") + label,
        "form.answer",
        {"value": value, "field": field.name},
        group=group,
    )
    no = await ctx.button(T("Bukan", "No"), "form.change", {"field": field.name}, group=group)
    return Reply(T("Maksud Anda ", "Do you mean ") + label + T("?", "?"), (yes, no))


async def advance(ctx: Context, form: FormRun, intro: T | None = None) -> list[Reply]:
    """Ask the next missing field, or validate and show the summary."""
    spec = _spec(ctx, form)
    field = forms.next_field(spec, form.data)
    if field is not None:
        if spec.rules:
            # Refuse what cannot go ahead as soon as it is known (an ineligible leave type
            # before any date is asked), not after every question has been answered.
            early = await validation.run(_rule_context(ctx, spec, form.data))
            fixable = [p for p in early.problems if p.field is None or p.field in form.data]
            if fixable:
                return await _problems(ctx, form, fixable)
            # A rule may open a question (cuti besar before 5 years: the first hajj?).
            field = forms.next_field(spec, form.data) or field
        form.phase = "ask"
        form.asking = field.name
        _save(ctx, form)
        choices = await validation.offered_choices(_rule_context(ctx, spec, form.data), field)
        return [await _question(ctx, field, intro, choices)]
    check = await validation.run(_rule_context(ctx, spec, form.data))
    if check.problems:
        return await _problems(ctx, form, check.problems)
    form.phase = "confirm"
    form.notes = [n.to_json() for n in check.notes]
    _save(ctx, form)
    return [await _summary(ctx, spec, form, check.notes)]


def _rule_context(ctx: Context, spec: ServiceSpec, data: dict[str, Any]) -> validation.RuleContext:
    return validation.RuleContext(
        session=ctx.session,
        spec=spec,
        employee=ctx.me,
        data=data,
        now=ctx.now,
        today=ctx.local_now.date(),
        calendar=ctx.deps.calendar,
        leave_rules=ctx.deps.leave_rules,
    )


async def _problems(
    ctx: Context, form: FormRun, problems: list[validation.Problem]
) -> list[Reply]:
    fatal = [p for p in problems if p.field is None]
    if fatal:
        ctx.state.close_form()
        return [Reply(join([p.message for p in fatal]))]
    for problem in problems:
        form.data.pop(problem.field, None)
        if problem.field in form.history:
            form.history.remove(problem.field)
    replies = [Reply(join([p.message for p in problems]))]
    return replies + await advance(ctx, form)


async def _question(
    ctx: Context, field: FormField, intro: T | None, choices: tuple[Any, ...] | None = None
) -> Reply:
    text = field.prompt.t() if intro is None else intro + T("\n", "\n") + field.prompt.t()
    buttons = []
    shown = field.choices if choices is None else choices
    if field.type == "choice" and len(shown) <= MAX_CHOICE_BUTTONS:
        group = ctx.new_button_group()
        for choice in shown:
            buttons.append(
                await ctx.button(
                    choice.label(),
                    "form.answer",
                    {"value": choice.value, "field": field.name},
                    group=group,
                )
            )
    return Reply(
        text
        + T(
            "\n(ketik kembali untuk mundur, batal untuk berhenti)",
            "\n(type back to go back, cancel to stop)",
        ),
        tuple(buttons),
    )


async def _summary(ctx: Context, spec: ServiceSpec, form: FormRun, notes: list[T]) -> Reply:
    data = form.data
    lines = [T("Ringkasan ", "Summary of ") + spec.title.t() + T(":", ":")]
    for field in spec.fields:
        if field.name in data and forms.applies(field, data):
            lines.append(field.label.t() + T(": ", ": ") + forms.display(field, data[field.name]))
    if data.get("days") is not None:
        lines.append(T(f"Lama: {data['days']:g} hari", f"Length: {data['days']:g} days"))
    if data.get("balance_before") is not None:
        lines.append(
            T(
                f"Sisa cuti tahunan: {data['balance_before']:g} → {data['balance_after']:g} hari",
                f"Annual leave left: {data['balance_before']:g} → {data['balance_after']:g} days",
            )
        )
    lines += notes
    lines.append(T("Kirim permohonan ini?", "Send this request?"))
    group = ctx.new_button_group()
    buttons = (
        await ctx.button(T("Kirim", "Send"), "form.submit", {"service": spec.id}, group=group),
        await ctx.button(T("Ubah", "Change"), "form.edit", {"service": spec.id}, group=group),
        await ctx.button(T("Batal", "Cancel"), "form.cancel", {}, group=group),
    )
    return Reply(join(lines), buttons)


async def answer(ctx: Context, text: str) -> Result:
    """Free text while a form is open: an answer, `kembali`, or the start of something else."""
    form = _form(ctx)
    if form is None:
        ctx.state.awaiting = None
        return UNHANDLED
    if text.casefold().strip(" .!") in BACK_WORDS:
        return await back(ctx, form)
    spec = _spec(ctx, form)
    if form.phase == "confirm":
        word = text.casefold().strip(" .!")
        if word in SEND_WORDS:
            return await press_submit(ctx, {"service": form.service})
        if word in EDIT_WORDS:
            return await press_edit(ctx, {"service": form.service})
        return await _elsewhere(ctx, form, text) or [
            Reply(T("Tekan Kirim, Ubah atau Batal.", "Press Send, Change or Cancel."))
        ]
    field = spec.field(form.asking or "")
    if field is None:
        return await advance(ctx, form)
    parsed = forms.parse_answer(field, text, now=ctx.local_now, calendar=ctx.deps.calendar)
    if cues.asks_something(normalize(text)):
        # A question HR's FAQ answers is answered; the form's question is asked again and
        # nothing is stored ("berapa hari cuti melahirkan" is not the reason for the leave).
        answered = await faq.answer(ctx, text)
        if answered is not None:
            return [*answered, await _question(ctx, field, None)]
    if isinstance(parsed, forms.Parsed) and cues.asks_something(normalize(text)):
        # Only words that ask for something ("mau cuti tahunan 21-23 des", "sisa cuti") are
        # checked for another request; "Ruang Bidang Aplikasi lt 2" is just an answer.
        other = await _elsewhere(ctx, form, text, keep=parsed.value)
        if other is not None:
            return other
    if isinstance(parsed, forms.Invalid) and field.type == "choice":
        unsure = await _maybe_choice(ctx, field, text)
        if unsure is not None:
            return unsure
    if isinstance(parsed, forms.Invalid):
        # The question again with its buttons, so a choice can still be tapped.
        return await _elsewhere(ctx, form, text) or [
            Reply(parsed.message),
            await _question(ctx, field, None),
        ]
    if isinstance(parsed.value, forms.YearChoice):
        return [await _ask_year(ctx, form, field, parsed.value)]
    if forms.needs_confirmation(field, parsed.value):
        return [await _confirm_choice(ctx, field, parsed.value)]
    return await _accept(ctx, form, field, parsed.value)


# Below the form's own sure match (86) and above this, a choice is asked back, not taken.
UNSURE_CHOICE = 60


async def _maybe_choice(ctx: Context, field: FormField, text: str) -> list[Reply] | None:
    """Free text near one option ("tahunn"): ask "Maksud Anda Cuti tahunan?" with buttons."""
    from rapidfuzz import fuzz

    folded = text.casefold().strip(" .")
    if len(folded) < 3:
        return None
    scored = [
        (max(fuzz.WRatio(folded, c.id.casefold()), fuzz.WRatio(folded, c.en.casefold())), c)
        for c in field.choices
    ]
    score, best = max(scored, key=lambda s: s[0])
    if score < UNSURE_CHOICE:
        return None
    group = ctx.new_button_group()
    yes = await ctx.button(
        T("Ya, ", "Yes, ") + best.label(),
        "form.answer",
        {"value": best.value, "field": field.name},
        group=group,
    )
    question = await _question(ctx, field, None)
    return [
        Reply(T("Maksud Anda ", "Did you mean ") + best.label() + T("?", "?"), (yes,)),
        question,
    ]


async def _accept(ctx: Context, form: FormRun, field: FormField, value: Any) -> list[Reply]:
    if field.type == "employee":
        from bot.handlers.people import find_employee

        found = await find_employee(ctx, value["query"])
        if isinstance(found, T):
            return [Reply(found + T("\n", "\n") + field.prompt.t())]
        value = {"id": found.id, "nip": found.nip, "name": found.name}
    form.data[field.name] = value
    if field.name in form.history:
        form.history.remove(field.name)
    form.history.append(field.name)
    return await advance(ctx, form)


def asking_document(ctx: Context) -> bool:
    """Is an open form asking for an attachment right now?"""
    form = _form(ctx)
    if form is None or form.phase == "confirm":
        return False
    field = _spec(ctx, form).field(form.asking or "")
    return field is not None and field.type == "attachment"


async def accept_document(ctx: Context, doc: Any) -> list[Reply]:
    """A stored document answers the attachment question being asked."""
    form = _form(ctx)
    assert form is not None
    field = _spec(ctx, form).field(form.asking or "")
    assert field is not None
    kind = {"application/pdf": "PDF"}.get(doc.mime, "foto")
    value = {"provided": True, "note": f"dokumen terlampir ({kind})", "document": doc.id}
    return await _accept(ctx, form, field, value)


async def _elsewhere(
    ctx: Context, form: FormRun, text: str, keep: Any = None
) -> list[Reply] | None:
    """An answer that reads as a different request: offer to switch, never switch silently."""
    match = ctx.deps.router.classify(text, now=ctx.now, tz=str(ctx.tz))
    if match.kind.value != "full" or match.intent in (None, *SMALL_TALK):
        return None
    spec = ctx.deps.services.for_intent(match.intent)
    if spec is not None and spec.id == form.service:
        return None
    from bot.handlers.general import intent_title

    title = spec.title.t() if spec is not None else intent_title(ctx, match.intent)
    group = ctx.new_button_group()
    switch = await ctx.button(
        T("Beralih ke ", "Switch to ") + title,
        "form.switch",
        {"intent": match.intent, "text": text},
        group=group,
    )
    current = _spec(ctx, form)
    field = current.field(form.asking or "")
    if keep is not None and field is not None:
        mine = await ctx.button(
            T("Itu jawaban saya", "That is my answer"),
            "form.answer",
            {"field": field.name, "value": keep},
            group=group,
        )
        return [
            Reply(
                T("Maksud Anda ", "Did you mean ") + title + T("?", "?"),
                (switch, mine),
            )
        ]
    again = (
        field.prompt.t()
        if field is not None and form.phase == "ask"
        else T("Tekan Kirim, Ubah atau Batal.", "Press Send, Change or Cancel.")
    )
    return [
        Reply(
            T(
                "Jawaban itu belum cocok untuk pertanyaan ini. ",
                "That answer does not fit this question. ",
            )
            + again
            + T(
                "\nAtau Anda ingin beralih? Draf ini akan disimpan.",
                "\nOr do you want to switch? This draft will be kept.",
            ),
            (switch,),
        )
    ]


async def press_switch(ctx: Context, payload: dict[str, Any]) -> Redirect:
    """Park the open form as a draft and serve the other request instead."""
    form = _form(ctx)
    if form is not None:
        park(ctx, form)
    ctx.state.close_form()
    return Redirect(payload["intent"], payload.get("text") or "")


async def back(ctx: Context, form: FormRun) -> list[Reply]:
    """`kembali`: forget the last answer and ask it again."""
    if not form.history:
        return [Reply(T("Ini pertanyaan pertama.", "This is the first question."))] + (
            await advance(ctx, form)
        )
    last = form.history.pop()
    form.data.pop(last, None)
    for computed in ("days", "balance_before", "balance_after"):
        form.data.pop(computed, None)
    return await advance(ctx, form)


async def press_answer(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    form = _form(ctx)
    if form is None:
        return [Reply(T("Formulir ini sudah ditutup.", "This form is closed."))]
    spec = _spec(ctx, form)
    field = spec.field(payload.get("field", ""))
    if field is None:
        return await advance(ctx, form)
    return await _accept(ctx, form, field, payload["value"])


async def press_submit(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    form = _form(ctx)
    if form is None or form.service != payload.get("service"):
        return [Reply(T("Formulir ini sudah ditutup.", "This form is closed."))]
    spec = _spec(ctx, form)
    check = await validation.run(_rule_context(ctx, spec, form.data))
    if check.problems:
        return await _problems(ctx, form, check.problems)
    if spec.kind == "delegation":
        from bot.handlers.people import save_delegation

        ctx.state.close_form()
        return await save_delegation(ctx, form.data)
    request = await submit(ctx.session, spec, ctx.me, form.data, env=env_of(ctx))
    ctx.state.close_form()
    ctx.state.drafts.pop(spec.id, None)
    received = Reply(await received_text(ctx, request))
    case = await for_request(ctx, request)
    return [received] if case is None else [received, case]


async def received_text(ctx: Context, request: Any) -> T:
    from integrations.approvals import steps_of

    text = T(
        f"✅ Permohonan diterima. Nomor: {request.ref}",
        f"✅ Request received. Reference number: {request.ref}",
    )
    waiting = [
        s for s in await steps_of(ctx.session, request.id) if s.status == StepStatus.WAITING
    ]
    if waiting and request.status == RequestStatus.WAITING:
        from core.storage.models import Employee

        names = []
        for step in waiting:
            person = await ctx.session.get(Employee, step.approver_id)
            names.append(person.name if person else "?")
        who = ", ".join(names)
        return text + T(f"\nMenunggu persetujuan {who}.", f"\nWaiting for approval by {who}.")
    return text + T("\nStatus: ", "\nStatus: ") + lifecycle.status_text(request)


async def press_edit(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    form = _form(ctx)
    if form is None:
        return [Reply(T("Formulir ini sudah ditutup.", "This form is closed."))]
    spec = _spec(ctx, form)
    group = ctx.new_button_group()
    buttons = [
        await ctx.button(f.label.t(), "form.change", {"field": f.name}, group=group)
        for f in spec.fields
        if f.name in form.data and forms.applies(f, form.data)
    ]
    return [
        Reply(T("Bagian mana yang diubah?", "Which part do you want to change?"), tuple(buttons))
    ]


async def press_change(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    form = _form(ctx)
    if form is None:
        return [Reply(T("Formulir ini sudah ditutup.", "This form is closed."))]
    name = payload.get("field", "")
    form.data.pop(name, None)
    if name in form.history:
        form.history.remove(name)
    return await advance(ctx, form)


async def press_cancel(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    ctx.state.close_form()
    return [Reply(T("Baik, permohonan tidak dikirim.", "OK, the request was not sent."))]


async def press_resume(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    form = ctx.state.drafts.pop(payload.get("service", ""), None)
    if form is None:
        return [Reply(T("Draf tidak ditemukan.", "Draft not found."))]
    _save(ctx, form)
    return await advance(ctx, form)


async def press_fresh(ctx: Context, payload: dict[str, Any]) -> list[Reply]:
    ctx.state.drafts.pop(payload.get("service", ""), None)
    spec = ctx.deps.services.get(payload.get("service", ""))
    if spec is None:
        return [Reply(T("Layanan tidak ditemukan.", "Service not found."))]
    return await _fresh(ctx, spec, payload.get("text") or None)


async def run_service_intent(ctx: Context) -> list[Reply]:
    """Any intent answered by a form service of the catalog (files added at run time too)."""
    intent = ctx.intent
    spec = ctx.deps.services.for_intent(intent) if intent else None
    if spec is None:
        return [Reply(T("Layanan belum tersedia.", "Service not available."))]
    return await start(ctx, spec)


FORM_INTENTS = (
    "leave.request",
    "permit.request",
    "travel.request",
    "helpdesk.ticket",
    "room.booking",
    "vehicle.booking",
    "approval.delegate",
)
INTENTS: dict[str, Handler] = {intent: run_service_intent for intent in FORM_INTENTS}
ACTIONS: dict[str, ActionHandler] = {
    "form.answer": press_answer,
    "form.submit": press_submit,
    "form.edit": press_edit,
    "form.change": press_change,
    "form.cancel": press_cancel,
    "form.resume": press_resume,
    "form.fresh": press_fresh,
    "form.switch": press_switch,
}
EXPECTS: dict[str, ExpectHandler] = {FormAnswer.KIND: answer}
