"""The readers' own budget in the shared rate governor: channel posts go first."""

from __future__ import annotations

import time

from redis import Redis

from distributor.keys import Keys
from distributor.models import Destination
from distributor.publishing.ratelimit import RateGovernor, RateTable

CHANNEL = Destination(id="tg-main", platform="telegram", target="@visualjambi")


def test_reader_limits_take_the_shared_scope_unless_paid() -> None:
    table = RateTable(readers_per_s=29.0)
    free = {limit.scope for limit in table.reader_limits(77, paid=False)}
    assert free == {"telegram:bot", "telegram:readers", "telegram:chat:77"}
    paid = {limit.scope for limit in table.reader_limits(-42, paid=True)}
    assert paid == {"telegram:readers:paid", "telegram:chat:-42", "telegram:chat:-42:minute"}
    [together, *chats] = table.reader_round_limits([5, 6, 7], paid=True)  # one acquire for 3
    assert together.scope == "telegram:readers:paid" and len(chats) == 3
    assert together.interval_s == 3 * table.reader_limits(5, paid=True)[0].interval_s
    [shared, own, *chats] = table.reader_round_limits([5, 6, 7], paid=False)
    assert (shared.scope, own.scope, len(chats)) == ("telegram:bot", "telegram:readers", 3)
    assert shared.interval_s == 3 / 30 and own.interval_s == 3 / 29
    assert table.reader_round(paid=False) == 14  # half a second of 29/s
    assert RateTable.unenforced().reader_limits(77, paid=False) == ()


def test_a_waiting_channel_post_gets_the_next_slot_before_readers(
    redis_client: Redis, keys: Keys
) -> None:
    # slow rates (the bot 1/s, readers 0.5/s), so a loaded machine's delays stay far below
    # the margins: the same shape as 30/s against 29/s
    governor = RateGovernor(redis_client, keys, RateTable(telegram_per_s=1, readers_per_s=0.5))
    for reader in range(1, 5):  # readers sending flat out (a sender sleeps what it is told)
        while (wait := governor.acquire(governor.table.reader_limits(reader, paid=False))) > 0:
            time.sleep(wait)
    reader += 1
    wait = governor.acquire_for(CHANNEL)  # the bot-wide slot is taken for 1 s
    assert 0 < wait <= 1.0
    time.sleep(wait)
    # the shared slot is free again, the readers' own is not (2 s): the channel takes it
    assert governor.acquire(governor.table.reader_limits(reader, paid=False)) > 0
    assert governor.acquire_for(CHANNEL) == 0.0


def test_a_channel_post_waiting_through_a_round_of_readers_goes_before_the_next_round(
    redis_client: Redis, keys: Keys
) -> None:
    # slow rates (the bot 1/s, readers 0.5/s): rounds of 2 take 2 s of the shared scope and
    # 4 s of the readers' own
    governor = RateGovernor(redis_client, keys, RateTable(telegram_per_s=1, readers_per_s=0.5))
    table = governor.table
    assert governor.acquire(table.reader_round_limits([1, 2], paid=False)) == 0.0
    wait = governor.acquire_for(CHANNEL)  # the round holds the shared scope for 2 s
    assert 1.0 < wait <= 2.0
    time.sleep(wait)
    # the shared scope is free again, the readers' own is not (4 s): the channel takes it
    assert governor.acquire(table.reader_round_limits([3, 4], paid=False)) > 0
    assert governor.acquire_for(CHANNEL) == 0.0
    # and a round never starts inside the readers' own interval, whatever the shared scope
    assert governor.acquire(table.reader_round_limits([3, 4], paid=False)) > 0
