"""Messages a dying worker popped (BRPOP) but never recorded as unacked are sent again by the
outbox sweep, and still posted exactly once."""

from __future__ import annotations

import time
from typing import Any

from celery import Celery

from distributor.models import DeliveryState
from distributor.queue.broker import create_celery
from distributor.queue.names import FAN_OUT_QUEUE, MAINTENANCE_QUEUE, SWEEP_OUTBOX, deliver_queue
from tests.support.processes import Service
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until


def _sweep_until(spine: Spine, producer: Celery, done: Any) -> None:
    def swept() -> bool:
        producer.send_task(SWEEP_OUTBOX, queue=MAINTENANCE_QUEUE)
        time.sleep(0.5)
        return bool(done())

    wait_until(swept, timeout=60, what="delivered after the sweep")


def _states(spine: Spine, article_id: str) -> dict[str, DeliveryState]:
    return {dest: d.state for dest, d in spine.deliveries(article_id).items()}


def test_a_lost_fan_out_message_is_sent_again(make_spine: Any) -> None:
    spine: Spine = make_spine(outbox_stale_s=1)
    spine.env["DISTRIBUTOR_OUTBOX_STALE_S"] = "1"
    event = seed_event(article_id="lost-fan-out")
    event["article"]["category"] = "Bisnis"  # tg-main and x-main
    assert spine.publish(event).status_code == 202
    queue = spine.settings.namespace + ":celery:" + FAN_OUT_QUEUE
    assert spine.redis.rpop(queue) is not None  # popped by a worker that died at once
    spine.worker()
    producer = create_celery(spine.settings)
    try:
        sent = {"tg-main": DeliveryState.SENT, "x-main": DeliveryState.SENT}
        _sweep_until(spine, producer, lambda: _states(spine, "lost-fan-out") == sent)
    finally:
        producer.close()
    assert len(spine.sandbox.messages("@visualjambi")) == 1
    assert len(spine.sandbox.tweets()) == 1


def test_a_lost_delivery_message_is_sent_again_and_posts_once(make_spine: Any) -> None:
    spine: Spine = make_spine(outbox_stale_s=1)
    spine.env["DISTRIBUTOR_OUTBOX_STALE_S"] = "1"
    event = seed_event(article_id="lost-delivery")
    event["article"]["category"] = "Bisnis"
    fan_out_only = Service(
        ["worker", f"--queues={FAN_OUT_QUEUE}"], spine.env, spine.logs / "fan-out.log"
    ).start("ready.")
    spine.services.append(fan_out_only)
    assert spine.publish(event).status_code == 202
    telegram = spine.settings.namespace + ":celery:" + deliver_queue("telegram")
    wait_until(lambda: spine.redis.llen(telegram) == 1, what="the telegram delivery queued")
    assert spine.redis.rpop(telegram) is not None  # popped by a worker that died at once
    spine.worker()  # delivers x-main; tg-main stays pending until the sweep
    wait_until(lambda: _states(spine, "lost-delivery")["x-main"] is DeliveryState.SENT)
    assert _states(spine, "lost-delivery")["tg-main"] is DeliveryState.PENDING
    producer = create_celery(spine.settings)
    try:
        _sweep_until(
            spine,
            producer,
            lambda: _states(spine, "lost-delivery")["tg-main"] is DeliveryState.SENT,
        )
    finally:
        producer.close()
    assert len(spine.sandbox.messages("@visualjambi")) == 1
    assert len(spine.sandbox.tweets()) == 1  # the resent fan-out did not post x-main again
