"""GET /metrics on the API: this process's counters and the deployment's state from Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from distributor.api.app import create_app
from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.ledger import Ledger
from tests.support.clock import T0, Clock
from tests.support.shares import CHROME, share_services, store_article


@pytest.fixture
def client(redis_client: Redis, keys: Keys) -> Iterator[TestClient]:
    app = create_app(share_services(redis_client, keys, Clock(T0)))
    with TestClient(app, headers={"User-Agent": CHROME}) as test_client:
        yield test_client


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_queue_depth_and_in_doubt_come_from_redis(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    redis_client.rpush(keys.queue("deliver.x"), "m1", "m2")
    ledger = Ledger(redis_client, keys)
    claim = ledger.claim("a-1", "x-main", 1)
    assert claim is not None
    ledger.record_in_doubt(claim, "answer lost")
    found = scrape(client)
    assert found[("distributor_state_up", ())] == 1
    assert found[("distributor_queue_depth", (("queue", "deliver.x"),))] == 2
    assert found[("distributor_queue_depth", (("queue", "fan_out"),))] == 0
    assert found[("distributor_in_doubt_deliveries", ())] == 1
    assert found[("distributor_sending_deliveries", ())] == 0


def test_share_clicks_are_counted_people_and_bots_apart(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    article: Article = store_article(redis_client, keys)
    human = ("distributor_share_clicks_total", (("kind", "human"), ("network", "whatsapp")))
    bot = ("distributor_share_clicks_total", (("kind", "bot"), ("network", "whatsapp")))
    before = scrape(client)
    client.get(f"/s/{article.id}/whatsapp", follow_redirects=False)
    client.get(
        f"/s/{article.id}/whatsapp", follow_redirects=False,
        headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
    )  # fmt: skip
    client.app.state.container.clicks.flush()  # type: ignore[attr-defined]
    after = scrape(client)
    assert after[human] - before.get(human, 0) == 1
    assert after[bot] - before.get(bot, 0) == 1


def test_redis_down_is_a_gauge_not_an_error(client: TestClient) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    container.redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    assert scrape(client)[("distributor_state_up", ())] == 0
