"""Over a real Redis (``ANTT_REDIS_URL``; skipped without it): a burst of board updates published back to
back from a service's thread, while the server's boards are busy, reaches every board, all of it, in order.

The list-based ``channels_redis.core.RedisChannelLayer`` keeps a server process's undelivered updates in one
Redis key and drops any update beyond the key's capacity (100 by default) while the process is not reading:
a busy server lost updates. The pub/sub layer (the settings' choice) reads every update off the socket as
it comes and queues it in memory for each board.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.conf import settings

from antt.operations import live

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (ANTT_REDIS_URL)")

BOARDS = 100
UPDATES = 300  # more than channels-redis's default capacity of a key


def test_a_burst_of_updates_reaches_every_busy_board_in_order() -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    group = live.event_group(987_654)  # no event of any test uses it
    ready, published = threading.Event(), threading.Event()
    received: dict[str, list[int]] = {}
    failure: list[BaseException] = []

    async def boards() -> None:
        channels = [await layer.new_channel() for _ in range(BOARDS)]
        for channel in channels:
            await layer.group_add(group, channel)
        ready.set()
        while not published.is_set():  # the boards are busy while the burst arrives
            await asyncio.sleep(0.05)

        async def drain(channel: str) -> None:
            got = received.setdefault(channel, [])
            while len(got) < UPDATES:
                message = await asyncio.wait_for(layer.receive(channel), timeout=30)
                got.append(message["update"]["seq"])

        try:
            await asyncio.gather(*(drain(channel) for channel in channels))
        finally:
            for channel in channels:
                await layer.group_discard(group, channel)

    def server() -> None:
        try:
            asyncio.run(boards())
        except BaseException as exc:  # reported by the test's thread
            failure.append(exc)

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    assert ready.wait(30), "the boards did not join the group"
    for seq in range(1, UPDATES + 1):  # as services publish after their commits: from a sync thread
        live._send(group, {"type": "board.update", "update": {"seq": seq, "kind": "incident", "data": {}}})
    published.set()
    thread.join(60)
    assert not failure, failure
    assert len(received) == BOARDS
    assert all(seqs == list(range(1, UPDATES + 1)) for seqs in received.values())
