"""The pacer's rounds on the real rate governor: a round's slots in one acquire, a busy chat
found and set aside."""

from __future__ import annotations

import asyncio
import time

from redis import Redis

from distributor.audience.readers.pacing import Outgoing, Pacer
from distributor.keys import Keys
from distributor.publishing.ratelimit import RateGovernor, RateTable


def rounds(pacer: Pacer) -> list[list[int]]:
    """The chats of every round the pacer hands out until none is left."""

    async def take_all() -> list[list[int]]:
        taken = []
        while pacer.waiting:
            taken.append([item.chat for item in await pacer.take(64)])
        return taken

    return asyncio.run(take_all())


def test_free_messages_go_in_rounds(redis_client: Redis, keys: Keys) -> None:
    governor = RateGovernor(redis_client, keys, RateTable())
    pacer = Pacer(governor, paid=False, deadline=time.monotonic() + 30)
    pacer.add([Outgoing(chat) for chat in range(1, 21)])
    assert rounds(pacer) == [list(range(1, 15)), list(range(15, 21))]  # 14 a round at 29/s


def test_a_round_with_a_busy_chat_sends_the_others_first(redis_client: Redis, keys: Keys) -> None:
    governor = RateGovernor(redis_client, keys, RateTable())
    [chat_limit] = governor.table.reader_limits(3, paid=True)[1:]
    for _ in range(3):  # chat 3 had its burst of 3: busy for about a second
        assert governor.acquire((chat_limit,)) == 0.0
    pacer = Pacer(governor, paid=False, deadline=time.monotonic() + 30)
    pacer.add([Outgoing(chat) for chat in range(1, 6)])
    taken = [chat for round_ in rounds(pacer) for chat in round_]
    assert taken == [1, 2, 4, 5, 3]  # the round was refused; the others went, then chat 3
