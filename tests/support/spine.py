"""The spine under test: a live sandbox, the real API app, real `distributor worker` processes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.config import Settings
from distributor.intake.signature import SIGNATURE_HEADER, sign
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import Delivery
from distributor.publishing.ledger import Ledger
from distributor.sandbox.server import chat_for_target, running_sandbox, sandbox_config_for
from distributor.wiring import Container, build_container
from tests.support.processes import Service, child_env, worker
from tests.support.redis import REDIS_URL

SECRET = "spine-test-webhook-secret-0123456789"


@dataclass
class SandboxClient:
    """The sandbox's inspection API."""

    url: str

    def messages(self, target: str | None = None) -> list[dict[str, Any]]:
        """Telegram messages, optionally of the chat a routing target names."""
        params = {} if target is None else {"chat_id": chat_for_target(target).id}
        return list(httpx.get(f"{self.url}/sandbox/telegram/messages", params=params).json())

    def tweets(self) -> list[dict[str, Any]]:
        """Every tweet."""
        return list(httpx.get(f"{self.url}/sandbox/x/tweets").json())

    def fault(self, **spec: Any) -> None:
        """Arm a fault (see distributor.sandbox.faults.FaultSpec)."""
        httpx.post(f"{self.url}/sandbox/faults", json=spec).raise_for_status()


@dataclass
class Spine:
    """One isolated deployment: its own namespace on the test Redis, env for child processes."""

    settings: Settings
    env: dict[str, str]
    sandbox: SandboxClient
    logs: Path
    api: TestClient
    redis: Redis
    container: Container
    services: list[Service] = field(default_factory=list)

    def publish(self, event: dict[str, Any], signed_at: int | None = None) -> httpx.Response:
        """POST an event to the API, signed now or at the Unix time ``signed_at``."""
        body = json.dumps(event).encode()
        at = int(time.time()) if signed_at is None else signed_at
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, SECRET.encode(), at),
        }
        return self.api.post("/v1/events", content=body, headers=headers)

    def worker(self, concurrency: int = 2) -> Service:
        """Start a `distributor worker` process (stopped at teardown)."""
        proc = worker(self.env, self.logs / "worker.log", concurrency)
        self.services.append(proc)
        return proc

    def beat(self) -> Service:
        """Start a `distributor beat` in its own folder (its schedule file); stopped at teardown."""
        folder = self.logs / f"beat{len(self.services)}"
        folder.mkdir()
        beat = Service(["beat"], self.env, self.logs / f"{folder.name}.log", cwd=folder)
        self.services.append(beat.start("beat: Starting"))
        return beat

    def ledger(self) -> Ledger:
        """A ledger client on this deployment's namespace."""
        return self.container.ledger

    def deliveries(self, article_id: str) -> dict[str, Delivery]:
        """Deliveries of an article by destination id."""
        return {d.destination: d for d in self.ledger().list_deliveries(article_id)}


def wait_until(check: Callable[[], Any], what: str = "", timeout: float = 60.0) -> Any:
    """Poll ``check`` until it returns something truthy and return that; fail naming ``what``
    after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or check}")


def spine_env(settings: Settings, sandbox_url: str) -> dict[str, str]:
    """Environment for child processes matching ``settings``."""
    env = child_env()
    env.update(
        DISTRIBUTOR_REDIS_URL=settings.redis_url,
        DISTRIBUTOR_NAMESPACE=settings.namespace,
        DISTRIBUTOR_SANDBOX="true",
        DISTRIBUTOR_SANDBOX_URL=sandbox_url,
        DISTRIBUTOR_ROUTING_FILE=str(settings.routing_file),
        DISTRIBUTOR_WEBHOOK_SECRET=SECRET,
        DISTRIBUTOR_LEASE_S=str(settings.lease_s),
        DISTRIBUTOR_VISIBILITY_TIMEOUT_S=str(settings.visibility_timeout_s),
        DISTRIBUTOR_HTTP_TIMEOUT_S=str(settings.http_timeout_s),
        DISTRIBUTOR_RECONCILE_MIN_AGE_S="1",
        DISTRIBUTOR_LOG_VERBOSE="true",  # tests read Celery's per-task lines in the logs
    )
    return env


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
