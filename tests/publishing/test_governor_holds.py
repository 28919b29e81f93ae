"""A platform's 429 holds the chat for every worker; one call in flight per chat; deletes
go through the governor (issue 13). Real Redis, live sandbox, the real Telegram publisher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, DeliveryState
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import Limit, RateGovernor
from tests.support.clock import Clock
from tests.support.publishers import CHANNEL, Rig, sandbox_harness
from tests.support.seed import seed_article_dict

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _article(n: int) -> Article:
    data = seed_article_dict()
    data.update(id=f"{data['id']}-{n}", url=f"https://example.com/held/{n}")
    return Article.model_validate(data)


@pytest.fixture
def rig(redis_client: Redis, keys: Keys) -> Iterator[Rig]:
    with sandbox_harness() as harness:
        ledger = Ledger(redis_client, keys, lease_s=60, clock=Clock())
        yield Rig(harness, ledger, RateGovernor(redis_client, keys))


def test_hold_blocks_acquire_and_is_told_apart_from_pacing(
    governor_pair: tuple[RateGovernor, RateGovernor],
) -> None:
    first, second = governor_pair
    limit = Limit("telegram:chat:-1", interval_s=0.01, burst=3)
    assert first.acquire([limit]) == 0.0
    assert second.held([limit]) == 0.0  # a slot taken is pacing, not a hold
    first.hold([limit], 30.0)
    assert 29.0 < second.held([limit]) <= 30.0
    assert second.acquire([limit]) > 29.0  # every worker waits, not only the one told
    first.hold([limit], 1.0)  # a shorter hold never shortens a longer one
    assert second.held([limit]) > 29.0


@pytest.fixture
def governor_pair(redis_url: str, keys: Keys) -> Iterator[tuple[RateGovernor, RateGovernor]]:
    """Two workers' governors on their own connections to the same Redis."""
    clients = [Redis.from_url(redis_url, decode_responses=True) for _ in range(2)]
    clients[0].flushdb()
    yield RateGovernor(clients[0], keys), RateGovernor(clients[1], keys)
    for client in clients:
        client.close()


def test_a_429_holds_the_chat_for_every_worker(rig: Rig, redis_url: str, keys: Keys) -> None:
    rig.harness.fault("telegram", "sendMessage", "rate_limit", retry_after=30)
    first = rig.run(_article(1), CHANNEL)
    assert first.kind == "retry" and first.platform_retry_after == 30
    other_client = Redis.from_url(redis_url, decode_responses=True)
    try:
        other = RateGovernor(other_client, keys)  # another worker process's governor
        second = replace(rig, governor=other).run(_article(2), CHANNEL)
    finally:
        other_client.close()
    assert second.kind == "retry" and second.retry_in is not None and second.retry_in > 25
    assert rig.harness.messages() == []  # the second delivery never called the blocked chat
    record = rig.ledger.get(_article(2).id, CHANNEL.id, 1)
    assert record is not None and record.state is DeliveryState.PENDING and record.attempts == 0


def test_no_call_while_another_is_in_flight_to_the_chat(rig: Rig) -> None:
    entered, leave = threading.Event(), threading.Event()

    def in_flight() -> None:
        with rig.governor.flight(CHANNEL, 1.0) as held:
            assert held == 0.0
            entered.set()
            leave.wait(10)

    holder = threading.Thread(target=in_flight)
    holder.start()
    try:
        entered.wait(10)
        outcome = rig.run(_article(3), CHANNEL, max_wait_s=0.2)
    finally:
        leave.set()
        holder.join()
    assert outcome.kind == "retry" and rig.harness.messages() == []
    assert rig.run(_article(3), CHANNEL).kind == "done"  # the chat is free again


def test_unpublish_deletes_wait_for_a_held_chat(rig: Rig) -> None:
    article = _article(4)
    assert rig.run(article, CHANNEL).kind == "done"
    rig.governor.hold_for(CHANNEL, 30.0)  # a 429 from another worker's call
    outcome = rig.run(article, CHANNEL, "unpublish")
    assert outcome.kind == "retry" and outcome.retry_in is not None and outcome.retry_in > 25
    assert len(rig.harness.messages()) == 1  # not deleted yet


def test_a_429_on_a_delete_holds_the_chat(rig: Rig) -> None:
    article = _article(5)
    assert rig.run(article, CHANNEL).kind == "done"
    rig.harness.fault("telegram", "deleteMessage", "rate_limit", retry_after=30)
    assert rig.run(article, CHANNEL, "unpublish").kind == "retry"
    assert rig.governor.held(rig.governor.table.limits_for(CHANNEL)) > 25
    assert rig.run(_article(6), CHANNEL).kind == "retry"
    assert len(rig.harness.messages()) == 1
