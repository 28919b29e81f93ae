"""Shared fixtures: a real Redis (flushed per test), namespaced keys, the seed article."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from tests.support.redis import CONFIGURED_URL, EMBEDDED, REDIS_URL
from tests.support.seed import seed_article_dict, seed_event

pytest_plugins = ("tests.support.spine",)  # make_spine: the workers' and the desk's tests


def pytest_report_header() -> str:
    """Say which Redis the session uses (an embedded one when none answered)."""
    if EMBEDDED:
        return f"redis: embedded at {REDIS_URL} (nothing answered at {CONFIGURED_URL})"
    return f"redis: {REDIS_URL}"


@pytest.fixture
def redis_url() -> str:
    """URL of the test database on the machine's Redis (one db, flushed around each test)."""
    return REDIS_URL


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Redis]:
    """A real Redis client on an empty test database."""
    client = Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def keys() -> Keys:
    """Keys under a namespace unique to the test."""
    return Keys(prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def seed_article() -> dict[str, Any]:
    """The seed article (the shape in docs/architecture.md, "Event") built from the saved page."""
    return seed_article_dict()


@pytest.fixture
def seed_published_event() -> dict[str, Any]:
    """An ``article.published`` event for the seed article."""
    return seed_event()
