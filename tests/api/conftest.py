"""The API on the test Redis: the real app over a container with its real Celery producer
(modules that need another app define their own ``client``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.keys import Keys
from distributor.wiring import Container
from tests.support.intake import api_services, make_settings


@pytest.fixture
def services(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[Container]:
    """The API's container on this test's namespace."""
    with api_services(make_settings(redis_url, keys)) as built:
        yield built


@pytest.fixture
def client(services: Container) -> Iterator[TestClient]:
    """The API app over ``services``."""
    with TestClient(create_app(services)) as test_client:
        yield test_client
