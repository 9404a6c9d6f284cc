"""Pacing: evenly spaced slots that never break a sliding-window limit, per-chat deferral."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from core.settings import Settings
from scheduler.channel_port import limits_from_settings
from scheduler.pacing import ChannelGate, Pacer, SendWindow


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_evenly_spaced_and_never_burst_to_catch_up() -> None:
    ticks = Ticks()
    pacer = Pacer(10, monotonic=ticks)
    assert [round(pacer.reserve(), 6) for _ in range(3)] == [0.0, 0.1, 0.2]
    ticks.now += 5  # idle for a while
    assert [round(pacer.reserve(), 6) for _ in range(2)] == [0.0, 0.1]


def test_a_pacer_allowed_to_catch_up_makes_up_at_most_that_many_slots() -> None:
    ticks = Ticks()
    pacer = Pacer(10, catch_up=2, monotonic=ticks)
    assert pacer.reserve() == 0.0
    ticks.now += 0.5  # woke up late: four slots were missed
    assert [round(pacer.reserve(), 6) for _ in range(4)] == [0.0, 0.0, 0.0, 0.1]


async def test_a_429_widens_the_send_window_margin_and_sends_shrink_it_back() -> None:
    ticks = Ticks()
    window = SendWindow(30, 1.0, margin=0.02, monotonic=ticks)
    window.widen()
    window.widen()
    assert round(window.margin, 3) == 0.04
    for _ in range(60):
        ticks.now += 0.1  # at 10 a second nothing ever waits
        await window.enter()
    assert round(window.margin, 3) == 0.02


def test_no_one_second_window_ever_holds_more_than_the_limit() -> None:
    ticks = Ticks()
    gate_rate = ChannelGate(30, None, monotonic=ticks).rate
    pacer = Pacer(gate_rate, monotonic=ticks)
    slots = [ticks.now + pacer.reserve() for _ in range(3000)]
    busiest = max(
        sum(1 for s in slots[i : i + 40] if s < start + 1.0) for i, start in enumerate(slots)
    )
    assert busiest == 30


def test_retry_after_holds_back_one_chat_only() -> None:
    gate = ChannelGate(30, 1)
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    gate.defer_chat("111", now + timedelta(seconds=7))
    assert gate.wait_for_chat("111", now) == 7.0
    assert gate.wait_for_chat("222", now) == 0.0
    assert gate.wait_for_chat("111", now + timedelta(seconds=7)) == 0.0


def test_the_gate_forgets_the_oldest_chats_beyond_its_bound() -> None:
    gate = ChannelGate(30, 1, max_chats=2)
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    for chat in ("a", "b", "c"):
        gate.defer_chat(chat, now + timedelta(seconds=5))
    assert [gate.wait_for_chat(c, now) for c in ("a", "b", "c")] == [0.0, 5.0, 5.0]


async def test_a_send_that_left_late_holds_back_the_one_a_window_later() -> None:
    ticks = Ticks()
    window = SendWindow(3, 1.0, margin=0.0, monotonic=ticks)
    await window.enter()  # left at 100.0
    ticks.now = 100.5  # woke up late: two sends leave together
    await window.enter()
    await window.enter()
    ticks.now = 101.0  # the first has aged out: the fourth may go
    await asyncio.wait_for(window.enter(), 1)
    assert window.limit == 3
    assert [round(t, 3) for t in window._sent] == [100.5, 100.5, 101.0]


def test_instances_sending_for_one_bot_share_its_limits() -> None:
    settings = Settings(_env_file=None, sender_instances=3, whatsapp_rate_global=90)
    limits = limits_from_settings(settings)
    assert (limits["telegram"].global_per_sec, limits["telegram"].per_chat_per_sec) == (10.0, 1.0)
    assert limits["whatsapp"].global_per_sec == 30.0
