"""What managers and operators see of the X budget: skipped posts (and sending one by hand),
held posts in /healthz and in `distributor status`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.keys import Keys
from distributor.models import DeliveryState
from distributor.publishers.base import LimitReading
from distributor.publishing.priority import Standing, Tier
from distributor.queue.names import DELIVER, deliver_queue
from distributor.wiring import Container
from tests.support.intake import (
    READER_TOKEN,
    RESHARE_TOKEN,
    queued_tasks,
)
from tests.support.processes import child_env
from tests.support.xbudget import article

REASON = "not posted: X's 24-hour limit per user leaves no room before ..."
SEND = "/v1/articles/a1/deliveries/x-main/1/send"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def skipped(services: Container) -> None:
    services.articles.save(article(1, "Politik"))
    services.ledger.ensure("a1", "x-main", 1)
    assert services.ledger.skip("a1", "x-main", 1, REASON)


def hold_one_post(services: Container) -> None:
    budget = services.x_budget
    budget.observe("x:default", [LimitReading("user-24hour", 100, 0, budget.now() + 3600, "X")])
    assert not budget.admit("x:default", "a9/x-main/1", Standing(Tier.NEWS)).admitted


@pytest.mark.usefixtures("skipped")
def test_managers_list_skipped_posts_with_the_reason(client: TestClient) -> None:
    assert client.get("/v1/deliveries/skipped").status_code == 401
    response = client.get("/v1/deliveries/skipped", headers=bearer(READER_TOKEN))
    assert response.status_code == 200
    (listed,) = response.json()
    assert (listed["article_id"], listed["destination"], listed["state"]) == (
        "a1", "x-main", "skipped",
    )  # fmt: skip
    assert listed["error"] == REASON and listed["message_ids"] == []
    history = client.get("/v1/articles/a1/deliveries", headers=bearer(READER_TOKEN)).json()
    assert history["deliveries"][0]["state"] == "skipped"


@pytest.mark.usefixtures("skipped")
def test_a_skipped_post_can_be_sent_by_hand_once(
    client: TestClient, services: Container, redis_client: Redis, keys: Keys
) -> None:
    assert client.post(SEND, json={}, headers=bearer(READER_TOKEN)).status_code == 403
    before = services.ledger.get("a1", "x-main", 1)
    response = client.post(SEND, json={"note": "still news"}, headers=bearer(RESHARE_TOKEN))
    assert response.status_code == 200 and response.json()["state"] == "pending"
    after = services.ledger.get("a1", "x-main", 1)
    assert after is not None and after.state is DeliveryState.PENDING and after.error is None
    assert before is not None and before.created_at is not None and after.created_at is not None
    assert after.created_at >= before.created_at  # its max_delay counts from the click
    (task,) = queued_tasks(redis_client, keys, deliver_queue("x"))
    assert task["task"] == DELIVER and task["kwargs"]["destination"] == "x-main"
    assert task["kwargs"]["article"]["id"] == "a1" and task["kwargs"]["action"] == "publish"
    again = client.post(SEND, json={}, headers=bearer(RESHARE_TOKEN))
    assert again.status_code == 409 and "pending, not skipped" in again.json()["error"]["message"]
    reasons = [e.get("reason", "") for e in services.ledger.history("a1")]
    assert "sent by hand by resharer (still news)" in reasons
    assert services.ledger.skipped_items() == []


def test_sending_by_hand_refuses_what_it_cannot_send(client: TestClient) -> None:
    headers = bearer(RESHARE_TOKEN)
    assert client.post(SEND, json={}, headers=headers).status_code == 404
    bad = client.post(SEND, json={"note": "x", "extra": 1}, headers=headers)
    assert bad.status_code == 422


def test_healthz_says_when_x_posts_are_held(client: TestClient, services: Container) -> None:
    assert client.get("/healthz").json()["held"] == []
    hold_one_post(services)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"  # held is not down
    (held,) = body["held"]
    assert (held["account"], held["held"], held["why"]) == ("x:default", 1, "X")
    assert held["message"].startswith("1 post held for x:default until ")


@pytest.mark.usefixtures("skipped")
def test_status_command_shows_held_posts_and_skipped_reasons(
    services: Container, redis_url: str, keys: Keys
) -> None:
    hold_one_post(services)
    env = child_env()
    env.update(DISTRIBUTOR_REDIS_URL=redis_url, DISTRIBUTOR_NAMESPACE=keys.prefix)

    def status(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "distributor", "status", *args],
            env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return out.stdout

    assert "X posts held: 1 post held for x:default until " in status()
    text = status("a1")
    assert "skipped" in text and REASON in text and "X posts held" in text
    parsed = json.loads(status("a1", "--json"))
    assert parsed["held"][0]["account"] == "x:default"
    assert parsed["deliveries"][0]["state"] == "skipped"
