"""A supervisor who does not confirm a needs analysis digest is reminded once, from a due time
the scheduler sweeps (no timer in memory); a confirmed analysis is never reminded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from core.clock import FixedClock
from core.storage.models import NeedsAnalysis
from lessons.needs_reminders import sweep_needs_reminders
from tests.bot.test_needs_flow import rate_all
from tests.support.ayo_chat import button, nip_of, press, text_of

# Submitted Tuesday 1 December 2026, 09:00 WIB: due Thursday 3 December, 09:00 WIB.
DUE = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


async def submit(ayo: App) -> tuple[str, str]:
    dimas, sri = await nip_of(ayo, "Dimas Prasetyo"), await nip_of(ayo, "Sri Wahyuni")
    got = await rate_all(ayo, dimas)
    await press(ayo, dimas, button(got, "📤 Kirim ke atasan"))
    return dimas, sri


async def test_the_supervisor_is_reminded_once_after_two_working_days(
    ayo: App, clock: FixedClock
) -> None:
    _, sri = await submit(ayo)
    digest = await ayo.local.collect(sri)
    assert "mohon dikonfirmasi" in text_of(digest)
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
    assert row.remind_at == DUE

    assert await sweep_needs_reminders(ayo.db, datetime(2026, 12, 3, 1, 59, tzinfo=UTC)) == 0
    assert await ayo.local.collect(sri) == []
    assert await sweep_needs_reminders(ayo.db, DUE) == 1
    [reminder] = await ayo.local.collect(sri)
    assert reminder.text == (
        "⏰ Pengingat: analisis kebutuhan 2026 Dimas Prasetyo masih menunggu konfirmasi Anda. "
        'Ketik "kebutuhan tim" untuk meninjaunya.'
    )
    assert await sweep_needs_reminders(ayo.db, datetime(2026, 12, 9, tzinfo=UTC)) == 0
    assert await ayo.local.collect(sri) == []


async def test_a_confirmed_analysis_is_not_reminded(ayo: App, clock: FixedClock) -> None:
    _, sri = await submit(ayo)
    digest = await ayo.local.collect(sri)
    await press(ayo, sri, button(digest, "✅ Konfirmasi"))
    async with ayo.db.sessions() as session:
        row = (await session.execute(select(NeedsAnalysis))).scalar_one()
    assert (row.status, row.remind_at) == ("confirmed", None)
    assert await sweep_needs_reminders(ayo.db, DUE) == 0
    assert await ayo.local.collect(sri) == []
