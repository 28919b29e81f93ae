"""Accepting events: dedupe, one queued task, and nothing left behind when the broker fails."""

from __future__ import annotations

import json
import time

import pytest
from redis import Redis

from distributor.errors import InvalidInput
from distributor.intake.service import EnqueueFailed, accept_event, receive
from distributor.intake.signature import SignatureError
from distributor.keys import Keys
from distributor.models import ArticleEvent
from distributor.queue.names import FAN_OUT
from tests.support.intake import (
    api_services,
    free_port,
    make_settings,
    queued_tasks,
    signed_headers,
    snapshot,
)
from tests.support.seed import seed_event


def test_accept_queues_fan_out_once(redis_url: str, redis_client: Redis, keys: Keys) -> None:
    event = ArticleEvent.model_validate(seed_event())
    with api_services(make_settings(redis_url, keys)) as services:
        before = services.clock()
        assert accept_event(event, services) == (event.event_id, False)
        assert accept_event(event, services) == (event.event_id, True)
    tasks = queued_tasks(redis_client, keys)
    accepted_at = tasks[0]["kwargs"].pop("accepted_at")  # for the publish → post latency
    assert before <= accepted_at <= services.clock()
    assert tasks == [
        {
            "task": FAN_OUT,
            "kwargs": {"event": event.model_dump(mode="json"), "event_id": event.event_id},
        }
    ]
    assert redis_client.exists(keys.event(event.event_id))


def test_a_new_revision_is_a_new_event(redis_url: str, redis_client: Redis, keys: Keys) -> None:
    first = ArticleEvent.model_validate(seed_event())
    second = ArticleEvent.model_validate(seed_event(revision=2))
    with api_services(make_settings(redis_url, keys)) as services:
        assert accept_event(first, services)[1] is False
        assert accept_event(second, services)[1] is False
    assert len(queued_tasks(redis_client, keys)) == 2


def test_broker_down_leaves_nothing_and_the_same_request_can_be_retried(
    redis_url: str, redis_client: Redis, keys: Keys
) -> None:
    body = json.dumps(seed_event()).encode()
    header = signed_headers(body)["X-Distributor-Signature"]
    before = snapshot(redis_url)
    down = make_settings(redis_url, keys, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    with api_services(down) as services, pytest.raises(EnqueueFailed, match="could not queue"):
        receive(body, header, services)
    assert snapshot(redis_url) == before
    with api_services(make_settings(redis_url, keys)) as services:
        event_id, duplicate = receive(body, header, services)
        assert not duplicate
        with pytest.raises(SignatureError, match="replayed"):
            receive(body, header, services)
    assert [t["kwargs"]["event_id"] for t in queued_tasks(redis_client, keys)] == [event_id]


def test_a_validly_signed_invalid_payload_writes_no_replay_marker(
    redis_url: str, keys: Keys
) -> None:
    data = seed_event()
    data["article"]["url"] = "javascript:alert(1)"
    body = json.dumps(data).encode()
    header = signed_headers(body, stamp=int(time.time()))["X-Distributor-Signature"]
    before = snapshot(redis_url)
    with api_services(make_settings(redis_url, keys)) as services:
        for _ in range(2):  # the same refusal both times, not "replayed" the second time
            with pytest.raises(InvalidInput, match=r"article\.url: URL scheme must be http"):
                receive(body, header, services)
    assert snapshot(redis_url) == before
