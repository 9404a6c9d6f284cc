"""Pacing: evenly spaced slots that never break a sliding-window limit, per-chat deferral."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.pacing import ChannelGate, Pacer


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
