"""Group commit: what arrives during a write goes in the next one; a failure stays its own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from core.grouped import GroupCommit


class Store:
    """A commit that records its groups, waits for `release` on the first, and refuses "bad"."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.release = asyncio.Event()
        self.entered = asyncio.Event()

    async def commit(self, items: Sequence[str]) -> list[str]:
        self.groups.append(list(items))
        if len(self.groups) == 1:
            self.entered.set()
            await self.release.wait()
        if "bad" in items:
            raise ValueError("refused")
        return [item.upper() for item in items]


async def test_writes_arriving_during_a_commit_go_together_in_the_next() -> None:
    store = Store()
    group = GroupCommit(store.commit, limit=10, name="test")
    first = asyncio.create_task(group.write("a"))
    await store.entered.wait()
    later = [asyncio.create_task(group.write(x)) for x in ("b", "c", "d")]
    await asyncio.sleep(0)
    store.release.set()
    assert await first == "A"
    assert [await task for task in later] == ["B", "C", "D"]
    assert store.groups == [["a"], ["b", "c", "d"]]


async def test_a_group_is_at_most_its_limit() -> None:
    store = Store()
    group = GroupCommit(store.commit, limit=2, name="test")
    first = asyncio.create_task(group.write("a"))
    await store.entered.wait()
    later = [asyncio.create_task(group.write(x)) for x in ("b", "c", "d", "e", "f")]
    await asyncio.sleep(0)
    store.release.set()
    await asyncio.gather(first, *later)
    assert store.groups == [["a"], ["b", "c"], ["d", "e"], ["f"]]


async def test_a_failing_group_is_written_one_by_one_and_only_the_bad_write_fails() -> None:
    store = Store()
    group = GroupCommit(store.commit, limit=10, name="test")
    first = asyncio.create_task(group.write("a"))
    await store.entered.wait()
    good, bad, other = (asyncio.create_task(group.write(x)) for x in ("b", "bad", "c"))
    await asyncio.sleep(0)
    store.release.set()
    assert await first == "A"
    assert await good == "B"
    with pytest.raises(ValueError, match="refused"):
        await bad
    assert await other == "C"
    assert store.groups == [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]
