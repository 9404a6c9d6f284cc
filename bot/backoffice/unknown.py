"""`/admin/unknown`: what people asked that Ayo did not understand (the rows behind
`ayo nlu unknown`, already redacted), similar texts grouped together; the city's HR assign a
group or one text to an intent (or to "out of scope") as new examples, then rebuild the router,
or to the FAQ: as new question variants of an entry, or as the draft of a new entry HR writes
(integrations/faq/additions.py keeps both outside HR's own FAQ file).

Changing what Ayo understands changes it for the whole city: the city's HR admins only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import curated
from bot.app import App
from bot.backoffice.access import Scope
from bot.backoffice.kit import Pages, require
from core.storage.models import IntentExample, UnknownMessage
from integrations.faq import additions, current

LISTED = 300  # most frequent texts grouped on the page
SIMILAR = 0.45  # cosine of character n-grams at which two texts share a group
OUT_OF_SCOPE = "oos"  # the router's label for negatives (intents/spec.py catalog_rows)
MAX_IDS = 300
NEW_FAQ = "new"  # the FAQ choice that drafts a new entry


@dataclass
class Group:
    texts: list[UnknownMessage] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def count(self) -> int:
        return sum(t.count for t in self.texts)


def group_similar(rows: list[UnknownMessage]) -> list[Group]:
    """Greedy grouping, most frequent first: a text joins the first group whose first text is
    similar enough (character n-grams survive typos and Indonesian affixes), else starts one."""
    if not rows:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    from intents.normalize import normalize

    texts = [normalize(r.text) or r.text for r in rows]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(texts)
    groups: list[Group] = []
    leaders: list[int] = []
    for i, row in enumerate(rows):
        if leaders:
            similarity = (matrix[leaders] @ matrix[i].T).toarray().ravel()
            best = int(similarity.argmax())
            if similarity[best] >= SIMILAR:
                groups[best].texts.append(row)
                continue
        leaders.append(i)
        groups.append(Group([row]))
    return sorted(groups, key=lambda g: -g.count)


def chosen(
    form: Any, name: str, allowed: set[str], unchosen: str
) -> tuple[str, list[int], list[str]]:
    """Where a group's form sends its texts (`name`, one of `allowed`), the unknown-message
    ids ticked (at most MAX_IDS), and what is missing, worded for HR."""
    target = str(form.get(name, ""))
    ids = [int(v) for v in form.getlist("ids") if str(v).isdigit()][:MAX_IDS]
    errors = [] if target in allowed else [unchosen]
    if not ids:
        errors.append("Pilih paling sedikit satu teks / choose at least one text")
    return target, ids, errors


async def texts_of(session: AsyncSession, ids: list[int]) -> list[str]:
    """The (redacted) texts of these unknown messages, in the order they were first seen."""
    rows = await session.execute(
        select(UnknownMessage.text).where(UnknownMessage.id.in_(ids)).order_by(UnknownMessage.id)
    )
    return list(rows.scalars())


def _curates(scope: Scope) -> bool:
    return scope.city


def unknown_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/admin", include_in_schema=False)
    pages = Pages(app)
    post_scope = pages.post_scope()

    def intents() -> list[tuple[str, str, str]]:
        catalog = app.deps.router.catalog
        found = [(i, catalog[i].title_id, catalog[i].title_en) for i in sorted(catalog)]
        return [*found, (OUT_OF_SCOPE, "Di luar cakupan Ayo", "Out of Ayo's scope")]

    def suggest(text: str) -> str | None:
        result = app.deps.router.classify(text, tz=app.settings.timezone)
        if result.intent:
            return result.intent
        return result.suggestions[0].intent if result.suggestions else None

    faq_file = app.settings.resolved_faq_additions()

    def faq_entries() -> list[tuple[str, str]]:
        book = app.deps.faq
        return [(e.id, e.questions[0]) for e in book.entries] if book is not None else []

    async def page(request: Request, scope: Scope, *, errors: list[str], code: int = 200):
        added = additions.read(faq_file)
        async with app.db.sessions() as session:
            rows = list(
                (
                    await session.execute(
                        select(UnknownMessage)
                        .where(UnknownMessage.text.not_in(select(IntentExample.text)))
                        .order_by(UnknownMessage.count.desc(), UnknownMessage.last_seen.desc())
                        .limit(LISTED)
                    )
                ).scalars()
            )
            recent = list(
                (
                    await session.execute(
                        select(IntentExample).order_by(IntentExample.id.desc()).limit(30)
                    )
                ).scalars()
            )
            total = await session.scalar(select(func.count(IntentExample.id))) or 0
            current = await curated.examples(session)
        given = added.texts
        groups = group_similar([r for r in rows if r.text not in given])
        for group in groups:
            group.suggestion = suggest(group.texts[0].text)
        return pages.render(
            request, "unknown.html", scope, code=code, groups=groups, intents=intents(),
            recent=recent, total=total, pending=curated.pending(app.deps.router, current),
            errors=errors, ok=request.query_params.get("ok"), n=request.query_params.get("n"),
            faq=faq_entries(), new_faq=NEW_FAQ, faq_variants=added.variants[-30:][::-1],
            faq_drafts=added.drafts[::-1],
        )  # fmt: skip

    @routes.get("/unknown")
    async def unknown_page(request: Request) -> Response:
        scope = require(_curates, await pages.page_scope(request))
        return await page(request, scope, errors=[])

    @routes.post("/unknown/assign")
    async def assign(request: Request, scope: Scope = post_scope) -> Response:
        require(_curates, scope)
        intent, ids, errors = chosen(
            await request.form(), "intent", {i for i, _, _ in intents()},
            "Pilih maksud (intent) dulu / choose an intent first",
        )  # fmt: skip
        if errors:
            return await page(request, scope, errors=errors, code=400)
        async with app.db.transaction() as session:
            texts = await texts_of(session, ids)
            added = await curated.add_examples(
                session, texts, intent, by=scope.viewer.employee_id, now=app.deps.clock()
            )
            # The ids and the intent, never the texts: the audit trail holds no message bodies.
            pages.audit(
                session, scope, entity="nlu", action="nlu.example.added",
                detail={"intent": intent, "unknown_ids": sorted(ids), "added": added},
            )  # fmt: skip
        return RedirectResponse(f"/admin/unknown?ok=assigned&n={added}", 303)

    @routes.post("/unknown/faq")
    async def assign_faq(request: Request, scope: Scope = post_scope) -> Response:
        """The chosen texts become question variants of an FAQ entry, or a new entry's draft."""
        require(_curates, scope)
        book = current(app.deps.faq) if app.deps.faq is not None else None
        known = {e.id: e for e in book.entries} if book else {}
        target, ids, errors = chosen(
            await request.form(), "faq", {*known, NEW_FAQ},
            "Pilih entri FAQ dulu / choose an FAQ entry first",
        )  # fmt: skip
        entry = known.get(target)
        if errors:
            return await page(request, scope, errors=errors, code=400)
        async with app.db.sessions() as session:
            texts = await texts_of(session, ids)
        now = app.deps.clock()
        by = scope.viewer.employee_id
        try:
            if entry is not None:
                added = additions.add_variants(faq_file, entry, texts, by_id=by, now=now)
                action, detail = "faq.variant.added", {"entry": entry.id, "added": added}
            else:
                number = additions.add_draft(faq_file, texts, by_id=by, now=now)
                action, detail = "faq.draft.added", {"draft": number}
                added = len(texts)
        except additions.AdditionRefused as refused:
            message = f"Tidak bisa ditambahkan ke FAQ / cannot be added to the FAQ: {refused}"
            return await page(request, scope, errors=[message], code=400)
        if entry is not None:
            app.deps.faq = current(app.deps.faq)  # answered from now on, in this process too
        async with app.db.transaction() as session:
            # The ids and the entry, never the texts: the audit trail holds no message bodies.
            pages.audit(
                session, scope, entity="faq", action=action,
                detail={**detail, "unknown_ids": sorted(ids)},
            )  # fmt: skip
        ok = "faq_variant" if entry is not None else "faq_draft"
        return RedirectResponse(f"/admin/unknown?ok={ok}&n={added}", 303)

    @routes.post("/unknown/rebuild")
    async def rebuild(request: Request, scope: Scope = post_scope) -> Response:
        require(_curates, scope)
        done = await curated.rebuild(app.deps)
        async with app.db.transaction() as session:
            pages.audit(
                session, scope, entity="nlu", action="nlu.router.rebuilt",
                detail={"examples": done.examples, "seconds": done.seconds,
                        "from_cache": done.from_cache},
            )  # fmt: skip
        return RedirectResponse(f"/admin/unknown?ok=rebuilt&n={done.examples}", 303)

    return routes
