"""Group commit: writes that arrive while one transaction runs go together in the next.

Each caller still waits for its own write to be committed, so nothing is acknowledged early;
idle, a group is one write and waits no longer than a write of its own. Under load a few
statements and one commit serve dozens of writes. A group that fails is written again one by
one, so one bad write reaches only its own caller. Used by the inbox writer (each webhook's
update) and the sender (each send's outcome).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """`await group.write(item)` → what `commit([…, item, …])` gave for it.

    `commit` writes a list of items in one transaction and returns one result an item, in
    order; at most `limit` items go in one call.
    """

    def __init__(
        self,
        commit: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        *,
        limit: int,
        name: str,
    ) -> None:
        self.commit, self.limit, self.name = commit, limit, name
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[: self.limit], self._queue[self.limit :]
            try:
                results = await self.commit([item for item, _ in group])
            except Exception:
                if len(group) > 1:
                    log.warning("%s group of %s failed; writing one by one", self.name, len(group))
                self._queue = group + self._queue
                await self._one_by_one(len(group))
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, count: int) -> None:
        for _ in range(count):
            item, future = self._queue.pop(0)
            try:
                [result] = await self.commit([item])
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                continue
            if not future.done():
                future.set_result(result)
