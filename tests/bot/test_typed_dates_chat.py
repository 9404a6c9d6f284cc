"""Dates and durations as typed, through the leave form, on Wednesday 2 December 2026."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from core.clock import FixedClock
from tests.support.ayo_chat import nip_of, say, text_of

EMPLOYEE = "Dimas Prasetyo"


@pytest.fixture
async def wednesday(ayo: App, clock: FixedClock) -> App:
    clock.advance(timedelta(days=1))  # the suite's clock is Tuesday 1 December 2026, 09:00
    return ayo


@pytest.mark.parametrize(
    ("words", "dates", "days"),
    [
        (
            "mau cuti tahunan besok s.d. jumat",
            "Kamis, 3 Desember 2026 s.d. Jumat, 4 Desember 2026",
            2,
        ),
        ("cuti tahunan tgl 7-9 des", "Senin, 7 Desember 2026 s.d. Rabu, 9 Desember 2026", 3),
        ("cuti tahunan 7 sampai 9 des", "Senin, 7 Desember 2026 s.d. Rabu, 9 Desember 2026", 3),
        ("cuti tahunan senin depan 3hari", "Senin, 7 Desember 2026 s.d. Rabu, 9 Desember 2026", 3),
        ("cuti tahunan minggu depan", "Senin, 7 Desember 2026 s.d. Jumat, 11 Desember 2026", 5),
        (
            "cuti tahunan senin sampai rabu depan",
            "Senin, 7 Desember 2026 s.d. Rabu, 9 Desember 2026",
            3,
        ),
        ("mo cuti tahunan lusa 3hr", "Jumat, 4 Desember 2026 s.d. Selasa, 8 Desember 2026", 3),
    ],
)
async def test_the_leave_form_takes_the_dates_as_typed(
    wednesday: App, words: str, dates: str, days: int
) -> None:
    dimas = await nip_of(wednesday, EMPLOYEE)
    await say(wednesday, dimas, words)
    got = await say(wednesday, dimas, "urusan keluarga")
    assert f"Tanggal: {dates}" in text_of(got)
    assert f"Lama: {days} hari" in text_of(got)
