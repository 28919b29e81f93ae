"""Readers under test: a container on the test Redis and a live sandbox, readers who talk to
the bot through the sandbox's inspection API, and what they received."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from distributor.audience.readers import records
from distributor.audience.readers.records import Job
from distributor.audience.readers.sends import ReaderSends, Settle
from distributor.config import Settings
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import Article, Destination, RenderedPost
from distributor.wiring import Container, build_container
from tests.support.processes import child_env
from tests.support.redis import REDIS_URL
from tests.support.seed import seed_article_dict

PROBE_CHAT = -1009990001


def reader_settings(sandbox_url: str, **overrides: Any) -> Settings:
    """Sandbox settings on the test Redis under a fresh namespace."""
    values: dict[str, Any] = {
        "redis_url": REDIS_URL,
        "namespace": f"readers-{uuid.uuid4().hex[:8]}",
        "sandbox": True,
        "sandbox_url": sandbox_url,
        "routing_file": EXAMPLE_ROUTING,
        "lease_s": 3,
        "http_timeout_s": 3,
        "telegram_probe_chat": str(PROBE_CHAT),
        "reconcile_min_age_s": 0,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def reader_container(settings: Settings) -> Container:
    """A container for ``settings`` (its keys are removed by ``drop``)."""
    return build_container(settings)


def drop(container: Container) -> None:
    """Delete the container's namespace and close it."""
    keys = list(container.redis.scan_iter(f"{container.settings.namespace}:*"))
    if keys:
        container.redis.delete(*keys)
    container.close()


@dataclass
class Sandbox:
    """The sandbox's inspection API, as a reader and a tester use it."""

    url: str

    def say(self, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
        """The reader ``user_id`` writes ``text`` to the bot."""
        body = {"text": text, "user_id": user_id, "first_name": f"R{user_id}", **extra}
        response = httpx.post(f"{self.url}/sandbox/telegram/updates", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def update(self, **body: Any) -> httpx.Response:
        """Inject any update (callback, reactions)."""
        return httpx.post(f"{self.url}/sandbox/telegram/updates", json=body)

    def callbacks(self) -> list[dict[str, Any]]:
        """Pressed buttons and the bot's answers."""
        found: list[dict[str, Any]] = httpx.get(f"{self.url}/sandbox/telegram/callbacks").json()
        return found

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages (of one chat)."""
        params = {} if chat_id is None else {"chat_id": chat_id}
        found: list[dict[str, Any]] = httpx.get(
            f"{self.url}/sandbox/telegram/messages", params=params, timeout=30
        ).json()
        return found

    def from_bot(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The bot's live messages, not forwarded probe copies."""
        return [
            m for m in self.messages(chat_id)
            if m["from_bot"] and not m["forwarded"] and not m["deleted"]
        ]  # fmt: skip

    def chat(self, chat_id: int, kind: str = "private", **flags: Any) -> None:
        """Create (or replace) a chat."""
        body = {"id": chat_id, "type": kind, **flags}
        httpx.post(f"{self.url}/sandbox/telegram/chats", json=body).raise_for_status()

    def private_chats(self, chat_ids: list[int]) -> None:
        """Create many private chats at once (readers who started the bot)."""
        specs = [{"id": chat, "type": "private"} for chat in chat_ids]
        response = httpx.post(f"{self.url}/sandbox/telegram/chats/bulk", json=specs, timeout=60)
        response.raise_for_status()

    def patch_chat(self, chat_id: int, **flags: Any) -> None:
        """Change a chat's flags (blocked, deactivated, migrate_to_chat_id)."""
        httpx.patch(f"{self.url}/sandbox/telegram/chats/{chat_id}", json=flags).raise_for_status()

    def fault(self, **spec: Any) -> None:
        """Arm a fault."""
        httpx.post(f"{self.url}/sandbox/faults", json=spec).raise_for_status()

    def config(self, **patch: Any) -> None:
        """Change the sandbox's config (flood control)."""
        httpx.patch(f"{self.url}/sandbox/config", json=patch).raise_for_status()


def article(article_id: str, category: str, tags: list[str] | None = None, **more: Any) -> Article:
    """The seed article under another id, category and tags."""
    body = seed_article_dict(article_id)
    body.update(category=category, tags=tags or [], url=f"https://example.com/{article_id}/")
    body.update(more)
    return Article.model_validate(body)


def wait_for(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    """Poll until ``check()`` is truthy and return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


def reader_env(settings: Settings, sandbox_url: str, **extra: str) -> dict[str, str]:
    """Environment for a child (`distributor bot`) on ``settings``' namespace and sandbox,
    governor off (these tests are not about pacing), plus ``extra`` settings."""
    return child_env(
        redis_url=settings.redis_url,
        namespace=settings.namespace,
        sandbox="true",
        sandbox_url=sandbox_url,
        routing_file=str(settings.routing_file),
        rate_limits="off",
        **extra,
    )


def later_batch(c: Container, sandbox: Sandbox, chat: int) -> int:
    """A reader send claimed after every lease so far ran out (a later chunk, its clock a day
    ahead): it bounds the ids an earlier in-doubt send can have, since Telegram numbers
    private chats per bot account. ``chat`` becomes a reader; returns the message id."""
    sandbox.chat(chat)
    c.subscriptions.touch(chat, "id")
    reader = Destination(id="reader", platform="telegram", target=str(chat))
    post = RenderedPost(platform="telegram", method="sendMessage", text="later")
    [message_id] = c.publisher("telegram").publish(reader, post)
    ahead = ReaderSends(c.redis, c.keys, c.reader_sends.lease_s, clock=lambda: time.time() + 86_400)
    job = Job("send", f"later-{chat}")
    token, _ = ahead.claim(job, [chat], job.scope)
    ahead.settle(
        job, token, [Settle(chat, records.sent(int(message_id), ahead.now(), 1), int(message_id))]
    )
    return int(message_id)
