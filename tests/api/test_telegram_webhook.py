"""POST /telegram/webhook: only Telegram (the secret token) gets in; each update is queued for
the bot once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.wiring import Container, build_container
from tests.support.readers import drop

SECRET = "telegram-webhook-secret_0123"


def _container(redis_url: str, **more: Any) -> Container:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=redis_url, namespace=f"hook-{uuid.uuid4().hex[:8]}", **more,
    )  # fmt: skip
    return build_container(settings)


@pytest.fixture
def container(redis_url: str, redis_client: Redis) -> Iterator[Container]:
    c = _container(redis_url, telegram_webhook_secret=SECRET)
    yield c
    drop(c)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


def post(client: TestClient, body: Any, secret: str | None = SECRET, **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers}
    if secret is not None:
        sent["X-Telegram-Bot-Api-Secret-Token"] = secret
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/telegram/webhook", content=raw, headers=sent)


def test_an_update_is_queued_once(client: TestClient, container: Container) -> None:
    update = {"update_id": 7, "message": {"message_id": 1, "text": "/start"}}
    first = post(client, update)
    assert first.status_code == 200 and first.json() == {"ok": True, "duplicate": False}
    again = post(client, update)  # Telegram repeats an update it got no answer for
    assert again.json() == {"ok": True, "duplicate": True}
    assert container.bot_inbox.pending() == 1
    raw = container.bot_inbox.take(1)
    assert raw is not None and json.loads(raw) == update


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 401), (SECRET + "x", 401)])
def test_requests_without_the_secret_token_are_refused(
    client: TestClient, container: Container, secret: str | None, status: int
) -> None:
    response = post(client, {"update_id": 1}, secret)
    assert response.status_code == status
    assert response.json()["error"]["message"] == "missing or wrong X-Telegram-Bot-Api-Secret-Token"
    assert container.bot_inbox.pending() == 0


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{nope", 400, "not JSON"),
        ([1, 2], 422, "update_id"),
        ({"update_id": "7"}, 422, "update_id"),
        ({"update_id": -1}, 422, "update_id"),
        ({"update_id": 1, "text": "x" * 300_000}, 413, "limit"),
    ],
)
def test_bad_updates_are_refused_and_nothing_is_queued(
    client: TestClient, container: Container, body: Any, status: int, says: str
) -> None:
    response = post(client, body)
    assert response.status_code == status and says in response.json()["error"]["message"]
    assert container.bot_inbox.pending() == 0


def test_wrong_content_type_is_refused(client: TestClient) -> None:
    response = post(client, {"update_id": 1}, **{"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_without_a_configured_secret_the_route_is_absent(
    redis_url: str, redis_client: Redis
) -> None:
    c = _container(redis_url)
    try:
        with TestClient(create_app(c)) as client:
            assert post(client, {"update_id": 1}).status_code == 404
    finally:
        drop(c)
