"""Finding a colleague by name or NIP, and naming a delegate (Plh.) for approvals."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from core.audit import record
from core.messages import Reply
from core.storage.models import Delegation, Employee
from core.text import T
from integrations.forms import format_range

# A name at or above this WRatio is a match; two within NEAR of each other are ambiguous.
MATCH = 85
NEAR = 5


def name_patterns(query: str) -> list[str]:
    """LIKE patterns that every name worth scoring contains: the query tokens' trigrams.

    A name WRatio scores at MATCH or more shares at least one three-letter piece with the
    query, even with a typo in every word ("bdi santsoo" still shares "san", "tso"...);
    words shorter than three letters are used whole when nothing longer was typed.
    """
    tokens = re.findall(r"[^\W_]+", query.casefold())
    grams = {t[i : i + 3] for t in tokens if len(t) >= 3 for i in range(len(t) - 2)}
    return sorted(grams) or sorted(set(tokens))


async def search_employee(session: AsyncSession, query: str) -> Employee | T:
    """One active colleague matching a NIP or a name, or a message saying what went wrong.

    The database narrows the names (case-insensitive LIKE on the query's pieces); rapidfuzz
    ranks the few candidates, so the answers are those of scoring every active employee.
    """
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) == 18:
        person = (await session.execute(select(Employee).where(Employee.nip == digits))).scalar()
        if person is not None and person.active:
            return person
        return T("NIP itu tidak ditemukan.", "That NIP was not found.")
    patterns = name_patterns(query)
    if not patterns:
        return T("Nama itu tidak ditemukan.", "That name was not found.")
    people = (
        await session.execute(
            select(Employee).where(
                Employee.active.is_(True),
                or_(*(Employee.name.ilike(f"%{p}%") for p in patterns)),
            )
        )
    ).scalars()
    folded = query.casefold()
    scored = sorted(
        ((fuzz.WRatio(folded, p.name.casefold()), p) for p in people), key=lambda s: -s[0]
    )
    good = [p for score, p in scored if score >= MATCH]
    if not good:
        return T("Nama itu tidak ditemukan.", "That name was not found.")
    if len(good) > 1 and scored[0][0] - scored[1][0] < NEAR:
        names = ", ".join(p.name for p in good[:4])
        return T(
            f"Ada beberapa: {names}. Tulis lebih lengkap atau pakai NIP.",
            f"Several match: {names}. Be more specific or use the NIP.",
        )
    return good[0]


async def find_employee(ctx: Context, query: str) -> Employee | T:
    """The colleague a form's employee field names (see `search_employee`)."""
    return await search_employee(ctx.session, query)


async def save_delegation(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Record a Plh.: the delegate receives this supervisor's prompts on those dates."""
    delegate = data["delegate"]
    if delegate["id"] == ctx.me.id:
        return [
            Reply(T("Delegasi ke diri sendiri tidak bisa.", "You cannot delegate to yourself."))
        ]
    start = date.fromisoformat(data["dates"]["start"])
    end = date.fromisoformat(data["dates"]["end"])
    row = Delegation(
        principal_id=ctx.me.id,
        delegate_id=delegate["id"],
        kind="plh",
        start_date=start,
        end_date=end,
        created_by_id=ctx.me.id,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    record(
        ctx.session,
        now=ctx.now,
        actor_id=ctx.me.id,
        channel=ctx.account.channel,
        entity="delegation",
        entity_id=row.id,
        action="delegation.created",
        detail={"delegate": delegate["id"], "start": start.isoformat(), "end": end.isoformat()},
    )
    when = format_range(start, end)
    from core import outbox

    await outbox.push(
        ctx.session,
        delegate["id"],
        Reply(
            T(
                f"Anda ditunjuk sebagai Plh. {ctx.me.name} untuk persetujuan, {when.id}.",
                f"You act for {ctx.me.name} on approvals, {when.en}.",
            )
        ),
        now=ctx.now,
        key=f"delegation:{row.id}",
    )
    return [
        Reply(
            T(
                f"✅ Delegasi tersimpan: {delegate['name']} menyetujui atas nama Anda, {when.id}.",
                f"✅ Delegation saved: {delegate['name']} approves for you, {when.en}.",
            )
        )
    ]
