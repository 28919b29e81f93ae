"""A desk on the test Redis: the real API app with its real Celery producer and tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.keys import Keys
from distributor.wiring import Container
from tests.support.desk import DESK_TOKENS
from tests.support.intake import api_services, make_settings


@pytest.fixture
def make_desk(
    redis_url: str, redis_client: Redis, keys: Keys
) -> Iterator[Callable[..., tuple[TestClient, Container]]]:
    """``make_desk(**settings)`` → (a client of the whole API app, its container); the
    environment tokens are ``DESK_TOKENS`` and the routing file the example's unless
    ``tokens`` / ``routing_file`` say otherwise."""
    opened: list[Any] = []

    def build(**overrides: Any) -> tuple[TestClient, Container]:
        kept = {"tokens": overrides.pop("tokens", DESK_TOKENS)}
        if "routing_file" in overrides:
            kept["routing_file"] = overrides.pop("routing_file")
        settings = make_settings(redis_url, keys, **overrides).model_copy(update=kept)
        services = api_services(settings)
        container = services.__enter__()
        client = TestClient(create_app(container))
        opened.append((client, services))
        return client, container

    yield build
    for client, services in reversed(opened):
        client.close()
        services.__exit__(None, None, None)
