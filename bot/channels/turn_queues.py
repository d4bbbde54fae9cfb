"""One turn queue (a "lane") per conversation: its messages are processed one after another, in order,
while different conversations run side by side. A lane's worker ends when it is idle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class TurnQueues:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: str, job: Job) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue()
            task = asyncio.get_running_loop().create_task(self._drain(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.put_nowait(job)

    async def _drain(self, key: str, queue: asyncio.Queue[Job]) -> None:
        while True:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                del self._queues[key]
                return
            try:
                await job()
            except Exception:  # one failed turn must not stop the conversation's lane
                logger.exception("a queued turn failed (conversation %s)", key[:8])
