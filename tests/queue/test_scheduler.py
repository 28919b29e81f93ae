"""The delayed-work sorted set that beat drains."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.queue.scheduler import Scheduler
from tests.support.clock import Clock


def test_only_due_items_are_sent_once(redis_client: Redis, keys: Keys) -> None:
    clock = Clock()
    sched = Scheduler(redis_client, keys, clock)
    sched.schedule(120, "t.a", {"n": 1}, "q1")
    sched.schedule(3600, "t.b", {"n": 2}, "q2")
    sent: list[tuple[str, dict[str, Any], str]] = []

    assert sched.promote(lambda *a: sent.append(a)) == 0
    clock.now += 121
    assert sched.promote(lambda *a: sent.append(a)) == 1
    assert sent == [("t.a", {"n": 1}, "q1")]
    assert sched.promote(lambda *a: sent.append(a)) == 0
    assert sched.pending() == 1


def test_a_failed_send_keeps_the_item(redis_client: Redis, keys: Keys) -> None:
    clock = Clock()
    sched = Scheduler(redis_client, keys, clock)
    sched.schedule(0, "t.a", {}, "q")

    def broken(*_: object) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        sched.promote(broken)
    assert sched.pending() == 1
