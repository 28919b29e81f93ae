"""deliver() on a real Redis and the live sandbox: exactly one post, whatever fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, DeliveryState, Destination, Platform
from distributor.publishing.delivery import OutcomeKind, backoff
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor, RateTable
from tests.support.clock import Clock
from tests.support.publishers import (
    CHANNEL,
    CHANNEL_ID,
    X_ACCOUNT,
    InterleavedLedger,
    Rig,
    closed_port_url,
    sandbox_harness,
)
from tests.support.seed import seed_article_dict

DESTINATIONS = {"telegram": CHANNEL, "x": X_ACCOUNT}
CREATE = {"telegram": "sendMessage", "x": "create_tweet"}


@pytest.fixture
def article() -> Article:
    return Article.model_validate(seed_article_dict())


@pytest.fixture
def rig(redis_client: Redis, keys: Keys) -> Iterator[Rig]:
    with sandbox_harness() as harness:
        ledger = Ledger(redis_client, keys, lease_s=60, clock=Clock())
        yield Rig(harness, ledger, RateGovernor(redis_client, keys))


@pytest.mark.parametrize("platform", ["telegram", "x"])
def test_publish_posts_once_and_records_the_id(
    rig: Rig, article: Article, platform: Platform
) -> None:
    dest = DESTINATIONS[platform]
    outcome = rig.run(article, dest)
    (post,) = rig.harness.posts(platform)
    post_id = str(post["message_id"] if platform == "telegram" else post["id"])
    assert outcome.kind is OutcomeKind.DONE and outcome.message_ids == (post_id,)
    record = rig.ledger.get(article.id, dest.id, article.revision)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == (post_id,)
    assert rig.run(article, dest).kind is OutcomeKind.NOTHING
    assert len(rig.harness.posts(platform)) == 1
    steps = [(e.get("from"), e["to"]) for e in rig.ledger.history(article.id)]
    assert steps == [(None, "pending"), ("pending", "sending"), ("sending", "sent")]


@pytest.mark.parametrize("platform", ["telegram", "x"])
def test_the_same_delivery_five_times_at_once_posts_once(
    redis_url: str, keys: Keys, article: Article, platform: Platform
) -> None:
    dest, barrier, kinds = DESTINATIONS[platform], threading.Barrier(5), list[OutcomeKind]()
    with sandbox_harness() as harness:

        def worker() -> None:
            client = Redis.from_url(redis_url, decode_responses=True)
            try:
                relaxed = RateTable(chat_burst=5, chat_per_min=60)  # all five reach the claim
                mine = Rig(harness, Ledger(client, keys), RateGovernor(client, keys, relaxed))
                mine.publisher(platform)
                barrier.wait()
                kinds.append(mine.run(article, dest).kind)
            finally:
                client.close()

        threads = [threading.Thread(target=worker) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(kinds) == sorted([OutcomeKind.DONE] + [OutcomeKind.NOTHING] * 4)
        assert len(harness.posts(platform)) == 1


@pytest.mark.parametrize("platform", ["telegram", "x"])
@pytest.mark.parametrize(
    ("fault", "kind", "state", "posted"),
    [
        ({"kind": "server_error", "after": True}, OutcomeKind.IN_DOUBT, DeliveryState.IN_DOUBT, 1),
        ({"kind": "server_error"}, OutcomeKind.IN_DOUBT, DeliveryState.IN_DOUBT, 0),
        (
            {"kind": "hang", "hang_seconds": 3, "after": True},
            OutcomeKind.IN_DOUBT,
            DeliveryState.IN_DOUBT,
            1,
        ),
        ({"kind": "rate_limit", "retry_after": 9}, OutcomeKind.RETRY, DeliveryState.PENDING, 0),
    ],
)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_retried_delivery_never_posts_twice(
    rig: Rig,
    article: Article,
    platform: Platform,
    fault: dict[str, Any],
    kind: OutcomeKind,
    state: DeliveryState,
    posted: int,
) -> None:
    dest = DESTINATIONS[platform]
    rig.harness.fault(platform, CREATE[platform], **fault)
    publisher = rig.harness.publisher(platform, timeout_s=1.0 if fault["kind"] == "hang" else 5.0)
    outcome = rig.run(article, dest, publisher=publisher)
    assert outcome.kind is kind
    record = rig.ledger.get(article.id, dest.id, article.revision)
    assert record is not None and record.state == state
    assert len(rig.harness.posts(platform)) == posted
    if kind is OutcomeKind.RETRY:
        assert outcome.retry_in is not None and outcome.retry_in >= 8  # X resets on whole seconds
        assert record.error is not None
        assert "flood control" in record.error or "rate limit" in record.error
    retried = rig.run(article, dest)
    if kind is OutcomeKind.RETRY and platform == "telegram":  # the 429 holds the chat (#13)
        assert retried.kind is OutcomeKind.RETRY and (retried.retry_in or 0) >= 8
        assert rig.harness.posts(platform) == []
    elif kind is OutcomeKind.RETRY:
        assert retried.kind is OutcomeKind.DONE and len(rig.harness.posts(platform)) == 1
    else:
        assert retried.kind is OutcomeKind.NOTHING and len(rig.harness.posts(platform)) == posted


def test_a_lease_released_between_snapshot_and_claim_is_posted_not_orphaned(
    redis_client: Redis, keys: Keys, article: Article
) -> None:
    """The claim race (issue #13): worker A holds the lease when worker B takes its snapshot,
    then releases it (a transient error) before B goes on. B must post the delivery, not take
    a claim it throws away and leave a lease nobody holds to expire into in_doubt."""
    clock = Clock()
    first = Ledger(redis_client, keys, lease_s=60, clock=clock)
    held = first.claim(article.id, CHANNEL.id, article.revision)
    assert held is not None
    release = [lambda: first.release(held, "429: flood control, try again")]

    def worker_a_releases() -> None:
        while release:
            release.pop()()

    interleaved = InterleavedLedger(redis_client, keys, worker_a_releases, lease_s=60, clock=clock)
    with sandbox_harness() as harness:
        outcome = Rig(harness, interleaved, RateGovernor(redis_client, keys)).run(article, CHANNEL)
        posted = harness.messages()
    assert outcome.kind is OutcomeKind.DONE, outcome
    record = first.get(article.id, CHANNEL.id, article.revision)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == (str(posted[0]["message_id"]),) and len(posted) == 1
    assert redis_client.zcard(keys.leases()) == 0  # no lease left for nobody to expire


def test_permanent_refusal_is_recorded_and_not_retried(rig: Rig, article: Article) -> None:
    patch = {"bot_removed": True}
    rig.harness.http.patch(f"/sandbox/telegram/chats/{CHANNEL_ID}", json=patch).raise_for_status()
    outcome = rig.run(article, CHANNEL)
    assert outcome.kind is OutcomeKind.FAILED and "Forbidden" in outcome.detail
    record = rig.ledger.get(article.id, CHANNEL.id, article.revision)
    assert record is not None and record.state is DeliveryState.FAILED
    assert record.error is not None and "Forbidden" in record.error
    assert rig.run(article, CHANNEL).kind is OutcomeKind.NOTHING


def test_transient_failures_give_up_after_max_attempts(rig: Rig, article: Article) -> None:
    unreachable = rig.harness.telegram(base_url=closed_port_url())
    first = rig.run(article, CHANNEL, publisher=unreachable, max_attempts=2)
    assert first.kind is OutcomeKind.RETRY and first.retry_in is not None
    record = rig.ledger.get(article.id, CHANNEL.id, article.revision)
    assert record is not None and record.state is DeliveryState.PENDING and record.attempts == 1
    second = rig.run(article, CHANNEL, publisher=unreachable, max_attempts=2)
    assert second.kind is OutcomeKind.FAILED and "gave up after 2 attempts" in second.detail


def test_a_short_rate_wait_is_taken_in_process(rig: Rig, article: Article) -> None:
    chat = rig.governor.table.limits_for(CHANNEL)[1]  # 1/s per chat, burst 3
    while rig.governor.acquire([chat]) == 0.0:
        pass
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    assert rig.run(article, CHANNEL, sleep=sleep).kind is OutcomeKind.DONE
    assert waits and all(0 < w <= 2 for w in waits)


def test_a_render_error_leaves_the_delivery_pending(rig: Rig, article: Article) -> None:
    def broken(article: Article, destination: Destination) -> Any:
        raise ValueError("template bug")

    with pytest.raises(ValueError, match="template bug"):
        rig.run(article, CHANNEL, render=broken)
    rig.ledger.ensure(article.id, CHANNEL.id, article.revision)
    record = rig.ledger.get(article.id, CHANNEL.id, article.revision)
    assert record is not None and record.state is DeliveryState.PENDING and record.attempts == 0
    assert rig.run(article, CHANNEL).kind is OutcomeKind.DONE


def test_backoff_grows_with_jitter_caps_and_honours_retry_after() -> None:
    low, high = (lambda: 0.0), (lambda: 1.0)
    assert [backoff(n, rng=high) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert [backoff(n, rng=low) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff(30, rng=high) == 60.0
    assert backoff(0, retry_after=30, rng=low) == 30.0
    assert 30 <= backoff(0, retry_after=30) <= 31
    assert backoff(10, retry_after=3, rng=high) == 60.0
