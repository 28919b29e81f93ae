"""The whole service over real HTTP for end-to-end tests: sandbox, `distributor api`, workers.

Unlike the spine of tests/workers (the API in-process through TestClient), the API here is a
real `distributor api` process on its own port, because a CMS (WordPress) has to reach it, and
a test has to be able to stop it and start it again on the same port.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from redis import Redis

from distributor.keys import Keys
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import Delivery
from distributor.publishing.ledger import Ledger
from distributor.sandbox.server import (
    chat_for_target,
    free_port,
    running_sandbox,
    sandbox_config_for,
)
from tests.support.processes import Service, child_env

WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdef"
MANAGER_TOKEN = "e2e-manager-token-7c1d9a"


@dataclass
class Stack:
    """One deployment in its own Redis namespace; child processes share ``env``."""

    api_url: str
    sandbox_url: str
    namespace: str
    env: dict[str, str]
    logs: Path
    redis: Redis
    services: list[Service] = field(default_factory=list)
    api: Service | None = None

    def start_api(self) -> None:
        """Start `distributor api` (again) on the stack's port."""
        self.api = Service(["api"], self.env, self.logs / "api.log").start("Uvicorn running on")
        self.services.append(self.api)

    def stop_api(self) -> None:
        """Stop the API process: the site's events now fail to arrive."""
        assert self.api is not None
        self.api.stop()

    def start_worker(self, concurrency: int = 2) -> None:
        """Start a `distributor worker` on every queue."""
        args = ["worker", f"--concurrency={concurrency}"]
        self.services.append(Service(args, self.env, self.logs / "worker.log").start("ready."))

    def run(self, *args: str) -> Service:
        """Start another `distributor` command with the stack's environment (not waited for)."""
        name = args[0]
        service = Service(list(args), self.env, self.logs / f"{name}.log").start()
        self.services.append(service)
        return service

    def messages(self, target: str = "@visualjambi") -> list[dict[str, Any]]:
        """Telegram messages in the chat a routing target names."""
        params = {"chat_id": chat_for_target(target).id}
        return list(
            httpx.get(f"{self.sandbox_url}/sandbox/telegram/messages", params=params).json()
        )

    def tweets(self) -> list[dict[str, Any]]:
        """Every tweet."""
        return list(httpx.get(f"{self.sandbox_url}/sandbox/x/tweets").json())

    def deliveries(self, article_id: str) -> list[Delivery]:
        """The ledger's deliveries of one article."""
        return Ledger(self.redis, Keys(self.namespace)).list_deliveries(article_id)


@contextmanager
def running_stack(redis_url: str, logs: Path, fast: bool = False) -> Iterator[Stack]:
    """A sandbox (in a thread) and the environment for the service's processes, which the test
    starts; all stopped, and the namespace's keys removed, afterwards.

    ``fast`` lifts the sandbox's flood control and the rate governor (sandbox only), for tests
    that post dozens of articles and are not about pacing."""
    namespace = f"e2e-{uuid.uuid4().hex[:8]}"
    config = sandbox_config_for(EXAMPLE_ROUTING, flood_control=not fast)
    with running_sandbox(config) as sandbox_url:
        port = free_port()
        env = child_env()
        env.update(
            DISTRIBUTOR_REDIS_URL=redis_url,
            DISTRIBUTOR_NAMESPACE=namespace,
            DISTRIBUTOR_SANDBOX="true",
            DISTRIBUTOR_SANDBOX_URL=sandbox_url,
            DISTRIBUTOR_ROUTING_FILE=str(EXAMPLE_ROUTING),
            DISTRIBUTOR_WEBHOOK_SECRET=WEBHOOK_SECRET,
            DISTRIBUTOR_API_HOST="127.0.0.1",
            DISTRIBUTOR_API_PORT=str(port),
            DISTRIBUTOR_TOKENS=json.dumps(
                [{"name": "wp", "token": MANAGER_TOKEN, "scopes": ["deliveries:read", "reshare"]}]
            ),
            DISTRIBUTOR_RATE_LIMITS="off" if fast else "on",
            DISTRIBUTOR_LEASE_S="5",
            DISTRIBUTOR_VISIBILITY_TIMEOUT_S="20",
            DISTRIBUTOR_HTTP_TIMEOUT_S="5",
        )
        redis = Redis.from_url(redis_url, decode_responses=True)
        stack = Stack(f"http://127.0.0.1:{port}", sandbox_url, namespace, env, logs, redis)
        try:
            yield stack
        finally:
            for service in reversed(stack.services):
                service.stop()
            keys = list(redis.scan_iter(f"{namespace}:*"))
            if keys:
                redis.delete(*keys)
            redis.close()
