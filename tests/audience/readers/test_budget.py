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
    assert RateTable.unenforced().reader_limits(77, paid=False) == ()


def test_a_waiting_channel_post_gets_the_next_slot_before_readers(
    redis_client: Redis, keys: Keys
) -> None:
    governor = RateGovernor(redis_client, keys, RateTable(readers_per_s=20.0))
    assert governor.acquire(governor.table.reader_limits(1, paid=False)) == 0.0
    wait = governor.acquire_for(CHANNEL)  # the bot-wide slot is taken for 1/30 s
    assert 0 < wait <= 1 / 30 + 0.005
    time.sleep(wait)
    # the shared slot is free again, the readers' own is not (1/20 s): the channel takes it
    assert governor.acquire(governor.table.reader_limits(2, paid=False)) > 0
    assert governor.acquire_for(CHANNEL) == 0.0
