"""Share counting cannot hold up the rest of the API (docs/security.md, "Counts"): a slow Redis
on a share link's cache miss does not stall the event loop, and counts in a Redis of their own
that is full do not stop the intake."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.keys import Keys
from distributor.local.embedded_redis import free_port
from tests.support.intake import api_services, live_server, make_settings, signed_headers
from tests.support.processes import PrivateRedis
from tests.support.seed import seed_event
from tests.support.shares import CHROME, SITE_ORIGIN, store_article
from tests.support.slowproxy import slow_proxy


async def _slow_miss_and_a_cached_click(base: str, cold: str, warm: str) -> tuple[bool, int]:
    """Ask for the cold link (its lookup stalls), then the warm one: whether the cold one was
    still waiting when the warm one answered, and the warm one's status."""
    agent = {"User-Agent": CHROME}
    async with httpx.AsyncClient(base_url=base, headers=agent, timeout=30) as client:
        first = asyncio.create_task(client.get(cold))
        await asyncio.sleep(0.3)  # the cold request is inside its Redis lookup
        second = await client.get(warm)
        still_waiting = not first.done()
        assert (await first).status_code == 302
    return still_waiting, second.status_code


def test_a_slow_redis_on_a_cache_miss_does_not_stall_other_requests(
    redis_url: str, redis_client: Redis, keys: Keys
) -> None:
    cold, warm = store_article(redis_client, keys, id="cold-1"), store_article(redis_client, keys)
    target = urlsplit(redis_url)
    db = target.path.lstrip("/") or "0"
    with slow_proxy((target.hostname or "127.0.0.1", target.port or 6379), 1.0) as proxy:
        slow_url = f"redis://127.0.0.1:{proxy.port}/{db}"
        settings = make_settings(slow_url, keys, http_timeout_s=30)
        with api_services(settings) as services, live_server(create_app(services)) as server:
            services.published.get(warm.id)  # in the process's cache: no Redis needed
            services.visitors.id_for("warm-up", "20240101")  # the writer thread's salt
            proxy.slow.set()
            waiting, status = asyncio.run(
                _slow_miss_and_a_cached_click(
                    server.url, f"/s/{cold.id}/facebook", f"/s/{warm.id}/x"
                )
            )
            proxy.slow.clear()
    assert status == 302
    assert waiting, "the cached link waited for another request's Redis lookup"


@pytest.fixture
def counts_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of the counts' own (DISTRIBUTOR_COUNTS_REDIS_URL) on a spare port."""
    redis = PrivateRedis(tmp_path / "counts", free_port()).start()
    yield redis
    redis.stop()


def test_counts_live_apart_and_a_full_counts_redis_does_not_stop_the_intake(
    redis_url: str, redis_client: Redis, keys: Keys, counts_redis: PrivateRedis
) -> None:
    settings = make_settings(
        redis_url, keys, counts_redis_url=counts_redis.url, site_origins=[SITE_ORIGIN]
    )
    article = store_article(redis_client, keys)
    link, views = f"/s/{article.id}/x", f"/v1/articles/{article.id}/views"
    with (
        api_services(settings) as services,
        TestClient(create_app(services), headers={"User-Agent": CHROME}) as client,
        Redis.from_url(counts_redis.url) as counts,
    ):
        assert client.get(link, follow_redirects=False).status_code == 302
        assert client.get(f"/v1/articles/{article.id}/shares").json()["total"] == 1
        assert counts.keys(f"{keys.prefix}:shares:*")
        assert redis_client.keys(f"{keys.prefix}:shares:*") == []  # none beside the ledger

        counts.config_set("maxmemory", "1")  # flooded: every write refused (noeviction)
        assert client.post(views, headers={"Origin": SITE_ORIGIN}).status_code == 503
        assert client.get(link, follow_redirects=False).status_code == 302  # still redirects
        body = json.dumps(seed_event(article_id="during-the-flood")).encode()
        accepted = client.post("/v1/events", content=body, headers=signed_headers(body))
        assert accepted.status_code == 202
        assert redis_client.llen(keys.queue("fan_out")) == 1
