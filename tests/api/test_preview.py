"""POST /v1/preview: the posts and share links for the default destinations, nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from redis import Redis

from distributor.api.app import create_app
from distributor.config import ApiToken, Settings
from distributor.keys import Keys
from distributor.publishing.routing.loader import load_routing
from distributor.wiring import Container
from tests.support.seed import seed_article_dict

ROUTING = """
defaults = ["x-main", "channel"]

[[destinations]]
id = "channel"
platform = "telegram"
target = "@visualjambi"
template = "brief.html.j2"
language = "en"

[[destinations]]
id = "other"
platform = "telegram"
target = "@other"

[[destinations]]
id = "x-main"
platform = "x"
target = "visualjambi"
"""
URL = seed_article_dict()["url"]
TOKEN = "preview-token-3c9d0e"


@pytest.fixture
def client(tmp_path: Path, redis_client: Redis, keys: Keys) -> Iterator[TestClient]:
    routing_file = tmp_path / "routing.toml"
    routing_file.write_text(ROUTING, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "brief.html.j2").write_text("<b>{{ title }}</b>", encoding="utf-8")
    settings = Settings(
        tokens=[ApiToken(name="cms", token=SecretStr(TOKEN), scopes=frozenset({"preview"}))],
        routing_file=routing_file,
        public_base_url="https://go.visualjambi.com",
        utm_campaign="pemilu",
        _env_file=None,
    )
    sent: list[tuple[str, dict[str, Any]]] = []
    services = Container(
        settings=settings,
        redis=redis_client,
        keys=keys,
        routing=load_routing(routing_file),
        enqueue=lambda name, kwargs, queue=None: sent.append((name, kwargs)),
    )
    app = create_app(services)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client
    assert sent == []  # a preview never enqueues anything
    # nor stores anything but the token's own bookkeeping (its last use, its request rate)
    stored = set(redis_client.keys(f"{keys.prefix}:*"))
    assert stored <= {keys.env_token_use(), keys.rate("api:token:cms")}


def test_preview_of_the_seed_article(client: TestClient) -> None:
    response = client.post("/v1/preview", json=seed_article_dict())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"telegram", "x", "share_links"}
    read_url = f"{URL}?utm_source=telegram&utm_medium=social&utm_campaign=pemilu"
    assert body["telegram"] == {
        "method": "sendPhoto",
        "parse_mode": "HTML",
        "caption": "<b>Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi</b>",
        "reply_markup": {"inline_keyboard": [[{"text": "Read more", "url": read_url}]]},
        "link_preview_options": None,
    }
    tweet_url = f"{URL}?utm_source=x&utm_medium=social&utm_campaign=pemilu"
    assert body["x"] == {
        "text": "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi\n\n"
        f"{tweet_url}\n\n#AlHaris #Gubernur #Rakor",
        "neutralised_mentions": [],
        "image_url": seed_article_dict()["image_url"],
        "alt_text": "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi",
    }
    assert body["share_links"]["reddit"] == "https://go.visualjambi.com/s/20240201-rakor/reddit"
    assert len(body["share_links"]) == 9


def test_preview_shows_the_mentions_it_neutralised(client: TestClient) -> None:
    title = "Ketua KPU @kpu_ri: Pemilu Damai, kata @visualjambi"
    response = client.post("/v1/preview", json={**seed_article_dict(), "title": title})
    assert response.status_code == 200
    x = response.json()["x"]
    assert x["neutralised_mentions"] == ["@kpu_ri", "@visualjambi"]
    assert x["text"].startswith("Ketua KPU @\u2060kpu_ri: Pemilu Damai, kata @\u2060visualjambi")


def test_preview_without_image_is_a_message(client: TestClient) -> None:
    response = client.post("/v1/preview", json={**seed_article_dict(), "image_url": None})
    assert response.status_code == 200
    telegram = response.json()["telegram"]
    assert telegram["method"] == "sendMessage"
    assert "caption" not in telegram
    assert telegram["link_preview_options"] == {"url": URL, "prefer_large_media": True}


def test_invalid_article_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/preview", json={**seed_article_dict(), "url": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_unformattable_article_is_refused_with_the_reason(client: TestClient) -> None:
    article = {**seed_article_dict(), "url": "http://intranet/" + "x" * 300}
    response = client.post("/v1/preview", json=article)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "the template's own text or the URL is too long" in message


def test_preview_needs_a_token_with_the_preview_scope(client: TestClient) -> None:
    anonymous = client.post("/v1/preview", json=seed_article_dict(), headers={"Authorization": ""})
    assert anonymous.status_code == 401
    wrong = client.post(
        "/v1/preview", json=seed_article_dict(), headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_a_preview_body_over_the_cap_is_refused_unread(client: TestClient) -> None:
    """Was accepted whole (a 200 MB body took the API from 92 to 436 MB)."""
    declared = client.post(
        "/v1/preview", content=b"{}", headers={"Content-Length": str(200 * 1024 * 1024)}
    )
    assert declared.status_code == 413
    chunks = (b"x" * 65536 for _ in range(40))  # 2.6 MB, streamed with no Content-Length
    streamed = client.post(
        "/v1/preview", content=chunks, headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert "body exceeds the limit of 1000000 bytes" in streamed.json()["error"]["message"]
