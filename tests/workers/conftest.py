"""Fixtures for the spine tests: one isolated deployment per call of ``make_spine``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.sandbox.server import running_sandbox, sandbox_config_for
from distributor.wiring import build_container
from tests.support.redis import REDIS_URL
from tests.support.spine import SECRET, SandboxClient, Spine, spine_env


@pytest.fixture
def make_spine(tmp_path: Path) -> Iterator[Callable[..., Spine]]:
    """Build a Spine on a given Redis URL (the test Redis by default)."""
    stack: list[tuple[Spine, Any]] = []

    def build(redis_url: str = REDIS_URL, **overrides: Any) -> Spine:
        routing = overrides.pop("routing_file", EXAMPLE_ROUTING)
        sandbox = overrides.pop("sandbox_config", None) or sandbox_config_for(EXAMPLE_ROUTING)
        ctx = running_sandbox(sandbox)
        sandbox_url = ctx.__enter__()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            redis_url=redis_url,
            namespace=f"spine-{uuid.uuid4().hex[:8]}",
            sandbox=True,
            sandbox_url=sandbox_url,
            routing_file=routing,
            webhook_secret=SECRET,  # type: ignore[arg-type]
            lease_s=overrides.pop("lease_s", 3),
            visibility_timeout_s=overrides.pop("visibility_timeout_s", 10),
            http_timeout_s=overrides.pop("http_timeout_s", 5),
            **overrides,
        )
        container = build_container(settings, redis_timeout_s=settings.http_timeout_s)
        env = spine_env(settings, sandbox_url)
        scalars = {k: v for k, v in overrides.items() if isinstance(v, str | int | float)}
        env.update({f"DISTRIBUTOR_{k.upper()}": str(v) for k, v in scalars.items()})
        spine = Spine(
            settings=settings,
            env=env,
            sandbox=SandboxClient(sandbox_url),
            logs=tmp_path,
            api=TestClient(create_app(container)),
            redis=Redis.from_url(redis_url, decode_responses=True),
            container=container,
        )
        stack.append((spine, ctx))
        return spine

    yield build
    for spine, ctx in reversed(stack):
        for service in spine.services:
            service.stop()
        keys = list(spine.redis.scan_iter(f"{spine.settings.namespace}:*"))
        if keys:
            spine.redis.delete(*keys)
        spine.redis.close()
        spine.container.close()
        ctx.__exit__(None, None, None)
