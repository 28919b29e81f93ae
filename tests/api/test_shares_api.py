"""GET /s/{article}/{network}, GET /v1/articles/{id}/shares, POST /v1/articles/{id}/views."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis import Redis

from distributor.api.app import create_app
from distributor.audience.shares import DAY
from distributor.formatting.sharelinks import NETWORKS, share_url
from distributor.keys import Keys
from distributor.models import Article
from tests.support.clock import T0, Clock
from tests.support.shares import CHROME, share_services, store_article

BOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def client(redis_client: Redis, keys: Keys, clock: Clock) -> Iterator[TestClient]:
    app = create_app(share_services(redis_client, keys, clock))
    with TestClient(app, headers={"User-Agent": CHROME}) as test_client:
        yield test_client


@pytest.fixture
def article(redis_client: Redis, keys: Keys) -> Article:
    return store_article(redis_client, keys)


def click(client: TestClient, article_id: str, network: str, **headers: str) -> int:
    response = client.get(f"/s/{article_id}/{network}", headers=headers, follow_redirects=False)
    return response.status_code


@pytest.mark.parametrize("network", NETWORKS)
def test_redirects_to_the_networks_share_url(
    client: TestClient, article: Article, network: str
) -> None:
    response = client.get(f"/s/{article.id}/{network}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == share_url(network, article, "test-campaign")
    assert response.headers["cache-control"] == "no-store"


def test_clicks_are_counted_with_uniques_and_bots_apart(
    client: TestClient, article: Article, clock: Clock
) -> None:
    assert click(client, article.id, "facebook") == 302
    assert click(client, article.id, "facebook") == 302
    assert click(client, article.id, "x", **{"User-Agent": CHROME + " other"}) == 302
    assert click(client, article.id, "x", **{"User-Agent": BOT}) == 302
    assert click(client, article.id, "x", **{"User-Agent": ""}) == 302

    body = client.get(f"/v1/articles/{article.id}/shares").json()
    assert body == {
        "total": 3,
        "by_network": {"facebook": 2, "x": 1},
        "clicks": {"human": 3, "unique_today": 2, "bots": 2},
        "platform": {},
    }
    trending = client.get("/v1/trending").json()["items"]
    assert [item["id"] for item in trending] == [article.id]
    assert trending[0]["label"] == "3 shares · Share 2 · Tweet 1"

    clock.advance(DAY)
    clicks = client.get(f"/v1/articles/{article.id}/shares").json()["clicks"]
    assert clicks == {"human": 3, "unique_today": 0, "bots": 2}


def test_bot_clicks_never_reach_trending(client: TestClient, article: Article) -> None:
    for _ in range(3):
        assert click(client, article.id, "facebook", **{"User-Agent": BOT}) == 302
    assert client.get("/v1/trending").json()["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/s/no-such-article/facebook",
        "/s/20240201-rakor/myspace",
        "/s/20240201-rakor/FACEBOOK",
        "/s/20240201-rakor/facebook/",
        "/s/20240201-rakor/facebook//",
        "/s/20240201-rakor/facebook/extra",
        "/s/20240201-rakor",
        "/s/20240201-rakor/",
        "/s/.hidden/facebook",
        "/s/20240201-rakor/https:%2F%2Fevil.example",
        "/s/20240201-rakor/%0A/",
        "/s/20240201-rakor%0A/facebook/",
        "/s",
        "/s/",
    ],
)
def test_unknown_article_or_network_is_404(client: TestClient, article: Article, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_unpublished_article_is_404(client: TestClient, redis_client: Redis, keys: Keys) -> None:
    hidden = store_article(redis_client, keys, published=False, id="hidden-1")
    assert click(client, hidden.id, "facebook") == 404
    assert client.get(f"/v1/articles/{hidden.id}/shares").status_code == 404
    assert client.post(f"/v1/articles/{hidden.id}/views").status_code == 404


segment = st.one_of(
    st.sampled_from(["20240201-rakor", "other-2", "..", ".", "", "%2F", "//evil.example"]),
    st.sampled_from(NETWORKS),
    st.text(min_size=0, max_size=40),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    article_part=segment,
    network_part=segment,
    tail=st.sampled_from(["", "/", "//", "/x", "%0A/", "?next=https://evil.example"]),
    safe=st.sampled_from(["", "/", "/:@%"]),
)
def test_fuzzed_paths_never_redirect_off_the_share_urls(
    client: TestClient,
    redis_client: Redis,
    keys: Keys,
    article_part: str,
    network_part: str,
    tail: str,
    safe: str,
) -> None:
    stored = [store_article(redis_client, keys), store_article(redis_client, keys, id="other-2")]
    allowed = {share_url(n, a, "test-campaign") for a in stored for n in NETWORKS}
    path = f"/s/{quote(article_part, safe=safe)}/{quote(network_part, safe=safe)}{tail}"
    response = client.get(path, follow_redirects=False)
    if 300 <= response.status_code < 400:
        assert response.status_code == 302
        assert response.headers["location"] in allowed
    else:
        assert response.status_code in (404, 405)
        assert "location" not in response.headers


def test_views_are_deduplicated_per_visitor(
    client: TestClient, article: Article, clock: Clock
) -> None:
    url = f"/v1/articles/{article.id}/views"
    assert client.post(url).json() == {"counted": True, "views": 1}
    assert client.post(url).json() == {"counted": False, "views": 1}
    assert client.post(url, headers={"User-Agent": CHROME + " b"}).json()["views"] == 2
    assert client.post(url, headers={"User-Agent": BOT}).json() == {"counted": False, "views": 2}
    clock.advance(DAY)
    assert client.post(url).json() == {"counted": True, "views": 3}
    assert client.post("/v1/articles/nope/views").status_code == 404


def test_share_counts_are_readable_cross_origin(client: TestClient, article: Article) -> None:
    response = client.get(f"/v1/articles/{article.id}/shares")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert client.get("/v1/articles/unknown/shares").status_code == 404
