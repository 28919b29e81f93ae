"""A live sandbox with real publishers for tests, a delivery rig, a connection-dropping server."""

from __future__ import annotations

import html
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis import Redis

from distributor.config import Settings
from distributor.keys import Keys
from distributor.models import Article, Destination, Platform, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishers.factory import build_telegram, build_x
from distributor.publishers.telegram import TelegramPublisher
from distributor.publishers.x import XPublisher
from distributor.publishing.delivery import Outcome, deliver
from distributor.publishing.ledger import Ledger, Snapshot
from distributor.publishing.probe import Probe, ProbeSettings
from distributor.publishing.ratelimit import RateGovernor
from distributor.publishing.routing import Action
from distributor.sandbox.config import ChatSpec, SandboxConfig
from distributor.sandbox.server import running_sandbox

CHANNEL_ID = -1001234567890
PROBE_CHAT = "-1009990001"  # the bot's private channel the reconciler forwards posts to
CHANNEL = Destination(id="tg-news", platform="telegram", target="@newsroom")
X_ACCOUNT = Destination(id="x-news", platform="x", target="newsdesk")


def sandbox_config(**overrides: Any) -> SandboxConfig:
    """The newsroom channel, plus whatever a test changes."""
    chats = [
        ChatSpec(id=CHANNEL_ID, type="channel", username="@newsroom"),
        ChatSpec(id=int(PROBE_CHAT), type="channel", title="probe"),
    ]
    return SandboxConfig(chats=chats, **overrides)


@dataclass
class Harness:
    """One running sandbox: settings pointing at it, publishers, inspection helpers."""

    base_url: str
    http: httpx.Client
    _closers: list[TelegramPublisher] = field(default_factory=list)

    def settings(
        self, base_url: str | None = None, timeout_s: float = 5.0, probe_chat: str | None = None
    ) -> Settings:
        """Sandbox-mode settings aimed at ``base_url`` (this sandbox by default)."""
        return Settings(
            sandbox=True, sandbox_url=base_url or self.base_url, http_timeout_s=timeout_s,
            telegram_probe_chat=probe_chat,
        )  # fmt: skip

    def telegram(
        self, base_url: str | None = None, timeout_s: float = 5.0, probe_chat: str | None = None
    ) -> TelegramPublisher:
        """A Telegram publisher on a real ``Bot``; closed when the harness ends."""
        publisher = build_telegram(self.settings(base_url, timeout_s, probe_chat))
        self._closers.append(publisher)
        return publisher

    def x(self, base_url: str | None = None, timeout_s: float = 5.0) -> XPublisher:
        """An X publisher on a real ``tweepy.Client``."""
        return build_x(self.settings(base_url, timeout_s))

    def publisher(
        self, platform: Platform, timeout_s: float = 5.0
    ) -> TelegramPublisher | XPublisher:
        """A publisher for a platform on this sandbox."""
        if platform == "telegram":
            return self.telegram(timeout_s=timeout_s)
        return self.x(timeout_s=timeout_s)

    def fault(self, platform: Platform, method: str, kind: str, **spec: Any) -> None:
        """Arm a fault for the next call(s) of ``method``."""
        body = {"platform": platform, "method": method, "kind": kind, **spec}
        self.http.post("/sandbox/faults", json=body).raise_for_status()

    def messages(self) -> list[dict[str, Any]]:
        """Telegram messages in the channel that were not deleted."""
        listing = self.http.get("/sandbox/telegram/messages", params={"chat_id": CHANNEL_ID})
        return [m for m in listing.raise_for_status().json() if not m["deleted"]]

    def tweets(self) -> list[dict[str, Any]]:
        """Tweets that were not deleted."""
        listing = self.http.get("/sandbox/x/tweets").raise_for_status().json()
        return [t for t in listing if not t["deleted"]]

    def posts(self, platform: Platform) -> list[dict[str, Any]]:
        """What stands on one platform."""
        return self.messages() if platform == "telegram" else self.tweets()

    def close(self) -> None:
        for publisher in self._closers:
            publisher.close()
        self.http.close()


@contextmanager
def sandbox_harness(config: SandboxConfig | None = None) -> Iterator[Harness]:
    """A sandbox on a free port, torn down afterwards."""
    with running_sandbox(config or sandbox_config()) as base_url:
        harness = Harness(base_url, httpx.Client(base_url=base_url, timeout=10))
        try:
            yield harness
        finally:
            harness.close()


@contextmanager
def dropping_server() -> Iterator[str]:
    """A server that reads each request in full, then closes without answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                _read_request(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _read_request(conn: socket.socket) -> None:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")),
        0,
    )  # fmt: skip
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def closed_port_url() -> str:
    """A URL where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def title_and_link(article: Article, destination: Destination) -> RenderedPost:
    """The plainest formatter: bold title and link (Telegram), title and link (X)."""
    if destination.platform == "telegram":
        text = f"<b>{html.escape(article.title)}</b>\n{article.url}"
        return RenderedPost(platform="telegram", method="sendMessage", text=text, parse_mode="HTML")
    return RenderedPost(platform="x", method="tweet", text=f"{article.title[:200]} {article.url}")


@dataclass
class Rig:
    """Everything ``deliver`` needs, on a real Redis and a live sandbox."""

    harness: Harness
    ledger: Ledger
    governor: RateGovernor
    publishers: dict[str, Publisher] = field(default_factory=dict)
    probe: Probe | None = None  # the reconciler's (``with_probe``)

    def with_probe(self, redis: Redis, keys: Keys, **settings: Any) -> Rig:
        """This rig with a reconciler's probe on its governor (``ProbeSettings`` overrides)."""
        self.probe = Probe(redis, keys, self.governor, ProbeSettings(**settings))
        return self

    def publisher(self, platform: Platform) -> Publisher:
        """One publisher per platform, reused across calls."""
        if platform not in self.publishers:
            self.publishers[platform] = self.harness.publisher(platform)
        return self.publishers[platform]

    def publisher_for(self, destination: Destination) -> Publisher:
        """The publisher of ``destination``'s platform (one account per platform here)."""
        return self.publisher(destination.platform)

    def run(
        self, article: Article, destination: Destination, action: Action = "publish", **kw: Any
    ) -> Outcome:
        """One ``deliver`` call with the title-and-link formatter."""
        kw.setdefault("publisher", self.publisher(destination.platform))
        kw.setdefault("render", title_and_link)
        return deliver(
            article, destination, action, ledger=self.ledger, governor=self.governor, **kw
        )


class InterleavedLedger(Ledger):
    """A real ledger that runs ``between`` right after each ``snapshot``: another worker's
    step placed deterministically between a delivery's snapshot and what it does next."""

    def __init__(self, redis: Redis, keys: Keys, between: Callable[[], None], **kw: Any) -> None:
        super().__init__(redis, keys, **kw)
        self._between = between

    def snapshot(self, article_id: str, destination: str, revision: int) -> Snapshot:
        found = super().snapshot(article_id, destination, revision)
        self._between()
        return found
