"""Crashed workers and a restarted Redis never lose an event and never post twice."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from distributor.keys import Keys
from distributor.local.embedded_redis import free_port
from distributor.models import DeliveryState
from distributor.publishing.ratelimit import Limit, RateGovernor
from distributor.queue.broker import create_celery
from distributor.queue.names import MAINTENANCE_QUEUE, RECONCILE
from tests.support.processes import PrivateRedis
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until


def _states(spine: Spine, article_id: str) -> dict[str, DeliveryState]:
    return {dest: d.state for dest, d in spine.deliveries(article_id).items()}


def _reconcile(producer: Celery) -> None:
    producer.send_task(RECONCILE, queue=MAINTENANCE_QUEUE)


@pytest.mark.parametrize("victim", ["pool", "whole worker"])
def test_killed_after_the_platform_accepted_never_posts_again(make_spine: Any, victim: str) -> None:
    spine: Spine = make_spine()
    event = seed_event(article_id=f"crash-after-{victim[0]}")
    event["article"]["category"] = "Bisnis"  # tg-main and x-main only
    article_id = event["article"]["id"]
    # the platforms take the post, then the answer hangs: the worker dies before recording it
    spine.sandbox.fault(
        platform="telegram", method="sendPhoto", kind="hang", after=True, hang_seconds=20
    )
    spine.sandbox.fault(
        platform="x", method="create_tweet", kind="hang", after=True, hang_seconds=20
    )
    worker = spine.worker(concurrency=2)
    assert spine.publish(event).status_code == 202

    wait_until(lambda: len(spine.sandbox.messages()) == 1 and len(spine.sandbox.tweets()) == 1)
    wait_until(lambda: set(_states(spine, article_id).values()) == {DeliveryState.SENDING})
    if victim == "pool":
        for child in worker.children():
            child.send_signal(signal.SIGKILL)  # the parent requeues (task_reject_on_worker_lost)
    else:
        worker.kill()  # no parent left: the broker restores it after the visibility timeout
        spine.worker(concurrency=2)

    producer = create_celery(spine.settings)
    try:

        def settled() -> bool:
            _reconcile(producer)
            time.sleep(0.5)
            return _states(spine, article_id) == {
                "x-main": DeliveryState.SENT,  # found on the account's timeline
                "tg-main": DeliveryState.IN_DOUBT,  # the Bot API cannot tell: held for managers
            }

        wait_until(settled, timeout=60, what="x sent by reconciliation, telegram in doubt")
        tweet = spine.sandbox.tweets()[0]
        assert spine.deliveries(article_id)["x-main"].message_ids == (tweet["id"],)
        time.sleep(spine.settings.visibility_timeout_s + 2)  # any late redelivery has happened
        _reconcile(producer)
        time.sleep(1)
    finally:
        producer.close()
    assert len(spine.sandbox.messages()) == 1
    assert len(spine.sandbox.tweets()) == 1
    assert _states(spine, article_id)["tg-main"] is DeliveryState.IN_DOUBT


def test_killed_before_the_platform_call_is_redelivered_and_posted_once(make_spine: Any) -> None:
    spine: Spine = make_spine()
    event = seed_event(article_id="crash-before")
    event["article"]["category"] = "Opini"  # routed to tg-main only
    article_id = event["article"]["id"]
    worker = spine.worker(concurrency=1)
    # hold the channel's rate slot ~1.8 s so the delivery waits in-process, before its claim
    governor = RateGovernor(spine.redis, Keys(spine.settings.namespace))
    assert governor.acquire([Limit("telegram:chat:@visualjambi", 3.9, 1)]) == 0.0
    assert spine.publish(event).status_code == 202

    wait_until(lambda: "distributor.deliver[" in worker.read_log(), what="deliver started")
    time.sleep(0.3)
    assert _states(spine, article_id) == {"tg-main": DeliveryState.PENDING}
    assert spine.sandbox.messages() == []
    for child in worker.children():
        child.send_signal(signal.SIGKILL)

    wait_until(lambda: _states(spine, article_id) == {"tg-main": DeliveryState.SENT}, timeout=60)
    assert "WorkerLostError" in worker.read_log()
    assert len(spine.sandbox.messages()) == 1


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of the test's own with AOF on a spare port (the shared one keeps no data)."""
    redis = PrivateRedis(tmp_path / "redis", free_port()).start()
    yield redis
    redis.stop()


def test_redis_restarted_between_enqueue_and_consume_still_delivers(
    private_redis: PrivateRedis, make_spine: Any
) -> None:
    spine: Spine = make_spine(redis_url=private_redis.url)
    event = seed_event(article_id="redis-restart")
    assert spine.publish(event).status_code == 202
    queue = f"{spine.settings.namespace}:celery:fan_out"
    assert spine.redis.llen(queue) == 1
    # no wait: with appendfsync always the message and the outbox entry were fsynced before
    # Redis answered, so before the 202 (a SIGKILL cannot show an fsync, which only a power
    # loss would; tests/test_durability.py checks the policy itself)
    private_redis.stop(hard=True)  # SIGKILL: only what the AOF holds survives
    private_redis.start()
    assert spine.redis.llen(queue) == 1
    assert spine.redis.zcard(f"{spine.settings.namespace}:outbox") == 1

    spine.worker()
    wait_until(
        lambda: (
            set(_states(spine, "redis-restart").values()) == {DeliveryState.SENT}
            and len(_states(spine, "redis-restart")) == 3
        ),
        what="three sent deliveries after the restart",
    )
    assert len(spine.sandbox.messages("@visualjambi")) == 1
    assert len(spine.sandbox.tweets()) == 1
