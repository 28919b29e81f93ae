"""GET /v1/trending, /v1/trending/{id}/explain and the popular widget (HTML and JSON)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.audience.trending import HOUR, Trending
from distributor.keys import Keys
from tests.support.clock import T0, Clock
from tests.support.shares import CHROME, SITE_ORIGIN, share_services, store_article

_READERS = itertools.count(1)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def client(redis_client: Redis, keys: Keys, clock: Clock) -> Iterator[TestClient]:
    app = create_app(share_services(redis_client, keys, clock))
    with TestClient(app, headers={"User-Agent": CHROME, "Origin": SITE_ORIGIN}) as test_client:
        yield test_client


def view(client: TestClient, article_id: str, times: int) -> None:
    for _ in range(times):
        address = f"198.51.100.{next(_READERS)}"  # a new visitor each time
        with TestClient(client.app, headers=client.headers, client=(address, 50000)) as reader:
            response = reader.post(f"/v1/articles/{article_id}/views")
        assert response.json()["counted"] is True


@pytest.fixture
def stories(client: TestClient, redis_client: Redis, keys: Keys) -> None:
    store_article(redis_client, keys, id="pol-1", title="Rakor <b>Gubernur</b>", category="Politik")
    store_article(redis_client, keys, id="pol-2", title="Pilkada", category="Politik")
    store_article(redis_client, keys, id="spo-1", title="Sepak bola", category="Sport")
    view(client, "pol-1", 3)
    view(client, "pol-2", 1)
    view(client, "spo-1", 2)


def ids(body: dict[str, list[dict[str, object]]]) -> list[object]:
    return [item["id"] for item in body["items"]]


@pytest.mark.usefixtures("stories")
def test_global_and_category_lists(client: TestClient) -> None:
    assert ids(client.get("/v1/trending").json()) == ["pol-1", "spo-1", "pol-2"]
    assert ids(client.get("/v1/trending?category=politik").json()) == ["pol-1", "pol-2"]
    assert ids(client.get("/v1/trending?category=Sport&window=week").json()) == ["spo-1"]
    assert ids(client.get("/v1/trending?limit=1").json()) == ["pol-1"]
    assert client.get("/v1/trending?window=month").status_code == 422
    assert client.get("/v1/trending?limit=0").status_code == 422


@pytest.mark.usefixtures("stories")
def test_decay_reorders_the_list(client: TestClient, clock: Clock) -> None:
    clock.advance(12 * HOUR)  # pol-1's three views now weigh 0.75
    view(client, "pol-2", 1)  # pol-2: 0.25 + 1
    assert ids(client.get("/v1/trending").json()) == ["pol-2", "pol-1", "spo-1"]
    # a week-long half-life barely decays in 12 h: the three views still lead
    assert ids(client.get("/v1/trending?window=week").json())[0] == "pol-1"


@pytest.mark.usefixtures("stories")
def test_explain_sums_to_the_listed_score(client: TestClient, clock: Clock) -> None:
    clock.advance(2 * HOUR)
    view(client, "pol-1", 1)
    clock.advance(HOUR)
    listed = client.get("/v1/trending").json()["items"][0]
    found = client.get("/v1/trending/pol-1/explain").json()
    assert found["score"] == pytest.approx(listed["score"])
    assert sum(i["contribution"] for i in found["items"]) == pytest.approx(found["score"])
    assert sum(i["events"] for i in found["items"]) == 4
    assert client.get("/v1/trending/nope/explain").status_code == 404


@pytest.mark.usefixtures("stories")
def test_unpublished_article_leaves_the_lists(
    client: TestClient, redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    Trending(redis_client, keys, clock=clock).remove("pol-1")
    assert ids(client.get("/v1/trending").json()) == ["spo-1", "pol-2"]
    assert ids(client.get("/v1/trending?category=politik&window=today").json()) == ["pol-2"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


@pytest.mark.usefixtures("stories")
def test_widget_html_is_escaped_and_embeddable(client: TestClient) -> None:
    client.get("/s/pol-1/facebook", follow_redirects=False)
    client.get("/s/pol-1/x", follow_redirects=False)
    response = client.get("/widgets/trending.html?limit=2")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "x-frame-options" not in response.headers
    html = response.text
    assert "<b>Gubernur</b>" not in html  # the title's markup is text, not tags
    assert "2 shares · Share 1 · Tweet 1" in html
    parser = _Links()
    parser.feed(html)
    assert [title for _, title in parser.links] == ["Rakor Gubernur", "Sepak bola"]
    assert parser.links[0][0].startswith("https://visualjambi.com/")


@pytest.mark.usefixtures("stories")
def test_widget_json(client: TestClient) -> None:
    client.get("/s/spo-1/x", follow_redirects=False)
    body = client.get("/widgets/trending.json?category=sport").json()
    [item] = body["items"]
    assert item["title"] == "Sepak bola"
    assert item["shares"] == {"total": 1, "facebook": 0, "x": 1}
    assert item["label"] == "1 share · Share 0 · Tweet 1"


def test_hostile_title_is_escaped(client: TestClient, redis_client: Redis, keys: Keys) -> None:
    store_article(redis_client, keys, id="evil", title="&lt;script&gt;alert(1)&lt;/script&gt;")
    view(client, "evil", 1)
    html = client.get("/widgets/trending.html").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
