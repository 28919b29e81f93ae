"""GET /s/{article}/{network}, GET /v1/articles/{id}/shares, POST /v1/articles/{id}/views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
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
from tests.support.intake import live_server
from tests.support.shares import CHROME, SITE_ORIGIN, share_services, store_article

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


@contextmanager
def reader(app: Any, address: str) -> Iterator[TestClient]:
    """A client connecting from ``address``."""
    with TestClient(app, headers={"User-Agent": CHROME}, client=(address, 50000)) as other:
        yield other


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
    assert click(client, article.id, "facebook") == 302  # the same address again
    assert click(client, article.id, "x", **{"User-Agent": CHROME + " other"}) == 302
    assert click(client, article.id, "x", **{"User-Agent": BOT}) == 302
    assert click(client, article.id, "x", **{"User-Agent": ""}) == 302

    body = client.get(f"/v1/articles/{article.id}/shares").json()
    assert body == {
        "total": 2,
        "by_network": {"facebook": 1, "x": 1},
        "clicks": {"human": 2, "unique_today": 1, "bots": 2},
        "platform": {},
    }
    trending = client.get("/v1/trending").json()["items"]
    assert [item["id"] for item in trending] == [article.id]
    assert trending[0]["label"] == "2 shares · Share 1 · Tweet 1"

    clock.advance(DAY)
    clicks = client.get(f"/v1/articles/{article.id}/shares").json()["clicks"]
    assert clicks == {"human": 2, "unique_today": 0, "bots": 2}


def test_one_address_with_300_user_agents_counts_once(
    client: TestClient, redis_client: Redis, keys: Keys, article: Article
) -> None:
    """The reproduction of #13: 300 User-Agents from one address counted 600 and put the
    article at #1; three real readers elsewhere must outrank it."""
    other = store_article(redis_client, keys, id="other-2")
    for n in range(300):
        assert click(client, article.id, "facebook", **{"User-Agent": f"{CHROME} r{n}"}) == 302
    for n in range(3):
        with reader(client.app, f"198.51.100.{n + 1}") as elsewhere:
            assert click(elsewhere, other.id, "facebook") == 302
    assert client.get(f"/v1/articles/{article.id}/shares").json()["by_network"] == {"facebook": 1}
    board = [item["id"] for item in client.get("/v1/trending").json()["items"]]
    assert board == [other.id, article.id]


def test_head_redirects_but_does_not_count(client: TestClient, article: Article) -> None:
    response = client.head(f"/s/{article.id}/facebook", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == share_url("facebook", article, "test-campaign")
    assert client.get(f"/v1/articles/{article.id}/shares").json()["total"] == 0


@pytest.mark.parametrize(
    ("mode", "dest", "counted"),
    [
        ("navigate", "document", True),  # a reader following the link
        (None, None, True),  # a client that does not say (old browser, app web view)
        ("no-cors", "image", False),  # a hidden <img> on any page
        ("navigate", "iframe", False),  # a hidden iframe
        ("cors", "empty", False),  # a script's fetch
    ],
)
def test_only_top_level_navigations_count(
    client: TestClient, article: Article, mode: str | None, dest: str | None, counted: bool
) -> None:
    headers = {"Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest} if mode and dest else {}
    assert click(client, article.id, "x", **headers) == 302
    assert client.get(f"/v1/articles/{article.id}/shares").json()["total"] == int(counted)


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
    views = client.post(f"/v1/articles/{hidden.id}/views", headers={"Origin": SITE_ORIGIN})
    assert views.status_code == 404


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
    url, site = f"/v1/articles/{article.id}/views", {"Origin": SITE_ORIGIN}
    assert client.post(url, headers=site).json() == {"counted": True, "views": 1}
    assert client.post(url, headers=site).json() == {"counted": False, "views": 1}
    other_agent = {**site, "User-Agent": CHROME + " b"}
    assert client.post(url, headers=other_agent).json() == {"counted": False, "views": 1}
    with reader(client.app, "198.51.100.20") as elsewhere:
        assert elsewhere.post(url, headers=site).json() == {"counted": True, "views": 2}
    bot = {**site, "User-Agent": BOT}
    assert client.post(url, headers=bot).json() == {"counted": False, "views": 2}
    clock.advance(DAY)
    response = client.post(url, headers=site)
    assert response.json() == {"counted": True, "views": 3}
    assert response.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert client.post("/v1/articles/nope/views", headers=site).status_code == 404


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null", SITE_ORIGIN + ".evil"])
def test_views_from_other_origins_are_refused(
    client: TestClient, article: Article, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    response = client.post(f"/v1/articles/{article.id}/views", headers=headers)
    assert response.status_code == 403
    assert "site's own pages" in response.json()["error"]["message"]
    assert client.post(
        f"/v1/articles/{article.id}/views", headers={"Origin": SITE_ORIGIN}
    ).json() == {"counted": True, "views": 1}


def test_share_counts_are_readable_cross_origin(client: TestClient, article: Article) -> None:
    response = client.get(f"/v1/articles/{article.id}/shares")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert client.get("/v1/articles/unknown/shares").status_code == 404


@pytest.mark.parametrize(("trusted", "uniques"), [("127.0.0.1", 2), ("192.0.2.1", 1)])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    redis_client: Redis, keys: Keys, clock: Clock, article: Article, trusted: str, uniques: int
) -> None:
    """Behind a proxy on another host every visitor was the proxy: the proxies whose
    X-Forwarded-For is believed are a setting (uvicorn's forwarded_allow_ips)."""
    services = share_services(redis_client, keys, clock)
    settings = services.settings.model_copy(update={"trusted_proxies": trusted})
    with live_server(create_app(services), settings) as server:
        for forwarded in ("203.0.113.10", "203.0.113.11"):
            response = httpx.get(
                f"{server.url}/s/{article.id}/x",
                headers={"User-Agent": CHROME, "X-Forwarded-For": forwarded},
            )
            assert response.status_code == 302
        counts = httpx.get(f"{server.url}/v1/articles/{article.id}/shares").json()
    assert counts["clicks"]["unique_today"] == uniques
