"""A live sandbox per module and a container per test, on the test Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from distributor.sandbox.config import ChatSpec, SandboxConfig
from distributor.sandbox.server import running_sandbox
from distributor.wiring import Container
from tests.support.readers import PROBE_CHAT, Sandbox, drop, reader_container, reader_settings


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """A live sandbox with the probe chat."""
    config = SandboxConfig(chats=[ChatSpec(id=PROBE_CHAT, type="channel")])
    with running_sandbox(config) as url:
        yield url


@pytest.fixture
def sandbox(sandbox_url: str) -> Sandbox:
    """The sandbox, reset."""
    httpx.post(f"{sandbox_url}/sandbox/reset").raise_for_status()
    return Sandbox(sandbox_url)


@pytest.fixture
def make_container(sandbox: Sandbox, redis_client: Any) -> Iterator[Callable[..., Container]]:
    """Containers on the sandbox and the test Redis (namespaces removed afterwards)."""
    made: list[Container] = []

    def make(**overrides: Any) -> Container:
        container = reader_container(reader_settings(sandbox.url, **overrides))
        made.append(container)
        return container

    yield make
    for container in made:
        drop(container)
