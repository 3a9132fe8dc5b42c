"""The in-memory channel layer, safe across threads.

Channels' ``InMemoryChannelLayer`` keeps an ``asyncio.Queue`` per channel; a message sent from another
thread's event loop (a service run outside the server's loop — the demo's scenario, the escalation loop, a
test's thread) lands in the queue without waking the loop that waits on it. This layer remembers the loop
that receives on each channel and hands the send to that loop. One process only: several server processes
share a board through Redis (``channels-redis``, chosen in settings when ``ANTT_REDIS_URL`` is set).
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loops: dict[str, asyncio.AbstractEventLoop] = {}

    async def receive(self, channel: str) -> Any:
        self._loops[channel] = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel: str, message: Any) -> None:
        loop = self._loops.get(channel)
        here = asyncio.get_running_loop()
        if loop is None or loop is here or loop.is_closed() or not loop.is_running():
            await super().send(channel, message)
            return
        future = asyncio.run_coroutine_threadsafe(InMemoryChannelLayer.send(self, channel, message), loop)
        await asyncio.wrap_future(future)

    async def group_send(self, group: str, message: Any) -> None:
        """One hop to the receivers' loop for the whole group (not one per channel): a board of a hundred
        clients gets an update from another thread as fast as from its own."""
        here = asyncio.get_running_loop()
        loops = {self._loops.get(channel) for channel in self.groups.get(group, {})}
        loops.discard(None)
        if len(loops) == 1:
            (loop,) = loops
            if loop is not None and loop is not here and loop.is_running() and not loop.is_closed():
                future = asyncio.run_coroutine_threadsafe(
                    InMemoryChannelLayer.group_send(self, group, message), loop
                )
                await asyncio.wrap_future(future)
                return
        await super().group_send(group, message)

    async def flush(self) -> None:
        await super().flush()
        self._loops = {}
